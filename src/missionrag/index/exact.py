"""Exact dense search: a matrix product over every committed chunk's stored vector.

Chroma's HNSW index is approximate, and the graph it holds differs between processes that open
the same unchanged store: 4 fresh processes gave 4 different 100-candidate pools for one query,
and the top 10 moved, so an answer could change when nothing had. Up to
``MISSIONRAG_EXACT_SEARCH_MAX`` chunks the store searches here instead: the same query gives
the same pool every time (ties broken by chunk id) and recall is exact. The price, measured
by ``bench/repeatable.py`` at 10k chunks: a search takes ~16 ms instead of ~9 (the chunk
records are fetched by id after the product), and the first search after each write loads
the vectors again (~1.4 s).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from missionrag.index.store import ChunkStore
    from missionrag.models import Chunk


class ExactIndex:
    """The committed vectors of a store, loaded once per generation."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._matrix: tuple[int, list[str], np.ndarray] | None = None

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """Ids and vectors of every committed chunk, kept until the generation moves."""
        store = self.store
        gen = store.generation()
        with self._lock:
            if self._matrix is not None and self._matrix[0] == gen:
                return self._matrix[1], self._matrix[2]
            cat = store.catalog()
            ids: list[str] = []
            vecs: list[np.ndarray] = []
            offset = 0
            while True:
                got = store.chunks.get(
                    include=["metadatas", "embeddings"], limit=5000, offset=offset
                )
                if not got["ids"]:
                    break
                for cid, meta, emb in zip(
                    got["ids"], got["metadatas"], got["embeddings"], strict=True
                ):
                    rec = cat.get((meta or {}).get("doc_id", ""))
                    if rec is not None and rec.content_hash == (meta or {}).get("doc_hash"):
                        ids.append(cid)
                        vecs.append(np.asarray(emb, dtype=np.float32))
                offset += len(got["ids"])
            matrix = np.stack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)
            self._matrix = (gen, ids, matrix)
            return ids, matrix

    def nearest(self, vector: np.ndarray, n: int) -> tuple[list[Chunk], np.ndarray]:
        """The ``n`` committed chunks nearest ``vector``, best first, and their vectors."""
        ids, matrix = self.matrix()
        if not ids:
            return [], np.zeros((0, len(vector)), dtype=np.float32)
        scores = matrix @ vector.astype(np.float32)
        k = min(n, len(ids))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
        order = sorted(top.tolist(), key=lambda i: (-float(scores[i]), ids[i]))
        found = self.store.get_chunks([ids[i] for i in order])
        keep = [i for i in order if ids[i] in found]
        return [found[ids[i]] for i in keep], matrix[keep]
