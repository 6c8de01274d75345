"""Commands for conversations (``chat``) and collections (``collections list|delete``).

Registered on ``cli.main`` when ``cli`` imports this module; thin like the rest of the CLI.
"""

from __future__ import annotations

import json
import sys

import click

from missionrag.cli import _color, _kb, _settings, collection_option, main
from missionrag.errors import InputError


@main.command()
@collection_option
@click.option("--top-k", type=click.IntRange(1, 50), default=None)
@click.option(
    "--continue", "go_on", is_flag=True, help="Go on from the last `ask` instead of starting anew."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON answer per line.")
def chat(top_k: int | None, go_on: bool, as_json: bool) -> None:
    """Questions one per line on standard input, as one conversation.

    A follow-up ("who runs it?") is read with the questions before it; the answer says which
    one (`read as: ...`). Example: printf 'What is the Mission Playbook?\\nwho made it?\\n' |
    missionrag chat
    """
    from missionrag.ask import render_answer
    from missionrag.ask.followup import load_history, save_history, turn_of

    kb = _kb()
    history = load_history(kb.settings) if go_on else []
    color = _color()
    code = 0
    for line in sys.stdin:
        q = line.strip()
        if not q:
            continue
        try:
            answer = kb.ask(q, top_k, history=history or None)
        except InputError as exc:
            code = max(code, exc.exit_code)
            out = {"question": q, "error": str(exc)}
            click.echo(json.dumps(out, ensure_ascii=False) if as_json else f"error: {exc}")
            continue
        history.append(turn_of(q, answer))
        save_history(kb.settings, history)
        if as_json:
            click.echo(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False))
        else:
            click.echo(f"> {q}\n{render_answer(answer, color)}\n")
    sys.exit(code)


@main.group()
def collections() -> None:
    """List or delete collections (separate knowledge bases in one store).

    \b
    Every command takes --collection NAME (default MISSIONRAG_COLLECTION):
      missionrag ingest --collection team-a reports/
      missionrag ask --collection team-a "What did we decide on funding?"
      missionrag collections list
      missionrag collections delete team-a --yes
    """


@collections.command("list")
@click.option("--json", "as_json", is_flag=True)
def collections_list(as_json: bool) -> None:
    """Every collection in the store, with its documents and chunks."""
    from missionrag.collections import list_collections

    settings = _settings()
    found = list_collections(settings)
    if as_json:
        for c in found:
            click.echo(c.model_dump_json())
        return
    if not found:
        click.echo("no collections yet; `missionrag ingest --collection NAME PATH` makes one")
    for c in found:
        mark = "*" if c.name == settings.collection else " "
        click.echo(f"{mark} {c.name:<24} {c.documents:4d} documents {c.chunks:6d} chunks")


@collections.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def collections_delete(name: str, yes: bool) -> None:
    """Delete collection NAME: its documents, index, uploads and history; nothing else."""
    from missionrag.collections import check_name, delete_collection

    check_name(name)
    if not yes and not click.confirm(f"delete the collection {name!r} and all its documents?"):
        raise click.Abort()
    info = delete_collection(_kb().for_collection(name))
    click.echo(f"deleted collection {info.name} ({info.documents} documents, {info.chunks} chunks)")
