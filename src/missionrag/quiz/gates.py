"""Quality gates: every item, offline or from the LLM, passes all of them or is dropped.

Item gates return the names of the rules an item breaks (empty list = valid); quiz gates look
at the set (duplicates, answer positions). ``run_gates`` is what the eval and the tests call.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from missionrag.models import QuizItem
from missionrag.quiz.text import (
    BLANK,
    contains,
    content_words,
    jaccard,
    norm,
    similar,
    starts_dangling,
    statement_split,
)

TF_OPTIONS = ["True", "False"]
LETTERS = "ABCD"
_COP_OUT = re.compile(
    r"\b(?:all|none|both|neither) of (?:the )?(?:above|these|them|those)\b|\ball answers\b", re.I
)
_NUM = re.compile(r"^\s*(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent|s)?\s*$", re.I)
_WORD_NUM = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "fifty": 50, "hundred": 100,
}  # fmt: skip


def number_of(text: str) -> tuple[float, str] | None:
    """(value, unit) for "64 %", "3,500", "1960s", "five"; ``None`` for anything else."""
    t = text.strip().lower()
    if t in _WORD_NUM:
        return float(_WORD_NUM[t]), ""
    m = _NUM.match(t)
    if not m:
        return None
    unit = (m.group(2) or "").lower()
    return float(m.group(1).replace(",", "")), "%" if unit.startswith(("%", "per")) else unit


def near_equal(a: str, b: str) -> bool:
    """Two options a reader could not tell apart, or that mean the same thing."""
    na, nb = norm(a), norm(b)
    if not na or not nb or na == nb:
        return True
    va, vb = number_of(a), number_of(b)
    if va and vb:
        (x, ux), (y, uy) = va, vb
        if ux == "%" or uy == "%":
            return abs(x - y) < 3
        if 1000 <= x <= 2100 and 1000 <= y <= 2100 and x == int(x) and y == int(y):
            return abs(x - y) < 2 if ux == uy else False
        return max(x, y) / max(min(x, y), 1e-9) < 1.2
    if va or vb:
        return False
    if contains(na, nb) or contains(nb, na):
        return True
    if _is_initials_of(a, b) or _is_initials_of(b, a):
        return True
    return similar(a, b) >= 0.85


def _is_initials_of(acronym: str, name: str) -> bool:
    acr = re.sub(r"[^A-Z]", "", acronym)
    if len(acr) < 2 or acr != acronym.strip().rstrip("s") or len(name.split()) < 2:
        return False
    caps = "".join(w[0] for w in name.split() if w[0].isupper())
    it = iter(caps)
    return all(ch in it for ch in acr)


def statement_of(item: QuizItem) -> str:
    """The part of the question a reader judges (after the framing prefix)."""
    return statement_split(item.question)[1]


def item_problems(item: QuizItem, source_text: str | None = None) -> list[str]:
    """Rules ``item`` breaks; ``source_text`` (the document) enables the verbatim check."""
    bad: list[str] = []
    if not (item.question.strip() and item.answer.strip() and item.quote.strip() and item.source):
        return ["empty"]
    opts = item.options
    if item.type == "mcq":
        if len(opts) != 4:
            bad.append("shape")
    elif item.type == "true_false":
        if opts != TF_OPTIONS:
            bad.append("shape")
    elif opts or item.question.count(BLANK) != 1:
        bad.append("shape")
    if opts:
        if any(near_equal(a, b) for i, a in enumerate(opts) for b in opts[i + 1 :]):
            bad.append("options-unique")
        if item.answer not in opts:
            bad.append("answer-in-options")
        if any(_COP_OUT.search(o) for o in opts):
            bad.append("all-of-the-above")
    if not _supported(item):
        bad.append("answer-supported")
    if item.type == "mcq":
        others = [o for o in opts if o != item.answer]
        if any(contains(item.quote, o) for o in others):
            bad.append("distractor-in-quote")
        if any(near_equal(o, item.answer) for o in others) and "options-unique" not in bad:
            bad.append("near-equal-distractor")
    # The document title is shown for context; a word shared with it is no giveaway.
    stem = item.question.replace(item.title, " ") if item.title else item.question
    if item.type in ("mcq", "cloze") and contains(stem, item.answer):
        bad.append("answer-visible")
    if _dangling(item.question):
        bad.append("dangling")
    if len(set(content_words(item.question)) & set(content_words(item.quote))) < 2:
        bad.append("unrelated-question")
    if source_text is not None and item.quote not in source_text:
        bad.append("not-verbatim")
    if len(item.question) > 700 or any(len(o) > 200 for o in opts):
        bad.append("too-long")
    return bad


def _supported(item: QuizItem) -> bool:
    """The quote proves the answer: it contains the key term, and a false claim is not in it."""
    if item.type != "true_false":
        return contains(item.quote, item.answer)
    key = item.key or ""
    claim = item.claim or ""
    if not key or not claim or not contains(item.quote, key) or not contains(item.question, claim):
        return False
    if item.answer == "True":
        return norm(claim) == norm(key)
    return not contains(item.quote, claim) and not near_equal(claim, key)


_CLAUSE_START = re.compile(r"(?:^|[.:?!]\s+|[\"“(]\s*)(?=[A-Za-z])")


def _dangling(question: str) -> bool:
    """A clause the reader sees opens with "This", "They", "He"... that nothing resolves."""
    return any(starts_dangling(question[m.end() :]) for m in _CLAUSE_START.finditer(question))


def duplicate_of(item: QuizItem, accepted: list[QuizItem]) -> QuizItem | None:
    """An accepted item asking the same thing (same sentence, or nearly the same words)."""
    for other in accepted:
        if other.quote == item.quote:
            return other
        if jaccard(statement_of(item), statement_of(other)) >= 0.8:
            return other
    return None


def position_counts(items: list[QuizItem]) -> dict[str, int]:
    counts = Counter(
        LETTERS[i.options.index(i.answer)]
        for i in items
        if i.type == "mcq" and i.answer in i.options and len(i.options) <= 4
    )
    return {letter: counts.get(letter, 0) for letter in LETTERS}


def balanced(counts: dict[str, int]) -> bool:
    """Answer positions spread: no slot more than one item (or 10 %) above another."""
    values = list(counts.values())
    total = sum(values)
    if total == 0:
        return True
    return max(values) - min(values) <= max(1, math.ceil(total * 0.1))


def quiz_problems(items: list[QuizItem]) -> list[str]:
    """Quiz-level rules: duplicates, near-duplicates, answer positions, true/false balance."""
    bad: list[str] = []
    for i, item in enumerate(items):
        if duplicate_of(item, items[:i]) is not None:
            bad.append(f"duplicate:{item.id}")
    if len({i.id for i in items}) != len(items):
        bad.append("duplicate-id")
    if not balanced(position_counts(items)):
        bad.append("positions-unbalanced")
    tf = Counter(i.answer for i in items if i.type == "true_false")
    if abs(tf.get("True", 0) - tf.get("False", 0)) > max(1, math.ceil(sum(tf.values()) * 0.2)):
        bad.append("true-false-unbalanced")
    return bad


def run_gates(items: list[QuizItem], texts: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Problems per item id (only failing items), plus quiz-level problems under ``"quiz"``."""
    out: dict[str, list[str]] = {}
    for item in items:
        bad = item_problems(item, (texts or {}).get(item.source))
        if bad:
            out[item.id] = bad
    quiz = quiz_problems(items)
    if quiz:
        out["quiz"] = quiz
    return out
