"""Plain text, Markdown and transcript-summary loader.

Markdown headings become sections; YAML-ish front matter (title, videoId, url, date) is read
and not indexed; ``<a class="yt-timestamp" data-t="HH:MM:SS">`` anchors are removed from the
text and turned into marks, so every passage keeps the timestamp it came from and a link to
the video at that second. Wiki links ``[[target | label]]`` keep their label.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from missionrag.models import Document, Mark

# Every pattern here runs on untrusted files and must stay linear in the input: Python's re
# holds the GIL while it backtracks, so one quadratic pattern on a 150 KB run of spaces froze
# the whole server for a minute (tests/test_ingest_hostile.py times a 1 MB run). Rules kept:
# no unbounded repeat in front of something that may fail to follow it (the old "\s*<a..."),
# and no lazy scan re-run from every start position; the scanner below finds closing
# delimiters with cached str.find calls instead.
#
# Front matter: the opening and closing "---" lines take spaces or tabs only; blank lines
# after the closing one belong to the front matter (possessive, so nothing is retried).
FRONT_MATTER = re.compile(r"\A\ufeff?---[^\S\n]*\n(.*?)\n---[^\S\n]*\n(?:[^\S\n]*\n)*+", re.S)
# Openings of the markup we drop or rewrite; each is bounded by the characters it names.
OPENING = re.compile(
    r"(?P<anchor><a\s+class=\"yt-timestamp\"\s+data-t=\"(?P<t>\d{1,2}:\d{2}:\d{2})\"\s*>)"
    r"|(?P<wiki>\[\[)"
    r"|(?P<br><br\s*/?>)"
    r"|(?P<bold>\*\*|__)",
)
HEADING_PREFIX = re.compile(r"(#{1,6})\s+")
BULLET = re.compile(r"^(\s*)(?:[*+]\s+|-\s+(?:·\s+)?)")


def parse_front_matter(raw: str) -> tuple[dict[str, str], str]:
    m = FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip().strip("'\"")
    return meta, raw[m.end() :]


def seconds(hms: str) -> int:
    parts = [int(p) for p in hms.split(":")]
    total = 0
    for p in parts:
        total = total * 60 + p
    return total


def video_url(video_id: str, hms: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}&t={seconds(hms)}s"


class _NextFind:
    """``text.find(needle, pos)`` for non-decreasing ``pos``, each search done once.

    A scan that looks for a closing delimiter from every opening would be quadratic when the
    closings are missing (a line of 20,000 "[["); remembering where the next one is keeps the
    whole scan linear.
    """

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle, self.at = text, needle, -2

    def __call__(self, pos: int) -> int:
        if self.at != -1 and self.at < pos:
            self.at = self.text.find(self.needle, pos)
        return self.at


def _strip_markup(body: str) -> tuple[str, list[tuple[int, str]]]:
    """Clean text and the timestamps found, as (offset in clean text where the anchor stood, t).

    Dropped: transcript anchors ``<a class="yt-timestamp" ...>...</a>`` (closed on the same
    line) and ``<br>`` with the white space before them, ``**``/``__``; wiki links
    ``[[target | label]]`` keep their label.
    """
    out: list[str] = []
    length = 0
    anchors: list[tuple[int, str]] = []
    pos = 0
    next_close_a, next_bracket, next_newline = (
        _NextFind(body, "</a>"),
        _NextFind(body, "]"),
        _NextFind(body, "\n"),
    )
    for m in OPENING.finditer(body):
        start = m.start()
        if start < pos:
            continue
        kind = m.lastgroup
        if kind == "anchor":
            close = next_close_a(m.end())
            newline = next_newline(m.end())
            if close == -1 or (newline != -1 and newline < close):
                continue  # not closed on its line: left as text
            end = close + len("</a>")
        elif kind == "wiki":
            bracket = next_bracket(m.end())
            if bracket == -1 or body[bracket + 1 : bracket + 2] != "]":
                continue  # no "]]" before the first "]": not a link
            end = bracket + 2
        else:
            end = m.end()
        piece = body[pos:start]
        if kind in ("anchor", "br"):
            piece = piece.rstrip()  # the white space before them goes with them
        out.append(piece)
        length += len(piece)
        pos = end
        if kind == "anchor":
            anchors.append((length, m.group("t")))
        elif kind == "wiki":
            label = _wiki_label(body[m.end() : end - 2])
            out.append(label)
            length += len(label)
    out.append(body[pos:])
    return "".join(out), anchors


def _wiki_label(inner: str) -> str:
    """``target | label`` -> label; ``target`` (or an empty label) -> target."""
    target, bar, label = inner.partition("|")
    return (label.strip() if bar else "") or target.strip()


def _heading(line: str) -> tuple[int, str, int] | None:
    """(level, text, where the text starts) of an ATX heading line (right-stripped), or None.

    Trailing "#"s and the spaces before them are dropped ("## Title ##" -> "Title"); a text
    that is only "#"s keeps its first one.
    """
    m = HEADING_PREFIX.match(line)
    if not m or m.end() == len(line):
        return None
    rest = line[m.end() :]
    body = rest.rstrip("#").rstrip() or rest[:1]
    return len(m.group(1)), body, m.end()


def _clean_lines(text: str, anchors: list[tuple[int, str]], markdown: bool):
    """Drop heading hashes and normalise bullets line by line, remapping anchor offsets.

    Only a line's prefix changes ("## " goes, "*   " becomes "- ") and its trailing spaces,
    so an offset inside a line moves by what its prefix lost and is clamped to the new line.
    """
    lines = text.split("\n")
    out_lines: list[str] = []
    headings: list[tuple[int, str]] = []
    levels: list[int] = []
    shift: list[tuple[int, int, int, int]] = []  # (old start, new start, prefix delta, new len)
    old = new = 0
    for line in lines:
        cleaned = line.rstrip()
        delta = 0
        h = _heading(cleaned) if markdown else None
        if h:
            level, cleaned, delta = h
            headings.append((new, cleaned))
            levels.append(level)
        elif markdown:
            b = BULLET.match(cleaned)
            if b:
                replacement = b.group(1) + "- "
                delta = len(b.group(0)) - len(replacement)
                cleaned = replacement + cleaned[b.end() :]
        shift.append((old, new, delta, len(cleaned)))
        out_lines.append(cleaned)
        old += len(line) + 1
        new += len(cleaned) + 1

    starts = [entry[0] for entry in shift]

    def remap(offset: int) -> int:
        # Bisection, not a scan: 8,000 headings made the scan quadratic (seconds).
        old_start, new_start, delta, new_len = shift[max(0, bisect_right(starts, offset) - 1)]
        inside = offset - old_start - delta
        return new_start + max(0, min(new_len, inside))

    new_anchors = [(remap(o), t) for o, t in anchors]
    highest = min(levels, default=0)  # once: inside the comprehension it was quadratic
    top = [h for h, lvl in zip(headings, levels, strict=True) if lvl == highest]
    return "\n".join(out_lines), headings, new_anchors, (top[0][1] if top else None)


def _plain_headings(text: str) -> list[tuple[int, str]]:
    """Heading-like lines of a plain .txt: short, no end punctuation, followed by prose."""
    heads: list[tuple[int, str]] = []
    offset = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        s = line.strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if (
            2 <= len(s) <= 70
            and s[-1] not in '.!?:;,…"”)'
            and len(s.split()) <= 9
            and len(nxt) > len(s)
            and s[0].isupper()
        ):
            heads.append((offset, s))
        offset += len(line) + 1
    return heads


def load_markdown_text(raw: str, source: str, doc_id: str, *, markdown: bool) -> Document:
    meta, body = parse_front_matter(raw) if markdown or raw.startswith("---") else ({}, raw)
    clean, anchors = _strip_markup(body) if markdown else (body, [])
    top_heading: str | None = None
    if markdown:
        clean, headings, anchors, top_heading = _clean_lines(clean, anchors, markdown=True)
    else:
        headings = _plain_headings(clean)
    # Collapse runs of blank lines: slide-deck exports carry dozens of them.
    clean, anchors, headings = _collapse_blank_lines(clean, anchors, headings)
    video_id = meta.get("videoId") or meta.get("video_id")
    title = (
        meta.get("title")
        or top_heading
        or (headings[0][1] if headings else "")
        or _first_line(clean)
        or source
    )
    url = meta.get("url") or (f"https://www.youtube.com/watch?v={video_id}" if video_id else None)

    # Marks: a section mark at every heading; for transcripts, a timestamp mark at the start of
    # every passage that ends in an anchor (the anchor follows the sentence it belongs to).
    events: list[tuple[int, str, str]] = [(o, "section", h) for o, h in headings]
    prev_end = 0
    for off, t in anchors:
        events.append((prev_end, "time", t))
        # The next passage starts after the punctuation and space that closed this one.
        prev_end = off
        while prev_end < len(clean) and clean[prev_end] in ".,;:!?)]\"'” \n\t":
            prev_end += 1
    events.sort(key=lambda e: (e[0], e[1] != "section"))
    marks: list[Mark] = []
    section: str | None = None
    locator: str | None = None
    link: str | None = None
    for off, kind, value in events:
        if kind == "section":
            section = value
            if not anchors:
                locator = f"section: {value}"
        else:
            locator = value
            link = video_url(video_id, value) if video_id else None
        if marks and marks[-1].start == off:
            marks[-1] = Mark(start=off, locator=locator, url=link, section=section)
        else:
            marks.append(Mark(start=off, locator=locator, url=link, section=section))
    kind = "transcript" if anchors else ("markdown" if markdown else "text")
    return Document(
        doc_id=doc_id,
        source=source,
        title=title,
        text=clean,
        url=url,
        kind=kind,
        marks=marks,
        date=meta.get("date"),
    )


def _collapse_blank_lines(
    text: str, anchors: list[tuple[int, str]], headings: list[tuple[int, str]]
):
    pieces: list[str] = []
    mapping: list[tuple[int, int]] = []  # (old offset, new offset) at each kept segment
    pos = new = 0
    for m in re.finditer(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*){2,}", text):
        seg = text[pos : m.start()]
        mapping.append((pos, new))
        pieces.append(seg + "\n\n")
        new += len(seg) + 2
        pos = m.end()
    mapping.append((pos, new))
    pieces.append(text[pos:])
    joined = "".join(pieces)
    out = joined.strip("\n ")
    lead = len(joined) - len(joined.lstrip("\n "))

    olds = [old for old, _ in mapping]

    def remap(o: int) -> int:
        i = bisect_right(olds, o) - 1
        bo, bn = mapping[i] if i >= 0 else (0, 0)
        return max(0, min(len(out), bn + max(0, o - bo) - lead))

    return out, [(remap(o), t) for o, t in anchors], [(remap(o), h) for o, h in headings]


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""
