"""Human output for ``missionrag ask``: the answer with [n] markers, then the numbered sources."""

from __future__ import annotations

import textwrap

from missionrag.models import Answer


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render_answer(answer: Answer, color: bool = False) -> str:
    """The answer, then each source with its locator, link and verbatim quote."""
    lines = []
    if answer.context_from and answer.standalone_query:
        # A follow-up: say how it was read, so a wrong reading is seen before the answer.
        lines += [
            _style(f"read as: {answer.standalone_query}", "2", color),
            _style(f"(a follow-up to: {answer.context_from})", "2", color),
            "",
        ]
    lines.append(textwrap.fill(answer.answer, width=100))
    if answer.citations:
        lines += ["", _style("Sources", "1", color)]
        for i, c in enumerate(answer.citations, 1):
            where = " · ".join(p for p in (c.title, c.locator) if p)
            lines.append(f"[{i}] {_style(c.source, '36', color)}  {where}")
            if c.url:
                lines.append(f"    {_style(c.url, '4', color)}")
            quote = textwrap.fill(
                f"“{c.quote}”", width=96, initial_indent="    ", subsequent_indent="    "
            )
            lines.append(_style(quote, "2", color))
    if answer.abstained and answer.closest:
        lines += ["", _style("Closest material", "1", color)]
        for h in answer.closest:
            where = " · ".join(p for p in (h.title, h.locator) if p)
            lines.append(f"- {_style(h.source, '36', color)}  {where}")
            if h.url:
                lines.append(f"  {_style(h.url, '4', color)}")
            snippet = " ".join(h.text.split())
            snippet = snippet if len(snippet) <= 240 else snippet[:237].rstrip() + "..."
            lines.append(
                textwrap.fill(snippet, width=96, initial_indent="  ", subsequent_indent="  ")
            )
    if answer.notes:
        lines += [""] + [_style(f"note: {n}", "33", color) for n in answer.notes]
    lines += ["", _style(f"mode: {answer.mode}", "2", color)]
    return "\n".join(lines)
