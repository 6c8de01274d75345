"""Follow-up questions: read with the conversation, offline (measured) and with an LLM.

The resolver runs on the real corpus, model and cross-encoder; the API through a real server,
the CLI as a subprocess (``ask --follow-up``, ``chat``), the LLM path against the scripted
OpenAI-compatible server of ``llmserver.py``. The page is in ``test_web_conversation.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from apiserver import ApiServer, ingested_data_dir
from conftest import cli_env
from llmserver import FakeLLMServer

from missionrag.ask.followup import Turn, combine
from missionrag.kb import KnowledgeBase

LAB = "What is the OECD Mission Action Lab?"
CONTACT = "how can I contact them?"
SURVEY = "oecd-ddc-missions-survey-workshop.md"


def test_a_follow_up_is_read_with_the_question_it_leans_on(corpus_kb: KnowledgeBase) -> None:
    answer = corpus_kb.ask(CONTACT, history=[Turn(LAB)])
    assert answer.question == CONTACT
    assert answer.context_from == LAB
    assert answer.standalone_query == combine(LAB, CONTACT, 2000)
    assert not answer.abstained and answer.citations[0].source.endswith(SURVEY)
    # Of two earlier turns, the one that gives the better evidence is named.
    older = [
        Turn("What is the Mission for Sustainable Manufacturing?"),
        Turn("What is mission washing?"),
    ]
    answer = corpus_kb.ask("how many firms take part in it?", history=older)
    assert answer.context_from == "What is the Mission for Sustainable Manufacturing?"
    assert "3,500" in answer.answer


def test_a_new_topic_is_read_alone(corpus_kb: KnowledgeBase) -> None:
    question = "What is the Mission Planning Canvas?"
    answer = corpus_kb.ask(question, history=[Turn("What are mission managers?")])
    assert answer.context_from is None and answer.standalone_query == question
    # Without history nothing changes: the contract's fields stay as they were.
    plain = corpus_kb.ask(question)
    assert plain.standalone_query is None and plain.context_from is None


def test_a_chain_of_follow_ups_keeps_its_topic(corpus_kb: KnowledgeBase) -> None:
    first = corpus_kb.ask("who is in it?", history=[Turn(LAB)])
    assert first.context_from == LAB
    turns = [Turn(LAB), Turn("who is in it?", first.standalone_query)]
    second = corpus_kb.ask("what method do they use?", history=turns)
    assert second.context_from == "who is in it?"
    assert "action research" in second.answer


def _rewriter(reply: dict[str, Any]):  # type: ignore[no-untyped-def]
    def respond(messages: list[dict[str, Any]]) -> str:
        if "standalone question" in messages[0]["content"]:
            return json.dumps(reply)
        return "NOT_IN_CORPUS"

    return respond


def test_with_an_llm_the_llm_rewrites_the_follow_up(corpus_kb: KnowledgeBase) -> None:
    rewritten = "How can I contact the OECD Mission Action Lab?"
    with FakeLLMServer(_rewriter({"standalone": rewritten, "context": 1})) as llm:
        kb = KnowledgeBase(corpus_kb.settings.model_copy(update={"llm_url": llm.url}))
        answer = kb.ask(CONTACT, history=[Turn(LAB)])
        assert (answer.standalone_query, answer.context_from) == (rewritten, LAB)
        prompt = llm.requests[0]["messages"][1]["content"]
        assert "1. " + LAB in prompt and CONTACT in prompt
        # A broken reply (a context that does not exist) falls back to the offline reading.
        llm.responder = _rewriter({"standalone": rewritten, "context": 7})
        answer = kb.ask(CONTACT, history=[Turn(LAB)])
        assert answer.context_from == LAB and answer.standalone_query == combine(LAB, CONTACT, 2000)
        assert any("read offline" in n for n in answer.notes)
        llm.mode = "error"
        answer = kb.ask(CONTACT, history=[Turn(LAB)])
        assert answer.context_from == LAB and any("read offline" in n for n in answer.notes)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(ingested_data_dir(tmp_path_factory.mktemp("followup"))) as srv:
        yield srv


def test_api_reads_follow_ups_from_the_history_sent(server: ApiServer) -> None:
    first = httpx.post(server.url + "/ask", json={"question": LAB}, timeout=60).json()
    assert first["standalone_query"] is None and first["context_from"] is None
    history = [{"question": LAB, "query": first["standalone_query"]}]
    got = httpx.post(
        server.url + "/ask", json={"question": CONTACT, "history": history}, timeout=60
    ).json()
    assert got["question"] == CONTACT and got["context_from"] == LAB
    assert LAB in got["standalone_query"] and CONTACT in got["standalone_query"]
    assert got["citations"] and got["citations"][0]["source"].endswith(SURVEY)

    # The stream's final answer carries the same reading.
    with httpx.stream(
        "POST",
        server.url + "/ask/stream",
        json={"question": CONTACT, "history": history},
        timeout=60,
    ) as resp:
        frames = resp.read().decode().split("\n\n")
    final = json.loads(
        next(f for f in frames if f.startswith("event: answer")).split("data: ", 1)[1]
    )
    assert final["context_from"] == LAB

    bad = httpx.post(
        server.url + "/ask", json={"question": CONTACT, "history": [{"question": " "}]}, timeout=30
    )
    assert bad.status_code == 422
    many = [{"question": f"q{i}"} for i in range(21)]
    bad = httpx.post(server.url + "/ask", json={"question": "x y", "history": many}, timeout=30)
    assert bad.status_code == 422


def test_cli_ask_follow_up_and_chat(cli, corpus_copy) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(corpus_copy)).returncode == 0
    first = cli("ask", LAB, "--json")
    assert first.returncode == 0, first.stderr
    follow = cli("ask", "--follow-up", CONTACT)
    assert follow.returncode == 0, follow.stderr
    assert follow.stdout.startswith(f"read as: {LAB} {CONTACT}\n(a follow-up to: {LAB})")
    # A plain ask starts a new conversation: nothing to lean on.
    cli("ask", "What is mission washing?", "--json")
    alone = json.loads(
        cli("ask", "--follow-up", "What is the Mission Planning Canvas?", "--json").stdout
    )
    assert alone["context_from"] is None

    lines = "What are mission managers?\nwhat do they do?\n\nWhat is the Mission Planning Canvas?\n"
    chat = subprocess.run(
        [str(Path(sys.executable).parent / "missionrag"), "chat", "--json"],
        input=lines,
        env=cli_env(cli.data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert chat.returncode == 0, chat.stderr
    got = [json.loads(x) for x in chat.stdout.splitlines()]
    assert [a["context_from"] for a in got] == [None, "What are mission managers?", None]
    assert "sustain the mission" in got[1]["answer"]
