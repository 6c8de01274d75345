"""The parts a knowledge base wires together, each opened on first use.

``KnowledgeBase`` (kb.py) is this plus the verbs. Here: the settings, the storage backend
(index/backend.py), the Chroma store (opening it takes the embedded store's process lock), the
embedder, the reranker, the LLM and the derived indexes (index/derived.py), and the write lock.
The properties only open or load their part; the one piece of work, bringing the keyword
index in step with the store, is the explicit ``keyword_index()``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from missionrag.config import Settings
from missionrag.errors import BackendUnavailableError
from missionrag.index.backend import backend_for
from missionrag.index.derived import DerivedIndexes
from missionrag.models import Chunk

if TYPE_CHECKING:
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder
    from missionrag.index.keyword import KeywordIndex
    from missionrag.index.rerank import Reranker
    from missionrag.index.store import ChunkStore
    from missionrag.llm import LLM


class Wiring:
    """Settings -> backend, store, embedder, reranker, LLM, derived indexes (``KnowledgeBase``'s)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.backend = backend_for(self.settings)  # embedded or server (index/backend.py)
        self.derived = DerivedIndexes(self.settings, self.backend)  # keyword index + centroid
        self._store: ChunkStore | None = None
        self._embedder: Embedder | None = None
        self._reranker: Reranker | None | bool = False  # False = not yet resolved
        self._llm: LLM | None | bool = False  # False = not yet resolved
        self._write_lock = threading.RLock()
        self._texts: dict[tuple[str, str], str] = {}
        self._chunks_cache: tuple[int, list[Chunk]] | None = None
        self._exists = False  # the collection was seen in the store (collections.exists)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this knowledge base's write lock (ingest, delete, collection removal)."""
        with self._write_lock:
            yield

    def forget_store(self) -> None:
        """Drop the open store and derived indexes (after the collection was deleted)."""
        with self.derived.lock:
            self._store = None
            self.derived.forget()
            self._chunks_cache, self._texts, self._exists = None, {}, False

    # ------------------------------------------------------------------ parts, opened on first use
    @property
    def store(self) -> ChunkStore:
        if self._store is None:
            from missionrag.index.store import ChunkStore

            self.backend.own()
            self._store = ChunkStore(self.settings, self.backend)
        return self._store

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from missionrag.index.embed import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def reranker(self) -> Reranker | None:
        """The cross-encoder, or None when MISSIONRAG_RERANK is off or no model is installed."""
        if self._reranker is False:
            from missionrag.index.rerank import get_reranker

            self._reranker = get_reranker(self.settings)
        return self._reranker  # type: ignore[return-value]

    @property
    def llm(self) -> LLM | None:
        if self._llm is False:
            from missionrag.llm import get_llm

            self._llm = get_llm(self.settings)
        return self._llm  # type: ignore[return-value]

    def _open_store_and_model(self) -> None:
        """Load the model on a thread while this one opens the store.

        A cold ``ask`` or ``search`` needs both, and they take about as long as each other
        (importing chromadb ~0.6 s; onnxruntime and the session ~0.2 s): side by side they cut
        ~0.12 s of a 1.4 s cold ``ask`` (bench/coldstart.py). Errors are left for the caller,
        which meets the same one when it reaches ``self.embedder`` and reports it properly.
        """
        if self._embedder is not None or not self.has_store_dir():
            return

        def load() -> None:
            with contextlib.suppress(Exception):
                _ = self.embedder
                _ = self.reranker

        loader = threading.Thread(target=load, name="embedder-preload", daemon=True)
        loader.start()
        try:
            _ = self.store
        except Exception:
            # The caller reports this; let the load finish first, since a process that exits
            # while a thread is inside an extension's import can crash on the way out.
            loader.join()

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index (and the centroid), rebuilt first if the store moved since."""
        return self.derived.ensure(self.store)

    def keyword_view(self) -> Retriever | None:
        """BM25 served from files without opening Chroma, or None (``DerivedIndexes.file_view``)."""
        return self.derived.file_view()

    def has_store_dir(self) -> bool:
        """The collection may hold documents: it exists in the store (never created here)."""
        if not self._exists:
            from missionrag.collections import exists

            self._exists = exists(self.settings)
        return self._exists

    def has_store(self) -> bool:
        """A store exists and holds documents (without creating one as a side effect)."""
        if not self.has_store_dir():
            return False
        return bool(self.store.catalog())

    def _require_store(self) -> None:
        if not self.has_store():
            from missionrag.collections import missing_message

            raise BackendUnavailableError(missing_message(self.settings))
