"""GET /collections (every collection in the store) and DELETE /collections/{name}.

Deleting needs write access to that collection (its own token, else the API token; see
``security.check_write``) and removes only its data (``collections.delete_collection``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from missionrag.api.deps import WriteLockDep
from missionrag.api.schemas import CollectionDeleted, CollectionsOut
from missionrag.api.scope import CollectionSet
from missionrag.api.security import check_write
from missionrag.collections import NAME_PATTERN, delete_collection, list_collections

router = APIRouter(tags=["collections"])

CollectionName = Annotated[str, PathParam(pattern=NAME_PATTERN, max_length=63)]


@router.get("/collections", response_model=CollectionsOut)
async def get_collections(request: Request) -> CollectionsOut:
    registry: CollectionSet = request.app.state.collections
    found = await run_in_threadpool(list_collections, registry.settings)
    return CollectionsOut(collections=found, default=registry.settings.collection)


@router.delete("/collections/{name}", response_model=CollectionDeleted)
async def delete(
    name: CollectionName,
    request: Request,
    lock: WriteLockDep,
    authorization: Annotated[str | None, Header()] = None,
) -> CollectionDeleted:
    """Delete one collection: its documents, keyword index and uploads; nothing else."""
    check_write(request, name, authorization)
    registry: CollectionSet = request.app.state.collections

    def run() -> CollectionDeleted:
        with lock:
            info = delete_collection(registry.get(name))
            registry.drop(name)
        return CollectionDeleted(deleted=info)

    return await run_in_threadpool(run)
