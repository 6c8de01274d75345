"""Train the checker's learned judgement and write src/missionrag/data/checker_model.json.

    cd evals && ../.venv/bin/python -m missionrag_evals.train_checker [--repeats 5] [--nested 2]

1. Rule features (src/missionrag/check/features.py) and the all-MiniLM-L6-v2 embedding of
   every statement of evals/check/labels_dev.jsonl (and, as extra rows, evals/missions.jsonl).
2. Per head, a small grid (regularisation C, weight of the embedding, weight of the old rows)
   scored by repeated stratified 5-fold CV on labels_dev; the best is kept (ties go to the
   simpler setting).
3. The chosen settings cross-validated again (more repeats) through the product's own scorer,
   with and without embeddings; and a nested CV, where the grid is chosen inside each
   training fold, as the estimate free of that choice.
4. Fit on all of labels_dev and write weights, standardisation, feature names, the embedding
   model's name and a probe vector, and the CV report. labels_test.jsonl is never read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from missionrag_evals import REPO
from missionrag_evals.checker_data import (
    DEV,
    HEADS,
    labels_matrix,
    load_labels,
    load_old,
    rule_matrix,
)
from missionrag_evals.checker_data import embed as embed_texts
from missionrag_evals.checker_fit import Data, HeadConfig, cross_validate, fit_model, folds
from missionrag_evals.checker_metrics import metrics

OUT = REPO / "src" / "missionrag" / "data" / "checker_model.json"
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
TIME_PREFIXES = ("t_",)  # time_bound reads the deadline grammar only (rubric 3 is about dates)
GRID_C = (0.03, 0.1, 0.3)
GRID_EMB = (0.0, 0.5, 1.0)
GRID_OLD = (0.0, 0.5)
TIME_C = (0.3, 1.0, 3.0)
TIE = 0.003  # accuracy differences below this are noise at n=295: keep the simpler setting


def build_data(with_old: bool = True) -> Data:
    dev = load_labels(DEV)
    old = load_old({" ".join(c.text.lower().split()) for c in dev}) if with_old else []
    cases = dev + old
    X, sets = rule_matrix(cases)
    E = embed_texts([c.text for c in cases])
    english = np.array([s.lang == "en" for s in sets])
    return Data(cases, X, E, labels_matrix(cases), english, sets)


def _grid() -> list[tuple[str, HeadConfig]]:
    out = []
    for c, s, ow in itertools.product(GRID_C, GRID_EMB, GRID_OLD):
        out.append(("criteria", HeadConfig(C=c, emb_scale=s, gate="en", old_weight=ow)))
    for c in TIME_C:
        out.append(("time", HeadConfig(C=c, emb_scale=0.0, prefixes=TIME_PREFIXES)))
    return out


def _complexity(cfg: HeadConfig) -> tuple[float, float, float]:
    return (cfg.emb_scale, cfg.old_weight, -cfg.C)


def select(
    data: Data, rows: np.ndarray, repeats: int, k: int = 5
) -> tuple[dict[str, HeadConfig], list[dict[str, Any]]]:
    """Per head, the grid setting with the best CV accuracy on ``rows`` (dev cases only)."""
    sub = _subset(data, rows)
    scores: dict[str, list[tuple[float, HeadConfig]]] = {h: [] for h in HEADS}
    table = []
    dev = np.array([i for i, c in enumerate(sub.cases) if c.source == "dev"])
    for kind, cfg in _grid():
        configs = {h: cfg for h in HEADS}
        runs = cross_validate(sub, configs, {h: cfg.C for h in HEADS}, repeats=repeats, k=k)
        heads = ["time_bound"] if kind == "time" else [h for h in HEADS if h != "time_bound"]
        if kind == "criteria" and cfg.old_weight > 0:
            heads = [h for h in heads if h != "washed"]  # the washed head never trains on old rows
        row: dict[str, Any] = {"config": cfg.__dict__}
        for h in heads:
            acc = float(np.mean([(run[h][dev] == sub.y[h][dev]).mean() for run in runs]))
            scores[h].append((acc, cfg))
            row[h] = round(acc, 3)
        table.append(row)
    chosen = {}
    for h, found in scores.items():
        best = max(a for a, _ in found)
        near = [cfg for a, cfg in found if a >= best - TIE]
        chosen[h] = min(near, key=_complexity)
    return chosen, table


def _subset(data: Data, rows: np.ndarray) -> Data:
    """``data`` restricted to ``rows`` plus every old row (which never enters a test fold)."""
    old = [i for i, c in enumerate(data.cases) if c.source == "old"]
    idx = np.array(sorted(set(rows.tolist()) | set(old)), dtype=np.int64)
    return Data(
        [data.cases[i] for i in idx],
        data.X[idx],
        data.E[idx],
        {h: v[idx] for h, v in data.y.items()},
        data.english[idx],
        [data.sets[i] for i in idx],
    )


def nested(data: Data, repeats: int) -> dict[str, Any]:
    """Outer repeated 5-fold; the grid is chosen by an inner 3-fold CV on each training part."""
    from missionrag_evals.checker_fit import predict

    n = len(data.cases)
    dev = np.array([i for i, c in enumerate(data.cases) if c.source == "dev"])
    accs: dict[str, list[float]] = {h: [] for h in HEADS}
    for split in folds(data, repeats, seed=100):
        pred = {h: np.full(n, np.nan) for h in HEADS}
        for train, test in split:
            inner = train[[data.cases[i].source == "dev" for i in train]]
            chosen, _ = select(data, inner, repeats=1, k=3)
            spec = fit_model(data, train, chosen, {h: chosen[h].C for h in HEADS})
            got = predict(spec, data, test)
            for h in HEADS:
                pred[h][test] = got[h]
        for h in HEADS:
            accs[h].append(float((pred[h][dev] == data.y[h][dev]).mean()))
    return {
        h: {"mean": round(float(np.mean(v)), 3), "sd": round(float(np.std(v)), 3)}
        for h, v in accs.items()
    }


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, list):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="CV repeats for the reported numbers")
    ap.add_argument("--select-repeats", type=int, default=3, help="CV repeats for the grid")
    ap.add_argument(
        "--nested", type=int, default=2, help="outer repeats of the nested CV (0: skip)"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    opts = ap.parse_args()

    t0 = time.time()
    data = build_data()
    dev = np.array([i for i, c in enumerate(data.cases) if c.source == "dev"])
    print(
        f"{len(dev)} dev statements, {len(data.cases) - len(dev)} old rows; embedded in {time.time() - t0:.0f} s"
    )
    chosen, table = select(data, dev, opts.select_repeats)
    for h, cfg in chosen.items():
        print(f"  {h:<15} C={cfg.C} embedding x{cfg.emb_scale} old rows x{cfg.old_weight}")
    rules_c = {h: chosen[h].C for h in HEADS}
    runs = cross_validate(data, chosen, rules_c, repeats=opts.repeats)
    runs_rules = cross_validate(data, chosen, rules_c, repeats=opts.repeats, use_embedding=False)
    cv = metrics(runs, data.cases, dev.tolist())
    cv_rules = metrics(runs_rules, data.cases, dev.tolist())
    nested_cv = nested(data, opts.nested) if opts.nested else None
    for h in HEADS:
        nested_txt = f", nested {nested_cv[h]['mean']:.3f}" if nested_cv else ""
        print(
            f"  {h:<15} CV {cv['criteria'][h]['accuracy']['mean']:.3f} (rules only {cv_rules['criteria'][h]['accuracy']['mean']:.3f}{nested_txt})"
        )
    w = cv["washing"]
    print(
        f"  washing flagged on {w['flagged_on_washed']['mean']:.3f} of washed, {w['flagged_on_strong']['mean']:.3f} of strong"
    )

    spec = fit_model(data, np.arange(len(data.cases)), chosen, rules_c)
    spec.update(_metadata(data, chosen, table, cv, cv_rules, nested_cv, opts))
    opts.out.write_text(
        json.dumps(_round(spec), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {opts.out} in {time.time() - t0:.0f} s")
    print(f"wrote {write_library_vectors()}")


def write_library_vectors() -> Path:
    """The mission library's wording vectors, so a cold check need not embed the library."""
    from missionrag.check.existing import (
        VECTORS_FILE,
        library,
        targets_as_json,
        targets_digest,
        wordings_digest,
    )

    vectors = embed_texts([w for row in library() for w in row["_wordings"]])
    np.savez_compressed(
        VECTORS_FILE,
        vectors=vectors.astype(np.float16),
        digest=np.array(wordings_digest()),
        targets=np.array(targets_as_json()),
        targets_digest=np.array(targets_digest()),
    )
    return VECTORS_FILE


def _metadata(
    data: Data,
    chosen: dict[str, HeadConfig],
    table: list[dict[str, Any]],
    cv: dict[str, Any],
    cv_rules: dict[str, Any],
    nested_cv: dict[str, Any] | None,
    opts: argparse.Namespace,
) -> dict[str, Any]:
    from missionrag.check.features import FEATURES
    from missionrag.check.model import PROBE_TEXT

    probe = embed_texts([PROBE_TEXT])[0]
    return {
        "about": "Logistic heads of the mission checker; written by evals/missionrag_evals/train_checker.py. "
        "Do not edit by hand: retrain.",
        "trained": dt.date.today().isoformat(),
        "embedding_model": EMBEDDING_MODEL,
        "embedding_dim": int(data.E.shape[1]),
        "embedding_probe": probe[:16].tolist(),
        "trained_on": {
            "labels": "evals/check/labels_dev.jsonl",
            "statements": sum(c.source == "dev" for c in data.cases),
            "old_rows": sum(c.source == "old" for c in data.cases),
        },
        "feature_docs": {f.name: f.about for f in FEATURES},
        "chosen": {h: cfg.__dict__ for h, cfg in chosen.items()},
        "selection": table,
        "cv": {
            "repeats": opts.repeats,
            "folds": 5,
            "full": cv,
            "rules_only": cv_rules,
            "nested": nested_cv,
        },
    }


if __name__ == "__main__":
    main()
