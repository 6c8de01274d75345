"""Scale: warm hybrid search latency, store size and memory at 10k and 100k chunks.

Embedding 100k chunks with the model would take half an hour on our machines, so the corpora
are composed instead, in a way that keeps text and vector consistent:

1. A pool of sentences is generated from a word-bigram model of corpus/ (``TextGenerator``)
   and embedded once with the real model; the pool and its vectors are cached in
   ``bench/.cache/`` (the only model work, ~30 s the first time).
2. Each synthetic document draws a topic (a few hundred pool sentences); each of its chunks
   is 3-5 of those sentences (about the 96-token chunk size), and its vector is the
   normalised, length-weighted mean of its sentences' vectors. The report gives the cosine
   between such a vector and the model's real embedding of the chunk text, as a realism check.
3. Chunks go into the real store through ``ChunkStore.write_group`` (the ingest pipeline's
   own write path, minus loading and the model), and the keyword index is built by ``KnowledgeBase.keyword_index()`` as after
   any ingest.

Search latency is measured in a fresh process over the built store: the first search
(opening Chroma, loading the keyword index and the model) is reported apart, then after a
warm-up each timed query is a new string (so the query-embedding cache never answers) and runs
through ``KnowledgeBase.search``: embed, dense, keyword, fusion, fetch.

Usage: python bench/scale.py [--sizes 10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    CACHE,
    ONNX_HOME,
    PYTHON,
    REPO,
    TextGenerator,
    bench_env,
    dir_size,
    emit,
    settings_for,
    shared_onnx,
)

POOL_SIZE = 4000
POOL_VERSION = 1
CHUNKS_PER_DOC = 250
TOPIC_SIZE = 300


def sentence_pool() -> tuple[list[str], np.ndarray]:
    """Generated sentences and their real embeddings, cached after the first run."""
    path = CACHE / f"sentences-v{POOL_VERSION}-{POOL_SIZE}.npz"
    if path.exists():
        data = np.load(path)
        return json.loads(str(data["sentences"])), data["vectors"]
    gen = TextGenerator(seed=11)
    seen: set[str] = set()
    sentences: list[str] = []
    while len(sentences) < POOL_SIZE:
        s = gen.sentence()
        if 6 <= len(s.split()) <= 40 and s not in seen:
            seen.add(s)
            sentences.append(s)
    from missionrag.index.onnx_embed import OnnxEmbedder

    emb = OnnxEmbedder.from_settings(settings_for(ONNX_HOME))
    vectors = emb.embed(sentences)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, sentences=json.dumps(sentences), vectors=vectors)
    tmp.replace(path)
    return sentences, vectors


def compose(n: int, seed: int = 5) -> tuple[list[list[str]], list[np.ndarray]]:
    """``n`` chunks grouped in documents: (texts per document, vectors per document)."""
    sentences, vectors = sentence_pool()
    weights = np.array([len(s.split()) for s in sentences], dtype=np.float32)
    rng = np.random.default_rng(seed)
    docs_text: list[list[str]] = []
    docs_vecs: list[np.ndarray] = []
    left = n
    while left > 0:
        k = min(CHUNKS_PER_DOC, left)
        topic = rng.choice(len(sentences), size=TOPIC_SIZE, replace=False)
        texts: list[str] = []
        mat = np.empty((k, vectors.shape[1]), dtype=np.float32)
        for i in range(k):
            picks = rng.choice(topic, size=int(rng.integers(3, 6)), replace=False)
            texts.append(" ".join(sentences[j] for j in picks))
            v = (vectors[picks] * weights[picks, None]).sum(axis=0)
            mat[i] = v / np.linalg.norm(v)
        docs_text.append(texts)
        docs_vecs.append(mat)
        left -= k
    return docs_text, docs_vecs


def build(n: int, data_dir: Path) -> dict[str, Any]:
    from missionrag.ingest.chunking import chunk_id
    from missionrag.kb import KnowledgeBase
    from missionrag.models import Chunk, Document

    t0 = time.perf_counter()
    docs_text, docs_vecs = compose(n)
    t_compose = time.perf_counter() - t0
    shared_onnx(data_dir)
    kb = KnowledgeBase(settings_for(data_dir))
    store = kb.store
    t1 = time.perf_counter()
    store.begin()
    for d, (texts, vecs) in enumerate(zip(docs_text, docs_vecs, strict=True)):
        source = f"synthetic/doc-{d:05d}.md"
        doc_id = hashlib.sha256(source.encode()).hexdigest()[:16]
        body = "\n\n".join(texts)
        doc = Document(
            doc_id=doc_id,
            source=source,
            title=f"Synthetic document {d}",
            text=body,
            kind="markdown",
            content_hash=hashlib.sha256(body.encode()).hexdigest()[:32],
        )
        chunks, start = [], 0
        for pos, text in enumerate(texts):
            chunks.append(
                Chunk(
                    id=chunk_id(doc_id, text, 0),
                    doc_id=doc_id,
                    source=source,
                    title=doc.title,
                    text=text,
                    start=start,
                    position=pos,
                )
            )
            start += len(text) + 2
        store.write_group([(doc, chunks, vecs, None)])  # the ingest pipeline's own write path
    store.end()
    t_store = time.perf_counter() - t1
    t2 = time.perf_counter()
    size = kb.keyword_index().size
    t_keyword = time.perf_counter() - t2
    return {
        "chunks": store.count(),
        "keyword_chunks": size,
        "compose_s": round(t_compose, 1),
        "store_write_s": round(t_store, 1),
        "store_chunks_per_s": round(n / t_store, 0),
        "keyword_build_s": round(t_keyword, 1),
    }


def realism(sample: int = 48) -> dict[str, float]:
    """Cosine between a composed vector and the model's embedding of the same chunk text."""
    from missionrag.index.onnx_embed import OnnxEmbedder

    docs_text, docs_vecs = compose(sample, seed=99)
    emb = OnnxEmbedder.from_settings(settings_for(ONNX_HOME))
    real = emb.embed(docs_text[0])
    cos = (real * docs_vecs[0]).sum(axis=1)
    # For scale: how alike two unrelated chunks are, composed and real.
    off_real = float((real[:-1] * real[1:]).sum(axis=1).mean())
    off_syn = float((docs_vecs[0][:-1] * docs_vecs[0][1:]).sum(axis=1).mean())
    return {
        "composed_vs_real_cos_mean": round(float(cos.mean()), 3),
        "composed_vs_real_cos_min": round(float(cos.min()), 3),
        "neighbour_cos_real": round(off_real, 3),
        "neighbour_cos_composed": round(off_syn, 3),
    }


def search(data_dir: Path, n_queries: int) -> dict[str, Any]:
    """Warm latency per query on distinct queries: hybrid with and without the reranker,
    dense and keyword alone, and a whole extractive ask (reranked, as shipped)."""
    import psutil

    from missionrag.kb import KnowledgeBase

    gen = TextGenerator(seed=3)
    queries = list(dict.fromkeys(gen.query() for _ in range(n_queries * 3)))
    warm, timed_q = queries[:20], queries[20 : 20 + n_queries]
    kb = KnowledgeBase(settings_for(data_dir))
    plain = KnowledgeBase(settings_for(data_dir).model_copy(update={"rerank": "off"}))
    t0 = time.perf_counter()
    kb.search(queries[-1], top_k=5)
    first = time.perf_counter() - t0
    for q in warm[:10]:
        kb.search(q, top_k=5)
        plain.search(q, top_k=5)
    kb.ask(warm[-1])
    out: dict[str, Any] = {"first_search_s": round(first, 3), "reranker": bool(kb.reranker)}
    half = timed_q[: max(1, n_queries // 2)]
    runs: list[tuple[str, Any, list[str]]] = [
        ("hybrid+rerank", lambda q: kb.search(q, top_k=5), timed_q),
        ("hybrid", lambda q: plain.search(q, top_k=5), timed_q),
        # dense reuses the query vectors cached by the runs above: the store's share alone
        ("dense", lambda q: plain.search(q, top_k=5, mode="dense"), half),
        ("keyword", lambda q: plain.search(q, top_k=5, mode="keyword"), half),
        ("ask", lambda q: kb.ask(q), [q + " ?" for q in half]),  # new strings: no cache
    ]
    for mode, run, qs in runs:
        lat = []
        for q in qs:
            t = time.perf_counter()
            run(q)
            lat.append(1000 * (time.perf_counter() - t))
        lat.sort()
        out[mode] = {
            "n": len(lat),
            "p50_ms": round(statistics.median(lat), 2),
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 2),
            "max_ms": round(lat[-1], 2),
        }
    out["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    return out


def subprocess_json(args: list[str], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [str(PYTHON), __file__, *args],
        cwd=REPO,
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()[-1500:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--build", type=int)
    ap.add_argument("--search", action="store_true")
    ap.add_argument("--data-dir", type=Path)
    opts = ap.parse_args()
    if opts.build:
        emit(build(opts.build, opts.data_dir))
        return
    if opts.search:
        emit(search(opts.data_dir, opts.queries))
        return

    shared_onnx(ONNX_HOME)
    t = time.perf_counter()
    sentence_pool()
    pool_s = time.perf_counter() - t
    results: dict[str, Any] = {"pool_sentences": POOL_SIZE, "pool_s": round(pool_s, 1)}
    results["realism"] = realism()
    results["sizes"] = []
    for n in [int(x) for x in opts.sizes.split(",")]:
        tmp = Path(tempfile.mkdtemp(prefix=f"mr-bench-scale-{n}-"))
        try:
            data = tmp / "data"
            built = subprocess_json(["--build", str(n), "--data-dir", str(data)], timeout=1800)
            searched = subprocess_json(
                ["--search", "--data-dir", str(data), "--queries", str(opts.queries)], timeout=900
            )
            sizes = {
                "store_mb": round(dir_size(data / "chroma") / 2**20, 1),
                "keyword_mb": round(dir_size(data / "keyword") / 2**20, 1),
                "total_mb": round(dir_size(data) / 2**20, 1),
            }
            results["sizes"].append({"n": n, **built, **sizes, **searched})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    emit(results)


if __name__ == "__main__":
    main()
