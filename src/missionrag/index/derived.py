"""Indexes derived from the store: the BM25 keyword index and the corpus centroid.

Both are rebuilt from the committed chunks when the store's generation moves (one pass for
both), and kept on disk stamped with the generation they were built at (``keyword.py``,
``centroid.py``), so a process that finds them current only loads them. Rebuilding is an
explicit call, ``DerivedIndexes.ensure``: ``KnowledgeBase.keyword_index`` makes it before a
search, after an ingest or a delete, and when the API starts.

Also here: the two keyword-only retrievers ``check`` cites passages with (``FileKeywordView``
serves BM25 from files without opening Chroma; ``KeywordView`` goes through the store).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from missionrag.errors import NotFoundError
from missionrag.models import Chunk, Hit

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index import Retriever
    from missionrag.index.backend import StoreBackend
    from missionrag.index.centroid import Centroid
    from missionrag.index.keyword import KeywordIndex
    from missionrag.index.store import ChunkStore
    from missionrag.kb import KnowledgeBase


class DerivedIndexes:
    """One collection's keyword index and centroid, brought in step with its store."""

    def __init__(self, settings: Settings, backend: StoreBackend) -> None:
        self.settings = settings
        self.backend = backend
        self.lock = threading.Lock()  # held while the indexes are checked or rebuilt
        self.keyword: KeywordIndex | None = None
        self.centroid: Centroid | None = None

    def forget(self) -> None:
        """Drop the loaded indexes (the caller holds ``lock``)."""
        self.keyword = self.centroid = None

    def folder(self) -> Path:
        """Where the collection's BM25 index lives (``collections.keyword_base``)."""
        from missionrag.private import private_dir

        base = self.backend.keyword_base(self.settings.collection)
        return private_dir(base.parent) / base.name

    def _tag(self) -> str:
        """The BM25 text depends on keyword_headers and keyword_language: one index per choice,
        so changing either never loads an index built the other way."""
        tag = ".headers" if self.settings.keyword_headers else ""
        lang = self.settings.keyword_language
        return tag + ("" if lang == "auto" else f".{lang}")

    def _sibling(self, suffix: str) -> Path:
        base = self.folder()
        return base.with_name(base.name + suffix)

    def literature_file(self) -> Path:
        """The passages ``check`` cites per criterion (``check/literature.py``)."""
        return self._sibling(".criteria.json")

    def ensure(self, store: ChunkStore) -> KeywordIndex:
        """The BM25 index (and the centroid), loaded or rebuilt for the store's generation."""
        from missionrag.index.centroid import Centroid
        from missionrag.index.keyword import KeywordIndex

        with self.lock:
            if self.keyword is None or self.centroid is None:
                self.keyword = KeywordIndex(self._sibling(self._tag()))
                self.centroid = Centroid(self._sibling(".centroid.json"))
            gen = store.generation()
            kw_ok = self.keyword.generation == gen or self.keyword.load(gen)
            c_ok = (
                self.settings.dense_centering <= 0
                or self.centroid.generation == gen
                or self.centroid.load(gen)
            )
            if not (kw_ok and c_ok):
                self.rebuild(store, gen, rebuild_keyword=not kw_ok, rebuild_centroid=not c_ok)
            return self.keyword

    def rebuild(
        self, store: ChunkStore, gen: int, *, rebuild_keyword: bool, rebuild_centroid: bool
    ) -> None:
        """One pass over the committed chunks rebuilds the keyword index and/or the centroid."""
        import numpy as np

        from missionrag.ingest.chunking import index_text

        assert self.keyword is not None and self.centroid is not None
        headers = self.settings.keyword_headers
        ids: list[str] = []
        texts: list[str] = []
        owners: list[tuple[str, str | None]] = []  # (doc_id, language) per chunk
        # A single-owner (embedded) store keeps each chunk's record beside BM25, so `check`
        # can cite passages without opening Chroma (see file_view).
        records: list[str] | None = [] if self.backend.single_owner else None
        total: np.ndarray | None = None
        count = 0

        def add(c: Chunk) -> None:
            ids.append(c.id)
            texts.append(index_text(c, headers))
            owners.append((c.doc_id, c.language))
            if records is not None:
                records.append(c.model_dump_json())

        if rebuild_centroid:
            for c, vec in store.iter_chunk_vectors():
                total = vec.astype(np.float64) if total is None else total + vec
                count += 1
                if rebuild_keyword:
                    add(c)
            self.centroid.build(None if total is None else total / count, count, gen)
        else:
            for c in store.iter_chunks():
                add(c)
        if rebuild_keyword:
            from missionrag.language import keyword_languages

            langs = keyword_languages(owners, texts, self.settings.keyword_language)
            self.keyword.build(ids, texts, gen, records, langs)

    def describe(self, store: ChunkStore) -> str:
        """The keyword index for ``status`` (rebuilt first if the store moved)."""
        k = self.ensure(store)
        return f"bm25, {k.size} chunks, in step with the store's last write ({_when(k.generation)})"

    def file_view(self) -> Retriever | None:
        """BM25 search served from files, without opening Chroma, when that is provably current.

        Embedded mode only: ``state.json`` mirrors the store's generation and dirty flag (one
        process owns the store and writes both), and the BM25 folder carries the same
        generation and the chunk records. Anything else (a server store, a run in progress or
        killed, an index not yet rebuilt) returns ``None`` and the caller uses the store.
        """
        if not self.backend.single_owner:
            return None
        from missionrag.collections import home
        from missionrag.index.keyword import KeywordIndex
        from missionrag.index.store import read_state_mirror

        state = read_state_mirror(home(self.settings))
        if state is None or state.get("dirty"):
            return None
        gen = int(state.get("generation", -1))
        kw = KeywordIndex(self._sibling(self._tag()))
        if not kw.load(gen) or not kw.has_records():
            return None
        return FileKeywordView(kw, self.settings)


class FileKeywordView:
    """Keyword hits from the BM25 folder's own records (see ``DerivedIndexes.file_view``)."""

    def __init__(self, kw: KeywordIndex, settings: Settings) -> None:
        self.kw = kw
        self.settings = settings
        self._pos = {cid: i for i, cid in enumerate(kw.ids)}

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        from missionrag.index.hybrid import to_hit

        k = top_k or self.settings.top_k
        found = self.kw.search(query, k)
        if not found:
            return []
        records = self.kw.records([self._pos[cid] for cid, _ in found])
        best = found[0][1] or 1.0
        return [
            to_hit(Chunk.model_validate_json(rec), score / best, None, score)
            for (_, score), rec in zip(found, records, strict=True)
        ]

    def all_chunks(self) -> list[Chunk]:
        return [
            Chunk.model_validate_json(r) for r in self.kw.records(list(range(len(self.kw.ids))))
        ]

    def document_text(self, source: str) -> str:
        raise NotFoundError("document text is not served from the keyword index; use the store")


class KeywordView:
    """The knowledge base as ``check`` sees it: BM25 search only.

    The checker's queries are fixed criterion phrases and the draft's own targets (numbers,
    years, phrases): lexical matches by nature. Keyword search also spares a cold
    ``missionrag check`` the model load (bench/coldstart.py; tests/test_check_fastpath.py).
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        return self.kb.search(query, top_k, mode="keyword")

    def all_chunks(self) -> list[Chunk]:
        return self.kb.all_chunks()

    def document_text(self, source: str) -> str:
        return self.kb.document_text(source)


def _when(generation: int) -> str:
    """A generation stamp for people: stamps are microsecond clock times (store.py); small
    ones come from stores written before that."""
    if generation < 10**15:
        return f"generation {generation}"
    return datetime.fromtimestamp(generation / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
