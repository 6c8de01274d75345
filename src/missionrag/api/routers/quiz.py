"""POST /quiz: a JSON array of questions, or the same quiz as a file in an export format."""

from __future__ import annotations

from fastapi import APIRouter, Response

from missionrag.api.deps import KBDep
from missionrag.api.schemas import QuizRequest
from missionrag.models import QuizItem

router = APIRouter(tags=["quiz"])

_FILE_TYPES = {
    "text/plain": {},
    "application/octet-stream": {},
}


@router.post(
    "/quiz",
    response_model=list[QuizItem],
    responses={200: {"content": _FILE_TYPES, "description": "JSON array, or a file download"}},
)
def quiz(body: QuizRequest, kb: KBDep) -> list[QuizItem] | Response:
    items = kb.quiz(
        n=body.n, topic=body.topic, types=list(body.types or []) or None, seed=body.seed
    )
    if body.format == "json":
        return items
    # Imported here: the exporters are only needed for downloads.
    from missionrag.quiz.export import export_quiz, file_extension, media_type

    data = export_quiz(items, body.format)
    name = f"missionrag-quiz.{file_extension(body.format).lstrip('.')}"
    return Response(
        content=data,
        media_type=media_type(body.format),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
