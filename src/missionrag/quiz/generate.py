"""Item builders: a fact and its distractors -> an MCQ, a true/false or a cloze ``QuizItem``.

The answer and the quote always come from the fact (never from generated wording), so a
citation is never reconstructed; only the question text is composed here.
"""

from __future__ import annotations

import hashlib
import random

from missionrag.models import QuizItem
from missionrag.quiz.gates import LETTERS, TF_OPTIONS
from missionrag.quiz.select import Fact
from missionrag.quiz.text import BLANK

NOUN = {
    "percent": "figure",
    "year": "year",
    "number": "number",
    "organisation": "organisation",
    "person": "person",
    "place": "place",
    "term": "term",
}
ITEM_NOUN = {"organisation": "organisation", "person": "person", "place": "place"}


def item_id(*parts: str) -> str:
    return "q" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


def _where(fact: Fact) -> str:
    """'"Title"' plus what the list is about, for labelled items."""
    where = f"“{fact.title}”"
    if fact.body is not None and fact.context:
        ctx = fact.context
        where += f", {ctx}" if ctx.startswith("section") else f" ({ctx})"
    return where


def blanked(fact: Fact) -> str:
    s, k = fact.statement, fact.key
    return s[: k.start] + BLANK + s[k.end :]


def _swapped(fact: Fact, claim: str) -> str:
    s, k = fact.statement, fact.key
    return s[: k.start] + claim + s[k.end :]


def _cite(fact: Fact) -> str:
    return f"{fact.title}{', ' + fact.locator if fact.locator else ''}"


def _base(fact: Fact, qtype: str, question: str, answer: str, claim: str | None) -> dict:
    return {
        "id": item_id(
            qtype, fact.source, str(fact.quote_start), fact.key.text, claim or "", question
        ),
        "type": qtype,
        "question": question,
        "answer": answer,
        "source": fact.source,
        "locator": fact.locator,
        "quote": fact.quote,
        "title": fact.title,
        "url": fact.url,
        "kind": fact.key.kind,
        "key": fact.key.text,
        "claim": claim,
    }


def mcq_question(fact: Fact) -> str:
    if fact.key.role == "listed":
        return f"In “{fact.title}”, which of these is listed under “{fact.context}”?"
    if fact.body is not None:
        noun = ITEM_NOUN.get(fact.key.kind, "item")
        return f"In {_where(fact)}, which {noun} is described as follows? “{fact.body}”"
    return (
        f"Which {NOUN[fact.key.kind]} completes this statement from “{fact.title}”? {blanked(fact)}"
    )


def make_mcq(fact: Fact, distractors: list[str], position: int = 0) -> QuizItem:
    options = list(distractors[:3])
    options.insert(position % 4, fact.key.text)
    explanation = f"{fact.key.text}. The source ({_cite(fact)}) says: “{fact.quote}”"
    return QuizItem(
        **_base(fact, "mcq", mcq_question(fact), fact.key.text, None),
        options=options,
        explanation=explanation,
    )


def make_cloze(fact: Fact) -> QuizItem:
    if fact.body is not None:
        noun = ITEM_NOUN.get(fact.key.kind, "item")
        question = f"Fill in the blank (from {_where(fact)}): the {noun} described as “{fact.body}” is {BLANK}."
    else:
        question = f"Fill in the blank (from “{fact.title}”): {blanked(fact)}"
    explanation = f"{fact.key.text}. The source ({_cite(fact)}) says: “{fact.quote}”"
    return QuizItem(**_base(fact, "cloze", question, fact.key.text, None), explanation=explanation)


def make_true_false(fact: Fact, claim: str | None) -> QuizItem:
    """True when ``claim`` is ``None``; otherwise the statement swaps the key for ``claim``."""
    shown = claim or fact.key.text
    if fact.key.role == "listed":
        question = f"True or false? In “{fact.title}”, “{shown}” is listed under “{fact.context}”."
    elif fact.body is not None:
        noun = ITEM_NOUN.get(fact.key.kind, "item")
        statement = (
            f"In {_where(fact)}, the {noun} “{shown}” is described as follows: “{fact.body}”"
        )
        question = f"True or false? {statement}"
    else:
        body = _swapped(fact, shown)
        question = f"True or false? According to “{fact.title}”: {body}"
    if claim is None:
        answer = "True"
        explanation = f"True. The source ({_cite(fact)}) says: “{fact.quote}”"
    else:
        answer = "False"
        explanation = (
            f"False: the source says {fact.key.text}, not {claim}. ({_cite(fact)}): “{fact.quote}”"
        )
    return QuizItem(
        **_base(fact, "true_false", question, answer, shown),
        options=list(TF_OPTIONS),
        explanation=explanation,
    )


def balanced_positions(count: int, rng: random.Random) -> list[int]:
    """Answer slots for ``count`` MCQs: each block of four uses A-D once, in a seeded order."""
    out: list[int] = []
    while len(out) < count:
        block = list(range(len(LETTERS)))
        rng.shuffle(block)
        out.extend(block)
    return out[:count]


def arrange(items: list[QuizItem], rng: random.Random) -> list[QuizItem]:
    """Put each MCQ's answer in a balanced slot; distractor order stays as picked."""
    mcqs = [i for i in items if i.type == "mcq"]
    slots = iter(balanced_positions(len(mcqs), rng))
    out = []
    for item in items:
        if item.type == "mcq":
            others = [o for o in item.options if o != item.answer]
            others.insert(next(slots), item.answer)
            item = item.model_copy(update={"options": others})
        out.append(item)
    return out
