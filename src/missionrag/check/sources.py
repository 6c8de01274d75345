"""What the knowledge base adds to a check: cited guidance and the relabelling test.

Both read only ``Retriever.search`` hits. A quote is always a verbatim slice of ``Hit.text``
(the evidence carries its citation, as in paper-qa). Relabelling needs the draft's target as
a whole (quantity, unit, object and deadline: ``commitment.same_target``) in one passage
sentence, never a shared number or year alone, and never the retrieval score.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from missionrag.check.analysis import Analysis, analyse
from missionrag.check.commitment import TargetTuple, all_targets, main_target, same_target
from missionrag.check.lexicon import MISSION_WORDS
from missionrag.models import ExistingMission, Hit, Relabelling, SourceRef
from missionrag.text import sentence_spans

if TYPE_CHECKING:
    from missionrag.index import Retriever

# Query and the words that make a sentence a good explanation of each criterion.
CRITERION_QUERIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "bold": (
        "ambitious inspiring mission goals worth striving for, not so broad nor so narrow",
        ("ambitio", "inspir", "bold", "broad", "narrow", "striving", "goal", "concrete"),
    ),
    "measurable": (
        "missions need clear measurable targets",
        ("measurab", "target", "clear", "concrete", "monitor", "measure"),
    ),
    "time_bound": (
        "missions should be measurable and time-bound with a deadline",
        ("time-bound", "deadline", "decade", "long-term", "by 20", "time"),
    ),
    "cross_sectoral": (
        "missions need cross-sectoral collaboration across sectors and stakeholders",
        ("cross", "sector", "collaborat", "stakeholder", "silo", "partner", "across"),
    ),
}
_TRAILING_MARKUP = re.compile(
    r"(?:\s*<[^>]*>[^<]*</[^>]*>|\s*<[^>]*>|\s*\[\d{1,2}:\d\d(?::\d\d)?\])+\s*$"
)
MIN_SENTENCE_CHARS = 20  # shorter pieces are headings or labels, nothing to cite


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def _sentences(text: str) -> list[Sentence]:
    """The sentences of a passage, line by line, without a trailing timestamp or tag."""
    out = []
    pos = 0
    for line in text.split("\n"):
        for s, e in sentence_spans(text, pos, pos + len(line)):
            trail = _TRAILING_MARKUP.search(text, s, e)
            if trail and trail.start() > s:
                e = trail.start()
            while e > s and text[e - 1].isspace():
                e -= 1
            if e - s >= MIN_SENTENCE_CHARS:
                out.append(Sentence(s, e))
        pos += len(line) + 1
    return out


def _locator(hit: Hit, offset: int) -> str | None:
    """The finest locator for a quote: a mark inside the chunk (timestamp) beats the chunk's."""
    best = None
    for m in sorted(hit.marks, key=lambda m: m.start):
        if m.start <= offset and m.locator:
            best = m.locator
    return best or hit.locator


def _ref(hit: Hit, sent: Sentence, criterion: str | None) -> SourceRef:
    return SourceRef(
        source=hit.source,
        locator=_locator(hit, sent.start),
        quote=hit.text[sent.start : sent.end],
        title=hit.title,
        url=hit.url,
        criterion=criterion,
    )


def cite_criteria(failed: list[str], retriever: Retriever, top_k: int = 5) -> list[SourceRef]:
    """For each failed criterion, the corpus sentence that best explains it."""
    refs: list[SourceRef] = []
    used: set[str] = set()
    for name in failed:
        query, keys = CRITERION_QUERIES[name]
        best: tuple[float, Hit, Sentence] | None = None
        for rank, hit in enumerate(retriever.search(query, top_k)):
            for sent in _sentences(hit.text):
                low = hit.text[sent.start : sent.end].lower()
                score = sum(1.0 for k in keys if k in low) - 0.1 * rank
                if hit.text[sent.start : sent.end] in used:
                    score -= 0.5
                if score > 0 and (best is None or score > best[0]):
                    best = (score, hit, sent)
        if best:
            ref = _ref(best[1], best[2], name)
            used.add(ref.quote)
            refs.append(ref)
    return refs


# ---------------------------------------------------------------- relabelling

# Passages are read as written at no particular date: every year in them counts as theirs.
_PASSAGE_TODAY = dt.date(1900, 1, 1)


@dataclass
class KBMatch:
    """A passage of the knowledge base that holds the draft's whole target."""

    ref: SourceRef
    draft: TargetTuple
    other: TargetTuple
    is_mission: bool  # the passage presents it as a mission: the draft quotes it

    def relabelling(self) -> Relabelling:
        return Relabelling(
            draft_target=self.draft.text,
            draft_start=self.draft.start,
            draft_end=self.draft.end,
            existing=self.ref.quote,
            source=self.ref.source,
            title=self.ref.title,
            locator=self.ref.locator,
            url=self.ref.url,
            matched=self.draft.describe(),
        )

    def existing(self) -> ExistingMission:
        where = (self.ref.title or self.ref.source) + (
            f", {self.ref.locator}" if self.ref.locator else ""
        )
        return ExistingMission(
            name=self.ref.quote if len(self.ref.quote) <= 120 else self.ref.quote[:117] + "...",
            text=self.ref.quote,
            source=self.ref.source,
            locator=self.ref.locator,
            origin="knowledge base",
            match="the whole target: "
            + ", ".join(f"{k} {v}" for k, v in self.draft.describe().items()),
            message=f'This is the existing mission "{self.ref.quote}" ({where}).',
        )

    def message(self) -> str:
        where = (self.ref.title or self.ref.source) + (
            f", {self.ref.locator}" if self.ref.locator else ""
        )
        return (
            f"the whole target ('{self.draft.text}') is already a commitment in {where}: "
            f'"{self.ref.quote[:200]}" - restating it as a mission relabels it; say what the mission adds'
        )


def _passage_targets(hit: Hit, sent: Sentence) -> list[TargetTuple]:
    text = hit.text[sent.start : sent.end]
    found = all_targets(analyse(text, _PASSAGE_TODAY))
    if found and not any(t.deadline for t in found):
        # The deadline may sit in the next sentence ("... 100 cities. This is due by 2030.").
        lo, hi = max(0, sent.start - 150), min(len(hit.text), sent.end + 150)
        near = analyse(hit.text[lo:hi], _PASSAGE_TODAY).deadlines
        if near and near[-1].year:
            found = [replace(t, deadline=str(near[-1].year)) for t in found]
    return found


def _is_mission(hit: Hit, sent: Sentence) -> bool:
    context = " ".join(x for x in (hit.title, hit.section, hit.text[sent.start : sent.end]) if x)
    return bool(MISSION_WORDS.search(context))


def find_relabelling(a: Analysis, retriever: Retriever, top_k: int = 5) -> KBMatch | None:
    """A passage that already holds the draft's whole target (quantity, unit, object, deadline)."""
    draft = main_target(a)
    if draft is None:
        return None
    seen: set[str] = set()
    for query in dict.fromkeys((a.text, draft.text)):
        for hit in retriever.search(query, top_k):
            if hit.chunk_id and hit.chunk_id in seen:
                continue
            seen.add(hit.chunk_id)
            for sent in _sentences(hit.text):
                for other in _passage_targets(hit, sent):
                    if same_target(draft, other):
                        ref = _ref(hit, sent, "mission_washing")
                        return KBMatch(ref, draft, other, _is_mission(hit, sent))
    return None
