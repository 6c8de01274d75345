"""``missionrag eval check``: the checker against ``evals/missions.jsonl``.

Each case carries Y/N labels for the four criteria and ``washed`` (true/false). Labels follow the
definitions of issue #3; ``washed`` is true when the statement presents business as usual as a
mission: an existing policy or target relabelled (visible in the text), a direction with no
target (directional verb, unsized change or intensifier), a topic instead of an outcome, or
outputs/inputs (labs, staff, spending) as the goal. Cases are judged as of ``as_of`` when given
(real missions: the end of the year they were issued) and as of ``EVAL_TODAY`` otherwise, so
the numbers do not drift as the calendar moves past their deadlines. Cases with
``"split": "holdout"`` were written and labelled after the rules were frozen and first scored
blind; the report shows them separately.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.check.core import CRITERIA, check_statement
from missionrag.errors import InputError

if TYPE_CHECKING:
    from missionrag.config import Settings

EVAL_TODAY = dt.date(2026, 11, 23)
TARGETS = {"time_bound": 0.97, "measurable": 0.90, "bold": 0.80, "cross_sectoral": 0.80}
WASHED_MIN, STRONG_MAX = 0.90, 0.10
ORDER = ("time_bound", "measurable", "bold", "cross_sectoral")


def _load(cases: Path) -> list[dict[str, Any]]:
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


def _binary(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    tp = sum(e and g for e, g in pairs)
    fp = sum(g and not e for e, g in pairs)
    fn = sum(e and not g for e, g in pairs)
    tn = sum(not e and not g for e, g in pairs)
    n = len(pairs) or 1
    return {
        "n": len(pairs),
        "accuracy": round((tp + tn) / n, 3),
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def _metrics(rows: list[dict[str, Any]], results: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"cases": len(rows), "criteria": {}}
    for name in ORDER:
        out["criteria"][name] = _binary(
            [
                (r[name] == "Y", res.criteria[name].passed)
                for r, res in zip(rows, results, strict=True)
            ]
        )
    washed = [
        res.mission_washing.flagged for r, res in zip(rows, results, strict=True) if r["washed"]
    ]
    strong = [
        res.mission_washing.flagged
        for r, res in zip(rows, results, strict=True)
        if all(r[c] == "Y" for c in CRITERIA)
    ]
    other = [
        res.mission_washing.flagged for r, res in zip(rows, results, strict=True) if not r["washed"]
    ]
    out["washing"] = {
        "washed_cases": len(washed),
        "flag_rate_on_washed": _rate(washed),
        "strong_cases": len(strong),
        "flag_rate_on_strong": _rate(strong),
        "flag_rate_on_not_washed": _rate(other),
        **{
            k: v
            for k, v in _binary(
                [
                    (r["washed"], res.mission_washing.flagged)
                    for r, res in zip(rows, results, strict=True)
                ]
            ).items()
            if k != "n"
        },
    }
    return out


def run_check_eval(
    cases: Path = Path("evals/missions.jsonl"),
    report: Path = Path("evals/reports/check.md"),
    settings: Settings | None = None,
) -> tuple[str, dict]:
    """Check every case, write the markdown report, return (printable summary, metrics)."""
    rows = _load(cases)
    t0 = time.perf_counter()
    results = []
    for r in rows:
        today = dt.date.fromisoformat(r["as_of"]) if r.get("as_of") else EVAL_TODAY
        results.append(check_statement(r["text"], settings, today=today))
    seconds = time.perf_counter() - t0
    metrics = _metrics(rows, results)
    metrics["ms_per_statement"] = round(1000 * seconds / max(1, len(rows)), 2)
    metrics["mode"] = sorted({res.mode for res in results})
    splits = sorted({r.get("origin", "") for r in rows} | {r.get("split", "") for r in rows} - {""})
    metrics["by_origin"] = {}
    for s in splits:
        idx = [i for i, r in enumerate(rows) if s in (r.get("origin"), r.get("split"))]
        metrics["by_origin"][s] = _metrics([rows[i] for i in idx], [results[i] for i in idx])
    metrics["passed_targets"] = {
        **{k: metrics["criteria"][k]["accuracy"] >= v for k, v in TARGETS.items()},
        "washing_on_washed": (metrics["washing"]["flag_rate_on_washed"] or 0) >= WASHED_MIN,
        "washing_on_strong": (metrics["washing"]["flag_rate_on_strong"] or 0) <= STRONG_MAX,
    }
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(_markdown(cases, rows, results, metrics), encoding="utf-8")
    return _summary(metrics, report), metrics


def _summary(m: dict[str, Any], report: Path) -> str:
    lines = [
        f"Mission checker on {m['cases']} cases ({', '.join(m['mode'])}, {m['ms_per_statement']} ms/statement)"
    ]
    lines.append(
        f"  {'criterion':<16}{'accuracy':>9}{'precision':>10}{'recall':>8}   tp  fp  fn  tn   target"
    )
    for name in ORDER:
        c = m["criteria"][name]
        cm = c["confusion"]
        ok = "ok" if m["passed_targets"][name] else "MISSED"
        lines.append(
            f"  {name:<16}{c['accuracy']:>9.3f}{_f(c['precision']):>10}{_f(c['recall']):>8}"
            f"  {cm['tp']:>3} {cm['fp']:>3} {cm['fn']:>3} {cm['tn']:>3}   >= {TARGETS[name]:.2f} {ok}"
        )
    w = m["washing"]
    lines.append(
        f"  washing flagged on {_f(w['flag_rate_on_washed'])} of {w['washed_cases']} washed (>= {WASHED_MIN}), "
        f"on {_f(w['flag_rate_on_strong'])} of {w['strong_cases']} strong-on-all-four (<= {STRONG_MAX}), "
        f"on {_f(w['flag_rate_on_not_washed'])} of all not washed"
    )
    lines.append(f"  report: {report}")
    return "\n".join(lines)


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _markdown(
    cases: Path, rows: list[dict[str, Any]], results: list[Any], m: dict[str, Any]
) -> str:
    out = [
        "# Mission checker evaluation",
        "",
        f"Cases: `{cases}` ({m['cases']}; by origin: "
        + ", ".join(f"{k} {v['cases']}" for k, v in m["by_origin"].items())
        + ("; holdout cases are also counted under written" if "holdout" in m["by_origin"] else "")
        + f"). Mode: {', '.join(m['mode'])}. Speed: {m['ms_per_statement']} ms per statement (this run).",
        "",
        "| criterion | accuracy | precision | recall | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ORDER:
        c = m["criteria"][name]
        out.append(
            f"| {name} | {c['accuracy']:.3f} | {_f(c['precision'])} | {_f(c['recall'])} | >= {TARGETS[name]:.2f} |"
        )
    w = m["washing"]
    out += [
        "",
        "## Mission washing",
        "",
        f"- flagged on {_f(w['flag_rate_on_washed'])} of {w['washed_cases']} statements labelled washed (target >= {WASHED_MIN})",
        f"- flagged on {_f(w['flag_rate_on_strong'])} of {w['strong_cases']} statements labelled Y on all four criteria (target <= {STRONG_MAX})",
        f"- flagged on {_f(w['flag_rate_on_not_washed'])} of all statements labelled not washed (weak but honest drafts are often flagged too)",
        "",
        "## Confusion matrices (rows: label, columns: checker)",
        "",
    ]
    for name in (*ORDER, "washing"):
        cm = (m["criteria"][name] if name != "washing" else m["washing"])["confusion"]
        out += [
            f"**{name}**",
            "",
            "| | passed | failed |",
            "| --- | --- | --- |",
            f"| label Y | {cm['tp']} | {cm['fn']} |",
            f"| label N | {cm['fp']} | {cm['tn']} |",
            "",
        ]
    if len(m["by_origin"]) > 1:
        out += [
            "## By origin",
            "",
            "| origin | cases | " + " | ".join(ORDER) + " | washed flagged | strong flagged |",
            "| --- | --- | " + " | ".join("---" for _ in ORDER) + " | --- | --- |",
        ]
        for k, v in m["by_origin"].items():
            accs = " | ".join(f"{v['criteria'][n]['accuracy']:.3f}" for n in ORDER)
            out.append(
                f"| {k} | {v['cases']} | {accs} | {_f(v['washing']['flag_rate_on_washed'])} | {_f(v['washing']['flag_rate_on_strong'])} |"
            )
        out.append("")
    out += [
        "## Disagreements",
        "",
        "| case | criterion | label | checker (score) | evidence |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r, res in zip(rows, results, strict=True):
        text = r["text"].replace("|", "/")
        short = text if len(text) <= 90 else text[:87] + "..."
        for name in ORDER:
            c = res.criteria[name]
            if (r[name] == "Y") != c.passed:
                ev = "; ".join(c.evidence[:3]).replace("|", "/")
                out.append(
                    f"| {short} | {name} | {r[name]} | {'Y' if c.passed else 'N'} ({c.score:.2f}) | {ev} |"
                )
        if r["washed"] != res.mission_washing.flagged:
            sig = "; ".join(res.mission_washing.signals[:2]).replace("|", "/")
            out.append(
                f"| {short} | washed | {'Y' if r['washed'] else 'N'} | {'Y' if res.mission_washing.flagged else 'N'} ({res.mission_washing.risk:.2f}) | {sig} |"
            )
    return "\n".join(out) + "\n"
