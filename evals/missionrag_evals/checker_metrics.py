"""Metrics of the checker's decisions against labels: per criterion, language group and kind.

Input is a list of runs (one per cross-validation repeat, or a single run of the shipped
model on a held-out file); each run maps a head to 0/1 decisions indexed like the cases.
Rates are computed per run and averaged, so a repeated CV reports its mean (and spread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from missionrag_evals.checker_data import CRITERIA, HEADS, Case

TARGETS = {"time_bound": 0.95, "measurable": 0.90, "bold": 0.90, "cross_sectoral": 0.90}
WASHED_MIN, STRONG_MAX = 0.90, 0.05  # targets: washed drafts flagged / strong missions flagged


def _mean_sd(values: list[float]) -> dict[str, float]:
    return {"mean": round(float(np.mean(values)), 3), "sd": round(float(np.std(values)), 3)}


def _acc(
    runs: list[dict[str, np.ndarray]], cases: list[Case], rows: list[int], head: str
) -> list[float]:
    y = np.array([cases[i].labels[head] for i in rows], dtype=float)
    return [float((run[head][rows] == y).mean()) for run in runs] if rows else []


def _pr(
    runs: list[dict[str, np.ndarray]], cases: list[Case], rows: list[int], head: str
) -> dict[str, Any]:
    y = np.array([cases[i].labels[head] for i in rows], dtype=bool)
    tp = fp = fn = tn = 0
    for run in runs:
        p = run[head][rows].astype(bool)
        tp += int((p & y).sum())
        fp += int((p & ~y).sum())
        fn += int((~p & y).sum())
        tn += int((~p & ~y).sum())
    k = len(runs)
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "confusion": {"tp": tp / k, "fp": fp / k, "fn": fn / k, "tn": tn / k},
    }


def _rate(runs: list[dict[str, np.ndarray]], rows: list[int]) -> dict[str, float] | None:
    if not rows:
        return None
    return _mean_sd([float(run["washed"][rows].mean()) for run in runs])


def _by(cases: list[Case], rows: list[int], key: Callable[[Case], str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i in rows:
        groups.setdefault(key(cases[i]), []).append(i)
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _table(
    runs: list[dict[str, np.ndarray]], cases: list[Case], groups: dict[str, list[int]]
) -> dict[str, Any]:
    out = {}
    for name, idx in groups.items():
        out[name] = {"n": len(idx)} | {
            h: round(float(np.mean(_acc(runs, cases, idx, h))), 3) for h in HEADS
        }
    return out


def metrics(
    runs: list[dict[str, np.ndarray]], cases: list[Case], rows: list[int]
) -> dict[str, Any]:
    """Everything the report shows, for ``rows`` of ``cases``."""
    washed = [i for i in rows if cases[i].labels["washed"]]
    strong = [
        i
        for i in rows
        if all(cases[i].labels[c] for c in CRITERIA) and not cases[i].labels["washed"]
    ]
    not_washed = [i for i in rows if not cases[i].labels["washed"]]
    out: dict[str, Any] = {"n": len(rows), "runs": len(runs), "criteria": {}}
    for h in HEADS:
        out["criteria"][h] = {"accuracy": _mean_sd(_acc(runs, cases, rows, h))} | _pr(
            runs, cases, rows, h
        )
    out["washing"] = {
        "washed": len(washed),
        "flagged_on_washed": _rate(runs, washed),
        "strong": len(strong),
        "flagged_on_strong": _rate(runs, strong),
        "not_washed": len(not_washed),
        "flagged_on_not_washed": _rate(runs, not_washed),
    }
    out["by_language_group"] = _table(runs, cases, _by(cases, rows, lambda c: c.group))
    out["by_language"] = _table(runs, cases, _by(cases, rows, lambda c: c.lang))
    out["by_kind"] = _table(runs, cases, _by(cases, rows, lambda c: c.kind or "-"))
    out["targets_met"] = {
        h: out["criteria"][h]["accuracy"]["mean"] >= t for h, t in TARGETS.items()
    } | {
        "washed_flagged": (out["washing"]["flagged_on_washed"] or {"mean": 0})["mean"]
        >= WASHED_MIN,
        "strong_not_flagged": (out["washing"]["flagged_on_strong"] or {"mean": 1})["mean"]
        <= STRONG_MAX,
    }
    return out


def disagreements(
    run: dict[str, np.ndarray], cases: list[Case], rows: list[int]
) -> list[dict[str, Any]]:
    """Cases where one run's decision differs from the label, for the report's appendix."""
    out = []
    for i in rows:
        for h in HEADS:
            if bool(run[h][i]) != cases[i].labels[h]:
                out.append(
                    {
                        "id": cases[i].id,
                        "text": cases[i].text,
                        "head": h,
                        "label": cases[i].labels[h],
                        "p": float(run[f"{h}_p"][i]),
                    }
                )
    return out
