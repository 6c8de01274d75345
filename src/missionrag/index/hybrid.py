"""Hybrid retrieval: dense (Chroma, cosine) and keyword (BM25) lists fused by reciprocal rank.

RRF needs no score calibration between the two lists, which matters because BM25 scores are
unbounded and corpus-dependent. ``score`` is the fused score scaled to [0, 1] (1 = ranked
first by both); ``dense_score`` (cosine) and ``keyword_score`` (BM25) are kept for callers
that need an absolute measure of evidence strength, such as ask's abstention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from missionrag.models import Chunk, Hit

if TYPE_CHECKING:
    from missionrag.index.embed import Embedder
    from missionrag.index.keyword import KeywordIndex
    from missionrag.index.store import ChunkStore

Mode = Literal["hybrid", "dense", "keyword"]


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
        dense_score=None if dense is None else round(dense, 4),
        keyword_score=None if keyword is None else round(keyword, 4),
        marks=chunk.marks,
    )


def search(
    query: str,
    *,
    store: ChunkStore,
    keyword: KeywordIndex,
    embedder: Embedder,
    top_k: int,
    rrf_k: int = 60,
    mode: Mode = "hybrid",
    fusion: str = "convex",
    dense_weight: float = 0.5,
) -> list[Hit]:
    pool = max(top_k * 4, 40)
    dense: list[tuple[Chunk, float]] = []
    if mode in ("hybrid", "dense"):
        vec = embedder.embed([query])[0]
        dense = store.query(vec, pool)
    kw: list[tuple[str, float]] = (
        keyword.search(query, pool) if mode in ("hybrid", "keyword") else []
    )

    chunks: dict[str, Chunk] = {c.id: c for c, _ in dense}
    dense_scores = {c.id: s for c, s in dense}
    kw_scores = dict(kw)
    fused: dict[str, float] = {}
    if fusion == "rrf":
        for rank, (c, _) in enumerate(dense):
            fused[c.id] = fused.get(c.id, 0.0) + 1.0 / (rrf_k + rank + 1)
        for rank, (cid, _) in enumerate(kw):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (rrf_k + rank + 1)
        lists = (1 if dense else 0) + (1 if kw else 0)
        best_possible = lists / (rrf_k + 1) if lists else 1.0
    else:
        # Convex: each list's scores scaled by its own best, so a passage that one retriever
        # ranks first keeps that weight even when the other retriever missed it (RRF buries it).
        wd = dense_weight if kw else 1.0
        wk = (1.0 - dense_weight) if dense else 1.0
        top_d = max((s for _, s in dense), default=0.0) or 1.0
        top_k_ = max((s for _, s in kw), default=0.0) or 1.0
        for c, sc in dense:
            fused[c.id] = fused.get(c.id, 0.0) + wd * max(sc, 0.0) / top_d
        for cid, sc in kw:
            fused[cid] = fused.get(cid, 0.0) + wk * sc / top_k_
        best_possible = 1.0
    ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
    missing = [cid for cid, _ in ranked[: top_k * 2] if cid not in chunks]
    if missing:
        chunks.update(store.get_chunks(missing))
    hits: list[Hit] = []
    for cid, score in ranked:
        c = chunks.get(cid)
        if c is None:  # a keyword entry whose chunk went away since the index was built
            continue
        hits.append(to_hit(c, score / best_possible, dense_scores.get(cid), kw_scores.get(cid)))
        if len(hits) >= top_k:
            break
    return hits
