"""Dependencies as ``Annotated`` aliases (full-stack-fastapi-template style).

The app owns one ``Settings``, one ``KnowledgeBase`` (one embedded Chroma store per process)
and one write lock, all on ``app.state``; routes ask for them by type.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

from missionrag.api.schemas import AskRequest, CheckRequest, SearchRequest
from missionrag.api.security import require_write_access
from missionrag.config import Settings
from missionrag.kb import KnowledgeBase


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


def get_write_lock(request: Request) -> threading.Lock:
    lock: threading.Lock = request.app.state.write_lock
    return lock


SettingsDep = Annotated[Settings, Depends(get_settings)]
KBDep = Annotated[KnowledgeBase, Depends(get_kb)]
WriteLockDep = Annotated[threading.Lock, Depends(get_write_lock)]
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


def search_body(body: SearchRequest, settings: SettingsDep) -> SearchRequest:
    _too_long("query", body.query, settings.max_query_chars)
    return body


def ask_body(body: AskRequest, settings: SettingsDep) -> AskRequest:
    _too_long("question", body.question, settings.max_query_chars)
    return body


def check_body(body: CheckRequest, settings: SettingsDep) -> CheckRequest:
    _too_long("statement", body.statement, settings.max_statement_chars)
    return body


SearchBody = Annotated[SearchRequest, Depends(search_body)]
AskBody = Annotated[AskRequest, Depends(ask_body)]
CheckBody = Annotated[CheckRequest, Depends(check_body)]
