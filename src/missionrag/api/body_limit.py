"""413 before a big body is read in full (tests/test_api_security.py).

``BodyLimitMiddleware`` answers at once when Content-Length is too big, and as soon as the
streamed bytes pass the limit otherwise (chunked bodies have no Content-Length). The upload
route enforces the exact per-file limit itself while it streams to disk (``uploads.py``).
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Decimal MB, as ingest/ measures MISSIONRAG_MAX_FILE_MB; KB for JSON bodies is 1024 bytes.
MB = 1_000_000
# Multipart framing (boundaries, part headers) on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024


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
