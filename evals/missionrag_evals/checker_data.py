"""Labelled statements for the checker, with rule features and embeddings, ready to fit.

    evals/check/labels_dev.jsonl     295 statements labelled against docs/rubric.md (dev)
    evals/check/labels_test.jsonl    99, the untouched quarter: scored once, never fitted on
    evals/missions.jsonl             184 older labels, written with the old rules (extra only)

Only ``load_labels`` reads a labels file, and nothing here opens the test file unless a
caller passes its path. Embeddings come from the product's embedder (all-MiniLM-L6-v2
through ``missionrag.index.embed.get_embedder``) and are cached in evals/.cache/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from missionrag_evals import EVALS

DEV = EVALS / "check" / "labels_dev.jsonl"
OLD = EVALS / "missions.jsonl"
CACHE = EVALS / ".cache"
CRITERIA = ("bold", "measurable", "time_bound", "cross_sectoral")
HEADS = (*CRITERIA, "washed")
OLD_TODAY = dt.date(2026, 11, 23)  # the old set's undated drafts were judged as of this day
LANG_GROUPS = {
    "en": "English",
    "da": "Nordic (da, sv, no, fi)",
    "sv": "Nordic (da, sv, no, fi)",
    "no": "Nordic (da, sv, no, fi)",
    "fi": "Nordic (da, sv, no, fi)",
    "de": "German and Dutch (de, nl)",
    "nl": "German and Dutch (de, nl)",
    "fr": "Romance (fr, es, pt, it)",
    "es": "Romance (fr, es, pt, it)",
    "pt": "Romance (fr, es, pt, it)",
    "it": "Romance (fr, es, pt, it)",
    "ja": "Japanese and Korean",
    "ko": "Japanese and Korean",
}


@dataclass
class Case:
    id: str
    text: str
    today: dt.date
    labels: dict[str, bool]  # the four criteria and washed
    lang: str = "en"
    kind: str = ""
    quotes_existing: str | None = None
    source: str = "dev"  # dev | old
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return LANG_GROUPS.get(self.lang, "other")


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def load_labels(path: Path = DEV) -> list[Case]:
    """Statements labelled against the rubric (the schema of evals/check/README.md)."""
    out = []
    for i, r in enumerate(_rows(path)):
        out.append(
            Case(
                id=r.get("id", f"row{i + 1}"),
                text=r["text"],
                today=dt.date.fromisoformat(r["as_of"]) if r.get("as_of") else OLD_TODAY,
                labels={**{c: r[c] == "Y" for c in CRITERIA}, "washed": bool(r["washed"])},
                lang=r.get("lang", "en"),
                kind=r.get("kind", ""),
                quotes_existing=r.get("quotes_existing"),
            )
        )
    return out


def load_old(exclude: set[str]) -> list[Case]:
    """evals/missions.jsonl as extra training rows, minus statements already in ``exclude``.

    Its ``washed`` follows the old definition (a direction with no target counted as washing;
    the rubric says a weak new goal is not washed), so the washed head never trains on it.
    """
    out = []
    for i, r in enumerate(_rows(OLD)):
        key = " ".join(r["text"].lower().split())
        if key in exclude:
            continue
        today = dt.date.fromisoformat(r["as_of"]) if r.get("as_of") else OLD_TODAY
        out.append(
            Case(
                id=f"old{i:03d}",
                text=r["text"],
                today=today,
                labels={**{c: r[c] == "Y" for c in CRITERIA}, "washed": bool(r["washed"])},
                kind="old",
                source="old",
            )
        )
    return out


def rule_matrix(cases: list[Case]) -> tuple[np.ndarray, list[Any]]:
    """(n, features) rule feature values and each case's ``FeatureSet`` (spans, language)."""
    from missionrag.check.analysis import analyse
    from missionrag.check.features import rule_features

    sets = [rule_features(analyse(c.text, c.today)) for c in cases]
    return np.stack([s.values for s in sets]), sets


def embed(texts: list[str]) -> np.ndarray:
    """The product's embedding of each text (cached by text and model under evals/.cache)."""
    from missionrag.config import Settings
    from missionrag.index.embed import get_embedder

    embedder = get_embedder(Settings())
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "checker-embeddings.npz"
    cache: dict[str, np.ndarray] = dict(np.load(path)) if path.exists() else {}
    keys = [hashlib.sha1(f"{embedder.name}\n{t}".encode()).hexdigest() for t in texts]
    missing = [t for t, k in zip(texts, keys, strict=True) if k not in cache]
    if missing:
        vecs = embedder.embed(missing)
        for t, v in zip(missing, vecs, strict=True):
            cache[hashlib.sha1(f"{embedder.name}\n{t}".encode()).hexdigest()] = v
        np.savez(path, **cache)
    return np.stack([cache[k] for k in keys]).astype(np.float64)


def labels_matrix(cases: list[Case]) -> dict[str, np.ndarray]:
    return {h: np.array([c.labels[h] for c in cases], dtype=np.int64) for h in HEADS}
