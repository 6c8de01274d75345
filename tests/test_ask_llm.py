"""LLM mode of ask against a real OpenAI-compatible server on loopback (tests/llmserver.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from llmserver import FakeLLMServer

from missionrag.ask import answer_question, stream_answer
from missionrag.config import Settings
from missionrag.llm import LLM, load_prompt
from missionrag.models import Answer

QUESTION = "Who wrote the code for the lunar lander?"
FENCED = re.compile(r"\[(\d+)\] [^\n]*\n<<<DOCUMENT\n(.*?)\nDOCUMENT>>>", re.S)


def passages(messages: list[dict[str, Any]]) -> dict[int, str]:
    return {int(n): text for n, text in FENCED.findall(messages[-1]["content"])}


def sentence_with(passages_: dict[int, str], needle: str) -> tuple[int, str]:
    for n, text in passages_.items():
        for s in re.split(r"(?<=[.!?])\s+", text):
            if needle in s:
                return n, s.strip()
    raise AssertionError(f"{needle!r} not in any passage")


class Script:
    """The scripted model: ``reply(passages) -> str``, recorded messages."""

    def __init__(self) -> None:
        self.reply = lambda p: "NOT_IN_CORPUS"
        self.seen: list[list[dict[str, Any]]] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        self.seen.append(messages)
        return self.reply(passages(messages))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeLLMServer, Script]]:
    script = Script()
    with FakeLLMServer(script) as srv:
        yield srv, script


@pytest.fixture
def llm_setup(server, corpus_kb):  # type: ignore[no-untyped-def]
    srv, script = server
    srv.mode = "ok"
    script.seen.clear()
    settings = corpus_kb.settings.model_copy(
        update={"llm_url": srv.url, "llm_model": "fake", "llm_timeout": 2.0}
    )
    return srv, script, settings, LLM(settings)


def ask(kb, settings: Settings, llm: LLM | None, q: str = QUESTION) -> Answer:  # type: ignore[no-untyped-def]
    return answer_question(q, kb, kb.embedder, settings, llm=llm)


def test_unsupported_and_uncited_sentences_are_dropped(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup

    def reply(p: dict[int, str]) -> str:
        n, s = sentence_with(p, "Margaret Hamilton")
        return (
            f"{s} [{n}] The lunar lander was painted bright pink by volunteers [{n}]. "
            "Hamilton later won a Nobel prize. The answer is also in passage 99 [99]."
        )

    script.reply = reply
    ans = ask(corpus_kb, settings, llm)
    assert ans.mode == "llm"
    assert ans.confidence is not None  # the evidence behind the answer, as offline
    assert "Margaret Hamilton" in ans.answer
    assert "pink" not in ans.answer and "Nobel" not in ans.answer and "99" not in ans.answer
    assert any("does not support" in n for n in ans.notes)
    assert any("cited no passage" in n for n in ans.notes)
    assert len(ans.citations) == 1
    assert ans.citations[0].quote in corpus_kb.document_text(ans.citations[0].source)
    # The prompt file is the system message; the passages are numbered and fenced.
    messages = script.seen[-1]
    assert messages[0]["content"] == load_prompt("ask")
    assert messages[-1]["content"].count("<<<DOCUMENT") == messages[-1]["content"].count(
        "DOCUMENT>>>"
    )
    assert 1 <= len(passages(messages)) <= 6


def test_nothing_supported_falls_back_to_extractive(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup
    script.reply = lambda p: "The lunar lander was painted bright pink by volunteers [1]."
    ans = ask(corpus_kb, settings, llm)
    offline = ask(corpus_kb, settings, None)
    assert ans.mode == "extractive"
    assert ans.answer == offline.answer and ans.citations == offline.citations
    assert any("showing the extractive answer" in n for n in ans.notes)


def test_model_saying_not_in_corpus_gives_the_extractive_answer_with_a_note(
    llm_setup, corpus_kb
) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup
    script.reply = lambda p: "NOT_IN_CORPUS"
    ans = ask(corpus_kb, settings, llm)
    offline = ask(corpus_kb, settings, None)
    assert ans.mode == "extractive" and ans.answer == offline.answer
    assert any("found no answer" in n for n in ans.notes)


def test_answer_that_leaves_out_the_answering_sentence_falls_back(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    """Supported, cited, and still worse than extractive: it says something else."""
    srv, script, settings, llm = llm_setup

    def reply(p: dict[int, str]) -> str:
        n, s = sentence_with(p, "Whirlpool")
        return f"{s} [{n}]"

    script.reply = reply
    ans = ask(corpus_kb, settings, llm)
    offline = ask(corpus_kb, settings, None)
    assert ans.mode == "extractive" and ans.answer == offline.answer
    assert any("leaves out" in n or "key words" in n for n in ans.notes), ans.notes


def test_answer_that_drops_the_name_falls_back(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup

    def reply(p: dict[int, str]) -> str:
        n, s = sentence_with(p, "Margaret Hamilton")
        return f"A programmer wrote the code for the lunar lander [{n}]."

    script.reply = reply
    ans = ask(corpus_kb, settings, llm)
    assert ans.mode == "extractive"
    assert any("key words" in n for n in ans.notes), ans.notes


def test_weak_evidence_abstains_without_calling_the_model(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup
    before = len(srv.requests)
    ans = ask(corpus_kb, settings, llm, "How many staff work in the OECD Mission Action Lab?")
    assert ans.abstained and len(srv.requests) == before


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        ("slow", "failed"),
        ("error", "failed"),
        ("malformed", "failed"),
        ("empty", "empty"),
        ("refuse", "declined"),
    ],
)
def test_failures_fall_back_to_extractive_with_a_note(
    llm_setup, corpus_kb, mode: str, note: str
) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup
    srv.mode = mode
    srv.delay = 4.0  # > llm_timeout
    ans = ask(corpus_kb, settings, llm)
    srv.mode = "ok"
    offline = ask(corpus_kb, settings, None)
    assert ans.mode == "extractive"
    assert ans.answer == offline.answer
    assert any(note in n for n in ans.notes), ans.notes


def test_unreachable_server_falls_back(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    from conftest import free_port

    settings = corpus_kb.settings.model_copy(
        update={"llm_url": f"http://127.0.0.1:{free_port()}/v1", "llm_timeout": 2.0}
    )
    ans = ask(corpus_kb, settings, LLM(settings))
    assert ans.mode == "extractive" and not ans.abstained
    assert any("failed" in n for n in ans.notes)


def test_stream_sends_tokens_then_the_checked_answer(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup

    def reply(p: dict[int, str]) -> str:
        n, s = sentence_with(p, "Margaret Hamilton")
        return f"{s} [{n}] Hamilton later won a Nobel prize."

    script.reply = reply
    events = list(stream_answer(QUESTION, corpus_kb, corpus_kb.embedder, settings, llm=llm))
    tokens = [e["data"] for e in events if e["event"] == "token"]
    assert len(tokens) > 5 and events[-1]["event"] == "answer"
    assert [e["event"] for e in events].count("answer") == 1
    assert "Nobel" in "".join(tokens)  # streamed as written...
    final = Answer.model_validate(events[-1]["data"])
    assert final.mode == "llm" and "Nobel" not in final.answer  # ...but not in the answer
    assert srv.requests[-1].get("stream") is True


def test_stream_failure_ends_with_the_extractive_answer(llm_setup, corpus_kb) -> None:  # type: ignore[no-untyped-def]
    srv, script, settings, llm = llm_setup
    srv.mode = "error"
    events = list(stream_answer(QUESTION, corpus_kb, corpus_kb.embedder, settings, llm=llm))
    srv.mode = "ok"
    assert [e["event"] for e in events] == ["answer"]
    final = Answer.model_validate(events[0]["data"])
    assert final.mode == "extractive" and any("failed" in n for n in final.notes)
