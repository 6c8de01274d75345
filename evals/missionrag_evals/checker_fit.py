"""Fit the checker's heads (scikit-learn) and cross-validate them through the product's scorer.

A fold's fit is turned into the same JSON spec the product ships, loaded into the product's
``CheckerModel`` and asked for its predictions, so what cross-validation measures is exactly
what ``missionrag check`` would decide. Training accuracy is never reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from missionrag_evals.checker_data import HEADS, Case

STD_FLOOR = 1e-6


@dataclass(frozen=True)
class HeadConfig:
    C: float  # inverse L2 strength of the logistic regression
    emb_scale: float  # 0: rule features only; else the standardised vector times this
    gate: str = "all"  # "all": every statement's vector; "en": English statements' only
    old_weight: float = 0.0  # sample weight of evals/missions.jsonl rows (criteria heads only)
    prefixes: tuple[str, ...] = ()  # rule features used, by name prefix; () = all


@dataclass
class Data:
    cases: list[Case]
    X: np.ndarray  # rule features
    E: np.ndarray  # embeddings
    y: dict[str, np.ndarray]
    english: np.ndarray  # bool: detected English (what the product gates on)
    sets: list[Any]  # FeatureSet per case


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return mean, np.where(std < STD_FLOOR, 1.0, std)


def fit_head(data: Data, rows: np.ndarray, head: str, cfg: HeadConfig) -> dict[str, Any]:
    """One head's spec (the checker_model.json layout) fitted on ``rows`` of ``data``."""
    from sklearn.linear_model import LogisticRegression

    from missionrag.check.features import NAMES

    is_old = np.array([data.cases[i].source == "old" for i in rows])
    if head == "washed" or cfg.old_weight == 0:
        rows, is_old = rows[~is_old], is_old[~is_old]
    weight = np.where(is_old, cfg.old_weight, 1.0)
    names = [n for n in NAMES if not cfg.prefixes or n.startswith(cfg.prefixes)]
    X = data.X[rows][:, [NAMES.index(n) for n in names]]
    mean, scale = _standardise(X)
    Z = (X - mean) / scale
    spec: dict[str, Any] = {"features": names, "mean": mean.tolist(), "scale": scale.tolist()}
    parts = [Z]
    if cfg.emb_scale > 0:
        E = data.E[rows]
        emean, estd = _standardise(E)
        EZ = cfg.emb_scale * (E - emean) / estd
        if cfg.gate == "en":
            EZ = EZ * data.english[rows][:, None]
        parts.append(EZ)
    model = LogisticRegression(C=cfg.C, max_iter=5000)
    model.fit(np.hstack(parts), data.y[head][rows], sample_weight=weight)
    coef = model.coef_[0]
    spec["weights"] = coef[: Z.shape[1]].tolist()
    spec["intercept"] = float(model.intercept_[0])
    spec["threshold"] = 0.5
    spec["config"] = {"C": cfg.C, "old_weight": cfg.old_weight}
    if cfg.emb_scale > 0:
        spec["embedding"] = {
            "gate": cfg.gate,
            "scale": cfg.emb_scale,
            "mean": emean.tolist(),
            "std": estd.tolist(),
            "weights": coef[Z.shape[1] :].tolist(),
        }
    return spec


def fit_model(
    data: Data, rows: np.ndarray, configs: dict[str, HeadConfig], rules_C: dict[str, float]
) -> dict[str, Any]:
    """The full model spec: per head a ``full`` variant (configs) and a ``rules`` fallback."""
    from missionrag.check.features import NAMES

    heads: dict[str, Any] = {}
    for head in HEADS:
        cfg = configs[head]
        rules = HeadConfig(
            C=rules_C[head], emb_scale=0.0, old_weight=cfg.old_weight, prefixes=cfg.prefixes
        )
        heads[head] = {"rules": fit_head(data, rows, head, rules)}
        if cfg.emb_scale > 0:
            heads[head]["full"] = fit_head(data, rows, head, cfg)
    return {"feature_names": list(NAMES), "heads": heads}


def predict(
    spec: dict[str, Any], data: Data, rows: np.ndarray, use_embedding: bool = True
) -> dict[str, np.ndarray]:
    """The product's decisions and probabilities for ``rows`` (keys: head, head + '_p')."""
    from missionrag.check.model import CheckerModel

    model = CheckerModel(spec)
    out: dict[str, list[float]] = {h: [] for h in HEADS} | {f"{h}_p": [] for h in HEADS}
    for i in rows:
        preds = model.predict(data.sets[i], data.E[i] if use_embedding else None)
        for h in HEADS:
            out[h].append(float(preds[h].passed))
            out[f"{h}_p"].append(preds[h].probability)
    return {k: np.array(v) for k, v in out.items()}


def folds(
    data: Data, repeats: int, k: int = 5, seed: int = 0
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Repeated stratified k-fold over the dev cases (stratified by kind and washed label)."""
    from sklearn.model_selection import StratifiedKFold

    dev = np.array([i for i, c in enumerate(data.cases) if c.source == "dev"])
    old = np.array([i for i, c in enumerate(data.cases) if c.source == "old"], dtype=np.int64)
    strata = [f"{data.cases[i].kind}" for i in dev]
    out = []
    for r in range(repeats):
        skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed + r)
        out.append([(np.concatenate([dev[tr], old]), dev[te]) for tr, te in skf.split(dev, strata)])
    return out


def cross_validate(
    data: Data,
    configs: dict[str, HeadConfig],
    rules_C: dict[str, float],
    repeats: int = 5,
    use_embedding: bool = True,
    k: int = 5,
) -> list[dict[str, np.ndarray]]:
    """Out-of-fold predictions, one dict per repeat, indexed like ``data.cases``' dev rows."""
    n = len(data.cases)
    runs = []
    for split in folds(data, repeats, k=k):
        pred = {h: np.full(n, np.nan) for h in HEADS} | {
            f"{h}_p": np.full(n, np.nan) for h in HEADS
        }
        for train, test in split:
            spec = fit_model(data, train, configs, rules_C)
            got = predict(spec, data, test, use_embedding)
            for key, values in got.items():
                pred[key][test] = values
        runs.append(pred)
    return runs


def accuracy(
    data: Data, runs: list[dict[str, np.ndarray]], head: str, rows: np.ndarray
) -> tuple[float, float]:
    """Mean and standard deviation over repeats of the accuracy on ``rows``."""
    y = data.y[head][rows]
    accs = [float((run[head][rows] == y).mean()) for run in runs]
    return float(np.mean(accs)), float(np.std(accs))
