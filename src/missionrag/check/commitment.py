"""A target as a whole: quantity, unit, object and deadline, and when two targets are the same.

Relabelling and quoting are both "this target already exists". Sharing a number or a year is
not that ("100% renewable electricity by 2030" is not "100 climate-neutral cities by 2030"):
two targets match only when the quantity with its unit, the deadline and most of the object's
content words agree (``same_target``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from missionrag.check.analysis import WORD_RE, Analysis
from missionrag.check.targets import Target
from missionrag.text import all_stopwords

# Share of the draft's object words the other target must contain: most of what the target
# is about, while leaving room for an article or an adjective worded differently.
OBJECT_OVERLAP = 0.6
MIN_OBJECT_WORDS = 2  # an object of one word ("emissions") says too little to call it the same
MIN_PHRASE_WORDS = 3  # below this a comma-bounded phrase is a list item; use the whole clause
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
# Words around a quantity that are not what it counts ("at least 50 per cent of ...").
QUANTITY_WORDS = frozenset(["per", "cent", "percent", "least", "less", "most", "every"])
_HALF = re.compile(
    r"halv\w*|by\s+half|in\s+half|halbier\w*|halver\w*|gehalveerd|halveren|metade|moitié|mitad|dimezz\w*",
    re.I,
)
_DOUBLE = re.compile(r"doubl\w*|verdoppel\w*|fordobl\w*|fördubbl\w*|verdubbel\w*|duplicar", re.I)
_WORDS_TO_NUM = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "hundred": "100", "vijf": "5", "fem": "5", "fünf": "5",
    "cinq": "5", "cinco": "5",
}  # fmt: skip


STEM_CHARS = 5  # a crude stem that works across our languages ("gezond"/"gezondheid")


def stem(word: str) -> str:
    return word.lower()[:STEM_CHARS]


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Words that say nothing about a target's object, in every language a draft may use."""
    from missionrag.check.langid import _words

    langid = frozenset(w for ws in _words().values() for w in ws)
    return all_stopwords() | QUANTITY_WORDS | langid


@dataclass(frozen=True)
class TargetTuple:
    text: str  # the target clause, verbatim
    start: int
    end: int
    quantity: str | None  # "50", "3 billion", "half", "double", "zero"
    unit: str | None  # "%", "km", the counted noun ("trees"), or None
    objects: frozenset[str]  # content-word stems of the target's own phrase
    deadline: str | None  # "2030", or the relative phrase ("before this decade is out")
    context: frozenset[str] = frozenset()  # content-word stems of the whole clause

    def describe(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("quantity", self.quantity),
                ("unit", self.unit),
                ("object", " ".join(sorted(self.objects))),
                ("deadline", self.deadline),
            )
            if v
        }


def _quantity(t: Target) -> tuple[str | None, str | None]:
    text = t.text.lower()
    if t.kind == "multiplier":
        if _HALF.search(text):
            return "half", None
        if _DOUBLE.search(text):
            return "double", None
        return text, None
    if t.kind == "end_state":
        return "zero", None  # an end state is all-or-nothing: none left, or all done
    nums = _NUM.findall(text)
    words = [w for w in WORD_RE.findall(text) if not _NUM.fullmatch(w)]
    num = nums[0].replace(",", "").replace(".", "") if nums else None
    if num is None:
        num = next((_WORDS_TO_NUM[w] for w in words if w in _WORDS_TO_NUM), None)
    unit = "%" if "%" in text or "cent" in text or "procent" in text or "prozent" in text else None
    if unit is None:
        rest = [w for w in words if w not in _WORDS_TO_NUM and w not in _function_words()]
        unit = stem(rest[-1]) if rest else None
    return num, unit


def _clause_bounds(text: str, start: int, end: int, marks: str = ".;:!?") -> tuple[int, int]:
    lo = max([text.rfind(c, 0, start) for c in marks] + [-1]) + 1
    his = [i for i in (text.find(c, end) for c in marks.replace(":", "")) if i >= 0]
    return lo, min(his) if his else len(text)


def main_target(a: Analysis) -> TargetTuple | None:
    """The statement's headline target, or None when it has nothing checkable."""
    found = all_targets(a)
    return found[0] if found else None


def all_targets(a: Analysis) -> list[TargetTuple]:
    """Every quantity, multiplier or end state of the statement as a whole target."""
    out = []
    for t in a.outcome_targets:
        if t.kind in ("share", "quantity", "multiplier", "end_state"):
            tt = _whole(a, t)
            if tt is not None:
                out.append(tt)
    return out


def _whole(a: Analysis, t: Target) -> TargetTuple | None:
    quantity, unit = _quantity(t)
    if quantity is None:
        return None
    time_words = {w.lower() for m in a.times for w in WORD_RE.findall(m.text)}
    skip = _function_words() | time_words | {m.text.lower() for m in a.mission_words}

    def objects_of(lo: int, hi: int) -> frozenset[str]:
        return frozenset(
            stem(w)
            for w in WORD_RE.findall(a.text[lo:hi])
            if w.lower() not in skip and not _NUM.fullmatch(w) and len(w) > 2
        )

    # The target's own phrase (between commas) says what it is about; a list of actors after a
    # comma does not. Too short a phrase ("noise by 50%") falls back to the whole clause.
    lo, hi = _clause_bounds(a.text, t.start, t.end, ".;:!?,")
    objects = objects_of(lo, hi)
    context = objects_of(*_clause_bounds(a.text, t.start, t.end))
    if len(objects) < MIN_PHRASE_WORDS:
        lo, hi = _clause_bounds(a.text, t.start, t.end)
        objects = context
    while lo < hi and a.text[lo].isspace():
        lo += 1
    while hi > lo and a.text[hi - 1].isspace():
        hi -= 1
    clause = a.text[lo:hi]
    deadlines = a.deadlines
    deadline = None
    if deadlines:
        d = deadlines[-1]
        deadline = str(d.year) if d.year else d.text.lower()
    return TargetTuple(clause, lo, hi, quantity, unit, objects, deadline, objects | context)


def same_target(draft: TargetTuple, other: TargetTuple, *, undated_ok: bool = False) -> bool:
    """Quantity with unit, deadline agree, and most of the draft's object words are in the
    other target's clause.

    ``undated_ok``: a draft without a deadline may still be the same mission (a quote that
    drops the year is still a quote); a relabelling test never allows it.
    """
    if draft.quantity != other.quantity:
        return False
    if draft.unit and other.unit and draft.unit != other.unit:
        return False
    if draft.deadline and other.deadline and draft.deadline != other.deadline:
        return False
    dated = (
        bool(draft.deadline and draft.deadline.isdigit()),
        bool(other.deadline and other.deadline.isdigit()),
    )
    if dated[0] != dated[1] and not (undated_ok and draft.deadline is None):
        return False
    if len(draft.objects) < MIN_OBJECT_WORDS:
        return False
    shared = len(draft.objects & (other.context or other.objects))
    return shared >= MIN_OBJECT_WORDS and shared / len(draft.objects) >= OBJECT_OVERLAP
