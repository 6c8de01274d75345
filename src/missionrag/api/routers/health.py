"""GET /health: is the service up, what does it hold, can it write, which limits apply."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from missionrag import __version__
from missionrag.api.deps import KBDep, SettingsDep
from missionrag.api.schemas import HealthOut, Limits
from missionrag.api.security import write_refusal
from missionrag.collections import write_token
from missionrag.config import Settings
from missionrag.errors import MissionRagError

router = APIRouter(tags=["health"])


def _writes(settings: Settings) -> str:
    """For the request's collection (``settings`` are its own): its token, else the API's."""
    if write_token(settings, settings.collection):
        return "token"
    return "disabled" if write_refusal(settings) else "open"


def _limits(settings: Settings) -> Limits:
    return Limits(
        max_query_chars=settings.max_query_chars,
        max_statement_chars=settings.max_statement_chars,
        max_file_mb=settings.max_file_mb,
        max_body_kb=settings.max_body_kb,
    )


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(kb: KBDep, settings: SettingsDep) -> HealthOut | JSONResponse:
    try:
        status = kb.status()
    except MissionRagError as exc:
        # A load balancer reads the status code; a person reads "detail".
        out = HealthOut(
            status="unavailable",
            documents=0,
            chunks=0,
            version=__version__,
            llm=None,
            writes=_writes(settings),  # type: ignore[arg-type]
            limits=_limits(settings),
            detail=str(exc),
        )
        return JSONResponse(out.model_dump(mode="json"), status_code=503)
    return HealthOut(
        status="ok",
        documents=status.documents,
        chunks=status.chunks,
        version=__version__,
        llm=status.llm,
        writes=_writes(settings),  # type: ignore[arg-type]
        limits=_limits(settings),
    )
