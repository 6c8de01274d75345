"""The LLM judge and rewrite against a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from llmserver import FakeLLMServer

from missionrag.check import check_statement
from missionrag.config import Settings

TODAY = dt.date(2026, 11, 23)
VAGUE = "Improve mental health among young people."


class Script:
    """Replies per prompt: the judge's rubric or the rewrite prompt, picked from the system message."""

    def __init__(self) -> None:
        self.judge: dict[str, Any] | str = {}
        self.rewrite: dict[str, Any] | str = {"rewrite": "Halve [x%] ... by [year]"}

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        system = messages[0]["content"]
        reply = self.rewrite if "turn a draft mission statement" in system else self.judge
        return reply if isinstance(reply, str) else json.dumps(reply)


def verdict(bold: float, cross: float, **extra: Any) -> dict[str, Any]:
    return {
        "bold": {"score": bold, "reason": "judged"},
        "cross_sectoral": {"score": cross, "reason": "judged", "actors": extra.pop("actors", [])},
        **extra,
    }


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeLLMServer, Script]]:
    script = Script()
    with FakeLLMServer(script) as srv:
        yield srv, script


@pytest.fixture
def llm_settings(server: tuple[FakeLLMServer, Script]) -> Settings:
    srv, script = server
    srv.mode = "ok"
    script.judge = verdict(0.9, 0.9)
    script.rewrite = {"rewrite": "Halve [x%] ... by [year]"}
    return Settings(llm_url=srv.url, llm_model="fake", llm_timeout=5)


def test_judge_can_raise_bold_and_cross_and_mode_is_llm(llm_settings: Settings, server) -> None:
    offline = check_statement(VAGUE, today=TODAY)
    assert not offline.criteria["bold"].passed
    result = check_statement(VAGUE, llm_settings, today=TODAY)
    assert result.mode == "llm"
    assert (
        result.criteria["bold"].passed
        and result.criteria["bold"].score > offline.criteria["bold"].score
    )
    assert "LLM judge: judged" in result.criteria["bold"].advice
    assert any("changed bold from fail to pass" in n for n in result.notes)
    # The rubric and the statement (fenced as data) reached the server.
    sent = server[0].requests[-2]["messages"]
    assert "strict reviewer" in sent[0]["content"] and "<<<DOCUMENT\n" + VAGUE in sent[1]["content"]


def test_judge_can_lower_bold(llm_settings: Settings, server) -> None:
    server[1].judge = verdict(0.0, 0.1)
    text = "Halve road deaths by 2030."
    assert check_statement(text, today=TODAY).criteria["bold"].passed
    result = check_statement(text, llm_settings, today=TODAY)
    assert not result.criteria["bold"].passed and not result.criteria["cross_sectoral"].passed


def test_judge_cannot_invent_a_deadline_or_a_number(llm_settings: Settings, server) -> None:
    server[1].judge = verdict(0.9, 0.9, deadline_quote="by 2030", target_quote="50%")
    result = check_statement(VAGUE, llm_settings, today=TODAY)
    assert not result.criteria["time_bound"].passed
    assert not result.criteria["measurable"].passed
    assert any("'by 2030'" in n and "does not contain" in n for n in result.notes)
    assert any("'50%'" in n for n in result.notes)


def test_rewrite_comes_from_the_prompt_and_may_only_use_placeholders(
    llm_settings: Settings, server
) -> None:
    server[1].rewrite = {
        "rewrite": "Halve the share of young people with poor mental health by [year]."
    }
    result = check_statement(VAGUE, llm_settings, today=TODAY)
    assert (
        result.suggested_rewrite
        == "Halve the share of young people with poor mental health by [year]."
    )
    server[1].rewrite = {"rewrite": "Cut poor mental health among young people by 40% by 2031."}
    invented = check_statement(VAGUE, llm_settings, today=TODAY)
    assert "[year]" in (invented.suggested_rewrite or "") and "2031" not in (
        invented.suggested_rewrite or ""
    )
    assert any("invented numbers" in n for n in invented.notes)


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        ("malformed", "LLM judge failed"),
        ("error", "LLM judge failed"),
        ("empty", "LLM judge failed"),
    ],
)
def test_transport_failures_fall_back_to_offline(
    llm_settings: Settings, server, mode: str, note: str
) -> None:
    server[0].mode = mode
    offline = check_statement(VAGUE, today=TODAY)
    result = check_statement(VAGUE, llm_settings, today=TODAY)
    assert result.mode == "offline"
    assert any(n.startswith(note) for n in result.notes)
    assert result.criteria == offline.criteria


@pytest.mark.parametrize(
    "reply",
    [
        "I think this mission is quite bold.",
        json.dumps(
            {"bold": {"score": 7, "reason": "x"}, "cross_sectoral": {"score": 0.5, "reason": "y"}}
        ),
        json.dumps({"bold": {"score": 0.5}}),
    ],
)
def test_replies_off_the_schema_fall_back_to_offline(
    llm_settings: Settings, server, reply: str
) -> None:
    server[1].judge = reply
    result = check_statement(VAGUE, llm_settings, today=TODAY)
    assert result.mode == "offline"
    assert any("LLM judge failed" in n for n in result.notes)


def test_slow_llm_times_out_and_falls_back(server) -> None:
    srv, script = server
    srv.mode, srv.delay = "slow", 3.0
    script.judge = verdict(0.9, 0.9)
    settings = Settings(llm_url=srv.url, llm_model="fake", llm_timeout=0.4)
    result = check_statement(VAGUE, settings, today=TODAY)
    srv.mode = "ok"
    assert result.mode == "offline"
    assert any("LLM judge failed" in n for n in result.notes)
    assert result.suggested_rewrite and "[year]" in result.suggested_rewrite


def test_rewrite_that_drops_the_drafters_words_gives_the_template(
    llm_settings: Settings, server
) -> None:
    """SmolLM2-135M's habit: answering with the prompt's own placeholder text."""
    server[1].rewrite = {"rewrite": "The rewritten mission statement"}
    result = check_statement(VAGUE, llm_settings, today=TODAY)
    assert result.suggested_rewrite == check_statement(VAGUE, today=TODAY).suggested_rewrite
    assert any("not a rewrite of this draft" in n for n in result.notes), result.notes
