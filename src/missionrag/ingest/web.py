"""HTML files and ``--url`` pages via trafilatura (title, date, main text, headings).

URL fetching refuses loopback, private, link-local and other non-public addresses unless
``MISSIONRAG_ALLOW_PRIVATE_URLS`` is set: a server that fetches URLs for its users must not
become a way into the network it sits in.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from missionrag.errors import InputError
from missionrag.ingest.markdown import load_markdown_text
from missionrag.models import Document


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
        raise InputError(f"{source}: no main text found in the HTML page")
    meta = trafilatura.extract_metadata(html, default_url=url)
    doc = load_markdown_text(body, source, doc_id, markdown=True)
    title = (getattr(meta, "title", None) or "").strip() if meta else ""
    date = getattr(meta, "date", None) if meta else None
    return doc.model_copy(
        update={"title": title or doc.title, "date": date, "url": url or doc.url, "kind": "html"}
    )


def check_public_url(url: str, allow_private: bool) -> None:
    """Raise ``InputError`` unless ``url`` is http(s) to a public address (or private is allowed)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{url}: only http:// and https:// addresses can be ingested")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise InputError(f"{url}: host {parsed.hostname} could not be resolved ({exc})") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global or ip.is_multicast:
            raise InputError(
                f"{url}: refusing a loopback, private or link-local address ({ip}); "
                "set MISSIONRAG_ALLOW_PRIVATE_URLS=1 to allow it"
            )


def fetch_url(url: str, *, timeout: float, max_bytes: int, allow_private: bool) -> str:
    """The page's HTML; one clear ``InputError`` for every way this can fail."""
    import httpx

    check_public_url(url, allow_private)
    try:
        # Redirects are followed by hand so every hop passes the address check.
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            current = url
            for _ in range(5):
                with client.stream("GET", current, headers={"User-Agent": "missionrag"}) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        current = str(resp.url.join(resp.headers["location"]))
                        check_public_url(current, allow_private)
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
    except httpx.HTTPError as exc:
        raise InputError(f"{url}: could not be fetched ({type(exc).__name__}: {exc})") from exc
