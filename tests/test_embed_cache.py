"""The embedding cache: same vectors as the model, and one computation per text under load."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np

from missionrag.index.embed import CachedEmbedder


class CountingEmbedder:
    """A real, deterministic embedder (hashed character trigrams) that counts what it encodes."""

    name = "trigram"
    dim = 64

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(0.05)  # long enough for other threads to arrive while this one works
        with self.lock:
            self.calls += list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for j in range(max(len(t) - 2, 1)):
                out[i, hash(t[j : j + 3]) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_cache_returns_the_inner_vectors_in_order() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    texts = ["mission washing", "halve road deaths", "mission washing"]
    got = cached.embed(texts)
    np.testing.assert_allclose(got, inner.embed(texts))
    # The cache encodes a repeated text once; the direct call above encoded it twice.
    assert inner.calls.count("mission washing") == 3
    cached.embed(["halve road deaths"])
    assert inner.calls.count("halve road deaths") == 2


def test_concurrent_requests_compute_each_text_once() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    results: list[np.ndarray] = []
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        results.append(cached.embed(["why do missions fail?", "what is mission washing?"]))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(inner.calls) == ["what is mission washing?", "why do missions fail?"]
    for r in results:
        np.testing.assert_array_equal(r, results[0])
