"""POST /check: score a mission statement against the four criteria and washing signals."""

from __future__ import annotations

from fastapi import APIRouter, Request

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
