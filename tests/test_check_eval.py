"""The check eval: metrics arithmetic on a small fixture, the real eval's done-when targets,
and the default check path staying free of heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from missionrag.check.evaluate import STRONG_MAX, TARGETS, WASHED_MIN, run_check_eval
from missionrag.errors import InputError


def _case(text: str, labels: str, washed: bool, **kw: str) -> str:
    b, m, t, c = labels
    row = {
        "text": text,
        "bold": b,
        "measurable": m,
        "time_bound": t,
        "cross_sectoral": c,
        "washed": washed,
        **kw,
    }
    return json.dumps(row)


def test_metrics_and_report_on_a_small_fixture(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            [
                _case("Halve road deaths by 2030.", "YYYY", False),
                _case("Promote sustainable mobility.", "NNNY", True),
                # Deliberately mislabelled time_bound: the eval must count it as a false negative.
                _case("Eradicate child poverty by 2020.", "YYYY", False, as_of="2026-11-23"),
                _case(
                    "Eradicate child poverty by 2020.",
                    "YYYY",
                    False,
                    as_of="1999-06-01",
                    origin="old",
                ),
            ]
        ),
        encoding="utf-8",
    )
    report = tmp_path / "reports" / "check.md"
    summary, m = run_check_eval(cases, report)
    tb = m["criteria"]["time_bound"]
    assert tb["confusion"] == {"tp": 2, "fp": 0, "fn": 1, "tn": 1}
    assert (
        tb["accuracy"] == 0.75 and tb["precision"] == 1.0 and tb["recall"] == pytest.approx(0.667)
    )
    assert m["washing"]["flag_rate_on_washed"] == 1.0
    assert m["washing"]["flag_rate_on_strong"] == 0.0
    assert "time_bound" in summary and str(report) in summary
    md = report.read_text(encoding="utf-8")
    assert "| Eradicate child poverty by 2020. | time_bound | Y | N" in md
    assert "**washing**" in md


def test_malformed_cases_are_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "bold": "Y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="lacks"):
        run_check_eval(bad, tmp_path / "r.md")


def test_the_shipped_eval_meets_the_done_when_targets(tmp_path: Path) -> None:
    rows = [
        json.loads(line)
        for line in (REPO / "evals/missions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(rows) >= 100
    assert sum(r["origin"] == "dev" for r in rows) == 30
    _, m = run_check_eval(REPO / "evals/missions.jsonl", tmp_path / "check.md")
    for name, target in TARGETS.items():
        assert m["criteria"][name]["accuracy"] >= target, name
    assert m["washing"]["flag_rate_on_washed"] >= WASHED_MIN
    assert m["washing"]["flag_rate_on_strong"] <= STRONG_MAX


def test_default_check_path_loads_no_model_store_or_llama_index() -> None:
    code = (
        "import sys; from missionrag.check import check_statement; "
        "from missionrag.check.render import render_check; "
        "r = check_statement('Halve road deaths by 2030, with cities and carmakers.'); render_check(r); "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'llama_index', 'onnxruntime') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
