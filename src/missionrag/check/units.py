"""Whole sentences of a document, as exact spans: the units check-doc chooses from.

PDF text arrives in layout lines (pypdf), often with a whitespace-only line between every two,
and tables with one cell per line run; Markdown arrives in paragraphs and list items. A unit
is a paragraph, a list item or a table cell joined across its lines, then cut into sentences
where ``missionrag.text`` ends one (never inside "0.2%", "e.g." or "U.K."). Every unit is a
``(start, end)`` span of the document text, so a candidate is always the document's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from missionrag.text import sentence_ends

# A line that starts a new unit: a bullet, a numbered or lettered item, a Markdown list item.
_MARKER_LINE = re.compile(
    r"^\s*(?:[●•▪◦■□➢►✓\-–*]|[ivx]{1,5}\.|\(?[ivx]{1,5}\)|\d{1,2}[.)]|\(\d{1,2}\)|#{1,6})"
    r"(?:\s+|$)"
)
_MARKER_ONLY = re.compile(r"^\s*(?:[●•▪◦■□➢►✓\-–*]|o|[a-z]|[ivx]{1,5}\.|\d{1,3}|\d{1,2}[.)])\s*$")
_PREFIX = re.compile(r"^\s*(?:[●•▪◦■□➢►✓\-–*]\s+|\d{1,2}[.)]\s+|#{1,6}\s+)")
_HEADING_MD = re.compile(r"^\s*#{1,6}\s")
# A dated label inside a run of cells ("... by 2030 2021 target: PUB to ...") starts a unit.
_INLINE_LABEL = re.compile(
    r"\s(?=(?:\d{4}|[Ll]ong-term|[Ss]hort-term|[Mm]edium-term)\s+(?:targets?|aspiration):)"
)
_TRAILING_LETTER = re.compile(r"\s+[a-z]\.$")  # the next item's "b." glued to a cell's end


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    text: str  # document[start:end], verbatim
    heading: str  # the nearest heading above, for context

    @property
    def clean(self) -> str:
        """The unit with its line breaks and runs of spaces collapsed."""
        return " ".join(self.text.split())


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _is_heading(line: str, prev: str, nxt: str) -> bool:
    """A short unpunctuated line between a finished sentence (or a gap) and a capital."""
    if _HEADING_MD.match(line):
        return True
    t = line.strip()
    words = t.split()
    if not (0 < len(words) <= 8) or t.endswith((".", "!", "?", ",", ";")) or not t[:1].isupper():
        return False
    prev_done = not prev.strip() or prev.rstrip().endswith((".", "!", "?", ":"))
    return prev_done and nxt.strip()[:1].isupper()


def _is_label(line: str) -> bool:
    """A short line ending in a colon ("2030 targets:") heads what follows."""
    t = line.strip()
    return t.endswith(":") and len(t.split()) <= 5


def blocks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, heading) of each paragraph, list item or cell, joined across lines."""
    out: list[tuple[int, int, str]] = []
    cur: list[tuple[int, int]] = []
    heading = ""
    spans = [(s, e) for s, e in _lines(text)]
    content = [i for i, (s, e) in enumerate(spans) if text[s:e].strip()]
    nxt_of = {a: b for a, b in zip(content, content[1:], strict=False)}

    def flush() -> None:
        if cur:
            out.append((cur[0][0], cur[-1][1], heading))
            cur.clear()

    prev = ""
    for i, (s, e) in enumerate(spans):
        line = text[s:e]
        if not line:  # a truly empty line ends a paragraph (whitespace-only lines do not)
            flush()
            prev = ""
            continue
        if not line.strip():
            continue
        if _MARKER_ONLY.match(line):
            flush()  # a bullet, letter or page number on its own line
            prev = ""
            continue
        nxt = text[slice(*spans[nxt_of[i]])] if i in nxt_of else ""
        if _is_heading(line, prev, nxt) or _is_label(line):
            flush()
            heading = " ".join(_PREFIX.sub("", line).split())
            prev = ""
            continue
        if _MARKER_LINE.match(line) or (cur and prev.rstrip().endswith(":")):
            flush()
        m = _PREFIX.match(line)
        cur.append((s + (m.end() if m else 0), e))
        prev = line
    flush()
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of one block (PDF layout lines may hold white-space-only lines inside it),
    also cut before a dated label."""
    ends = sentence_ends(text, start, end, blank_lines=False)
    cuts = sorted({*ends, *(m.start() for m in _INLINE_LABEL.finditer(text, start, end))})
    return list(zip([start, *cuts], cuts, strict=False))


def split_units(text: str) -> list[Unit]:
    """Every sentence-sized unit of ``text``, in order, trimmed of surrounding whitespace."""
    units = []
    for bs, be, heading in blocks(text):
        for s, e in _sentences(text, bs, be):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if m := _TRAILING_LETTER.search(text, s, e):
                e = m.start()
            if e > s:
                units.append(Unit(s, e, text[s:e], heading))
    return units
