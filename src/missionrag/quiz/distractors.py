"""Wrong options of the same kind as the answer, from the corpus first.

Order of preference: siblings in the same list (the other criteria of the same report), then
terms of the same kind elsewhere in the corpus, shaped like the answer (an acronym for an
acronym, a surname for a surname), then, for numbers only, values generated near the answer.
Nothing equal or near-equal to the answer, to another option, or to anything the quote says.
"""

from __future__ import annotations

import random
import re

from missionrag.quiz.gates import near_equal, number_of
from missionrag.quiz.select import Fact
from missionrag.quiz.terms import PLACES, WORD_FOR, EntityIndex, is_acronym
from missionrag.quiz.text import contains


class Pools:
    """Every term of each kind in the corpus, in first-seen order (deterministic)."""

    def __init__(self, facts: list[Fact], index: EntityIndex) -> None:
        self.by_kind: dict[str, list[str]] = {}
        self.groups: dict[str, list[str]] = {}
        for f in facts:
            if f.key.role != "enumeration":  # "time-bound" is no peer of "mission managers"
                self._add(pool_key(f), f.key.text)
            if f.group and (f.body is not None or f.key.role == "listed"):
                members = self.groups.setdefault(f.group, [])
                if f.key.text not in members:
                    members.append(f.key.text)
        for name, full in index.people.items():
            self._add("person", full if " " in name else name)
        for org in index.orgs:
            self._add("organisation", org)
        for place in sorted(PLACES):
            self._add("place", place)

    def _add(self, kind: str, text: str) -> None:
        pool = self.by_kind.setdefault(kind, [])
        if text not in pool:
            pool.append(text)


def pool_key(fact: Fact) -> str:
    """Labels of lists are only swapped with other labels, concepts with concepts."""
    if fact.key.role == "listed":
        return "listed"
    return f"label:{fact.key.kind}" if fact.body is not None else fact.key.kind


def _match_case(cand: str, answer: str) -> str | None:
    """Sentence position decides the first letter; proper names keep theirs."""
    proper = sum(1 for w in cand.split() if w[:1].isupper()) > 1 or is_acronym(cand.split()[0])
    if answer[:1].isupper() and cand[:1].islower():
        return cand[:1].upper() + cand[1:]
    if answer[:1].islower() and cand[:1].isupper():
        return None if proper else cand[:1].lower() + cand[1:]
    return cand


def _shape(text: str) -> tuple[bool, int, bool, bool]:
    """What an option looks like: acronym?, word count, lower-case?, has "(...)"?"""
    return (is_acronym(text), len(text.split()), text[:1].islower(), "(" in text)


def _fits(cand: str, answer: str, kind: str) -> bool:
    """Same form as the answer, so the right option does not stand out by its looks."""
    if kind == "person":
        return (" " in cand) == (" " in answer)
    a, c = _shape(answer), _shape(cand)
    return a[0] == c[0] and a[3] == c[3]


def _numeric(answer: str, kind: str, pool: list[str]) -> list[str]:
    """Values for a number-like answer, rendered the way the answer is written."""
    parsed = number_of(answer)
    if parsed is None:
        return []
    value, _unit = parsed
    word = answer.strip().lower() in {w.lower() for w in WORD_FOR.values()}
    m = re.match(r"\s*[\d,.]+(\s?%|\s(?:percent|per cent)|s)?", answer)
    suffix = m.group(1) if m and m.group(1) else ""

    def render(v: float) -> str | None:
        v = int(round(v))
        if word:
            w = WORD_FOR.get(v)
            return None if w is None else (w.capitalize() if answer[:1].isupper() else w)
        if kind == "percent" and not 1 <= v <= 99:
            return None
        if v < 1:
            return None
        return (f"{v:,}" if "," in answer else str(v)) + suffix

    values: list[float] = []
    for other in pool:  # corpus values first
        p = number_of(other)
        if p is not None and (kind != "year" or abs(p[0] - value) <= 40):
            values.append(p[0])
    if kind == "percent":
        values += [value + d for d in (10, -10, 20, -20, 15, -15, 30, -30)]
    elif kind == "year":
        step = 10 if suffix == "s" else 1
        values += (
            [value + step * d for d in (-3, 4, -6, 8, 5, -10, 2, -2)]
            if step == 1
            else [value + d for d in (-10, 10, -20, 20, -30)]
        )
    elif word or value <= 12:
        values += [value + d for d in (1, -1, 2, -2, 3, 4, -3, 5)]
    else:
        values += [value * f for f in (2, 0.5, 1.5, 3, 0.25, 4)]
    out = []
    for v in values:
        r = render(v)
        if r and r not in out:
            out.append(r)
    return out


def pick(
    fact: Fact,
    pools: Pools,
    rng: random.Random,
    k: int = 3,
    avoid: str = "",
) -> list[str] | None:
    """``k`` distractors for ``fact.key``, or ``None`` when the corpus cannot supply them.

    ``avoid`` is text the options must not repeat (the question stem).
    """
    if fact.key.role == "listed":
        return _first(_other_lists(fact, pools, rng), fact, k, avoid)
    answer, kind = fact.key.text, fact.key.kind
    siblings = [s for s in pools.groups.get(fact.group or "", []) if s != answer]
    rng.shuffle(siblings)
    pool = list(pools.by_kind.get(pool_key(fact), []))
    if kind in ("percent", "year", "number"):
        candidates = _numeric(answer, kind, pool)
        # Corpus values first, each bucket shuffled so seeds differ but stay plausible.
        head = [c for c in candidates if c in pool]
        tail = [c for c in candidates if c not in pool]
        rng.shuffle(head)
        candidates = head + tail
    else:
        others = [c for c in pool if c not in siblings and _fits(c, answer, kind)]
        if kind == "term" and fact.body is None:
            others = [m for m in (_match_case(c, answer) for c in others) if m]
        rng.shuffle(others)
        # Similar length and number read as equally plausible; ties break by seed.
        plural = answer.endswith("s")
        others.sort(
            key=lambda c: (abs(len(c.split()) - len(answer.split())), c.endswith("s") != plural)
        )
        candidates = siblings + others
    return _first(candidates, fact, k, avoid)


def _other_lists(fact: Fact, pools: Pools, rng: random.Random) -> list[str]:
    """Items of *other* lists: every item of the fact's own list is a right answer.

    Lists of the same document come first (same register, so equally plausible)."""
    members = set(pools.groups.get(fact.group or "", []))
    here = [
        c
        for g, items in pools.groups.items()
        if g != fact.group and g.startswith(fact.source + "#list")
        for c in items
    ]
    there = [c for c in pools.by_kind.get("listed", []) if c not in here]
    rng.shuffle(here)
    rng.shuffle(there)
    return [c for c in here + there if c not in members]


def _first(candidates: list[str], fact: Fact, k: int, avoid: str) -> list[str] | None:
    """The first ``k`` candidates that are not near the answer, each other, or the quote."""
    answer = fact.key.text
    chosen: list[str] = []
    for cand in candidates:
        if near_equal(cand, answer) or any(near_equal(cand, c) for c in chosen):
            continue
        if contains(fact.quote, cand) or contains(fact.statement, cand):
            continue
        if avoid and contains(avoid, cand):
            continue
        if any(near_equal(cand, a) for a in fact.key.aliases):
            continue
        chosen.append(cand)
        if len(chosen) == k:
            return chosen
    return None
