"""The rubric the checker follows (docs/rubric.md, shipped as ``data/rubric.md``), as HTML.

A small Markdown subset is enough: headings, paragraphs, bullet and numbered lists, bold,
italic and code. Text is escaped before any markup is added.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

RUBRIC_FILE = Path(__file__).resolve().parents[1] / "data" / "rubric.md"
_INLINE = (
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])"), r"<em>\1</em>"),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
)


def rubric_markdown() -> str:
    return RUBRIC_FILE.read_text(encoding="utf-8")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for rx, repl in _INLINE:
        out = rx.sub(repl, out)
    return out


def _blocks(md: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    cur: list[str] = []
    for line in md.splitlines():
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur = []
        elif cur and line.startswith(("- ", "1. ", "#")) and not cur[-1].startswith(("- ", "  ")):
            blocks.append(cur)
            cur = [line]
        else:
            cur.append(line)
    if cur:
        blocks.append(cur)
    return blocks


def _items(block: list[str], marker: re.Pattern[str]) -> list[str]:
    items: list[str] = []
    for line in block:
        m = marker.match(line)
        if m:
            items.append(line[m.end() :])
        elif items:
            items[-1] += " " + line.strip()
    return items


def rubric_html() -> str:
    """The rubric as a standalone HTML page."""
    bullet, number = re.compile(r"^\s*-\s+"), re.compile(r"^\s*\d+\.\s+")
    body: list[str] = []
    for block in _blocks(rubric_markdown()):
        first = block[0]
        if m := re.match(r"^(#{1,6})\s+(.*)", first):
            level = len(m.group(1))
            body.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
        elif first.strip() == "---":
            body.append("<hr>")
        elif bullet.match(first):
            body.append(
                "<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in _items(block, bullet)) + "</ul>"
            )
        elif number.match(first):
            body.append(
                "<ol>" + "".join(f"<li>{_inline(i)}</li>" for i in _items(block, number)) + "</ol>"
            )
        else:
            body.append(f"<p>{_inline(' '.join(x.strip() for x in block))}</p>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Mission statement rubric</title>"
        '<link rel="stylesheet" href="/static/app.css"></head>'
        '<body class="rubric-page"><main>' + "\n".join(body) + "</main></body></html>"
    )
