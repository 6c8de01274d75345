"""Embedding seam: one ``Embedder`` protocol, two backends picked by ``MISSIONRAG_EMBED_BACKEND``.

``torch`` is sentence-transformers (the reference, ~8 s to import); ``onnx`` runs the same
model exported to ONNX through onnxruntime and ``tokenizers`` (fast start, same vectors).
Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from missionrag.config import Settings


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised."""
        ...


class TorchEmbedder:
    """sentence-transformers on torch: the reference implementation and the fallback."""

    def __init__(self, model_path: str, batch_size: int = 64) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_path, device="cpu")
        self.batch_size = batch_size
        self.name = f"torch:{model_path}"
        get_dim = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 384)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


class CachedEmbedder:
    """Wraps an embedder with an LRU and single-flight for repeated texts.

    Under a burst of API requests many threads ask for the same question or passage at once;
    without single-flight each one would run the model on it (bench/load.py
    saw 40 threads encoding the same texts on 2 cores). The first asker computes, the others
    wait for its result.
    """

    def __init__(self, inner: Embedder, size: int = 4096) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._inflight: dict[str, threading.Event] = {}

    def embed_tokenized(
        self, texts: Sequence[str], token_ids: Sequence[Sequence[int] | None]
    ) -> np.ndarray:
        """``embed``, handing the model the token ids already known for each text (the ingest
        pipeline's chunks), so the texts are not tokenised a second time. A backend that
        cannot take ids (torch, or a lowercasing model) gets the texts."""
        if not getattr(self.inner, "takes_token_ids", False) or any(t is None for t in token_ids):
            return self.embed(texts)
        known = dict(zip(texts, token_ids, strict=True))
        inner: Any = self.inner
        return self.embed(texts, compute=lambda miss: inner.embed_ids([known[t] for t in miss]))

    def embed(
        self,
        texts: Sequence[str],
        compute: Callable[[list[str]], np.ndarray] | None = None,
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        compute = compute or self.inner.embed
        found: dict[str, np.ndarray] = {}
        mine: list[str] = []
        waits: list[tuple[str, threading.Event]] = []
        with self._lock:
            for t in dict.fromkeys(texts):
                v = self._cache.get(t)
                if v is not None:
                    self._cache.move_to_end(t)
                    found[t] = v
                elif t in self._inflight:
                    waits.append((t, self._inflight[t]))
                else:
                    self._inflight[t] = threading.Event()
                    mine.append(t)
        if mine:
            try:
                vecs = compute(mine)
                with self._lock:
                    for t, v in zip(mine, vecs, strict=True):
                        found[t] = v
                        self._cache[t] = v
                    while len(self._cache) > self._size:
                        self._cache.popitem(last=False)
            finally:
                with self._lock:
                    for t in mine:
                        self._inflight.pop(t).set()
        retry: list[str] = []
        for t, event in waits:
            event.wait()
            with self._lock:
                v = self._cache.get(t)
            if v is None:  # the other thread failed or the entry was evicted: compute here
                retry.append(t)
            else:
                found[t] = v
        if retry:
            found.update(zip(retry, self.inner.embed(retry), strict=True))
        return np.stack([found[t] for t in texts]).astype(np.float32)


_EMBEDDERS: dict[tuple[str, str], Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """One loaded model per (backend, model path) per process; loading is the slow part."""
    key = (settings.embed_backend, settings.model_path)
    with _LOCK:
        emb = _EMBEDDERS.get(key)
        if emb is None:
            inner: Embedder
            if settings.embed_backend == "onnx":
                from missionrag.index.onnx_embed import OnnxEmbedder

                inner = OnnxEmbedder.from_settings(settings)
            else:
                inner = TorchEmbedder(settings.model_path, settings.embed_batch_size)
            emb = CachedEmbedder(inner)
            _EMBEDDERS[key] = emb
        return emb
