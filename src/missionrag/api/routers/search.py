"""POST /search: hybrid retrieval, the passages themselves."""

from __future__ import annotations

from fastapi import APIRouter

from missionrag.api.deps import KBDep, SearchBody
from missionrag.models import SearchResult

router = APIRouter(tags=["search"])


@router.post("/search", response_model=SearchResult)
def search(body: SearchBody, kb: KBDep) -> SearchResult:
    # Plain ``def``: embedding and Chroma block, so FastAPI runs this in its threadpool.
    return SearchResult(query=body.query, hits=kb.search(body.query, body.top_k))
