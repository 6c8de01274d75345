"""Dependencies as ``Annotated`` aliases (full-stack-fastapi-template style).

The app owns one ``Settings``, one ``KnowledgeBase`` (one embedded Chroma store per process),
one write lock and the compute slots, all on ``app.state``; routes ask for them by type.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from missionrag.api.schemas import AskRequest, CheckRequest, SearchRequest
from missionrag.api.scope import CollectionSet, requested_collection
from missionrag.api.security import require_write_access
from missionrag.config import Settings
from missionrag.ingest.worker import ReaderProcess
from missionrag.kb import KnowledgeBase

CollectionDep = Annotated[str, Depends(requested_collection)]


# Dependencies are ``async def`` even when trivial: FastAPI runs a plain ``def`` dependency on
# the threadpool, one thread hop per dependency per request.
async def get_settings(request: Request, name: CollectionDep) -> Settings:
    """The settings of the request's collection (uploads folder, allowed roots, token)."""
    collections: CollectionSet = request.app.state.collections
    return collections.settings_for(name)


async def get_kb(request: Request, name: CollectionDep) -> KnowledgeBase:
    """The request's collection; 404 when it does not exist (reads never create one)."""
    collections: CollectionSet = request.app.state.collections
    if name == collections.settings.collection:
        return collections.get(name)
    return await run_in_threadpool(collections.get, name)  # may ask a Chroma server


async def get_writable_kb(request: Request, name: CollectionDep) -> KnowledgeBase:
    """The request's collection, created by this write if it is new."""
    collections: CollectionSet = request.app.state.collections
    return await run_in_threadpool(lambda: collections.get(name, create=True))


async def get_reader(request: Request) -> ReaderProcess:
    reader: ReaderProcess = request.app.state.reader
    return reader


async def get_write_lock(request: Request) -> threading.Lock:
    lock: threading.Lock = request.app.state.write_lock
    return lock


P = ParamSpec("P")
T = TypeVar("T")


class ComputeSlots:
    """At most ``size`` knowledge-base calls run at once; the others wait, holding no thread.

    Why: ask and check embed sentences with ONNX, which already uses every core. Forty such
    calls at once (the threadpool's size) thrash the CPU, and requests for the same passages
    all miss the embedding cache together and repeat the same work. Measured on the corpus
    (2 cores, 100 concurrent /ask right after start): 47-88 s unthrottled, see bench/REPORT.md.
    The wait is async, so /health and the page stay responsive while a queue builds up.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = anyio.Semaphore(size)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        async with self._slots:
            return await run_in_threadpool(fn, *args, **kwargs)


async def get_compute(request: Request) -> ComputeSlots:
    slots: ComputeSlots = request.app.state.compute
    return slots


SettingsDep = Annotated[Settings, Depends(get_settings)]
ComputeDep = Annotated[ComputeSlots, Depends(get_compute)]
KBDep = Annotated[KnowledgeBase, Depends(get_kb)]
WritableKBDep = Annotated[KnowledgeBase, Depends(get_writable_kb)]
WriteLockDep = Annotated[threading.Lock, Depends(get_write_lock)]
ReaderDep = Annotated[ReaderProcess, Depends(get_reader)]
# Use as ``dependencies=[WriteAccess]`` on every route that changes the knowledge base.
WriteAccess = Depends(require_write_access)


# The request models carry fixed ceilings; the configured limits (MISSIONRAG_MAX_QUERY_CHARS,
# MISSIONRAG_MAX_STATEMENT_CHARS) are applied here because a pydantic model cannot see the
# app's Settings. The error has the same 422 shape pydantic would produce.
def _too_long(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", field),
                    "msg": f"String should have at most {limit} characters",
                    "type": "string_too_long",
                }
            ]
        )


async def search_body(body: SearchRequest, settings: SettingsDep) -> SearchRequest:
    _too_long("query", body.query, settings.max_query_chars)
    return body


async def ask_body(body: AskRequest, settings: SettingsDep) -> AskRequest:
    _too_long("question", body.question, settings.max_query_chars)
    for i, turn in enumerate(body.history or []):
        _too_long(f"history.{i}.question", turn.question, settings.max_query_chars)
    return body


async def check_body(body: CheckRequest, settings: SettingsDep) -> CheckRequest:
    _too_long("statement", body.statement, settings.max_statement_chars)
    return body


SearchBody = Annotated[SearchRequest, Depends(search_body)]
AskBody = Annotated[AskRequest, Depends(ask_body)]
CheckBody = Annotated[CheckRequest, Depends(check_body)]
