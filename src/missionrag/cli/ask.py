"""``search`` and ``ask``: passages, and short answers with verbatim citations."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from missionrag.cli.app import _batch, _color, _inputs, _kb, collection_option


def _render_hits(query: str, hits: Iterable[Any]) -> str:
    lines = [f"search: {query}"]
    for i, h in enumerate(hits, 1):
        where = ", ".join(x for x in (h.locator, h.url) if x)
        lines.append(f"[{i}] {h.score:.2f}  {h.source}" + (f"  ({where})" if where else ""))
        snippet = " ".join(h.text.split())
        lines.append("    " + (snippet[:300] + ("…" if len(snippet) > 300 else "")))
    if len(lines) == 1:
        lines.append("no matches")
    return "\n".join(lines)


@click.command()
@collection_option
@click.argument("query", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--top-k", type=click.IntRange(1, 100), default=None)
@click.option("--mode", type=click.Choice(["hybrid", "dense", "keyword"]), default="hybrid")
@click.option("--json", "as_json", is_flag=True)
def search(
    query: str | None, file: Path | None, top_k: int | None, mode: str, as_json: bool
) -> None:
    """Passages that match QUERY (hybrid: embeddings + BM25)."""
    from missionrag.models import SearchResult

    kb = _kb()
    items = _inputs(query, file, "query")
    code = _batch(
        items,
        lambda q: SearchResult(query=q, hits=kb.search(q, top_k, mode=mode)),
        as_json,
        "query",
        lambda r: _render_hits(r.query, r.hits),
    )
    sys.exit(code)


@click.command()
@collection_option
@click.argument("question", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--top-k", type=click.IntRange(1, 50), default=None)
@click.option(
    "--follow-up",
    "follow_up",
    is_flag=True,
    help="Read the question after the previous `ask` in this collection (kept in the data dir): "
    '"and in Denmark?" becomes a standalone question.',
)
@click.option("--json", "as_json", is_flag=True)
def ask(
    question: str | None, file: Path | None, top_k: int | None, follow_up: bool, as_json: bool
) -> None:
    """A short answer with verbatim, checkable citations (or an honest "not in the corpus").

    Each ask is remembered (the last few, per collection) so the next one can be a follow-up:
    `missionrag ask "Which countries use missions?"` then
    `missionrag ask --follow-up "and which organisations?"`. With --file and --follow-up the
    lines are one conversation.
    """
    from missionrag.ask import render_answer
    from missionrag.ask.followup import load_history, save_history, turn_of

    kb = _kb()
    items = _inputs(question, file, "question")
    color = _color()
    history = load_history(kb.settings) if follow_up else []

    def run(q: str) -> Any:
        if not follow_up:
            history.clear()  # a plain ask starts a new conversation
        answer = kb.ask(q, top_k, history=history or None)
        history.append(turn_of(q, answer))
        return answer

    code = _batch(items, run, as_json, "question", lambda a: render_answer(a, color))
    if history:
        save_history(kb.settings, history)
    sys.exit(code)
