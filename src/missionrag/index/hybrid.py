"""Hybrid retrieval: dense (Chroma, cosine) and keyword (BM25) lists fused by z-score.

Each retriever returns a pool of candidates (``pool`` each). The default fusion, ``zscore``,
standardises each list's scores over its own pool (mean 0, sd 1) and adds them with weights
``dense_weight`` and ``1 - dense_weight``. Standardising puts a cosine and an unbounded,
corpus-dependent BM25 score on one scale, and a passage that stands far above the rest of
its list keeps that margin, which dividing by the top score (``convex``) or keeping only
ranks (``rrf``) flattens. A passage missing from one list gets the lowest value that list's
pool holds (its real score is at most that). The keyword pool counts the passages BM25 scores
zero, so one rare-term match stands out as it should. With the same two lists, z-score
fusion took hybrid MRR from 0.834 (convex) to 0.863 on the retrieval eval and from 0.760 to
0.796 on the held-out questions (``evals/reports/retrieval.md``).

The dense list is ranked with a centred query, ``q - dense_centering * mean`` (see
``centroid.py``); ``dense_score`` stays the plain cosine so callers keep an absolute measure
of evidence strength, as does ``keyword_score`` (BM25). ``score`` is the fused value mapped
to [0, 1] by the normal CDF: 0.5 is an average candidate, 0.98 is two standard deviations
above it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np

from missionrag.errors import bounded
from missionrag.models import Chunk, Hit

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index.embed import Embedder
    from missionrag.index.keyword import KeywordIndex
    from missionrag.index.rerank import Reranker
    from missionrag.index.store import ChunkStore

Mode = Literal["hybrid", "dense", "keyword"]
Fusion = Literal["zscore", "convex", "rrf"]


def to_hit(chunk: Chunk, score: float, dense: float | None, keyword: float | None) -> Hit:
    return Hit(
        source=chunk.source,
        title=chunk.title,
        locator=chunk.locator,
        url=chunk.url,
        text=chunk.text,
        score=round(max(0.0, min(1.0, score)), 4),
        chunk_id=chunk.id,
        doc_id=chunk.doc_id,
        section=chunk.section,
        page=chunk.page,
        start=chunk.start,
        dense_score=None if dense is None else round(dense, 4),
        keyword_score=None if keyword is None else round(keyword, 4),
        marks=chunk.marks,
    )


def standardise(scores: list[float], slots: int = 0) -> tuple[dict[int, float], float]:
    """z-scores of ``scores`` and the value for a candidate the list did not return.

    ``slots`` > len(scores) pads the sample with zeros: the candidates a BM25 list leaves out
    score exactly zero, so they belong in its mean and spread.
    """
    values = np.asarray(scores, dtype=np.float64)
    pad = max(0, slots - len(values))
    sample = np.concatenate([values, np.zeros(pad)]) if pad else values
    if sample.size == 0:
        return {}, 0.0
    mean = float(sample.mean())
    sd = float(sample.std())
    if sd < 1e-9:  # one candidate, or all tied: the list orders nothing
        return dict.fromkeys(range(len(values)), 0.0), 0.0
    z = (values - mean) / sd
    floor = (0.0 - mean) / sd if pad else float(z.min())
    return {i: float(v) for i, v in enumerate(z)}, floor


def _cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def fuse(
    dense: list[tuple[str, float]],
    keyword: list[tuple[str, float]],
    *,
    fusion: Fusion = "zscore",
    dense_weight: float = 0.6,
    rrf_k: int = 60,
    keyword_slots: int = 0,
) -> list[tuple[str, float]]:
    """Merge two (id, score) lists, each best first, into (id, score in [0, 1]) best first."""
    wd = dense_weight if keyword else 1.0
    wk = (1.0 - dense_weight) if dense else 1.0
    fused: dict[str, float] = {}
    if fusion == "zscore":
        zd, floor_d = standardise([s for _, s in dense])
        zk, floor_k = standardise([s for _, s in keyword], keyword_slots)
        d_of = {cid: zd[i] for i, (cid, _) in enumerate(dense)}
        k_of = {cid: zk[i] for i, (cid, _) in enumerate(keyword)}
        for cid in d_of.keys() | k_of.keys():
            z = 0.0
            if dense:
                z += wd * d_of.get(cid, floor_d)
            if keyword:
                z += wk * k_of.get(cid, floor_k)
            fused[cid] = _cdf(z)
    elif fusion == "rrf":
        for rank, (cid, _) in enumerate(dense):
            fused[cid] = fused.get(cid, 0.0) + wd / (rrf_k + rank + 1)
        for rank, (cid, _) in enumerate(keyword):
            fused[cid] = fused.get(cid, 0.0) + wk / (rrf_k + rank + 1)
        best = (wd if dense else 0.0) + (wk if keyword else 0.0)
        fused = {cid: v * (rrf_k + 1) / best for cid, v in fused.items()}
    else:  # convex: each list scaled by its own best
        top_d = max((s for _, s in dense), default=0.0) or 1.0
        top_k = max((s for _, s in keyword), default=0.0) or 1.0
        for cid, s in dense:
            fused[cid] = fused.get(cid, 0.0) + wd * max(s, 0.0) / top_d
        for cid, s in keyword:
            fused[cid] = fused.get(cid, 0.0) + wk * s / top_k
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def search(
    query: str,
    *,
    store: ChunkStore,
    keyword: KeywordIndex,
    embedder: Embedder | Callable[[], Embedder],
    top_k: int,
    mode: Mode = "hybrid",
    fusion: Fusion = "zscore",
    dense_weight: float = 0.6,
    rrf_k: int = 60,
    pool: int = 100,
    centroid: np.ndarray | None = None,
    centering: float = 0.0,
) -> list[Hit]:
    pool = max(top_k * 4, pool)
    chunks: dict[str, Chunk] = {}
    cosine: dict[str, float] = {}
    dense: list[tuple[str, float]] = []
    if mode in ("hybrid", "dense"):
        # A factory defers loading the model until a dense search needs it (keyword mode never).
        emb = embedder() if callable(embedder) else embedder
        q = emb.embed([query])[0]
        qc = q - centering * centroid if centroid is not None and centering > 0 else q
        found, vecs = store.nearest(qc, pool)
        if found:
            ranked = vecs @ qc  # the order the ANN index returned, recomputed exactly
            plain = vecs @ q  # vectors are L2-normalised: this is the cosine
            for chunk, r, p in zip(found, ranked, plain, strict=True):
                chunks[chunk.id] = chunk
                cosine[chunk.id] = float(p)
                dense.append((chunk.id, float(r)))
            dense.sort(key=lambda kv: -kv[1])
    kw: list[tuple[str, float]] = (
        keyword.search(query, pool) if mode in ("hybrid", "keyword") else []
    )
    kw_scores = dict(kw)
    ranked_ids = fuse(
        dense,
        kw,
        fusion=fusion,
        dense_weight=dense_weight,
        rrf_k=rrf_k,
        keyword_slots=min(pool, keyword.size),
    )
    missing = [cid for cid, _ in ranked_ids[: top_k * 2] if cid not in chunks]
    if missing:
        chunks.update(store.get_chunks(missing))
    hits: list[Hit] = []
    for cid, score in ranked_ids:
        c = chunks.get(cid)
        if c is None:  # a keyword entry whose chunk went away since the index was built
            continue
        hits.append(to_hit(c, score, cosine.get(cid), kw_scores.get(cid)))
        if len(hits) >= top_k:
            break
    return hits


def check_query(query: str, settings: Settings) -> str:
    """``query`` stripped, or ``InputError`` when it is empty or over the length limit."""
    return bounded(
        query,
        settings.max_query_chars,
        noun="query",
        empty="the query is empty; type a question or a few keywords",
    )


def search_with(
    query: str,
    settings: Settings,
    *,
    store: ChunkStore,
    keyword: KeywordIndex,
    embedder: Callable[[], Embedder],
    reranker: Reranker | None,
    centroid: np.ndarray | None,
    mode: str,
    top_k: int | None,
) -> list[Hit]:
    """``search`` with the knobs from ``settings``, then the cross-encoder if there is one
    (it reranks a pool of ``rerank_pool`` hits down to ``top_k``)."""
    from missionrag.index.rerank import rerank_hits, rerank_weight

    k = top_k or settings.top_k
    hits = search(
        query,
        store=store,
        keyword=keyword,
        embedder=embedder,
        top_k=max(k, settings.rerank_pool) if reranker else k,
        mode=mode,  # type: ignore[arg-type]
        fusion=settings.fusion,
        dense_weight=settings.dense_weight,
        rrf_k=settings.rrf_k,
        pool=settings.search_pool,
        centroid=centroid,
        centering=settings.dense_centering,
    )
    if reranker is None:
        return hits
    return rerank_hits(query, hits, reranker, weight=rerank_weight(settings, query), top_k=k)
