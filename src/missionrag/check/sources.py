"""What the knowledge base adds to a check: cited guidance and the relabelling test.

Both read only ``Retriever.search`` hits. A quote is always a verbatim slice of ``Hit.text``
(the evidence carries its citation, as in paper-qa), and relabelling is confirmed by string
matching the draft's target (number, year, key phrase) in the hit text, never by score alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from missionrag.check.analysis import Analysis
from missionrag.models import Hit, SourceRef

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
_SENT = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’»)\]]*)?")
_TRAILING_MARKUP = re.compile(
    r"(?:\s*<[^>]*>[^<]*</[^>]*>|\s*<[^>]*>|\s*\[\d{1,2}:\d\d(?::\d\d)?\])+\s*$"
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "by",
        "for",
        "with",
        "at",
        "from",
        "as",
        "is",
        "are",
        "be",
        "will",
        "our",
        "their",
        "its",
        "this",
        "that",
        "than",
        "more",
        "less",
        "all",
        "every",
        "each",
        "no",
        "not",
        "it",
        "we",
        "they",
        "which",
        "who",
    ]
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def _sentences(text: str) -> list[Sentence]:
    out = []
    for m in _SENT.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        trail = _TRAILING_MARKUP.search(text, s, e)
        if trail and trail.start() > s:
            e = trail.start()
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 20:
            out.append(Sentence(s, e))
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

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*|\d+(?:[.,]\d+)?%?")


def _norm(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def _key_phrases(text: str, min_words: int = 4) -> list[str]:
    """Runs of >= ``min_words`` words with content words at both ends (longest first)."""
    words = _WORDS.findall(text.lower())
    out = []
    for n in range(min(len(words), 10), min_words - 1, -1):
        for i in range(len(words) - n + 1):
            run = words[i : i + n]
            if run[0] in _STOP or run[-1] in _STOP:
                continue
            if sum(w not in _STOP for w in run) >= min_words - 1:
                out.append(" ".join(run))
    return out


@dataclass
class Relabel:
    ref: SourceRef
    matched: list[str]  # the draft's words found in the passage
    message: str


def find_relabelling(a: Analysis, retriever: Retriever, top_k: int = 5) -> Relabel | None:
    """A passage that already holds the draft's target (number and year, or a key phrase)."""
    numbers = {
        n
        for t in a.outcome_targets
        if t.kind in ("share", "quantity")
        for n in _NUMBER.findall(t.text)
    }
    years = {str(t.year) for t in a.deadlines if t.year}
    # A shared phrase counts only if it carries the target itself ("halve road deaths",
    # "climate-neutral Nordby"), not just the topic ("cut CO2 emissions in Nordby").
    target_words = {w for t in a.outcome_targets for w in _norm(t.text).split()} - _STOP
    phrases = [p for p in _key_phrases(a.text) if target_words & set(p.split())]
    if not (numbers or phrases):
        return None
    for hit in retriever.search(a.text, top_k):
        for sent in _sentences(hit.text):
            # A target and its deadline may sit in neighbouring sentences: look at a small window.
            lo, hi = max(0, sent.start - 150), min(len(hit.text), sent.end + 150)
            window = _norm(hit.text[lo:hi])
            own = _norm(hit.text[sent.start : sent.end])
            num_hit = [n for n in numbers if re.search(rf"(?<![\d.,]){re.escape(n)}(?![\d])", own)]
            year_hit = [y for y in years if y in window]
            phrase_hit = next((p for p in phrases if p in own), None)
            if (num_hit and year_hit) or (phrase_hit and (year_hit or not years)):
                matched = [*num_hit, *year_hit] + ([phrase_hit] if phrase_hit else [])
                ref = _ref(hit, sent, "mission_washing")
                where = f"{hit.title or hit.source}" + (f", {ref.locator}" if ref.locator else "")
                msg = (
                    f"the target ({', '.join(matched[:3])}) already appears in {where}: "
                    f'"{ref.quote[:160]}" - if that is an existing commitment, this draft relabels it'
                )
                return Relabel(ref=ref, matched=matched, message=msg)
    return None
