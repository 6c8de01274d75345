"""The HTTP service: ``create_app(settings)`` builds the FastAPI app ``missionrag serve`` runs.

    BodyLimitMiddleware (body_limit.py: 413 before a big body is read)
      -> SecurityHeaders -> SiteGuard (known Host names, same-site Origin for writes)
        -> FastAPI (error handlers in errors.py)
          -> routers/: health, search, ask, check, quiz, documents, collections
             -> the request's collection (scope.py: ?collection=) -> its KnowledgeBase
          -> web page: GET / and /static/* (src/missionrag/web/)

One process owns the embedded store: the KnowledgeBase is created once, in the lifespan, and
warmed up there so the first request does not pay for loading Chroma and the model (and two
threads never race to load them).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from missionrag import __version__
from missionrag.api.body_limit import BodyLimitMiddleware
from missionrag.api.deps import ComputeSlots
from missionrag.api.errors import install_error_handlers
from missionrag.api.openapi import install_openapi
from missionrag.api.public import public_response_class
from missionrag.api.routers import ask, check, collections, documents, health, quiz, search
from missionrag.api.scope import CollectionSet
from missionrag.api.security import SecretMask, SiteGuard, write_refusal
from missionrag.config import Settings, get_settings
from missionrag.errors import MissionRagError
from missionrag.ingest.worker import ReaderProcess
from missionrag.redact import secrets_of
from missionrag.safetext import SafeLogFilter

if TYPE_CHECKING:
    from missionrag.kb import KnowledgeBase

__all__ = ["create_app"]

logger = logging.getLogger("missionrag.api")
WEB_DIR = Path(__file__).resolve().parent.parent / "web"

# The page loads nothing from elsewhere (works offline) and never runs inline script, so a
# document that smuggled markup into the page still could not execute anything.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class SecurityHeaders:
    """nosniff and a referrer policy on every response; the CSP only on the page itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = scope.get("path") == "/"
        asset = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                if page:
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                if asset:
                    # Revalidate (cheap 304 via ETag): after an upgrade the page and its
                    # modules must not mix versions from the browser's heuristic cache.
                    headers.append((b"cache-control", b"no-cache"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _ensure_logging(settings: Settings) -> None:
    # uvicorn configures only its own loggers; without this our warnings (e.g. why writes
    # are refused) would reach stderr unformatted or, below WARNING, not at all.
    safe = SafeLogFilter(secrets_of(settings))
    log = logging.getLogger("missionrag")
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        handler.addFilter(safe)
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    # Records logged on these directly are cleaned whatever handlers the host process has.
    for name in ("missionrag.api", "uvicorn.error", "uvicorn.access"):
        target = logging.getLogger(name)
        for old in [f for f in target.filters if isinstance(f, SafeLogFilter)]:
            target.removeFilter(old)
        target.addFilter(safe)


def _warm_up(kb: KnowledgeBase) -> None:
    """Open the store (taking its process lock) and load the model before serving."""
    _ = kb.store
    _ = kb.embedder
    kb.refresh_literature()
    if kb.has_store():
        kb.keyword_index()
        _warm_ask_in_background(kb)
    _ = kb.llm


# Sentence vectors for ask cost one model pass per corpus sentence: worth doing up front for a
# corpus of a few thousand chunks (first questions as fast as later ones), not for 100k.
WARM_ASK_MAX_CHUNKS = 3000


def _warm_ask_in_background(kb: KnowledgeBase) -> None:
    if kb.status().chunks > WARM_ASK_MAX_CHUNKS:
        return

    def run() -> None:
        from missionrag.ask import warm_up

        try:
            n = warm_up(kb, kb.embedder)
            logger.info("ask warm-up: %d sentences embedded", n)
        except Exception:  # a warm-up failure must never take the server down
            logger.exception("ask warm-up failed; answers will warm up on first use")

    threading.Thread(target=run, name="ask-warm-up", daemon=True).start()


def compute_slots() -> int:
    """Knowledge-base calls allowed at once: one per core (ONNX fills a core), 2 to 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 2
    return max(2, min(8, cores))


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from local files, so the API explorer works with no network."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    try:
        import swagger_ui_bundle

        assets = Path(swagger_ui_bundle.swagger_ui_path)
    except ImportError:  # pragma: no cover - a dependency; without it /docs stays off
        return
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="missionrag API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def create_app(settings: Settings | None = None, kb: KnowledgeBase | None = None) -> FastAPI:
    """The app for ``settings`` (default: from the environment); pass ``kb`` to share one."""
    settings = settings or get_settings()
    _ensure_logging(settings)
    app = FastAPI(
        title="missionrag",
        version=__version__,
        description=(
            "Knowledge base, mission-statement checker and quiz builder for mission-oriented "
            "innovation policy. Writes need `Authorization: Bearer <MISSIONRAG_API_TOKEN>`."
        ),
        lifespan=_lifespan(settings),
        default_response_class=public_response_class(settings),
        # The stock /docs page loads Swagger UI from a CDN, which is blank offline; ours serves
        # the same UI from the swagger-ui-bundle package (below).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.kb = kb
    app.state.write_lock = threading.Lock()
    # One knowledge base per collection in use (?collection= / X-Missionrag-Collection).
    app.state.collections = CollectionSet(settings)
    # Uploads and URLs are read in a separate process (started on the first one).
    app.state.reader = ReaderProcess(settings)
    app.state.compute = ComputeSlots(compute_slots())

    install_error_handlers(app)
    install_openapi(app, settings)
    for module in (health, search, ask, check, quiz, documents, collections):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    _mount_docs(app)
    _add_middleware(app, settings)
    return app


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Startup: the knowledge base (unless one was passed), warmed up; shutdown: the reader."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.kb is None:
            from missionrag.kb import KnowledgeBase

            app.state.kb = KnowledgeBase(settings)
        app.state.collections.base = app.state.kb
        try:
            await run_in_threadpool(_warm_up, app.state.kb)
        except MissionRagError as exc:
            # uvicorn follows with a traceback; this line is the part a person needs.
            logger.error("cannot start: %s", exc)
            raise
        reason = write_refusal(settings)
        if reason:
            logger.warning(reason)
        elif settings.api_token:
            logger.info("writes need the bearer token (MISSIONRAG_API_TOKEN)")
        try:
            yield
        finally:
            app.state.reader.close()

    return lifespan


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Added last = outermost: the size check runs before anything reads the body; the host
    # and origin check runs before any route (and its refusals still get the headers).
    app.add_middleware(SecretMask, secrets=secrets_of(settings))
    app.add_middleware(SiteGuard, settings=settings)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_kb=settings.max_body_kb,
        max_file_mb=settings.max_file_mb,
    )
