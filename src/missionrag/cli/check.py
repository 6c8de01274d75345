"""``check`` and ``check-doc``: score a mission statement, or every goal in a document."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from missionrag.cli.app import _batch, _color, _inputs, _kb, collection_option


@click.command()
@collection_option
@click.argument("statement", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 1),
    default=None,
    help="Exit 1 if any overall score is below X.",
)
def check(
    statement: str | None, file: Path | None, as_json: bool, fail_under: float | None
) -> None:
    """Score a mission statement: bold, measurable, time-bound, cross-sectoral, mission washing."""
    from missionrag.check.render import render_check

    kb = _kb()
    items = _inputs(statement, file, "statement")
    scores: list[float] = []

    def run(s: str) -> Any:
        r = kb.check(s)
        scores.append(r.overall)
        return r

    color = _color()
    code = _batch(items, run, as_json, "statement", lambda r: render_check(r, color))
    if fail_under is not None and any(s < fail_under for s in scores):
        code = code or 1
    sys.exit(code)


@click.command("check-doc")
@collection_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--top", type=click.IntRange(1, 500), default=None, help="Check only the N best candidates."
)
def check_doc(file: Path, as_json: bool, top: int | None) -> None:
    """Find the sentences of a strategy document that state a goal, best first, and check each."""
    from missionrag.check.render import render_check

    doc = _kb().check_document(file, top)
    if not doc.checks:
        click.echo(f"no sentence stating a goal found in {doc.source}", err=True)
        return
    color = _color()
    for c, result in ((x.candidate, x.result) for x in doc.checks):
        if as_json:
            found = {"source": doc.source, "locator": c.locator, "start": c.start, "end": c.end}
            click.echo(
                json.dumps(
                    {**found, "candidate_score": c.score, **result.model_dump(mode="json")},
                    ensure_ascii=False,
                )
            )
        else:
            where = f", {c.locator}" if c.locator else ""
            click.echo(f"── {doc.source}{where} (goal score {c.score:.2f})")
            click.echo(render_check(result, color))
            click.echo()
