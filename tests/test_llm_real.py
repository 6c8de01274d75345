"""The LLM paths against a real model: llama.cpp's llama-server with SmolLM2-135M (conftest.py).

A 135M model says poor and often malformed things; these tests assert what the user gets
whatever it says (the guardrails), never how wise it is: shown sentences are supported by the
passage they cite, quotes are verbatim, a reply that cannot be used gives the offline result
with a note, and no deadline or number the model writes reaches a score.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pytest
from test_quiz_corpus import corpus_retriever

from missionrag.ask import answer_question, extractive_answer, retrieve_and_extract
from missionrag.ask.llm_answer import (
    SUPPORT_MIN,
    llm_answer,
    lost_content,
    parse_claims,
    stream_llm_answer,
)
from missionrag.ask.text import display
from missionrag.check import check_statement
from missionrag.config import Settings
from missionrag.errors import LLMError
from missionrag.llm import LLM
from missionrag.models import Answer
from missionrag.quiz import build_quiz
from missionrag.quiz.gates import run_gates

pytestmark = pytest.mark.llm

TODAY = dt.date(2026, 11, 23)
QUESTIONS = [
    "Who wrote the code for the lunar lander?",
    "Why do missions fail?",
    "In what year did President Kennedy launch the moon mission?",
]
STATEMENTS = [
    "Improve mental health among young people.",
    "Halve road deaths in Denmark by 2030 with cities, carmakers and citizens.",
    "By 2035, 90% of the city's homes are heated without fossil fuels.",
]
_NUM = re.compile(r"\d+(?:[.,]\d+)?")


class Recording(LLM):
    """The real client, keeping every reply and error so a test knows the model was reached."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.replies: list[str] = []
        self.errors: list[str] = []

    def complete(self, system: str, user: str, **request: Any) -> str:
        try:
            reply = super().complete(system, user, **request)
        except LLMError as exc:
            self.errors.append(str(exc))
            raise
        self.replies.append(reply)
        return reply


def real(url: str, **kw: Any) -> Recording:
    # Generous: a loaded 2-core machine runs the model slowly, and a timeout here would only
    # turn the test into a fallback test.
    return Recording(Settings(llm_url=url, llm_model="smollm2", llm_timeout=600, **kw))


def assert_guarded(ans: Answer, offline: Answer, kb: Any, trace: dict[str, Any]) -> None:
    """What any reply must come to: checked sentences with verbatim quotes, or extractive."""
    for c in ans.citations:
        assert c.quote in kb.document_text(c.source), "every quote verbatim"
    if ans.mode == "extractive":
        assert ans.answer == offline.answer and ans.citations == offline.citations
        assert ans.notes[-1].endswith("showing the extractive answer"), ans.notes
        return
    claims = parse_claims(ans.answer)
    assert claims and all(len(c.cited) == 1 for c in claims), ans.answer
    for claim in claims:
        cit = ans.citations[claim.cited[0] - 1]
        vecs = kb.embedder.embed([claim.text, display(cit.quote)])
        assert float(np.dot(vecs[0], vecs[1])) >= SUPPORT_MIN - 0.05, (claim.text, cit.quote)
    dropped = trace["dropped_uncited"] + trace["dropped_unsupported"]
    assert trace["sentences"] >= len(claims) + dropped, "every generated sentence accounted for"
    if dropped:
        assert any("dropped" in n for n in ans.notes), ans.notes


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_through_the_real_model(real_llm: str, corpus_kb, question: str) -> None:  # type: ignore[no-untyped-def]
    llm = real(real_llm)
    kb = corpus_kb
    ex = retrieve_and_extract(question, kb, kb.embedder, kb.settings, None)
    assert not ex.abstain
    offline = extractive_answer(ex, kb)
    trace: dict[str, Any] = {}
    ans = llm_answer(ex, kb, kb.embedder, llm, fallback=extractive_answer, trace=trace)
    assert llm.replies and not llm.errors, "the real server answered"
    assert trace["reply"] == llm.replies[-1]
    assert_guarded(ans, offline, kb, trace)
    if ans.mode == "llm":
        kept = [(c, ans.citations[c.cited[0] - 1]) for c in parse_claims(ans.answer)]
        assert lost_content(kept, ex) is None, "it keeps what the extractive answer says"


def test_ask_streams_from_the_real_model(real_llm: str, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb, llm = corpus_kb, real(real_llm)
    ex = retrieve_and_extract(QUESTIONS[1], kb, kb.embedder, kb.settings, None)
    offline = extractive_answer(ex, kb)
    trace: dict[str, Any] = {}
    events = list(
        stream_llm_answer(ex, kb, kb.embedder, llm, fallback=extractive_answer, trace=trace)
    )
    tokens, final = events[:-1], events[-1]
    assert isinstance(final, Answer) and all(isinstance(t, str) for t in tokens)
    assert len(tokens) > 3, "a real server streams in many chunks"
    assert "".join(tokens).strip() == trace["reply"], "the checked text is what was streamed"
    assert_guarded(final, offline, kb, trace)


def test_ask_timeout_falls_back_and_the_server_recovers(real_llm: str, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb = corpus_kb
    impatient = Settings(llm_url=real_llm, llm_timeout=0.01)
    ans = answer_question(QUESTIONS[0], kb, kb.embedder, kb.settings, llm=LLM(impatient))
    offline = answer_question(QUESTIONS[0], kb, kb.embedder, kb.settings)
    assert ans.mode == "extractive" and ans.answer == offline.answer
    assert any("failed" in n and "Timeout" in n for n in ans.notes), ans.notes
    # The abandoned request must not wedge the single-slot server.
    assert real(real_llm).complete("Reply with one word.", "Say hello.")


def test_check_judge_and_rewrite_never_touch_deadlines_or_numbers(real_llm: str) -> None:
    llm = real(real_llm)
    for text in STATEMENTS:
        offline = check_statement(text, today=TODAY)
        res = check_statement(text, llm=llm, today=TODAY)
        for name in ("time_bound", "measurable"):
            assert res.criteria[name] == offline.criteria[name], (text, name)
        if res.mode == "offline":
            assert res.criteria == offline.criteria
            assert any(n.startswith("LLM judge failed") for n in res.notes), res.notes
        rewrite = res.suggested_rewrite or ""
        outside = re.sub(r"\[[^\]]*\]", " ", rewrite)
        assert set(_NUM.findall(outside)) <= set(_NUM.findall(text)), rewrite
    assert llm.replies, "the real server answered at least once"


def test_check_with_a_cut_off_judge_reply_falls_back_with_a_note(real_llm: str) -> None:
    """max_tokens cuts the judge's JSON mid-object: a malformed reply from a real server."""
    llm = real(real_llm, llm_max_tokens=16)
    text = STATEMENTS[0]
    res = check_statement(text, llm=llm, today=TODAY)
    assert llm.replies, "the server replied (with truncated JSON)"
    assert res.mode == "offline"
    assert res.criteria == check_statement(text, today=TODAY).criteria
    assert any(n.startswith("LLM judge failed") and "JSON" in n for n in res.notes), res.notes


def test_check_without_json_mode_still_parses_or_falls_back(real_llm: str) -> None:
    """Endpoints that reject response_format: the prompt alone asks for JSON."""
    llm = real(real_llm, llm_json_mode="off")
    offline = check_statement(STATEMENTS[1], today=TODAY)
    res = check_statement(STATEMENTS[1], llm=llm, today=TODAY)
    assert llm.replies
    assert res.criteria["time_bound"] == offline.criteria["time_bound"]
    assert res.criteria["measurable"] == offline.criteria["measurable"]
    assert res.mode == "llm" or any(n.startswith("LLM judge failed") for n in res.notes)


def test_quiz_restyled_by_the_real_model_keeps_answers_quotes_and_gates(real_llm: str) -> None:
    retriever = corpus_retriever()
    llm = real(real_llm)
    offline = build_quiz(retriever, n=4, seed=3)
    items = build_quiz(retriever, n=4, seed=3, llm=llm)
    assert llm.replies, "the real server answered"
    texts = {i.source: retriever.document_text(i.source) for i in items}
    assert run_gates(items, texts) == {}
    assert [i.answer for i in items] == [i.answer for i in offline]
    assert [i.quote for i in items] == [i.quote for i in offline]
    assert all(i.quote in texts[i.source] for i in items)
    for new, old in zip(items, offline, strict=True):
        if new.mode == "offline":
            assert new == old
