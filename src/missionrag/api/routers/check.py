"""POST /check: score a mission statement against the four criteria and washing signals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from missionrag.api.deps import CheckBody, ComputeDep, KBDep, SettingsDep
from missionrag.api.files import add_page_links
from missionrag.api.scope import link_query
from missionrag.models import CheckResult

router = APIRouter(tags=["check"])


@router.post("/check", response_model=CheckResult)
async def check(
    body: CheckBody, kb: KBDep, compute: ComputeDep, request: Request, settings: SettingsDep
) -> CheckResult:
    result = (await compute.run(kb.check, body.statement)).model_copy(deep=True)
    query = link_query(request, settings.collection)
    add_page_links(result.sources, str(request.base_url), settings, query)  # PDF: their page
    return result


@router.get("/rubric", response_class=HTMLResponse, include_in_schema=False)
def rubric() -> HTMLResponse:
    """The rubric the checker follows (docs/rubric.md), as a page the check tab links to."""
    from missionrag.check.rubric import rubric_html

    return HTMLResponse(rubric_html())
