"""The quiz builder through a real KnowledgeBase: Chroma store, embeddings, hybrid search."""

from __future__ import annotations

from pathlib import Path

import pytest
from missionrag_evals.quiz_eval import run_quiz_eval

from missionrag.kb import KnowledgeBase
from missionrag.quiz import build_quiz
from missionrag.quiz.export import FORMATS, export_quiz
from missionrag.quiz.gates import run_gates
from missionrag.quiz.text import contains

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kb(corpus_kb: KnowledgeBase) -> KnowledgeBase:
    """The session's KnowledgeBase over the corpus (conftest: one ingest, shared ONNX model)."""
    assert corpus_kb.settings.llm_url is None
    return corpus_kb


def test_twenty_item_quiz_from_the_knowledge_base(kb):
    items = build_quiz(kb, n=20, seed=7)
    assert len(items) == 20 and len({i.type for i in items}) >= 2
    texts = {s: kb.document_text(s) for s in {i.source for i in items}}
    assert run_gates(items, texts) == {}
    assert all("corpus/" in i.source for i in items)
    for fmt in FORMATS:
        assert export_quiz(items, fmt)


def test_topic_uses_the_hybrid_search(kb):
    items = build_quiz(kb, n=5, topic="mission washing", seed=1)
    assert items and all(i.topic == "mission washing" for i in items)
    assert any(contains(i.quote, "mission washing") for i in items)
    near = {h.source for h in kb.search("mission washing", top_k=5)}
    assert sum(i.source in near for i in items) >= 3


def test_quiz_eval_meets_the_issue_targets(kb, tmp_path):
    report = tmp_path / "reports" / "quiz.md"
    text, metrics = run_quiz_eval(kb, facts=ROOT / "evals" / "quiz_facts.jsonl", report=report)
    assert report.read_text(encoding="utf-8") == text
    assert metrics["facts"] >= 20
    assert metrics["validity_20"] == 1.0 and metrics["validity_30"] == 1.0
    assert metrics["coverage_30"] >= 0.6, metrics["missed"]
    assert len(metrics["types_20"]) >= 2 and metrics["position_spread"] <= 1
    assert not metrics["quiz_problems_20"] and not metrics["quiz_problems_30"]
    assert "| fact coverage, 30-item quiz |" in text
