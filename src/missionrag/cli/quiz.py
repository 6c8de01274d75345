"""``quiz``: items proved by the corpus, exported in the format asked for."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from missionrag.cli.app import _kb, collection_option
from missionrag.errors import InputError


@click.command()
@collection_option
@click.option("--n", "n", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--topic", default=None, help="Draw questions from passages near this topic.")
@click.option("--types", default=None, help="Comma-separated: mcq,true_false,cloze (default: all).")
@click.option("--seed", type=int, default=None, help="Same seed + same corpus = same quiz.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "gift", "aiken", "anki", "qti", "md"]),
    default="json",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (default: stdout).",
)
def quiz(
    n: int, topic: str | None, types: str | None, seed: int | None, fmt: str, out: Path | None
) -> None:
    """Quiz items proved by the corpus, exported for Moodle, Anki, QTI tools or Markdown."""
    from missionrag.quiz.export import export_quiz, export_summary, left_out

    kb = _kb()
    type_list = [t.strip() for t in types.split(",") if t.strip()] if types else None
    items = kb.quiz(n=n, topic=topic, types=type_list, seed=seed)
    data = export_quiz(items, fmt)
    if out is not None:
        out.write_bytes(data)
        # Written vs left out (Aiken has no fill-in items), never a count of what was asked for.
        click.echo(export_summary(items, fmt, str(out)), err=True)
    elif fmt == "qti":
        raise InputError("QTI is a zip file; give --out quiz.zip")
    else:
        sys.stdout.buffer.write(data)
        if not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        if left_out(items, fmt):
            click.echo(export_summary(items, fmt, "standard output"), err=True)
