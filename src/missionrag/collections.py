"""Collections: separate knowledge bases (one per team or project) in one data dir or server.

A collection is everything one knowledge base keeps, and nothing another one can see:

    Chroma          <name>_chunks and <name>_docs (index/store.py), with the run state and
                    writer records inside <name>_docs
    keyword index   <data dir>/keyword/<name>[-<server>] (+ .headers, .centroid.json)
    home folder     uploads/, state.json (the store state mirror), conversation.json

The collection named ``missionrag`` (the default) keeps its home at the top of the data dir,
where stores made before collections existed have it; every other one lives in
``<data dir>/collections/<name>/``. Names are lowercase letters, digits, ``-`` and ``_`` (they
become folder names and Chroma names). Writes to a collection may need its own token
(``MISSIONRAG_COLLECTION_TOKENS``); ``tests/test_collections.py`` shows two collections side
by side, embedded and on a ``chroma run`` server.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from missionrag.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.kb import KnowledgeBase
    from missionrag.models import CollectionInfo

LEGACY = "missionrag"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_NAME = re.compile(NAME_PATTERN)
NAME_RULE = "1 to 63 lowercase letters, digits, '-' or '_', starting with a letter or digit"
SUFFIXES = ("_docs", "_chunks")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a collection name, or None when it can."""
    if not _NAME.match(name or ""):
        shown = (name or "")[:80].encode("unicode_escape").decode()
        return f"{shown!r} is not a collection name: use {NAME_RULE}"
    return None


def check_name(name: str) -> str:
    problem = name_problem(name)
    if problem:
        raise InputError(problem)
    return name


def home(settings: Settings) -> Path:
    """The collection's own folder (uploads, state mirror, conversation); not created here."""
    data = settings.resolved_data_dir()
    return data if settings.collection == LEGACY else data / "collections" / settings.collection


def ensure_home(settings: Settings) -> Path:
    from missionrag.private import private_dir

    return private_dir(home(settings))


def uploads_path(settings: Settings) -> Path:
    return home(settings) / "uploads"


def keyword_base(settings: Settings) -> Path:
    """Where the collection's BM25 index lives (one copy per Chroma server and collection)."""
    from missionrag.index.backend import backend_for

    return backend_for(settings).keyword_base(settings.collection)


def parse_tokens(raw: str) -> dict[str, str]:
    """``"teamA:token1,teamB:token2"`` as a dict; ``InputError`` naming the bad entry."""
    out: dict[str, str] = {}
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        name, sep, token = entry.strip().partition(":")
        name = name.strip()
        if not sep or not token.strip() or name_problem(name):
            raise InputError(
                f"MISSIONRAG_COLLECTION_TOKENS: {name or entry.strip()[:40]!r} is not "
                f"'name:token' ({NAME_RULE})"
            )
        out[name] = token.strip()
    return out


def write_token(settings: Settings, name: str) -> str | None:
    """The token a write to collection ``name`` needs: its own, else MISSIONRAG_API_TOKEN."""
    return parse_tokens(settings.collection_tokens).get(name) or settings.api_token


def for_collection(settings: Settings, name: str) -> Settings:
    return settings.model_copy(update={"collection": check_name(name)})


def store_names(settings: Settings) -> list[str]:
    """Collections that have both Chroma collections in the store (opens the client)."""
    from missionrag.index.backend import backend_for

    backend = backend_for(settings)
    backend.own()  # one process owns an embedded store: the same lock as KnowledgeBase.store
    names = backend.collection_names()
    found = {n[: -len("_docs")] for n in names if n.endswith("_docs")}
    return sorted(n for n in found if f"{n}_chunks" in names and not name_problem(n))


def exists(settings: Settings) -> bool:
    """Whether the collection holds a store, without creating one.

    Embedded: the Chroma folder and (for named collections) their home folder, made by the
    first write, so a read of a mistyped name never opens Chroma or leaves an empty
    collection behind. The default collection's home is the data dir itself, and a server's
    collections are made by other machines too: for those, ask the store.
    """
    from missionrag.index.backend import backend_for

    backend = backend_for(settings)
    if not backend.may_hold_collections():
        return False
    if backend.single_owner and settings.collection != LEGACY:
        return home(settings).is_dir()
    return settings.collection in store_names(settings)


def missing_message(settings: Settings) -> str:
    if settings.collection == LEGACY:
        return "the knowledge base is empty; run `missionrag ingest corpus/` (or `make run`) first"
    name = settings.collection
    return (
        f"the collection {name!r} has no documents: add some with "
        f"`missionrag ingest --collection {name} PATH` (or POST /documents?collection={name}); "
        "`missionrag collections list` shows the others"
    )


def describe(kb: KnowledgeBase) -> CollectionInfo:
    from missionrag.models import CollectionInfo

    docs = kb.documents()
    return CollectionInfo(
        name=kb.settings.collection, documents=len(docs), chunks=sum(d.chunks for d in docs)
    )


def list_collections(settings: Settings) -> list[CollectionInfo]:
    """Every collection in the store, with its document and chunk counts."""
    from missionrag.index.backend import backend_for
    from missionrag.kb import KnowledgeBase

    if not backend_for(settings).may_hold_collections():
        return []
    return [describe(KnowledgeBase(for_collection(settings, n))) for n in store_names(settings)]


def delete_collection(kb: KnowledgeBase) -> CollectionInfo:
    """Remove one collection's Chroma data, keyword index and home folder; nothing else.

    Another process that has the collection open (an API worker on the same Chroma server)
    finds it gone on its next call and reports the store unavailable until restarted.
    """
    settings = kb.settings
    if not exists(settings):
        raise NotFoundError(
            f"no collection named {settings.collection!r}; `missionrag collections list` "
            "(or GET /collections) lists them"
        )
    info = describe(kb)
    from missionrag.index.backend import backend_for

    with kb.writing():
        backend = backend_for(settings)
        for suffix in SUFFIXES:
            backend.delete_collection(settings.collection + suffix)
        base = keyword_base(settings)
        # <base>, <base>.headers, <base>.centroid.json, ... (names hold no ".", so the prefix
        # "<base>." is this collection's alone)
        parent = base.parent
        targets = (
            [
                p
                for p in parent.iterdir()
                if p.name == base.name or p.name.startswith(base.name + ".")
            ]
            if parent.is_dir()
            else []
        )
        for target in targets:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        folder = home(settings)
        if settings.collection == LEGACY:
            # The data dir itself: only this collection's files, never the other collections.
            shutil.rmtree(folder / "uploads", ignore_errors=True)
            for name in ("state.json", "conversation.json"):
                (folder / name).unlink(missing_ok=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        kb.forget_store()
    return info
