"""``eval``: dispatches to the eval runner, not to ``KnowledgeBase``.

The runner (evals/missionrag_evals) ships with the source repository, not the wheel, and
drives the product through the public ``KnowledgeBase`` API itself (CONTRIBUTING.md, "Evals"),
so this command only finds it and hands over the options.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from missionrag.cli.app import _fail
from missionrag.errors import InputError, MissionRagError


# The one command that does not go through KnowledgeBase: it runs the runner, which does.
@click.command("eval")
@click.argument(
    "what",
    type=click.Choice(["retrieval", "ask", "check", "quiz", "followups", "language", "all"]),
    default="all",
)
@click.option(
    "--split",
    type=click.Choice(["dev", "test", "all"]),
    default="all",
    help="dev: questions settings were chosen on; test: the ones kept untouched.",
)
@click.option(
    "--kb",
    "kb_name",
    type=click.Choice(["seed", "big", "both"]),
    default="both",
    help="seed: corpus/ only; big: corpus/ + evals/corpus_b (about 100 real documents).",
)
@click.option(
    "--labels",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="check: score this labels file (default evals/check/labels_dev.jsonl, cross-validated).",
)
@click.option(
    "--llm",
    "with_llm",
    is_flag=True,
    help="ask and check: also run through MISSIONRAG_LLM_URL (reports *_llm.md beside the offline ones).",
)
@click.option(
    "--every", type=click.IntRange(1), default=1, help="With --llm: only every N-th case."
)
def eval_(
    what: str, split: str, kb_name: str, labels: Path | None, with_llm: bool, every: int
) -> None:
    """Run the labelled evals in evals/ and write reports to evals/reports/.

    The eval runner lives beside the product (evals/missionrag_evals) and ships with the
    source repository, not the package: run this from a checkout.
    """
    try:
        runner = evals_runner()
        if with_llm:
            names = ["ask", "check"] if what == "all" else [what]
            click.echo(runner.run_llm(names, every))
        else:
            click.echo(runner.run(what, split, kb_name, labels))
    except MissionRagError as exc:
        _fail(exc)


def evals_runner() -> Any:
    """The eval runner (evals/missionrag_evals), which ships with the repository, not the wheel."""
    from missionrag.config import REPO_ROOT

    evals = REPO_ROOT / "evals"
    if not (evals / "missionrag_evals").is_dir():
        raise InputError("the evals ship with the source repository; run this from a checkout")
    if str(evals) not in sys.path:
        sys.path.insert(0, str(evals))
    import missionrag_evals.__main__ as runner

    return runner
