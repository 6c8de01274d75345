"""Who may write, how big a request may be, and which URLs the server may fetch (issue 6 §3).

* Writes (POST/DELETE /documents) need ``Authorization: Bearer $MISSIONRAG_API_TOKEN`` when a
  token is set (401 otherwise). Without a token they are allowed only while the server binds a
  loopback address: anyone who can reach a public bind address could otherwise rewrite the
  knowledge base, so there they get 403 and the log says why.
* ``BodyLimitMiddleware`` answers 413 before a body is read in full: at once when
  Content-Length is too big, and as soon as the streamed bytes pass the limit otherwise
  (chunked bodies have no Content-Length).
* ``guard_url`` refuses URLs that resolve to loopback, private or link-local addresses unless
  ``allow_private_urls`` is set (SSRF); every resolved address is checked.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import socket
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Header, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from missionrag.config import Settings
from missionrag.errors import InputError
from missionrag.ingest.web import check_public_url

logger = logging.getLogger("missionrag.api")

# Decimal MB, as ingest/ measures MISSIONRAG_MAX_FILE_MB; KB for JSON bodies is 1024 bytes.
MB = 1_000_000
# Multipart framing (boundaries, part headers) on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024
MAX_URL_CHARS = 2048


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


def write_refusal(settings: Settings) -> str | None:
    """Why writes are disabled for this configuration, or None when they are possible."""
    if settings.api_token:
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
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Dependency for write endpoints: 401 without the right token, 403 when writes are off."""
    settings: Settings = request.app.state.settings
    if settings.api_token:
        token = _bearer(authorization)
        # compare_digest: the time taken must not reveal how much of the token matched.
        if token is None or not hmac.compare_digest(
            token.encode("utf-8"), settings.api_token.encode("utf-8")
        ):
            raise HTTPException(
                status_code=401,
                detail="this action needs the API token: send 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    reason = write_refusal(settings)
    if reason:
        client = request.client.host if request.client else "?"
        logger.warning(
            "refused %s %s from %s: %s", request.method, request.url.path, client, reason
        )
        raise HTTPException(status_code=403, detail=reason)


# --------------------------------------------------------------------------- URLs


def guard_url(url: str, settings: Settings) -> str:
    """The URL, stripped, if the server may fetch it; ``InputError`` (422) otherwise.

    The address check itself lives in ``ingest.web.check_public_url`` so the CLI, the API and
    every redirect hop the fetcher follows apply one definition of "public".
    """
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise InputError(f"URL longer than {MAX_URL_CHARS} characters")
    parsed = urlparse(url)
    if parsed.username or parsed.password:
        raise InputError(f"{parsed.hostname}: URLs with user names or passwords are not accepted")
    check_public_url(url, settings.allow_private_urls)
    return url


# --------------------------------------------------------------------------- body size


class BodyTooLarge(HTTPException):
    """Raised from inside ``receive``; FastAPI re-raises HTTPExceptions from body parsing."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


def is_upload(scope: Scope) -> bool:
    if scope.get("method") != "POST" or scope.get("path") != "/documents":
        return False
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.lower().startswith(b"multipart/form-data")
    return False


class BodyLimitMiddleware:
    """413 for bodies over ``max_body_kb`` (uploads: ``max_file_mb`` plus framing).

    The upload route enforces the exact per-file limit itself while it streams to disk; this
    only stops a client from making the server read an unbounded body.
    """

    def __init__(self, app: ASGIApp, max_body_kb: int, max_file_mb: float) -> None:
        self.app = app
        self.max_body = max_body_kb * 1024
        self.max_upload = int(max_file_mb * MB) + MULTIPART_OVERHEAD
        self.body_message = f"request body larger than {max_body_kb} KB (MISSIONRAG_MAX_BODY_KB)"
        self.upload_message = f"upload larger than {max_file_mb:g} MB (MISSIONRAG_MAX_FILE_MB)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = is_upload(scope)
        limit = self.max_upload if upload else self.max_body
        detail = self.upload_message if upload else self.body_message
        length = _content_length(scope)
        if length is not None and length > limit:
            await _send_413(send, detail)
            return

        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Normally the app's HTTPException handler already answered; this is the fallback
            # for readers that let the exception escape.
            if started:
                raise
            await _send_413(send, detail)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, detail: str) -> None:
    # No "Connection: close": closing with unread bytes in the socket makes the kernel send a
    # reset that can destroy this very response before the client reads it. uvicorn discards
    # the rest of the body instead.
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
