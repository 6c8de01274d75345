"""Embedding seam: one ``Embedder`` protocol, two backends picked by ``MISSIONRAG_EMBED_BACKEND``.

``torch`` is sentence-transformers (the reference, ~8 s to import); ``onnx`` runs the same
model exported to ONNX through onnxruntime and ``tokenizers`` (fast start, same vectors).
Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

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
    """Wraps an embedder with a small LRU for repeated queries (ask, search, check advice)."""

    def __init__(self, inner: Embedder, size: int = 2048) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out: list[np.ndarray | None] = []
        missing: list[str] = []
        with self._lock:
            for t in texts:
                v = self._cache.get(t)
                if v is not None:
                    self._cache.move_to_end(t)
                else:
                    missing.append(t)
                out.append(v)
        if missing:
            uniq = list(dict.fromkeys(missing))
            vecs = self.inner.embed(uniq)
            fresh = dict(zip(uniq, vecs, strict=True))
            with self._lock:
                for t, v in fresh.items():
                    self._cache[t] = v
                    if len(self._cache) > self._size:
                        self._cache.popitem(last=False)
            out = [fresh[t] if v is None else v for t, v in zip(texts, out, strict=True)]
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([v for v in out if v is not None]).astype(np.float32)


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
