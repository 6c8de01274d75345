"""Follow-up questions: the earlier turns of a conversation read into one standalone query.

The conversation is held by the client (the page, the CLI's history file, an API caller) and
sent with each question; the server keeps nothing. A turn is the question asked and the query
it was read as, so a chain of follow-ups carries its topic forward.

Offline, a follow-up is read with an earlier turn (its query, then the new question) when that
is measurably better evidence than the question alone: the best cross-encoder logit of the
combined query's passages must beat the question's own by ``MARGIN_LOGIT`` (without reranking,
the best cosine by ``MARGIN_COSINE``). A question that stands on its own ("What is the
Mission Planning Canvas?" after an unrelated one) finds strong passages by itself and is read
alone; "and which organisations?" finds nothing alone and a great deal with its context. The
last ``MAX_TURNS`` turns compete; the one whose combined query scores best is named in the
answer (``context_from``). Measured on ``evals/followups.jsonl`` (50 conversations written
before this module) by ``evals/missionrag_evals/followups.py``; numbers in
``evals/reports/followups.md`` and the README.

With an LLM configured, the LLM rewrites the follow-up (``prompts/followup.md``); when it fails
or answers out of shape, the offline reading is used and a note says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from missionrag.errors import MissionRagError

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.llm import LLM
    from missionrag.models import Answer, Hit

MAX_TURNS = 3  # earlier turns that may give context (older ones rarely do, and cost a search each)
# Chosen on the dev half of evals/followups.jsonl (odd ids; best doc@1, ties to the larger
# margin) and reported on the even half (evals/reports/followups.md). Reranked, the document
# that answers is retrieved first for 0.96 of the test half (dev 1.00), against 0.72 for the
# follow-up alone and 0.84 for always gluing on the previous question; every topic switch is
# read alone. Margins 0.5-1.0 tie on dev; 0 glued one switch in five.
MARGIN_LOGIT = 1.0  # logits: the combined query's best passage must be this much better
# Without reranking: 0.88 on both halves (alone 0.68 on test); 0.1-0.15 read every switch alone.
MARGIN_COSINE = 0.15  # the same on the best passage's cosine
SIGNAL_HITS = 5  # passages whose best score is the signal

Search = Callable[[str], list["Hit"]]


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: the question asked, and the query it was read as (if another)."""

    question: str
    query: str | None = None

    @property
    def reading(self) -> str:
        return (self.query or self.question).strip()


@dataclass
class Resolution:
    query: str  # what retrieval and the answer read
    context_from: str | None = None  # the earlier question read as context
    how: str = "alone"  # alone | combined | llm
    alone: float | None = None  # the signal of the question alone
    combined: float | None = None  # the signal of the chosen combined query
    note: str | None = None

    def annotate(self, answer: Answer, question: str) -> Answer:
        """The answer to the standalone query, shown as the answer to ``question``."""
        notes = [*answer.notes, *([self.note] if self.note else [])]
        return answer.model_copy(
            update={
                "question": question,
                "standalone_query": self.query,
                "context_from": self.context_from,
                "notes": notes,
            }
        )

    def annotate_events(
        self, events: Iterator[dict[str, Any]], question: str
    ) -> Iterator[dict[str, Any]]:
        """``annotate`` for the final event of a stream (ask.stream_answer)."""
        from missionrag.models import Answer

        for ev in events:
            if ev.get("event") == "answer" and isinstance(ev.get("data"), dict):
                answer = self.annotate(Answer.model_validate(ev["data"]), question)
                ev = {**ev, "data": answer.model_dump(mode="json")}
            yield ev


def combine(context: str, question: str, limit: int) -> str:
    """The earlier reading, then the follow-up; cut from the front to fit ``limit`` chars."""
    context = context.strip()
    if context and context[-1] not in ".?!":
        context += "."
    text = f"{context} {question.strip()}"
    return text[-limit:].lstrip() if len(text) > limit else text


def signal(hits: Sequence[Hit]) -> tuple[float, bool]:
    """How strongly the best passages answer: (best cross-encoder logit, True), or, without
    reranking, (best cosine, False)."""
    top = list(hits)[:SIGNAL_HITS]
    logits = [h.rerank_score for h in top if h.rerank_score is not None]
    if logits:
        return max(logits), True
    return max((h.dense_score or 0.0 for h in top), default=0.0), False


def resolve_offline(
    question: str,
    history: Sequence[Turn],
    search: Search,
    *,
    limit: int,
    margin_logit: float = MARGIN_LOGIT,
    margin_cosine: float = MARGIN_COSINE,
) -> Resolution:
    """Read ``question`` alone or with one of the last ``MAX_TURNS`` turns, by measurement."""
    turns = [t for t in history if t.reading][-MAX_TURNS:]
    alone, reranked = signal(search(question))
    res = Resolution(query=question, alone=round(alone, 4))
    if not turns:
        return res
    margin = margin_logit if reranked else margin_cosine
    best: tuple[float, str, Turn] | None = None
    for turn in reversed(turns):  # most recent first: it wins ties
        query = combine(turn.reading, question, limit)
        value, _ = signal(search(query))
        if best is None or value > best[0]:
            best = (value, query, turn)
    assert best is not None
    res.combined = round(best[0], 4)
    if best[0] - alone >= margin:
        res.query, res.context_from, res.how = best[1], best[2].question, "combined"
    return res


def resolve_with_llm(question: str, history: Sequence[Turn], llm: LLM, limit: int) -> Resolution:
    """The LLM's standalone rewrite; ``MissionRagError`` when it fails or answers out of shape."""
    from missionrag.errors import LLMError
    from missionrag.llm import load_prompt

    turns = [t for t in history if t.reading][-MAX_TURNS:]
    lines = [f"{i}. {t.reading}" for i, t in enumerate(turns, 1)]
    user = (
        "Earlier questions (oldest first):\n"
        + "\n".join(lines)
        + f"\n\nNew question: {question}\n\nReply with the JSON object only."
    )
    reply: Any = llm.complete_json(load_prompt("followup"), user)
    if not isinstance(reply, dict):
        raise LLMError("the LLM's follow-up rewrite is not a JSON object")
    query = reply.get("standalone")
    context = reply.get("context")
    if not isinstance(query, str) or not query.strip() or len(query) > limit:
        raise LLMError("the LLM's follow-up rewrite has no usable 'standalone' question")
    if context in (None, 0):
        turn = None
    elif isinstance(context, int) and not isinstance(context, bool) and 1 <= context <= len(turns):
        turn = turns[context - 1]
    else:
        raise LLMError(f"the LLM named earlier question {context!r}, which does not exist")
    return Resolution(query=query.strip(), context_from=turn.question if turn else None, how="llm")


def resolve(
    question: str,
    history: Sequence[Turn],
    search: Search,
    *,
    limit: int,
    llm: LLM | None = None,
) -> Resolution:
    """The standalone reading of ``question`` given the earlier turns (LLM, else offline)."""
    if not any(t.reading for t in history):
        return Resolution(query=question)
    if llm is not None:
        try:
            return resolve_with_llm(question, history, llm, limit)
        except MissionRagError as exc:
            res = resolve_offline(question, history, search, limit=limit)
            res.note = f"the LLM could not rewrite the follow-up ({exc}); it was read offline"
            return res
    return resolve_offline(question, history, search, limit=limit)


# ---------------------------------------------------------------------------- the CLI's history

HISTORY_FILE = "conversation.json"
KEEP_TURNS = 5  # turns kept in the history file (MAX_TURNS are read)


def turn_of(question: str, answer: Answer) -> Turn:
    """The turn a client keeps: the question, and its reading when that was another."""
    query = answer.standalone_query
    return Turn(question, query if query and query != question else None)


def load_history(settings: Settings) -> list[Turn]:
    """The last exchanges of ``missionrag ask``/``chat`` in this collection (none if unreadable)."""
    import json

    from missionrag.collections import home

    try:
        raw = json.loads((home(settings) / HISTORY_FILE).read_text(encoding="utf-8"))
        turns = [Turn(str(t["question"]), t.get("query")) for t in raw.get("turns", [])]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []
    return [t for t in turns if t.question.strip()][-KEEP_TURNS:]


def save_history(settings: Settings, turns: Sequence[Turn]) -> None:
    """Keep the last turns for the next ``ask --follow-up`` (a private file, like the store)."""
    import json

    from missionrag.collections import ensure_home
    from missionrag.private import write_private

    data = {"turns": [{"question": t.question, "query": t.query} for t in turns[-KEEP_TURNS:]]}
    write_private(
        ensure_home(settings) / HISTORY_FILE, json.dumps(data, ensure_ascii=False).encode()
    )
