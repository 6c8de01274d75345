"""Who may write, which hosts and sites may call, and which URLs the server may fetch (tests/test_api_security.py).

* Writes (POST/DELETE /documents) need ``Authorization: Bearer $MISSIONRAG_API_TOKEN`` when a
  token is set (401 otherwise). Without a token they are allowed only while the server binds a
  loopback address: anyone who can reach a public bind address could otherwise rewrite the
  knowledge base, so there they get 403 and the log says why.
* How big a request may be is ``body_limit.py``'s part (413 before the body is read).
* ``guard_url`` refuses URLs that resolve to loopback, private or link-local addresses unless
  ``allow_private_urls`` is set (SSRF); every resolved address is checked.
* ``SiteGuard`` answers only to known host names (DNS rebinding: a page on
  rebind.attacker.example whose name is switched to 127.0.0.1 sends that name as Host) and
  refuses unsafe methods whose ``Origin`` is another site. Writes without a token also need
  the ``X-Requested-With`` header, which the page sends and a cross-site form cannot.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import socket
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, Header, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from missionrag.api.scope import requested_collection
from missionrag.collections import parse_tokens, write_token
from missionrag.config import Settings
from missionrag.errors import InputError
from missionrag.ingest.web import check_public_url
from missionrag.safetext import escape_controls, unsafe_name

logger = logging.getLogger("missionrag.api")

MAX_URL_CHARS = 2048
CSRF_HEADER = "X-Requested-With"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# --------------------------------------------------------------------------- bind address


def is_loopback_host(host: str) -> bool:
    """True when every address ``host`` stands for is loopback ("" and 0.0.0.0 are not)."""
    host = host.strip().strip("[]")
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # unknown name: assume exposed, the safe side
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def write_refusal(settings: Settings, collection: str | None = None) -> str | None:
    """Why writes (to ``collection``, default the settings') are disabled, or None."""
    if write_token(settings, collection or settings.collection):
        return None
    if is_loopback_host(settings.host):
        return None
    return (
        f"writes are disabled: the server binds {settings.host or '*'} (not loopback) and "
        "MISSIONRAG_API_TOKEN is not set; set a token or bind 127.0.0.1"
    )


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require_write_access(
    request: Request,
    collection: Annotated[str, Depends(requested_collection)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """Dependency for write endpoints: 401 without the right token, 403 when writes are off."""
    check_write(request, collection, authorization)


def check_write(request: Request, collection: str, authorization: str | None) -> None:
    """Writes to ``collection`` need its token (MISSIONRAG_COLLECTION_TOKENS), else the API
    token; with neither, the loopback and ``X-Requested-With`` rules below."""
    settings: Settings = request.app.state.settings
    expected = write_token(settings, collection)
    if expected:
        token = _bearer(authorization)
        # compare_digest: the time taken must not reveal how much of the token matched.
        if token is None or not hmac.compare_digest(
            token.encode("utf-8"), expected.encode("utf-8")
        ):
            own = collection in parse_tokens(settings.collection_tokens)
            raise HTTPException(
                status_code=401,
                detail=(
                    f"writes to the collection {collection!r} need its token"
                    if own
                    else "this action needs the API token"
                )
                + ": send 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    reason = write_refusal(settings, collection)
    if reason:
        client = request.client.host if request.client else "?"
        logger.warning(
            "refused %s %s from %s: %s", request.method, request.url.path, client, reason
        )
        raise HTTPException(status_code=403, detail=reason)
    if not request.headers.get(CSRF_HEADER, "").strip():
        # Without a token the browser's ambient access is the credential: only a request that
        # a cross-site form cannot make (a custom header forces a CORS preflight, which this
        # server never grants) may write.
        raise HTTPException(
            status_code=403,
            detail=f"writes without a token need the header '{CSRF_HEADER}: missionrag' "
            "(the web page sends it; cross-site forms cannot)",
        )


# --------------------------------------------------------------------------- URLs


def guard_url(url: str, settings: Settings) -> str:
    """The URL, stripped, if the server may fetch it; ``InputError`` (422) otherwise.

    The address check itself lives in ``ingest.web.check_public_url`` so the CLI, the API and
    every redirect hop the fetcher follows apply one definition of "public".
    """
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise InputError(f"URL longer than {MAX_URL_CHARS} characters")
    if unsafe_name(url) or any(ch.isspace() for ch in url):
        # Not echoed: the URL is the attacker's text (a "\n" in it used to forge a log line).
        raise InputError("the URL holds spaces or control characters; percent-encode them")
    parsed = urlparse(url)
    if parsed.username or parsed.password:
        raise InputError(f"{parsed.hostname}: URLs with user names or passwords are not accepted")
    check_public_url(url, settings.allow_private_urls)
    return url


# --------------------------------------------------------------------------- host and origin


def _split_host(host_header: str) -> tuple[str, int | None]:
    """ "Example.org:8000" -> ("example.org", 8000); "[::1]" -> ("::1", None)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        name, rest = (host[1:end], host[end + 1 :]) if end > 0 else (host, "")
    else:
        name, _, port = host.partition(":")
        rest = ":" + port if port else ""
    port_text = rest[1:] if rest.startswith(":") else ""
    return name, int(port_text) if port_text.isdigit() and len(port_text) <= 5 else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def allowed_host_names(settings: Settings) -> frozenset[str]:
    """Names this server answers to: loopback names, its bind host, its own names, configured.

    IP addresses are always accepted (a rebinding attack needs a name the attacker controls).
    """
    names = {"localhost", "localhost.localdomain"}
    bind = settings.host.strip().strip("[]").lower()
    if bind and not _is_ip(bind):
        names.add(bind)
    if not bind or bind in ("0.0.0.0", "::"):
        # Bound to every address: the machine's own names reach it too.
        for name in (socket.gethostname(), socket.getfqdn()):
            names.add(name.lower())
    names.update(h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip())
    return frozenset(names)


def _origin_allowed(origin: str, host_header: str, settings: Settings) -> bool:
    """The Origin is this very server (same name and port as Host) or a configured site."""
    origin = origin.strip().lower().rstrip("/")
    if origin in {o.strip().lower().rstrip("/") for o in settings.allowed_origins.split(",")}:
        return True
    parsed = urlparse(origin)
    try:
        origin_port = parsed.port
    except ValueError:
        return False
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False  # "null" (sandboxed frames, file: pages) and anything odd
    default = 443 if parsed.scheme == "https" else 80
    name, port = _split_host(host_header)
    return parsed.hostname == name and (origin_port or default) == (port or default)


class SiteGuard:
    """400 for a Host this server does not answer to; 403 for a cross-site unsafe request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.any_host = "*" in {h.strip() for h in settings.allowed_hosts.split(",")}
        self.names = allowed_host_names(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host_header = headers.get("host", "")
        host, _ = _split_host(host_header)
        if not self.any_host and not (_is_ip(host) or host in self.names):
            await _send_json(
                send,
                400,
                f"this server does not answer to the host name '{escape_controls(host)}'; "
                "add it to MISSIONRAG_ALLOWED_HOSTS if it is yours",
            )
            return
        origin = headers.get("origin")
        if (
            scope.get("method") in UNSAFE_METHODS
            and origin is not None
            and not _origin_allowed(origin, host_header, self.settings)
        ):
            logger.warning(
                "refused %s %s from origin %s", scope.get("method"), scope.get("path"), origin
            )
            await _send_json(
                send,
                403,
                "cross-site request refused: the Origin is another site "
                "(MISSIONRAG_ALLOWED_ORIGINS lists sites that may write)",
            )
            return
        await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------- secrets


class SecretMask:
    """The configured secrets never leave in a response body (masked, same length).

    The net under ``redact.py``: names and messages are built without secrets, and this
    catches one that arrives another way (an upstream error text, say). Same length, so
    Content-Length stays right and streamed answers are masked chunk by chunk.
    """

    def __init__(self, app: ASGIApp, secrets: list[str]) -> None:
        self.app = app
        forms = {s for s in secrets} | {json.dumps(s)[1:-1] for s in secrets}
        self.patterns = [(f.encode(), b"*" * len(f.encode())) for f in forms if f]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.patterns:
            await self.app(scope, receive, send)
            return

        async def masked_send(message: Message) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                body = message["body"]
                for secret, mask in self.patterns:
                    body = body.replace(secret, mask)
                message = {**message, "body": body}
            await send(message)

        await self.app(scope, receive, masked_send)
