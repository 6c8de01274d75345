"""``missionrag eval check``: cross-validated checker numbers, check-doc extraction, the report.

    missionrag eval check                                   # CV on labels_dev -> evals/reports/check.md
    missionrag eval check --labels evals/check/labels_test.jsonl   # the shipped model, held out

On evals/check/labels_dev.jsonl (the training data) every number is cross-validated: repeated
stratified 5-fold, each fold refitted with the shipped settings (``chosen`` in
checker_model.json) and judged by the product's own scorer. On any other labels file the
shipped model judges each statement once through ``check_statement`` (held-out numbers).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from missionrag_evals import REPORTS
from missionrag_evals.checker_data import DEV, HEADS, Case, load_labels
from missionrag_evals.checker_metrics import STRONG_MAX, TARGETS, WASHED_MIN, disagreements, metrics
from missionrag_evals.report_check_md import markdown

CV_REPEATS = 5


def _shipped_configs() -> tuple[dict[str, Any], dict[str, float]]:
    from missionrag.check.model import load_model
    from missionrag_evals.checker_fit import HeadConfig

    chosen = load_model().spec["chosen"]
    configs = {
        h: HeadConfig(**{**c, "prefixes": tuple(c.get("prefixes", ()))}) for h, c in chosen.items()
    }
    return configs, {h: c.C for h, c in configs.items()}


def _quotes(cases: list[Case], vectors: np.ndarray | None) -> list[str | None]:
    """The library mission each statement is found to quote (product path), or None."""
    from missionrag.check.analysis import analyse
    from missionrag.check.existing import find_existing
    from missionrag.config import Settings
    from missionrag.index.embed import get_embedder

    embedder = get_embedder(Settings()) if vectors is not None else None
    out = []
    for i, c in enumerate(cases):
        found = find_existing(
            analyse(c.text, c.today), embedder, vectors[i] if vectors is not None else None
        )
        out.append(found.name if found else None)
    return out


def _quote_metrics(cases: list[Case], rows: list[int], quotes: list[str | None]) -> dict[str, Any]:
    quoted = [i for i in rows if cases[i].kind == "quoted"]
    drafts = [i for i in rows if cases[i].kind in ("drafted", "washed")]
    real = [i for i in rows if cases[i].kind == "real"]
    return {
        "quoted": len(quoted),
        "found_on_quoted": sum(quotes[i] is not None for i in quoted),
        "drafts": len(drafts),
        "found_on_drafts": sum(quotes[i] is not None for i in drafts),
        "false_on_drafts": [cases[i].text for i in drafts if quotes[i] is not None],
        "real": len(real),
        "found_on_real": sum(quotes[i] is not None for i in real),
        "missed": [cases[i].text for i in quoted if quotes[i] is None],
    }


def _apply_quotes(runs: list[dict[str, np.ndarray]], quotes: list[str | None]) -> None:
    """A quoted mission is not washing (rubric 6): the product unflags it; so does the CV."""
    mask = np.array([q is not None for q in quotes])
    for run in runs:
        run["washed"] = np.where(mask, 0.0, run["washed"])


def cross_validated(repeats: int = CV_REPEATS) -> dict[str, Any]:
    from missionrag_evals.checker_fit import cross_validate
    from missionrag_evals.train_checker import build_data

    configs, rules_c = _shipped_configs()
    data = build_data(with_old=any(c.old_weight > 0 for c in configs.values()))
    dev = [i for i, c in enumerate(data.cases) if c.source == "dev"]
    quotes = _quotes(data.cases, data.E)
    runs = cross_validate(data, configs, rules_c, repeats=repeats)
    runs_rules = cross_validate(data, configs, rules_c, repeats=repeats, use_embedding=False)
    _apply_quotes(runs, quotes)
    _apply_quotes(runs_rules, quotes)
    return {
        "mode": "cv",
        "labels": str(DEV.relative_to(DEV.parents[2])),
        "repeats": repeats,
        "full": metrics(runs, data.cases, dev),
        "rules_only": metrics(runs_rules, data.cases, dev),
        "quotes": _quote_metrics(data.cases, dev, quotes),
        "disagreements": disagreements(runs[0], data.cases, dev),
        "configs": {h: c.__dict__ for h, c in configs.items()},
    }


def held_out(path: Path, settings: Any = None) -> dict[str, Any]:
    """The shipped model on a labels file it was not trained on, through ``check_statement``."""
    from missionrag.check import check_statement

    cases = load_labels(path)
    run: dict[str, list[float]] = {h: [] for h in HEADS} | {f"{h}_p": [] for h in HEADS}
    quotes: list[str | None] = []
    for c in cases:
        r = check_statement(c.text, settings, today=c.today)
        for h in HEADS:
            if h == "washed":
                run[h].append(float(r.mission_washing.flagged))
                run[f"{h}_p"].append(r.mission_washing.risk)
            else:
                run[h].append(float(r.criteria[h].passed))
                run[f"{h}_p"].append(r.criteria[h].score)
        quotes.append(r.existing_mission.name if r.existing_mission else None)
    runs = [{k: np.array(v) for k, v in run.items()}]
    rows = list(range(len(cases)))
    return {
        "mode": "held-out",
        "labels": _shown(path),
        "full": metrics(runs, cases, rows),
        "quotes": _quote_metrics(cases, rows, quotes),
        "disagreements": disagreements(runs[0], cases, rows),
    }


def checkdoc() -> dict[str, Any] | None:
    from missionrag_evals.checkdoc_eval import available, pooled, run, split

    if not available():
        return None
    dev, untouched = split()
    scores = run(dev + untouched)
    by = {s.file: s for s in scores}
    return {
        "dev": pooled([by[f] for f in dev]),
        "untouched": pooled([by[f] for f in untouched]),
        "all": pooled(scores),
        "documents": [
            {
                "file": s.file,
                "split": "dev" if s.file in dev else "untouched",
                "labels": s.labels,
                "candidates": s.predicted,
                "matched": s.matched,
            }
            for s in scores
        ],
    }


def run_report(
    labels: Path = DEV, report: Path | None = None, settings: Any = None, with_checkdoc: bool = True
) -> tuple[str, dict[str, Any]]:
    """Compute, write the markdown report, return (printable summary, everything)."""
    is_dev = labels.resolve() == DEV.resolve()
    result = cross_validated() if is_dev else held_out(labels, settings)
    result["checkdoc"] = checkdoc() if (is_dev and with_checkdoc) else None
    result["date"] = dt.date.today().isoformat()
    from missionrag.check.model import load_model

    result["nested"] = load_model().spec.get("cv", {}).get("nested")
    report = report or (REPORTS / ("check.md" if is_dev else f"check_{labels.stem}.md"))
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(markdown(result), encoding="utf-8")
    return _summary(result, report), result


def _summary(r: dict[str, Any], report: Path) -> str:
    m = r["full"]
    how = (
        f"{r['repeats']}x repeated stratified 5-fold CV"
        if r["mode"] == "cv"
        else "held out, shipped model"
    )
    lines = [f"Mission checker on {m['n']} statements of {r['labels']} ({how})"]
    for h, target in TARGETS.items():
        acc = m["criteria"][h]["accuracy"]
        ok = "ok" if acc["mean"] >= target else "below"
        lines.append(
            f"  {h:<15} {acc['mean']:.3f} (sd {acc['sd']:.3f})  target >= {target:.2f} {ok}"
        )
    w = m["washing"]
    lines.append(
        f"  washing flagged on {w['flagged_on_washed']['mean']:.3f} of {w['washed']} washed (>= {WASHED_MIN}), "
        f"on {w['flagged_on_strong']['mean']:.3f} of {w['strong']} strong (<= {STRONG_MAX})"
    )
    cd = r.get("checkdoc")
    if cd:
        for k in ("dev", "untouched", "all"):
            lines.append(
                f"  check-doc {k:<9} precision {cd[k]['precision']} recall {cd[k]['recall']} ({cd[k]['documents']} documents)"
            )
    lines.append(f"  report: {report}")
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """The labels file as the report names it: relative to the repository when inside it."""
    repo = DEV.parents[2]
    try:
        return str(path.resolve().relative_to(repo.resolve()))
    except ValueError:
        return str(path)
