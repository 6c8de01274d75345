"""Exception handlers: domain errors become ``{"detail": "..."}`` with their ``http_status``.

Errors are translated once, here, at the HTTP edge (STYLE habit 4). Nothing that reaches the
client carries a stack trace or an echo of the request body: a 2 MB statement that fails
validation must not come back as a 2 MB error message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from missionrag.errors import MissionRagError

logger = logging.getLogger("missionrag.api")

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
GENERIC_500 = "internal error: the request failed on the server; the server log has the details"


def _loc(loc: Sequence[object]) -> str:
    # ("body", "statement") -> "statement"; the "body" prefix means nothing to a person.
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def handle_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MissionRagError)
    status = exc.http_status
    log = logger.warning if status >= 500 else logger.info
    log("%s %s -> %s %s: %s", request.method, request.url.path, status, type(exc).__name__, exc)
    return JSONResponse({"detail": str(exc)}, status_code=status)


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Keep loc/msg/type, drop "input" and "ctx": they echo (possibly huge) request data.
    errors = [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    detail = "; ".join(f"{_loc(e['loc'])}: {e['msg']}" for e in errors) or "invalid request"
    return JSONResponse({"detail": detail, "errors": errors}, status_code=422)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette calls this from ServerErrorMiddleware; the traceback goes to the log only.
    logger.error(
        "%s %s failed with %s", request.method, request.url.path, type(exc).__name__, exc_info=exc
    )
    return JSONResponse({"detail": GENERIC_500}, status_code=500)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first
    route's: ``PUT /documents/x`` answered ``Allow: GET`` though DELETE works there)."""
    methods = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            methods.append(method)
    return methods


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return await http_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(MissionRagError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(Exception, handle_unexpected)
