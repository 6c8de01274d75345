"""Hostile text: inputs that made the loader or the chunker quadratic, and the rewrite's
equivalence with the patterns it replaced.

Python's ``re`` holds the GIL while it backtracks, so a quadratic pattern on one uploaded file
froze the whole server (a 150 KB run of spaces: 71 s). The time bounds below are generous:
each case takes well under a second now and took minutes to hours before (bench/hostile.py
measures the growth ratio: ~4x time for 4x input, 16x for the old code).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missionrag.config import Settings
from missionrag.ingest import chunk_with_tokens, load_file
from missionrag.ingest import markdown as md
from missionrag.text import END

ANCHOR = '<a class="yt-timestamp" data-t="00:00:01">'
KB200 = 200_000
# name -> file text; each took minutes or more with the old patterns at this size.
HOSTILE: dict[str, str] = {
    "spaces-line.md": "# T\n\nx\n" + " " * 1_000_000 + "\nend.\n",
    "spaces-inline.md": "# T\n\nx" + " " * 1_000_000 + "y end.\n",
    "spaces-in-heading.md": "# T" + " " * KB200 + "x\n\nbody text here.\n",
    "dots.md": "# T\n\n" + "." * KB200 + "x\n",
    "open-wiki-links.md": "# T\n\n" + "[[" * (KB200 // 2) + "\n",
    "spaces-in-wiki-link.md": "# T\n\n[[a" + " " * KB200 + "b\n",
    "open-anchors.md": "# T\n\n" + ANCHOR * (KB200 // len(ANCHOR)) + "\n",
    "front-matter-newlines.md": "---" + "\n" * KB200,
    "many-headings.md": "".join(f"# h{i}\n\ntext {i}.\n" for i in range(8000)),
    "spaces-before-br.md": "# T\n\nx" + "\t" * KB200 + "<b\n",
    "spaces-line.txt": "Title\n\nx\n" + " " * 1_000_000 + "\nend.\n",
}
# Far above the time taken now (< 1 s each on 2 shared cores), far below the old code's.
BOUND_S = 10.0


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_pathological_text_loads_and_chunks_in_linear_time(
    settings: Settings, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(HOSTILE[name], encoding="utf-8")
    t0 = time.perf_counter()
    try:
        doc = load_file(path, settings)
        chunk_with_tokens(doc, settings)
    except Exception as exc:  # a clear refusal is fine too; hanging is not
        assert "\n" not in str(exc)
    took = time.perf_counter() - t0
    assert took < BOUND_S, f"{name}: {took:.1f} s"


def test_the_megabyte_of_spaces_keeps_its_text(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "ws.md"
    path.write_text(HOSTILE["spaces-line.md"], encoding="utf-8")
    doc = load_file(path, settings)
    assert doc.title == "T" and doc.text.split() == ["T", "x", "end."]


# The patterns the scanner and the heading parser replaced: correct but quadratic, so on short
# inputs they are the reference the new code must agree with.
OLD_MARKUP = re.compile(
    r"(?P<anchor>\s*<a\s+class=\"yt-timestamp\"\s+data-t=\"(?P<t>\d{1,2}:\d{2}:\d{2})\"\s*>.*?</a>)"
    r"|(?P<wiki>\[\[(?P<target>[^\]|]*?)(?:\s*\|\s*(?P<label>[^\]]*?))?\]\])"
    r"|(?P<br>\s*<br\s*/?>)"
    r"|(?P<bold>\*\*|__)",
)
OLD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
OLD_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+|\n[ \t]*\n\s*")


def old_strip_markup(body: str) -> tuple[str, list[tuple[int, str]]]:
    out: list[str] = []
    anchors: list[tuple[int, str]] = []
    length = pos = 0
    for m in OLD_MARKUP.finditer(body):
        out.append(body[pos : m.start()])
        length += m.start() - pos
        pos = m.end()
        if m.group("anchor"):
            anchors.append((length, m.group("t")))
        elif m.group("wiki"):
            label = (m.group("label") or m.group("target") or "").strip()
            out.append(label)
            length += len(label)
    out.append(body[pos:])
    return "".join(out), anchors


PIECES = [
    "[[", "]]", "]", "|", " ", "\n", "\t", "\u00a0", "**", "__", "<br>", "<br />", "a", "b",
    "#", "## ", "- ", "* ", "</a>", ANCHOR, '<a class="yt-timestamp"\n data-t="1:01:02" >',
    "\n\n\n", "x: y\n", ".", "!", '"', ")",
]  # fmt: skip
markdownish = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(markdownish)
def test_scanner_agrees_with_the_old_pattern(text: str) -> None:
    assert md._strip_markup(text) == old_strip_markup(text)
    for line in text.split("\n"):
        line = line.rstrip()
        old, new = OLD_HEADING.match(line), md._heading(line)
        assert (old is None) == (new is None), line
        if old is not None and new is not None:
            assert (len(old.group(1)), old.group(2).strip()) == new[:2]
    assert [m.span() for m in OLD_END.finditer(text)] == [m.span() for m in END.finditer(text)]


def test_front_matter_still_read() -> None:
    raw = "---\ntitle: A talk\nvideoId: abc\n---\n\n\nBody text.\n"
    meta, body = md.parse_front_matter(raw)
    assert meta == {"title": "A talk", "videoId": "abc"} and body == "Body text.\n"
    assert md.parse_front_matter("---\nno closing line\n") == ({}, "---\nno closing line\n")
