"""Which collection a request is about, and the knowledge base that serves it.

Every endpoint that reads or writes documents takes ``?collection=NAME`` or the header
``X-Missionrag-Collection: NAME`` (the query wins); without either it uses the server's
collection (``MISSIONRAG_COLLECTION`` or ``serve --collection``). ``CollectionSet`` keeps one
``KnowledgeBase`` per collection in use; they share the process's model and reranker. A
read of a collection that does not exist is a 404 (a typo must not look like an empty
knowledge base, nor create one); the first upload to a new name creates it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

from fastapi import Header, Query, Request

from missionrag.collections import NAME_PATTERN, NAME_RULE, for_collection
from missionrag.errors import NotFoundError

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.kb import KnowledgeBase

COLLECTION_HEADER = "X-Missionrag-Collection"
_WHICH = f"Collection to use ({NAME_RULE}); default: the server's (MISSIONRAG_COLLECTION)"


async def requested_collection(
    request: Request,
    collection: Annotated[
        str | None, Query(pattern=NAME_PATTERN, max_length=63, description=_WHICH)
    ] = None,
    x_missionrag_collection: Annotated[
        str | None,
        Header(pattern=NAME_PATTERN, max_length=63, description=f"{_WHICH}; ?collection= wins"),
    ] = None,
) -> str:
    settings: Settings = request.app.state.settings
    return collection or x_missionrag_collection or settings.collection


def link_query(request: Request, name: str) -> str:
    """``?collection=NAME`` for links the browser opens itself (no header), when not default."""
    default: str = request.app.state.settings.collection
    return "" if name == default else f"?collection={name}"


class CollectionSet:
    """One knowledge base per collection in use, created on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._kbs: dict[str, KnowledgeBase] = {}
        self._settings: dict[str, Settings] = {settings.collection: settings}
        self._lock = threading.Lock()
        self.base: KnowledgeBase | None = None  # the server's collection, set in the lifespan

    def settings_for(self, name: str) -> Settings:
        with self._lock:
            if name not in self._settings:
                self._settings[name] = for_collection(self.settings, name)
            return self._settings[name]

    def get(self, name: str, *, create: bool = False) -> KnowledgeBase:
        """The knowledge base of ``name``; ``NotFoundError`` if it does not exist and
        ``create`` is false (reads never create a collection)."""
        base = self.base
        assert base is not None, "the app's lifespan sets the base knowledge base"
        if name == self.settings.collection:
            return base
        with self._lock:
            kb = self._kbs.get(name)
        if kb is not None:
            return kb
        kb = base.for_collection(name)
        if not create and not kb.has_store_dir():
            raise NotFoundError(
                f"no collection named {name!r}: GET /collections lists them; the first upload "
                f"to POST /documents?collection={name} creates it"
            )
        with self._lock:
            return self._kbs.setdefault(name, kb)

    def drop(self, name: str) -> None:
        """Forget a deleted collection (the base one stays, empty, until written again)."""
        with self._lock:
            self._kbs.pop(name, None)
