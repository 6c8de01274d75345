"""Extractive ask against the real corpus in a real store (session fixture ``corpus_kb``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from missionrag.ask import (
    NOT_COVERED,
    answer_question,
    render_answer,
    stream_answer,
    verify_quotes,
    warm_up,
)
from missionrag.errors import InputError
from missionrag.models import Answer, Citation

REPO = Path(__file__).resolve().parents[1]
QA = REPO / "evals" / "qa.jsonl"


def ask(kb, question: str, **kw) -> Answer:  # type: ignore[no-untyped-def]
    kw.setdefault("reranker", kb.reranker)  # the default path: reranked, as kb.ask does
    return answer_question(question, kb, kb.embedder, kb.settings, **kw)


def test_answer_cites_every_sentence_with_verbatim_quotes(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(corpus_kb, "Who wrote the code for the lunar lander?")
    assert not ans.abstained and ans.mode == "extractive"
    assert "Margaret Hamilton" in ans.answer
    assert ans.citations[0].source == "corpus/invi-mission-driven-change.txt"
    # [1]..[n] in order, one per citation, and the answer ends with a marker.
    assert re.findall(r"\[(\d+)\]", ans.answer) == [
        str(i) for i in range(1, len(ans.citations) + 1)
    ]
    assert ans.answer.rstrip().endswith("]")
    for c in ans.citations:
        assert c.quote and c.quote in corpus_kb.document_text(c.source)
        assert 0.0 <= c.score <= 1.0
    assert 1 <= sum(len(re.findall(r"[.!?](\s|$)", c.quote)) or 1 for c in ans.citations) <= 4


def test_transcript_citation_has_the_timestamp_of_its_sentence(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(corpus_kb, "What does mission washing mean?")
    cit = next(c for c in ans.citations if "roles-and-challenges" in c.source)
    assert "existing policies" in cit.quote
    # The anchor after this sentence in the raw file is 00:22:15 (1335 s).
    assert cit.locator == "00:22:15"
    assert cit.url == "https://www.youtube.com/watch?v=PMeGhXxyupE&t=1335s"


def test_quote_extends_to_the_sentences_that_follow(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    # The best-matching sentence names the case; the answer is two sentences later.
    ans = ask(
        corpus_kb, "What came out of the Danish case on sustainable and inclusive urban spaces?"
    )
    first = ans.citations[0]
    # The quote starts after the dangling "For example, "; the answer text capitalises it.
    assert first.quote.startswith("in one case study")
    assert ans.answer.startswith("In one case study")
    assert "10 action items" in first.quote
    assert first.quote in corpus_kb.document_text(first.source)


def test_unanswerable_question_abstains_with_closest_material(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(corpus_kb, "How many staff work in the OECD Mission Action Lab?")
    assert ans.abstained and not ans.citations
    assert ans.answer.startswith(NOT_COVERED)
    assert ans.closest and all(h.text for h in ans.closest)
    assert any("figure" in n or "number" in n for n in ans.notes)
    assert "Closest material" in render_answer(ans)


def test_off_topic_question_abstains(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(corpus_kb, "How many minutes should I boil an egg to get a soft yolk?")
    assert ans.abstained


def test_question_in_another_language_abstains_with_a_message(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(
        corpus_kb,
        "Hvor mange penge har den danske regering afsat til missionen om unges mentale sundhed i 2025?",
    )
    assert ans.abstained
    assert any("Danish" in n and "English" in n for n in ans.notes)


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_input_errors(corpus_kb, question: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="question"):
        ask(corpus_kb, question)
    with pytest.raises(InputError):
        stream_answer(question, corpus_kb, corpus_kb.embedder, corpus_kb.settings)


def test_stream_offline_is_one_answer_event_equal_to_answer_question(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    q = "Why is it difficult to get all partners to feel ownership of a mission?"
    events = list(
        stream_answer(
            q, corpus_kb, corpus_kb.embedder, corpus_kb.settings, reranker=corpus_kb.reranker
        )
    )
    assert [e["event"] for e in events] == ["answer"]
    assert events[0]["data"] == ask(corpus_kb, q).model_dump(mode="json")
    json.dumps(events[0]["data"])  # serialisable for SSE


def test_contract_shape(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    data = ask(corpus_kb, "What is the Mission Planning Canvas?").model_dump(mode="json")
    assert {"question", "answer", "abstained", "citations", "mode"} <= set(data)
    assert set(data["citations"][0]) >= {"source", "title", "locator", "url", "quote", "score"}


def test_render_lists_sources_with_locators_and_links(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(corpus_kb, "What does mission washing mean?")
    out = render_answer(ans)
    assert "[1]" in out and "Sources" in out
    assert "https://www.youtube.com/watch?v=" in out
    assert ans.citations[0].source in out
    assert "\x1b[" not in out and "\x1b[" in render_answer(ans, color=True)


def test_verify_quotes_catches_a_rewritten_quote(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    good = ask(corpus_kb, "Who wrote the code for the lunar lander?").citations[0]
    bad = good.model_copy(update={"quote": good.quote.replace("wrote", "authored")})
    missing = Citation(source="corpus/nope.txt", title="x", quote="x", score=0.0)
    idx, notes = verify_quotes([good, bad, missing], corpus_kb)
    assert idx == [1, 2] and len(notes) == 2


def test_top_k_is_respected_for_closest(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    ans = ask(corpus_kb, "Who won the 2018 FIFA World Cup?", top_k=1)
    assert ans.abstained and 1 <= len(ans.closest) <= 3


def test_warm_up_scores_every_unit_and_changes_no_answer(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    q = "What should partners be willing to share in order to build trust in a mission?"
    before = ask(corpus_kb, q)
    assert warm_up(corpus_kb, corpus_kb.embedder) > 200
    assert ask(corpus_kb, q) == before


def _cases() -> list[dict]:  # type: ignore[type-arg]
    return [
        json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@pytest.mark.skipif(not QA.exists(), reason="evals/qa.jsonl not present")
def test_every_quote_over_the_eval_is_verbatim_in_its_source(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for case in _cases():
        ans = ask(corpus_kb, case["question"])
        for c in ans.citations:
            text = corpus_kb.document_text(c.source)
            assert c.quote in text, (case["id"], c.quote)
            checked += 1
    assert checked >= 40


@pytest.mark.skipif(not QA.exists(), reason="evals/qa.jsonl not present")
def test_dev_questions_keep_their_measured_quality(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    """A regression floor on the seed dev questions (evals/qa.jsonl, which the selection and
    abstention constants were fitted on; honest numbers are in evals/reports/ask.md)."""
    never = corpus_kb.settings.model_copy(update={"ask_min_confidence": 0.0})
    facts = answered = wrongly = abstained = 0
    cases = _cases()
    for case in cases:
        if not case["answerable"]:
            abstained += ask(corpus_kb, case["question"]).abstained
            continue
        a = answer_question(
            case["question"], corpus_kb, corpus_kb.embedder, never, reranker=corpus_kb.reranker
        )
        text = a.answer.lower()
        right = case["source"] in {c.source for c in a.citations}
        facts += right and all(k in text for k in case["keywords"])
        answered += 1
        wrongly += ask(corpus_kb, case["question"]).abstained
    n_una = len(cases) - answered
    assert facts / answered >= 0.85, facts  # 0.90 when fitted
    assert wrongly / answered <= 0.15, wrongly  # 0.10 when fitted
    assert abstained / n_una >= 0.7, abstained  # 0.82 when fitted
