"""The ``missionrag`` group and what every command shares: settings, ``--collection``, the
``KnowledgeBase``, batch input (``--file``) and output, and the one place errors become exit codes.

Errors are ``MissionRagError``s translated here once: a one-line message on stderr and the
exit code of ../shared/CONTRACT.md (2 input, 3 backend unavailable, 1 a finding asked to fail).
The command modules import from here; ``cli/__init__.py`` registers them on ``main``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from missionrag import __version__
from missionrag.config import Settings
from missionrag.errors import InputError, MissionRagError

if TYPE_CHECKING:
    from missionrag.kb import KnowledgeBase

T = TypeVar("T")


COLLECTION_KEY = "missionrag.collection"


def _settings() -> Settings:
    """Settings from the environment, with ``--collection`` (if given) over it."""
    from pydantic import ValidationError

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    ctx = click.get_current_context(silent=True)
    name = ctx.meta.get(COLLECTION_KEY) if ctx is not None else None
    try:
        return Settings(**({"collection": name} if name else {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "setting"
        where = "--collection" if name and field == "collection" else f"MISSIONRAG_{field.upper()}"
        raise InputError(f"{where}: {err['msg'].removeprefix('Value error, ')}") from None


def _remember_collection(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[COLLECTION_KEY] = value


def collection_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--collection NAME`` on a command: work in that collection (collections.py)."""
    return click.option(
        "--collection",
        metavar="NAME",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_remember_collection,
        help="Collection to work in (default: MISSIONRAG_COLLECTION, else missionrag).",
    )(f)


def _kb() -> KnowledgeBase:
    from missionrag.kb import KnowledgeBase

    return KnowledgeBase(_settings())


def _fail(exc: MissionRagError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _inputs(arg: str | None, file: Path | None, what: str) -> list[str]:
    if file is not None and arg:
        raise click.UsageError(f"give the {what} or --file, not both")
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read it as UTF-8 text ({exc})") from exc
        items = [ln.strip() for ln in lines if ln.strip()]
        if not items:
            raise InputError(f"{file}: no {what}s in it (one per line)")
        return items
    if not arg:
        raise click.UsageError(f"give a {what} or --file F")
    return [arg]


def _batch(
    items: list[str], run: Callable[[str], T], as_json: bool, key: str, human: Callable[[T], str]
) -> int:
    """Run each item; in a batch one bad line reports its error and the rest go on."""
    code = 0
    for item in items:
        try:
            result = run(item)
        except InputError as exc:
            if len(items) == 1:
                raise
            code = max(code, exc.exit_code)
            if as_json:
                click.echo(json.dumps({key: item, "error": str(exc)}, ensure_ascii=False))
            else:
                click.echo(f"error: {exc}", err=True)
            continue
        if as_json:
            click.echo(
                json.dumps(
                    result.model_dump(mode="json") if hasattr(result, "model_dump") else result,
                    ensure_ascii=False,
                )
            )  # type: ignore[union-attr]
        else:
            click.echo(human(result))
    return code


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MissionRagError as exc:
            _fail(exc)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="missionrag")
def main() -> None:
    """Knowledge base, mission-statement checker and quiz builder for mission-oriented policy.

    \b
    Examples:
      missionrag ingest corpus/ --url https://example.org/mission-report
      missionrag search "mission washing" --json
      missionrag ask "Why do missions fail?"
      missionrag check "Halve road deaths in Denmark by 2030, with cities, carmakers and citizens"
      missionrag check-doc strategy.pdf
      missionrag quiz --n 20 --format gift --out quiz.gift
      missionrag serve --port 8000

    Settings come from MISSIONRAG_* environment variables; `missionrag config` lists them.
    """
