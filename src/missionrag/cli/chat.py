"""``chat``: questions one per line on standard input, as one conversation."""

from __future__ import annotations

import json
import sys

import click

from missionrag.cli.app import _color, _kb, collection_option
from missionrag.errors import InputError


@click.command()
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
