"""POST /ask (one JSON answer) and POST /ask/stream (Server-Sent Events).

The stream sends ``token`` events while the answer is written, then one ``answer`` event
carrying the full ``Answer`` (the same shape as POST /ask), so a client that ignores the
tokens still ends with the contract object.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from itertools import chain
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from missionrag.api.deps import AskBody, ComputeDep, KBDep, SettingsDep
from missionrag.api.errors import GENERIC_500
from missionrag.api.files import linked_answer
from missionrag.api.public import publicize, roots_of
from missionrag.api.schemas import AskRequest
from missionrag.api.scope import link_query
from missionrag.ask.followup import Turn
from missionrag.config import Settings
from missionrag.errors import MissionRagError
from missionrag.models import Answer

router = APIRouter(tags=["ask"])
logger = logging.getLogger("missionrag.api")


@router.post("/ask", response_model=Answer)
async def ask(
    body: AskBody, kb: KBDep, compute: ComputeDep, request: Request, settings: SettingsDep
) -> Answer:
    answer = await compute.run(kb.ask, body.question, body.top_k, _history(body))
    # PDF citations open the original file at their page (api/files.py).
    return linked_answer(
        answer, str(request.base_url), settings, link_query(request, settings.collection)
    )


def _history(body: AskRequest) -> list[Turn] | None:
    """The client's earlier turns (it holds the conversation; the server keeps none)."""
    if not body.history:
        return None
    return [Turn(t.question, t.query) for t in body.history]


def sse(event: str, data: Any, roots: list[PurePosixPath] | None = None) -> str:
    """One SSE frame; ``json.dumps`` keeps newlines in the data from breaking the framing.

    ``roots``: source paths are shown as in every other response (see ``api/public.py``).
    """
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    if roots is not None:
        data = publicize(data, roots)
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _with_page_links(
    events: Iterator[dict[str, Any]], base_url: str, settings: Settings, query: str = ""
) -> Iterator[dict[str, Any]]:
    """The final ``answer`` event with PDF citations linked to their page, as in POST /ask."""
    for ev in events:
        if ev.get("event") == "answer" and isinstance(ev.get("data"), dict):
            answer = linked_answer(Answer.model_validate(ev["data"]), base_url, settings, query)
            ev = {**ev, "data": answer.model_dump(mode="json")}
        yield ev


def _frames(events: Iterator[dict[str, Any]], roots: list[PurePosixPath]) -> Iterator[str]:
    try:
        for ev in events:
            name = str(ev.get("event", "message"))
            data = ev["data"] if "data" in ev else {k: v for k, v in ev.items() if k != "event"}
            yield sse(name, data, roots)
    except MissionRagError as exc:
        # Headers (200) are already sent; the error travels as an event instead.
        yield sse("error", {"detail": str(exc)})
    except Exception:
        logger.exception("ask stream failed")
        yield sse("error", {"detail": GENERIC_500})


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "token* then answer"}},
)
async def ask_stream(
    body: AskBody, kb: KBDep, compute: ComputeDep, request: Request, settings: SettingsDep
) -> StreamingResponse:
    def start() -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
        events = iter(kb.ask_stream(body.question, body.top_k, _history(body)))
        # The first event is pulled here so errors before any output (empty store, bad input)
        # keep their real HTTP status instead of a 200 with an error event. Retrieval and the
        # extractive answer happen here, inside a compute slot; LLM tokens that follow are
        # network-bound and stream outside it.
        first = next(events, None)
        return ([first] if first is not None else []), events

    head, events = await compute.run(start)
    return StreamingResponse(
        _frames(
            _with_page_links(
                chain(head, events),
                str(request.base_url),
                settings,
                link_query(request, settings.collection),
            ),
            roots_of(settings),
        ),
        media_type="text/event-stream",
        # no-transform/X-Accel-Buffering: proxies must pass tokens through as they come.
        headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
    )
