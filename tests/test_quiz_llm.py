"""LLM path of the quiz builder against a real OpenAI-compatible server on loopback.

The "model" is scripted; everything else (HTTP, llama-index client, prompt file, JSON parsing,
gates, fallback) is the real code path.
"""

from __future__ import annotations

import json
import time

import pytest
from llmserver import FakeLLMServer
from test_quiz_corpus import corpus_retriever

from missionrag.config import Settings
from missionrag.llm import get_llm
from missionrag.quiz import build_quiz
from missionrag.quiz.gates import number_of, run_gates
from missionrag.quiz.text import BLANK

N, SEED = 12, 3


@pytest.fixture(scope="module")
def retriever():
    return corpus_retriever()


@pytest.fixture(scope="module")
def offline(retriever):
    return build_quiz(retriever, n=N, seed=SEED)


def drafts(messages: list[dict]) -> list[dict]:
    user = messages[-1]["content"]
    assert user.startswith("<<<DOCUMENT\n") and user.endswith("\nDOCUMENT>>>")
    return json.loads(user[len("<<<DOCUMENT\n") : -len("\nDOCUMENT>>>")])


def fake_distractors(draft: dict) -> list[str]:
    parsed = number_of(draft["answer"])
    if draft["kind"] in ("percent", "year", "number") and parsed:
        v = int(parsed[0])
        if draft["kind"] == "percent":
            return [f"{(v + d) % 90 + 5}%" for d in (17, 41, 63)]
        if draft["kind"] == "year":
            return [str(v + d) for d in (-13, 7, 19)]
        return [str(v * f) for f in (3, 5, 7)]
    return ["Alpha Institute of Policy", "Beta Transition Council", "Gamma Foundation"]


def good(messages: list[dict]) -> str:
    out = []
    for d in drafts(messages):
        question = f"Reworded for the course: {d['draft_question']}"
        out.append(
            {
                "id": d["id"],
                "question": question,
                "distractors": fake_distractors(d) if d["type"] == "mcq" else [],
                "explanation": "The sentence states it.",
            }
        )
    return "```json\n" + json.dumps({"items": out}) + "\n```"


BAD_RULES = [
    lambda d: {"question": f"Is it {d['answer']}? {d['draft_question']}"},  # answer visible
    lambda d: {"distractors": [d["answer"], "x", "y"]},  # option equals the answer
    lambda d: {"distractors": ["All of the above", "None of the above", "Both"]},
    lambda d: {"question": "What is your favourite colour?"},  # unrelated to the quote
    lambda d: {"question": "They said so: " + d["draft_question"]},  # dangling start
    lambda d: {"distractors": ["one", "two"]},  # wrong count
]


def bad(messages: list[dict]) -> str:
    out = []
    for k, d in enumerate(drafts(messages)):
        row = {
            "id": d["id"],
            "question": f"Reworded: {d['draft_question']}",
            "distractors": fake_distractors(d) if d["type"] == "mcq" else [],
        }
        row.update(BAD_RULES[k % len(BAD_RULES)](d))
        if d["type"] == "cloze":
            row["question"] = row["question"].replace(BLANK, "...")  # a cloze without its blank
        out.append(row)
    return json.dumps({"items": out})


def llm_for(srv: FakeLLMServer, timeout: float = 20.0):
    return get_llm(Settings(llm_url=srv.url, llm_model="fake", llm_timeout=timeout))


def test_good_rewrites_are_used_and_keep_answer_and_quote(retriever, offline):
    with FakeLLMServer(good) as srv:
        items = build_quiz(retriever, n=N, seed=SEED, llm=llm_for(srv))
        assert srv.requests, "the LLM was asked"
        system = srv.requests[0]["messages"][0]["content"]
        assert "JSON only" in system and "<<<DOCUMENT" in system
    texts = {s: retriever.document_text(s) for s in {i.source for i in items}}
    assert run_gates(items, texts) == {}
    assert [i.answer for i in items] == [i.answer for i in offline]
    assert [i.quote for i in items] == [i.quote for i in offline]
    rewritten = [i for i in items if i.type in ("mcq", "cloze")]
    assert rewritten and all(i.mode == "llm" for i in rewritten)
    assert all(i.question.startswith("Reworded for the course:") for i in rewritten)
    assert all(i.mode == "offline" for i in items if i.type == "true_false")
    for new, old in zip(items, offline, strict=True):
        if new.type == "mcq":
            assert new.options.index(new.answer) == old.options.index(old.answer), "balance kept"


def test_rewrites_failing_a_gate_fall_back_to_offline_items(retriever, offline):
    with FakeLLMServer(bad) as srv:
        items = build_quiz(retriever, n=N, seed=SEED, llm=llm_for(srv))
        assert srv.requests
    assert all(i.mode == "offline" for i in items)
    assert [i.model_dump() for i in items] == [i.model_dump() for i in offline]


def test_half_good_half_bad(retriever, offline):
    def mixed(messages: list[dict]) -> str:
        rows = json.loads(good(messages).strip("`json\n"))["items"]
        for k, row in enumerate(rows):
            if k % 2:
                row["distractors"] = ["All of the above", "b", "c"] if row["distractors"] else []
                row["question"] = row["question"].replace(BLANK, "")
        return json.dumps({"items": rows})

    with FakeLLMServer(mixed) as srv:
        items = build_quiz(retriever, n=N, seed=SEED, llm=llm_for(srv))
    modes = [i.mode for i in items if i.type in ("mcq", "cloze")]
    assert "llm" in modes and "offline" in modes
    assert (
        run_gates(items, {s: retriever.document_text(s) for s in {i.source for i in items}}) == {}
    )


@pytest.mark.parametrize("mode", ["error", "malformed", "empty", "refuse"])
def test_llm_failure_gives_the_offline_quiz(retriever, offline, mode):
    with FakeLLMServer(good) as srv:
        srv.mode = mode
        items = build_quiz(retriever, n=N, seed=SEED, llm=llm_for(srv))
    assert [i.model_dump() for i in items] == [i.model_dump() for i in offline]


def test_slow_llm_times_out_to_the_offline_quiz(retriever, offline):
    with FakeLLMServer(good) as srv:
        srv.mode, srv.delay = "slow", 3.0
        t0 = time.perf_counter()
        items = build_quiz(retriever, n=N, seed=SEED, llm=llm_for(srv, timeout=0.5))
        elapsed = time.perf_counter() - t0
    assert [i.model_dump() for i in items] == [i.model_dump() for i in offline]
    assert elapsed < 3.0, "one timeout ends the LLM pass; it does not wait out every batch"
