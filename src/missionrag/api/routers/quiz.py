"""POST /quiz: a JSON array of questions, or the same quiz as a file in an export format."""

from __future__ import annotations

from fastapi import APIRouter, Response

from missionrag.api.deps import ComputeDep, KBDep, SettingsDep
from missionrag.api.public import public_source, roots_of
from missionrag.api.schemas import QuizRequest
from missionrag.models import QuizItem

router = APIRouter(tags=["quiz"])

_FILE_TYPES: dict[str, dict[str, object]] = {
    "text/plain": {},
    "text/csv": {},
    "text/markdown": {},
    "application/zip": {},
}


@router.post(
    "/quiz",
    response_model=list[QuizItem],
    responses={200: {"content": _FILE_TYPES, "description": "JSON array, or a file download"}},
)
async def quiz(
    body: QuizRequest, kb: KBDep, compute: ComputeDep, settings: SettingsDep
) -> list[QuizItem] | Response:
    types: list[str] | None = list(body.types or []) or None
    items = await compute.run(kb.quiz, n=body.n, topic=body.topic, types=types, seed=body.seed)
    if body.format == "json":
        return items
    # Imported here: the exporters are only needed for downloads.
    from missionrag.quiz.export import export_quiz, export_summary, file_extension, media_type

    roots = roots_of(settings)
    items = [i.model_copy(update={"source": public_source(i.source, roots)}) for i in items]
    data = await compute.run(export_quiz, items, body.format)
    # Same seed, same quiz: the file name says which, so two downloads are not confused.
    stem = f"missionrag-quiz-{body.seed}" if body.seed is not None else "missionrag-quiz"
    name = f"{stem}.{file_extension(body.format).lstrip('.')}"
    return Response(
        content=data,
        media_type=media_type(body.format),
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            # What the file holds, e.g. Aiken leaves fill-in items out; the page shows it.
            "X-Quiz-Summary": export_summary(items, body.format, name),
        },
    )
