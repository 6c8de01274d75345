"""POST /check: score a mission statement against the four criteria and washing signals."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from missionrag.api.deps import CheckBody, ComputeDep, KBDep
from missionrag.models import CheckResult

router = APIRouter(tags=["check"])


@router.post("/check", response_model=CheckResult)
async def check(body: CheckBody, kb: KBDep, compute: ComputeDep) -> CheckResult:
    return await compute.run(kb.check, body.statement)


@router.get("/rubric", response_class=HTMLResponse, include_in_schema=False)
def rubric() -> HTMLResponse:
    """The rubric the checker follows (docs/rubric.md), as a page the check tab links to."""
    from missionrag.check.rubric import rubric_html

    return HTMLResponse(rubric_html())
