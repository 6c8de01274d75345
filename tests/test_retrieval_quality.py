"""Retrieval quality: z-score fusion, query centring, BM25 headers, heading-only spans, and
the dev floors of the retrieval eval (real model, real store)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, REPO, make_settings

from missionrag.config import Settings
from missionrag.index.centroid import Centroid
from missionrag.index.hybrid import fuse, standardise
from missionrag.ingest import chunk_document, load_file
from missionrag.kb import KnowledgeBase


def test_standardise_counts_unmatched_passages_as_zero() -> None:
    # One BM25 match among 50 candidates: its z-score is high, and a passage the list did not
    # return sits at the z-score of a zero score, below every match.
    z, floor = standardise([3.0], slots=50)
    assert z[0] > 5 and floor < 0
    # Without padding (the dense list) the floor is the lowest pooled value.
    z, floor = standardise([0.9, 0.5, 0.1])
    assert z[0] > z[1] > z[2] == pytest.approx(floor)
    # Ties or a single candidate order nothing and do not divide by zero.
    assert standardise([0.4, 0.4]) == ({0: 0.0, 1: 0.0}, 0.0)
    assert standardise([]) == ({}, 0.0)


def test_zscore_fusion_merges_on_one_scale() -> None:
    dense = [("a", 0.70), ("b", 0.69), ("c", 0.50), ("d", 0.49), ("e", 0.48)]
    keyword = [("b", 5.0), ("f", 4.8)]  # out of 10 candidates, 8 score zero
    fused = fuse(dense, keyword, fusion="zscore", dense_weight=0.6, keyword_slots=10)
    ids = [cid for cid, _ in fused]
    # Near the top of both lists beats the top of one; a strong keyword-only match ("f", the
    # dense list's floor) beats passages that are weak for dense and absent from BM25.
    assert ids == ["b", "a", "f", "c", "d", "e"]
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    # One list alone keeps its own order.
    assert [c for c, _ in fuse(dense, [], fusion="zscore")] == ["a", "b", "c", "d", "e"]
    for fusion in ("convex", "rrf"):
        other = fuse(dense, keyword, fusion=fusion, dense_weight=0.5)  # type: ignore[arg-type]
        assert other[0][0] == "b" and all(0 <= s <= 1 + 1e-9 for _, s in other)


def test_heading_only_sections_join_the_next_chunk(settings: Settings) -> None:
    doc = load_file(CORPUS / "oecd-ddc-missions-survey-workshop.md", settings)
    chunks = chunk_document(doc, settings)
    for c in chunks:
        assert doc.text[c.start : c.start + len(c.text)] == c.text
        assert not (c.section and c.text.strip() == c.section.strip()), c.text
    # The slide title "Mission Playbook" (no body) now heads the next slide's chunk.
    playbook = next(c for c in chunks if c.text.startswith("Mission Playbook\n"))
    assert "design-driven approach" in playbook.text and playbook.section == "Mission Playbook"


def test_centroid_follows_the_store(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path / "d"))
    kb.ingest(
        [CORPUS / "invi-mission-driven-change.txt", CORPUS / "oecd-ddc-missions-survey-workshop.md"]
    )
    kb.keyword_index()
    assert kb.derived.centroid is not None and kb.derived.centroid.vector is not None
    vectors = np.stack([v for _, v in kb.store.iter_chunk_vectors()])
    np.testing.assert_allclose(kb.derived.centroid.vector, vectors.mean(axis=0), atol=1e-5)
    path = kb.derived.centroid.path
    assert json.loads(path.read_text())["generation"] == kb.store.generation()

    # A delete moves the generation: the centroid is recomputed from what is left.
    survey = next(d for d in kb.documents() if "survey" in d.source)
    kb.delete_document(survey.doc_id)
    left = np.stack([v for _, v in kb.store.iter_chunk_vectors()])
    np.testing.assert_allclose(kb.derived.centroid.vector, left.mean(axis=0), atol=1e-5)

    # A file stamped with another generation is never loaded.
    stale = Centroid(path)
    assert not stale.load(kb.store.generation() + 1)
    assert stale.load(kb.store.generation()) and stale.vector is not None


def test_dense_score_stays_the_plain_cosine(corpus_kb: KnowledgeBase) -> None:
    """Ranking uses the centred query; the reported dense_score is still cos(query, chunk)."""
    q = "who wrote the code for the lunar lander"
    hits = corpus_kb.search(q, 5, mode="dense")
    assert any("Margaret Hamilton" in h.text for h in hits[:2])
    qv = corpus_kb.embedder.embed([q])[0]
    stored = corpus_kb.store.existing_embeddings([h.chunk_id for h in hits])
    for h in hits:
        assert h.dense_score == pytest.approx(float(stored[h.chunk_id] @ qv), abs=1e-3)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_keyword_index_reads_source_headers(corpus_kb: KnowledgeBase, tmp_path: Path) -> None:
    # "INVI" names the source; with headers every passage of that file carries the word.
    hits = corpus_kb.search("INVI pilot initiatives", 5, mode="keyword")
    assert hits and all("invi" in h.source for h in hits)
    folder = corpus_kb.settings.resolved_data_dir() / "keyword"
    assert (folder / "missionrag.headers").is_dir()
    # Turning headers off builds (and later loads) a separate index, never the headed one.
    plain = KnowledgeBase(corpus_kb.settings.model_copy(update={"keyword_headers": False}))
    assert plain.keyword_index().folder.name == "missionrag"
    assert plain.keyword_index().size == corpus_kb.keyword_index().size


def _rank(kb: KnowledgeBase, case: dict, mode: str = "hybrid") -> int | None:  # type: ignore[type-arg]
    text = kb.document_text(case["source"])
    at = text.find(case["passage"])
    for i, h in enumerate(kb.search(case["question"], 10, mode=mode)):
        if h.source == case["source"] and h.start is not None and at >= 0:
            overlap = min(h.start + len(h.text), at + len(case["passage"])) - max(h.start, at)
            if overlap >= 0.5 * len(case["passage"]):
                return i + 1
    return None


def test_reranked_retrieval_keeps_its_dev_numbers(corpus_kb: KnowledgeBase) -> None:
    """A floor on evals/retrieval.jsonl (dev: the rerank settings were chosen with it;
    honest numbers are in evals/reports/retrieval.md)."""
    cases = [json.loads(x) for x in (REPO / "evals" / "retrieval.jsonl").read_text().splitlines()]
    plain = KnowledgeBase(corpus_kb.settings.model_copy(update={"rerank": "off"}))
    reranked = [_rank(corpus_kb, c) for c in cases]
    hybrid = [_rank(plain, c) for c in cases]

    def mrr(ranks: list[int | None]) -> float:
        return sum(1 / r for r in ranks if r) / len(ranks)

    assert sum(r is not None and r <= 5 for r in reranked) / len(cases) >= 0.95
    assert mrr(reranked) >= 0.85 and mrr(reranked) >= mrr(hybrid), (mrr(reranked), mrr(hybrid))


def test_settings_document_the_new_knobs() -> None:
    fields = Settings.model_fields
    for name in ("fusion", "dense_weight", "dense_centering", "keyword_headers", "search_pool"):
        assert fields[name].description, name
