"""POST /search: hybrid retrieval, the passages themselves."""

from __future__ import annotations

from fastapi import APIRouter, Request

from missionrag.api.deps import ComputeDep, KBDep, SearchBody, SettingsDep
from missionrag.api.files import add_page_links
from missionrag.api.scope import link_query
from missionrag.models import SearchResult

router = APIRouter(tags=["search"])


@router.post("/search", response_model=SearchResult)
async def search(
    body: SearchBody, kb: KBDep, compute: ComputeDep, request: Request, settings: SettingsDep
) -> SearchResult:
    # Embedding and Chroma block: compute.run puts the call on the threadpool, in a slot.
    hits = [h.model_copy() for h in await compute.run(kb.search, body.query, body.top_k)]
    # PDF hits open at their page
    add_page_links(hits, str(request.base_url), settings, link_query(request, settings.collection))
    return SearchResult(query=body.query, hits=hits)
