"""POST /check: score a mission statement against the four criteria and washing signals."""

from __future__ import annotations

from fastapi import APIRouter

from missionrag.api.deps import CheckBody, ComputeDep, KBDep
from missionrag.models import CheckResult

router = APIRouter(tags=["check"])


@router.post("/check", response_model=CheckResult)
async def check(body: CheckBody, kb: KBDep, compute: ComputeDep) -> CheckResult:
    return await compute.run(kb.check, body.statement)
