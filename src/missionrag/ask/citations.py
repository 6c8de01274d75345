"""Citations of extractive answers: the finest locator at a sentence, and the answer text
with a [n] after each sentence pointing at its citation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from missionrag.ask.text import display, display_list
from missionrag.models import Citation, Hit

if TYPE_CHECKING:
    from missionrag.ask.extractive import Candidate


def locate(hit: Hit, offset: int) -> tuple[str | None, str | None]:
    """The most precise locator at ``offset`` (relative to the chunk) and its link.

    ``Hit.marks`` are the finer marks inside the chunk (transcript timestamps, later pages);
    the one in force at the sentence start wins, else the chunk's own locator.
    """
    found = None
    for m in sorted(hit.marks, key=lambda m: m.start):
        if m.start <= offset and m.locator:
            found = m
        elif m.start > offset:
            break
    if found is not None:
        return found.locator, found.url or hit.url
    return hit.locator, hit.url


def cite(c: Candidate) -> Citation:
    locator, url = locate(c.hit, c.unit.start)
    return Citation(
        source=c.hit.source,
        title=c.hit.title,
        locator=locator,
        url=url,
        quote=c.quote,
        score=round(max(0.0, min(1.0, c.score)), 4),
    )


def compose(chosen: list[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after each sentence, and the citations it numbers."""
    parts: list[str] = []
    citations: list[Citation] = []
    for c in chosen:
        citations.append(cite(c))
        n = len(citations)
        if c.unit.kind == "list":
            # A list in the source stays a list: its intro, then one item per line.
            parts.append("\n" + display_list(c.quote, f" [{n}]") + "\n")
        else:
            text = display(c.quote)
            parts.append(f"{text[:1].upper()}{text[1:]} [{n}]")
    return re.sub(r" ?\n ?", "\n", " ".join(parts)).strip(), citations
