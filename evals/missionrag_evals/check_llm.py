"""``missionrag eval check --llm``: the checker eval through the configured LLM, beside offline.

Each case of evals/missions.jsonl is checked offline and with the LLM (judge and rewrite). The
report (evals/reports/check_llm.md) gives both accuracies per criterion, how often the judge's
reply was usable, what it changed (and whether the change agreed with the label), whether the
deterministic time_bound and measurable results survived untouched (they must: the judge may
not invent a deadline or a number), what became of the rewrites, and the latency.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.check.core import check_statement
from missionrag_evals import EVALS, REPORTS
from missionrag_evals.check_eval import EVAL_TODAY, ORDER, _load

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.llm import LLM
    from missionrag.models import CheckResult


def _reason(notes: list[str], prefix: str) -> str | None:
    for n in notes:
        if n.startswith(prefix):
            why = n[len(prefix) :].lstrip(" :,")
            for key, label in (
                ("not JSON", "not JSON"),
                ("not valid JSON", "malformed JSON"),
                ("schema", "off the schema"),
                ("invented numbers", "invented a number"),
                ("not a rewrite", "kept too few of the draft's words"),
                ("failed", "endpoint error or timeout"),
                ("empty", "empty or too long"),
            ):
                if key in why:
                    return label
            return why[:60]
    return None


def _case(row: dict[str, Any], llm: LLM) -> dict[str, Any]:
    today = dt.date.fromisoformat(row["as_of"]) if row.get("as_of") else EVAL_TODAY
    offline = check_statement(row["text"], today=today)
    t0 = time.perf_counter()
    res: CheckResult = check_statement(row["text"], llm=llm, today=today)
    ms = (time.perf_counter() - t0) * 1000
    fixed = all(res.criteria[c] == offline.criteria[c] for c in ("time_bound", "measurable"))
    return {
        "text": row["text"],
        "labels": {c: row[c] == "Y" for c in ORDER},
        "offline": {c: offline.criteria[c].passed for c in ORDER},
        "llm": {c: res.criteria[c].passed for c in ORDER},
        "mode": res.mode,
        "judge_failed": _reason(res.notes, "LLM judge failed, offline result shown"),
        "rewrite_failed": _reason(res.notes, "LLM rewrite not used, template shown"),
        "wanted_rewrite": offline.suggested_rewrite is not None,
        "ignored_quotes": sum("does not contain" in n for n in res.notes),
        "deterministic_kept": fixed,
        "rewrite": res.suggested_rewrite if res.mode == "llm" else None,
        "ms": ms,
    }


def run_check_llm_eval(
    settings: Settings,
    llm: LLM,
    cases: Path = EVALS / "missions.jsonl",
    report: Path = REPORTS / "check_llm.md",
    every: int = 1,
) -> tuple[str, dict[str, Any]]:
    """Check every case (or every ``every``-th: a slow local model needs minutes per ten)
    offline and with ``llm``; write the report; return (summary, metrics)."""
    rows = [_case(r, llm) for r in _load(cases)[::every]]
    m = _metrics(rows, llm.name)
    m["every"] = every
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(_markdown(rows, m), encoding="utf-8")
    return _summary(m, report), m


def _acc(rows: list[dict[str, Any]], mode: str, c: str) -> float:
    return round(sum(r[mode][c] == r["labels"][c] for r in rows) / max(1, len(rows)), 3)


def _metrics(rows: list[dict[str, Any]], model: str) -> dict[str, Any]:
    judged = [r for r in rows if r["mode"] == "llm"]
    flips = [
        (r, c) for r in judged for c in ("bold", "cross_sectoral") if r["llm"][c] != r["offline"][c]
    ]
    asked = [r for r in judged if r["wanted_rewrite"]]
    times = sorted(r["ms"] for r in rows)
    return {
        "model": model,
        "cases": len(rows),
        "accuracy": {c: {m: _acc(rows, m, c) for m in ("offline", "llm")} for c in ORDER},
        "judged": len(judged),
        "judge_fallbacks": dict(Counter(r["judge_failed"] for r in rows if r["mode"] != "llm")),
        "flips": len(flips),
        "flips_right": sum(r["llm"][c] == r["labels"][c] for r, c in flips),
        "deterministic_kept": sum(r["deterministic_kept"] for r in rows),
        "ignored_quotes": sum(r["ignored_quotes"] for r in rows),
        "rewrites_asked": len(asked),
        "rewrites_used": sum(r["rewrite_failed"] is None for r in asked),
        "rewrite_fallbacks": dict(
            Counter(r["rewrite_failed"] for r in asked if r["rewrite_failed"])
        ),
        "ms_median": round(times[len(times) // 2]) if times else 0,
        "ms_p95": round(times[min(len(times) - 1, int(0.95 * len(times)))]) if times else 0,
    }


def _summary(m: dict[str, Any], report: Path) -> str:
    lines = [
        f"check eval, LLM mode ({m['model']}): {m['cases']} statements, judge reply used on "
        f"{m['judged']}, {m['ms_median']} ms median / {m['ms_p95']} ms p95",
        "  criterion        offline   llm mode",
    ]
    for c in ORDER:
        a = m["accuracy"][c]
        lines.append(f"  {c:<16} {a['offline']:.3f}     {a['llm']:.3f}")
    lines += [
        f"  judge changed a verdict {m['flips']} times, {m['flips_right']} of them towards the label",
        f"  time_bound and measurable untouched by the LLM: {m['deterministic_kept']}/{m['cases']}",
        f"  rewrites from the LLM used: {m['rewrites_used']} of {m['rewrites_asked']} asked",
        f"  report: {report}",
    ]
    return "\n".join(lines)


def _markdown(rows: list[dict[str, Any]], m: dict[str, Any]) -> str:
    def counts(d: dict[Any, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=str)) or "none"

    out = [
        "# Check eval: LLM mode beside offline",
        "",
        f"Model: `{m['model']}`. Cases: `evals/missions.jsonl` ({m['cases']}"
        + (f", every {m['every']}th line" if m["every"] > 1 else "")
        + "). Accuracy against "
        "the labels. The judge may move bold and cross_sectoral only; time_bound and measurable "
        "stay the deterministic checker's. Generated by `missionrag eval check --llm`.",
        "",
        "| criterion | offline | LLM mode |",
        "| --- | --- | --- |",
        *[
            f"| {c} | {m['accuracy'][c]['offline']:.3f} | {m['accuracy'][c]['llm']:.3f} |"
            for c in ORDER
        ],
        "",
        "## What the LLM did",
        "",
        f"- judge reply used: {m['judged']} of {m['cases']}; offline result kept instead: "
        f"{counts(m['judge_fallbacks'])}",
        f"- verdicts the judge changed: {m['flips']}, of which {m['flips_right']} towards the label",
        f"- time_bound and measurable identical to offline: {m['deterministic_kept']} of {m['cases']}",
        f"- deadline or target quotes the statement does not contain, ignored: {m['ignored_quotes']}",
        f"- rewrites: {m['rewrites_used']} of {m['rewrites_asked']} from the LLM; template kept: "
        f"{counts(m['rewrite_fallbacks'])}",
        f"- latency per statement (judge and rewrite): median {m['ms_median']} ms, p95 {m['ms_p95']} ms",
        "",
        "## Sample rewrites used",
        "",
    ]
    used = [r for r in rows if r["rewrite"] and r["rewrite_failed"] is None and r["wanted_rewrite"]]
    if not used:
        out.append("None: every rewrite the LLM wrote failed a check; the template was shown.")
    else:
        out += ["| statement | LLM rewrite |", "| --- | --- |"]
    for r in used[:15]:
        out.append(f"| {_cell(r['text'])} | {_cell(r['rewrite'] or '')} |")
    return "\n".join(out) + "\n"


def _cell(text: str, n: int = 120) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= n else text[: n - 3] + "..."
