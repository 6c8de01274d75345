"""Find the mission statements in a strategy document (for ``missionrag check-doc FILE``).

A candidate is a sentence (or a heading line) that either sits under a mission cue ("Mission 2:",
"Our missions", "Mål", "Ziel", "Missie") or carries a mission's shape itself: an outcome target
or a deadline, in a sentence short enough to be a statement rather than a paragraph of
argument. Statements are returned verbatim (exact slices of ``Document.text``), each with the
locator in force where it starts ("page 3").
"""

from __future__ import annotations

import datetime as dt
import re

from missionrag.check.analysis import WORD_RE, analyse
from missionrag.models import Document

_CUE = re.compile(
    r"(?<!\w)(?:missions?|mission\s+statement|our\s+ambition|we\s+will|by\s+(?:19|20)\d\d|goal|target|"
    r"missionen?|missioner|missie|missies|missão|missões|mål(?:et|sætning)?|Ziel(?:e)?|doel(?:stelling)?|"
    r"objetivo|objectif|obiettivo|tavoite)(?!\w)",
    re.I,
)
_BULLET = r"\s*(?:[-*•▪◦–]\s*|\d{1,2}[.)]\s*|#{1,6}\s*)*"
_NAMED = r"(?:mission|missie|missão|mål|ziel|goal)\s*\d{0,2}\s*[:.–-]\s*"
_LABEL = re.compile(rf"{_BULLET}(?:{_NAMED})?", re.I)  # match() anchors at the given pos
_NAMED_LINE = re.compile(rf"{_BULLET}{_NAMED}", re.I)
_HEADING_CUE = re.compile(
    r"(?<!\w)(?:missions?|missionen|missioner|missies|missões|mål|ziele)(?!\w)", re.I
)
_INTENT = re.compile(
    r"(?<!\w)(?:will|shall|should|must|aims?|ambition|goal|target|mission|skal|soll(?:en)?|ska|zal|zullen|"
    r"deve|devem|doit|debe|deve|dovrà|pitää)(?!\w)",
    re.I,
)
_TRAILING_MARKUP = re.compile(
    r"(?:\s*<[^>]*>[^<]*</[^>]*>|\s*<[^>]*>|\s*\[\d{1,2}:\d\d(?::\d\d)?\])+\s*[.:;]?\s*$"
)
_SENT = re.compile(r"[^.!?\n]+(?:[.!?]+|(?=\n)|$)")
MIN_WORDS, MAX_WORDS = 4, 70


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _strip_label(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop bullets and a 'Mission 2:' label so the statement starts at its first word."""
    m = _LABEL.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    while start < end and text[start] in " \t\"'“‘(":
        start += 1
    trail = _TRAILING_MARKUP.search(text, start, end)
    if trail and trail.start() > start:
        end = trail.start()  # transcript timestamps and tags are not part of the statement
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def find_mission_candidates(
    doc: Document, today: dt.date | None = None
) -> list[tuple[str, str | None]]:
    """(statement, locator) for every likely mission statement in ``doc``, in document order."""
    text = doc.text
    today = today or dt.date.today()
    found: list[tuple[int, int]] = []
    under_cue = 0  # sentences left under a recent "Missions" heading
    for line_start, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        words = WORD_RE.findall(stripped)
        # A short heading that names missions makes the next few sentences candidates.
        if len(words) <= 6 and not stripped.endswith((".", "!", "?")):
            # A heading: one that names missions opens a section of candidates, any other closes it.
            under_cue = 4 if _HEADING_CUE.search(stripped) else 0
            continue
        for m in _SENT.finditer(line):
            s, e = _strip_label(text, line_start + m.start(), line_start + m.end())
            sentence = text[s:e]
            n = len(WORD_RE.findall(sentence))
            labelled = m.start() == 0 and bool(_NAMED_LINE.match(line))
            # A labelled line ("Mission 3: A plastic-free ocean") may be a short title.
            if not ((2 if labelled else MIN_WORDS) <= n <= MAX_WORDS):
                continue
            a = analyse(sentence, today)
            shaped = bool(a.outcome_targets) or bool(a.deadlines)
            cue = bool(_CUE.search(sentence))
            intent = bool(a.deadlines) or bool(_INTENT.search(sentence))
            whole_line = (
                sentence.strip() == line.strip() or m.start() == 0 and m.end() >= len(line.rstrip())
            )
            if (
                labelled
                or (under_cue > 0 and (shaped or (n <= 15 and whole_line)))
                or (shaped and cue and intent and n <= 45)
                or (a.has_outcome_target and bool(a.deadlines) and n <= 40)
            ):
                found.append((s, e))
            under_cue = max(0, under_cue - 1)
    seen: set[str] = set()
    out: list[tuple[str, str | None]] = []
    for s, e in found:
        statement = text[s:e]
        key = " ".join(statement.lower().split())
        if key in seen:
            continue
        seen.add(key)
        mark = doc.mark_at(s)
        out.append((statement, mark.locator if mark else None))
    return out
