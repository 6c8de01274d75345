"""LLM pass: better stems and distractors, under the same gates as offline items.

The LLM only rewrites wording (``question``, ``distractors``, ``explanation``). The answer,
the quote and the citation stay those of the offline item, so a hallucinated "fact" cannot
enter the quiz: an item whose rewrite fails any gate keeps its offline version. Any LLM failure
(timeout, HTTP error, garbage) leaves the whole quiz offline.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from missionrag.errors import LLMError
from missionrag.llm import fence, load_prompt
from missionrag.models import QuizItem
from missionrag.quiz.gates import duplicate_of, item_problems, number_of
from missionrag.quiz.select import Fact

if TYPE_CHECKING:
    from missionrag.llm import LLM

log = logging.getLogger(__name__)
BATCH = 8
REWRITABLE = ("mcq", "cloze")
NUMERIC = ("percent", "year", "number")
# The reply shape of prompts/quiz.md, for endpoints that constrain decoding to a schema.
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "question": {"type": "string"},
                    "distractors": {"type": "array", "items": {"type": "string"}},
                    "explanation": {"type": "string"},
                },
                "required": ["id", "question", "distractors", "explanation"],
            },
        }
    },
    "required": ["items"],
}


def _draft(item: QuizItem, fact: Fact | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        "sentence": fact.statement if fact else item.quote,
        "answer": item.answer,
        "kind": item.kind or "term",
        "source_title": item.title or item.source,
        "draft_question": item.question,
    }


def rewrite(item: QuizItem, reply: dict[str, Any]) -> QuizItem | None:
    """The item with the LLM's wording, or ``None`` when the reply is unusable."""
    question = reply.get("question")
    if not isinstance(question, str) or not question.strip():
        return None
    update: dict[str, Any] = {"question": question.strip(), "mode": "llm"}
    explanation = reply.get("explanation")
    if isinstance(explanation, str) and explanation.strip():
        update["explanation"] = f"{explanation.strip()} Source: “{item.quote}”"
    if item.type == "mcq":
        distractors = reply.get("distractors")
        if not isinstance(distractors, list) or len(distractors) != 3:
            return None
        if not all(isinstance(d, str) and d.strip() for d in distractors):
            return None
        cleaned = [d.strip() for d in distractors]
        # Same kind as the answer: a number for a number.
        if (item.kind in NUMERIC) != all(number_of(d) is not None for d in cleaned):
            return None
        update["options"] = [item.answer, *cleaned]
    return item.model_copy(update=update)


def improve(
    items: list[QuizItem], facts: dict[str, Fact], llm: LLM, texts: dict[str, str]
) -> list[QuizItem]:
    """Items with LLM rewrites where they pass every gate; the offline item otherwise."""
    system = load_prompt("quiz")
    todo = [i for i in items if i.type in REWRITABLE]
    replies: dict[str, dict[str, Any]] = {}
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        payload = json.dumps(
            [_draft(i, facts.get(i.id)) for i in batch], ensure_ascii=False, indent=1
        )
        try:
            answer = llm.complete_json(system, fence(payload), REPLY_SCHEMA)
        except LLMError as exc:
            log.warning("quiz: LLM unavailable, keeping offline items (%s)", exc)
            return items
        rows = answer.get("items") if isinstance(answer, dict) else answer
        if not isinstance(rows, list):
            log.warning("quiz: LLM reply has no item list; keeping offline items")
            continue
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                replies.setdefault(row["id"], row)
    out: list[QuizItem] = []
    rejected = 0
    for k, item in enumerate(items):
        candidate = rewrite(item, replies[item.id]) if item.id in replies else None
        if candidate is not None:
            others = out + items[k + 1 :]
            problems = item_problems(candidate, texts.get(item.source))
            if not problems and duplicate_of(candidate, others) is None:
                out.append(candidate)
                continue
            rejected += 1
            log.info("quiz: LLM rewrite of %s rejected: %s", item.id, problems or ["duplicate"])
        out.append(item)
    if rejected:
        log.info("quiz: %d LLM rewrites failed the gates; their offline items were kept", rejected)
    return out
