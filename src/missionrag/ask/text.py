"""Sentence units with exact offsets, word tokens for keyword overlap, and display cleanup.

A quote must be a verbatim substring of the source text (tests/test_ask.py), so splitting never
normalises anything: every ``Unit`` is a ``(start, end)`` span and its text is
``source[start:end]``. Markdown and list markup are only removed by ``display()``, which
builds the answer text, never the quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from missionrag.text import WORD
from missionrag.text import sentence_spans as split_sentences
from missionrag.text import terms as text_terms

# Line prefixes that are markup, not content: headings, bullets, numbered items, quotes,
# decorative glyphs. The span of a unit starts after them so quotes do not begin with "- ".
_PREFIX = re.compile(r"[ \t]*(?:#{1,6}[ \t]+|[-*+•·>][ \t]+|❋[ \t]*|\d{1,2}[.)][ \t]+)*")
_HEADING = re.compile(r"[ \t]*#{1,6}\s")
_BULLET = re.compile(r"[ \t]*(?:[-*+•·❋]|\d{1,2}[.)])[ \t]+")

# Words of questions that frame the question rather than its topic ("According to the
# report, describe the main kinds of ..."): never evidence that a sentence answers it.
_QUESTION_WORDS = """according say says said tell told describe described give given mention
mentioned example examples kind kinds main key many much one ones thing things way ways get got
make makes made"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())


@dataclass(frozen=True)
class Unit:
    """A candidate quote: ``source[start:end] == text``; ``context`` only helps scoring."""

    start: int
    end: int
    text: str
    kind: str  # "sentence" | "list" | "heading"
    context: str = ""


def _lines(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _merge_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a fragment of under four words to the next sentence on the line.

    '"Experimentation. Missions is a novel approach..."' is one quoted statement; alone,
    "Experimentation." would be dropped as too short to quote.
    """
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for s, e in spans:
        start = pending if pending is not None else s
        pending = None
        if _words(text[start:e]) < 4 and not text[start:e].endswith(":"):
            pending = start
            continue
        out.append((start, e))
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((pending, spans[-1][1]))
    return out


def sentence_spans(text: str, start: int, end: int, *, merge: bool = True) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (one line); ``merge`` joins short fragments."""
    spans = split_sentences(text, start, end, glued=True)
    return _merge_fragments(text, spans) if merge else spans


def _words(text: str) -> int:
    return len(WORD.findall(text))


_MAX_LIST_CHARS = 400


def split_units(text: str, heading: str | None = None) -> list[Unit]:
    """Sentences of ``text`` plus merged runs of short list items, all with exact offsets.

    Short unpunctuated lines ("Effect of silos") say little alone, so a run of them becomes
    one ``list`` unit that starts at the heading or the "...include:" sentence introducing it.
    ``heading`` is the section the text belongs to: chunks never cross a heading, so only a
    first line equal to it (or a Markdown "#" line) is a heading; it is context, not an answer.
    """
    units: list[Unit] = []
    run: list[tuple[int, int]] = []
    intro: Unit | None = None  # heading or "...:" sentence right before the current run
    last_heading = heading or ""

    def close_run() -> None:
        nonlocal run, intro
        if len(run) >= 2:
            s = intro.start if intro is not None else run[0][0]
            e = run[-1][1]
            units.append(Unit(s, e, text[s:e], "list", last_heading))
        elif run:
            s, e = run[0]
            units.append(Unit(s, e, text[s:e], "sentence", last_heading))
        run, intro = [], None

    first = True
    for ls, le in _lines(text):
        m = _PREFIX.match(text, ls, le)
        cs = m.end() if m else ls
        ce = le
        while ce > cs and text[ce - 1].isspace():
            ce -= 1
        if ce <= cs:
            continue
        content = text[cs:ce]
        is_heading = bool(_HEADING.match(text, ls, le)) or (
            first and heading is not None and content.strip() == heading.strip()
        )
        first = False
        if is_heading:
            close_run()
            intro = Unit(cs, ce, content, "heading")
            last_heading = content
            units.append(intro)
            continue
        if not re.search(r"[.!?]\W*$", content) and _words(content) <= 15:
            s0 = intro.start if intro is not None else (run[0][0] if run else cs)
            if run and ce - s0 > _MAX_LIST_CHARS:
                close_run()
            run.append((cs, ce))
            continue
        close_run()
        spans = _merge_fragments(text, split_sentences(text, cs, ce, glued=True))
        for s, e in spans:
            units.append(Unit(s, e, text[s:e], "sentence", last_heading))
        if spans and units[-1].text.endswith(":"):
            intro = units[-1]
    close_run()
    return units


def terms(text: str) -> list[str]:
    """Stemmed content words (stopwords and question framing dropped), in order."""
    return text_terms(text, QUESTION_WORDS)


_MD_INLINE = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|\\(?=[*_#])")
_WIKI = re.compile(r"\[\[(?:[^\]|]*\|\s*)?([^\]]*)\]\]")


def display(quote: str) -> str:
    """Answer text for a quote: markup and bullets removed, list items joined with "; "."""
    parts = []
    for line in quote.splitlines():
        m = _PREFIX.match(line)
        body = line[m.end() :] if m else line
        body = _WIKI.sub(r"\1", body)
        body = _MD_INLINE.sub("", body).strip()
        if body:
            parts.append(body)
    out = ""
    for i, part in enumerate(parts):
        if not out:
            out = part
        elif i == 1 and not re.search(r"[.!?:;]$", out):
            out = f"{out}: {part}"  # a heading introducing a list
        elif re.search(r"[.!?:;]$", out):
            out = f"{out} {part}"
        else:
            out = f"{out}; {part}"
    out = re.sub(r"\s+([.,;:!?])", r"\1", out)  # "transformative ." left by removed anchors
    out = re.sub(r"\s{2,}", " ", out).strip().rstrip(":;,")
    if out and not re.search(r"[.!?]['\"”’)]*$", out):
        out += "."
    return out


def display_list(quote: str, marker: str = "") -> str:
    """A list quote as Markdown: its intro line, then "- item" lines; ``marker`` ends the intro."""
    lines = []
    for line in quote.splitlines():
        m = _PREFIX.match(line)
        body = _MD_INLINE.sub("", _WIKI.sub(r"\1", line[m.end() :] if m else line)).strip()
        if body:
            lines.append(body)
    if not lines:
        return ""
    intro, items = lines[0], lines[1:]
    if not items:
        return display(quote) + marker
    head = intro if re.search(r"[.!?:]$", intro) else intro + ":"
    return "\n".join([head + marker, *(f"- {i}" for i in items)])
