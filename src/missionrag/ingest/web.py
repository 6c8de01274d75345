"""HTML files and ``--url`` pages via trafilatura (title, date, main text, headings).

URL fetching refuses loopback, private, link-local and other non-public addresses unless
``MISSIONRAG_ALLOW_PRIVATE_URLS`` is set: a server that fetches URLs for its users must not
become a way into the network it sits in.
"""

from __future__ import annotations

import ipaddress
import socket
from contextlib import closing
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from missionrag.errors import InputError
from missionrag.ingest.markdown import load_markdown_text
from missionrag.models import Document

if TYPE_CHECKING:
    import httpx


def html_to_document(html: str, source: str, doc_id: str, url: str | None = None) -> Document:
    import trafilatura

    body = trafilatura.extract(
        html,
        url=url,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_links=False,
        favor_recall=True,
    )
    if not body or not body.strip():
        body = _deeply_nested_text(html, source)
    meta = trafilatura.extract_metadata(html, default_url=url)
    doc = load_markdown_text(body, source, doc_id, markdown=True)
    title = (getattr(meta, "title", None) or "").strip() if meta else ""
    date = getattr(meta, "date", None) if meta else None
    return doc.model_copy(
        update={"title": title or doc.title, "date": date, "url": url or doc.url, "kind": "html"}
    )


# libxml2's HTML parser stops descending at 255 levels and drops what lies deeper: a page of
# 50,000 nested tags used to come out as "no main text". Past that depth we parse again with
# huge_tree (up to 2,048 levels) and let trafilatura try up to a thousand (5 s at 5,000);
# deeper still, the page's whole text is taken by the standard library's parser, which has
# no depth limit (tests/test_ingest_hostile.py).
LIBXML_MAX_DEPTH = 255
EXTRACT_MAX_DEPTH = 1000


def _deeply_nested_text(html: str, source: str) -> str:
    """Text of a page whose main text trafilatura did not find; ``InputError`` if none."""
    import lxml.html
    import trafilatura
    from lxml import etree

    try:
        parser = lxml.html.HTMLParser(
            huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False
        )
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"{source}: no main text found in the HTML page ({exc})") from exc
    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if deepest < LIBXML_MAX_DEPTH:
        raise InputError(f"{source}: no main text found in the HTML page")
    text = None
    if deepest <= EXTRACT_MAX_DEPTH:
        text = trafilatura.extract(tree, output_format="markdown", favor_recall=True)
    if not text or not text.strip():
        text = _all_text(html)
    if not text.strip():
        raise InputError(
            f"{source}: no text found in the HTML page (its tags nest {deepest} levels deep)"
        )
    return text


_NO_TEXT = ("script", "style", "title", "template")


def _all_text(html: str) -> str:
    """Every text node outside script, style and title, one paragraph each (linear)."""
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip += tag in _NO_TEXT

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in _NO_TEXT and self.skip > 0

        def handle_data(self, data: str) -> None:
            if not self.skip and data.strip():
                self.parts.append(" ".join(data.split()))

    parser = Collect()
    parser.feed(html)
    parser.close()
    return "\n\n".join(parser.parts)


_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_MAX_HOPS = 5


def check_public_url(url: str, allow_private: bool) -> None:
    """Raise ``InputError`` unless ``url`` is http(s) to a public address (or private is allowed).

    An early refusal for callers that only validate (the API); ``fetch_url`` resolves again and
    connects to exactly the addresses it checked.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{url}: only http:// and https:// addresses can be ingested")
    if allow_private:
        return
    _resolve_checked(url, parsed.hostname, allow_private=False)


def _resolve_checked(url: str, host: str, *, allow_private: bool) -> list[_Address]:
    """Every address ``host`` resolves to, in resolver order, after checking all of them.

    One lookup per call: the caller must connect to these addresses and not resolve the name
    again, or a DNS-rebinding host could answer public here and loopback at connect time.
    """
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"{url}: host {host} could not be resolved ({exc})") from exc
    addresses: list[_Address] = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not allow_private and (not ip.is_global or ip.is_multicast):
            raise InputError(
                f"{url}: refusing a loopback, private or link-local address ({ip}); "
                "set MISSIONRAG_ALLOW_PRIVATE_URLS=1 to allow it"
            )
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise InputError(f"{url}: host {host} could not be resolved (no addresses)")
    return addresses


def _send_pinned(
    client: httpx.Client, target: httpx.URL, addresses: list[_Address]
) -> httpx.Response:
    """GET ``target`` from the first of ``addresses`` that accepts a connection.

    The URL given to httpx names the IP, so httpx never resolves the name itself; the Host
    header and the ``sni_hostname`` extension (httpcore uses it for SNI and for the certificate
    hostname check) keep naming the original host.
    """
    import httpx

    host = target.raw_host.decode("ascii")
    headers = {"Host": target.netloc.decode("ascii"), "User-Agent": "missionrag"}
    failure: httpx.TransportError | None = None
    for ip in addresses:
        request = client.build_request(
            "GET",
            target.copy_with(host=str(ip)),
            headers=headers,
            extensions={"sni_hostname": host},
        )
        try:
            return client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing was sent yet, so the next address is safe to try; this is what
            # socket.create_connection did when httpx resolved the name itself.
            failure = exc
    assert failure is not None  # _resolve_checked never returns an empty list
    raise failure


def fetch_url(url: str, *, timeout: float, max_bytes: int, allow_private: bool) -> str:
    """The page's HTML; one clear ``InputError`` for every way this can fail."""
    import httpx

    current = url
    try:
        # Redirects are followed by hand so every hop is resolved, checked and pinned.
        for _ in range(_MAX_HOPS):
            target = httpx.URL(current)
            if target.scheme not in ("http", "https") or not target.host:
                raise InputError(f"{current}: only http:// and https:// addresses can be ingested")
            addresses = _resolve_checked(
                current, target.raw_host.decode("ascii"), allow_private=allow_private
            )
            # A client per hop: its pool is keyed by IP, and a connection opened (and, for
            # https, verified) for one hostname must not carry another hostname's request.
            # Passing a transport also turns off proxies from the environment, which would
            # resolve the name themselves; SSL_CERT_FILE is still honoured by the transport.
            with (
                httpx.Client(
                    timeout=timeout, follow_redirects=False, transport=httpx.HTTPTransport()
                ) as client,
                closing(_send_pinned(client, target, addresses)) as resp,
            ):
                if resp.is_redirect and "location" in resp.headers:
                    # Joined to the hostname URL, not resp.url, which names the pinned IP.
                    current = str(target.join(resp.headers["location"]))
                    continue
                if resp.status_code >= 400:
                    raise InputError(f"{url}: the server answered HTTP {resp.status_code}")
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype and ctype not in ("text/html", "application/xhtml+xml"):
                    raise InputError(
                        f"{url}: not an HTML page (content-type {ctype}); download it and "
                        "ingest the file instead"
                    )
                data = bytearray()
                for part in resp.iter_bytes():
                    data += part
                    if len(data) > max_bytes:
                        raise InputError(f"{url}: page larger than {max_bytes // 1_000_000} MB")
                return data.decode(resp.encoding or "utf-8", errors="replace")
        raise InputError(f"{url}: too many redirects")
    except InputError:
        raise
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise InputError(f"{url}: could not be fetched ({type(exc).__name__}: {exc})") from exc
