"""``missionrag eval check``: the checker against hand-labelled statements (docs/rubric.md).

The report is built by check_report.py: on evals/check/labels_dev.jsonl, the training data, every number it reports is
cross-validated; on any other labels file (``--labels``) the shipped model judges each
statement once. It needs a source checkout (``evals/`` beside ``src/``) and scikit-learn.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import InputError
from missionrag_evals import EVALS, REPO

if TYPE_CHECKING:
    from missionrag.config import Settings

EVAL_TODAY = dt.date(2026, 11, 23)  # undated cases of the older set are judged as of this day
ORDER = ("time_bound", "measurable", "bold", "cross_sectoral")
CRITERIA = ("bold", "measurable", "time_bound", "cross_sectoral")
DEV_LABELS = EVALS / "check" / "labels_dev.jsonl"


def _load(cases: Path) -> list[dict[str, Any]]:
    """Labelled rows (text, the four criteria as Y/N, washed); an ``InputError`` says what is wrong."""
    try:
        lines = cases.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read eval cases {cases}: {exc.strerror}") from exc
    rows = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{cases}:{i} is not JSON: {exc.msg}") from exc
        missing = [k for k in ("text", *CRITERIA, "washed") if k not in row]
        if missing:
            raise InputError(f"{cases}:{i} lacks {', '.join(missing)}")
        rows.append(row)
    return rows


def run_check_eval(
    cases: Path = DEV_LABELS,
    report: Path | None = None,
    settings: Settings | None = None,
) -> tuple[str, dict[str, Any]]:
    """Run the check eval on ``cases``; write the report; return (summary, metrics)."""
    path = cases if cases.is_absolute() else REPO / cases
    _load(path)  # a malformed file fails here, with its line number, before any model work
    try:
        from missionrag_evals import check_report
    except ImportError as exc:
        raise InputError(
            f"the check eval needs {exc.name}: install the dev extras (`pip install -e '.[dev]'`)"
        ) from exc
    summary, result = check_report.run_report(path, report, settings)
    return str(summary), dict(result)
