"""POST /search: hybrid retrieval, the passages themselves."""

from __future__ import annotations

from fastapi import APIRouter

from missionrag.api.deps import ComputeDep, KBDep, SearchBody
from missionrag.models import SearchResult

router = APIRouter(tags=["search"])


@router.post("/search", response_model=SearchResult)
async def search(body: SearchBody, kb: KBDep, compute: ComputeDep) -> SearchResult:
    # Embedding and Chroma block: compute.run puts the call on the threadpool, in a slot.
    hits = await compute.run(kb.search, body.query, body.top_k)
    return SearchResult(query=body.query, hits=hits)
