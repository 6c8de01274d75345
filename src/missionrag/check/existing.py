"""Is the draft an existing published mission? Matched against data/strong_missions.jsonl.

Two ways to be the same mission: the whole target matches (``commitment.same_target``:
quantity, unit, deadline and object), or the wording does (the embedding's cosine, for
English wordings; the library keeps translations as ``aliases`` for the other languages).
A draft that quotes a mission is reported as that mission, not as washing (rubric, section 6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from missionrag.check.analysis import analyse
from missionrag.check.commitment import TargetTuple, main_target, same_target
from missionrag.check.lexicon import LEXICON_FILE
from missionrag.models import ExistingMission

if TYPE_CHECKING:
    from missionrag.check.analysis import Analysis
    from missionrag.index.embed import Embedder

LIBRARY = Path(__file__).resolve().parents[1] / "data" / "strong_missions.jsonl"
VECTORS_FILE = LIBRARY.with_suffix(".vectors.npz")
# Cosine of two all-MiniLM-L6-v2 vectors above which two mission statements say the same
# thing in other words. Chosen on labels_dev (English statements against the library): the
# quoted paraphrases not caught by their target scored 0.81-0.98 with their original; the
# closest drafted statement 0.69 and the closest washed one 0.58 (evals/reports/check.md,
# "Quoting an existing mission").
QUOTE_COSINE = 0.8


@lru_cache(maxsize=1)
def library() -> list[dict[str, Any]]:
    rows = [
        json.loads(line)
        for line in LIBRARY.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for row in rows:
        row["_wordings"] = [row["text"], *row.get("aliases", [])]
    return rows


@lru_cache(maxsize=1)
def library_targets() -> list[list[TargetTuple | None]]:
    """Each wording's whole target: stored beside the vectors while the library and the code
    that reads targets are unchanged (analysing them costs a cold check ~0.1 s), else read."""
    stored = _stored()
    if (
        stored is not None
        and "targets" in stored
        and str(stored["targets_digest"]) == targets_digest()
    ):
        rows = json.loads(str(stored["targets"]))
        return [[_tuple(t) for t in ts] for ts in rows]
    return [
        [
            main_target(analyse(w, dt.date(int(row.get("year") or 1900), 1, 1)))
            for w in row["_wordings"]
        ]
        for row in library()
    ]


def targets_as_json() -> str:
    """The library's targets, for ``VECTORS_FILE`` (written by the training script)."""
    return json.dumps(
        [
            [
                None
                if t is None
                else {**asdict(t), "objects": sorted(t.objects), "context": sorted(t.context)}
                for t in ts
            ]
            for ts in library_targets()
        ]
    )


def _tuple(d: dict[str, Any] | None) -> TargetTuple | None:
    if d is None:
        return None
    return TargetTuple(
        **{**d, "objects": frozenset(d["objects"]), "context": frozenset(d["context"])}
    )


def targets_digest() -> str:
    """Fingerprint of what the library's targets depend on: wordings, word lists, parsing code."""
    h = hashlib.sha1(wordings_digest().encode())
    here = Path(__file__).resolve().parent
    for f in (
        LEXICON_FILE,
        here / "temporal.py",
        here / "targets.py",
        here / "commitment.py",
        here / "analysis.py",
        here.parent / "text.py",  # stopwords (commitment.py)
    ):
        h.update(f.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _stored() -> Any:
    return np.load(VECTORS_FILE) if VECTORS_FILE.is_file() else None


def wordings_digest() -> str:
    """Fingerprint of the library's wordings: stored vectors are valid only for these."""
    text = "\n".join(w for row in library() for w in row["_wordings"])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _vectors(embedder: Embedder) -> list[np.ndarray]:
    """Each mission's wording vectors: the stored ones (written with the checker model by
    evals/missionrag_evals/train_checker.py) while the library is unchanged, else computed."""
    rows = library()
    flat: np.ndarray | None = None
    stored = _stored()
    if stored is not None and str(stored["digest"]) == wordings_digest():
        flat = stored["vectors"].astype(np.float32)
    if flat is None:
        flat = embedder.embed([w for row in rows for w in row["_wordings"]])
    out, i = [], 0
    for row in rows:
        n = len(row["_wordings"])
        out.append(flat[i : i + n])
        i += n
    return out


def _report(row: dict[str, Any], match: str) -> ExistingMission:
    where = row.get("source") or row.get("issuer") or "the mission library"
    return ExistingMission(
        name=row["name"],
        text=row["text"],
        issuer=row.get("issuer"),
        year=row.get("year"),
        source=row.get("source"),
        origin="library",
        match=match,
        message=f"This is {row['name']} ({row.get('issuer')}, {row.get('year')}; {where}).",
    )


def find_existing(
    a: Analysis, embedder: Embedder | None = None, vector: np.ndarray | None = None
) -> ExistingMission | None:
    """The library mission this draft restates, or None."""
    draft: TargetTuple | None = main_target(a)
    if draft is not None:
        for row, targets in zip(library(), library_targets(), strict=True):
            for target in targets:
                if target is not None and same_target(draft, target, undated_ok=True):
                    return _report(
                        row,
                        "the whole target: "
                        + ", ".join(f"{k} {v}" for k, v in draft.describe().items()),
                    )
    if embedder is None or vector is None or a.lang != "en":
        return None
    best: tuple[float, dict[str, Any]] | None = None
    for row, vecs in zip(library(), _cached_vectors(embedder), strict=True):
        cos = float(np.max(vecs @ vector))
        if cos >= QUOTE_COSINE and (best is None or cos > best[0]):
            best = (cos, row)
    if best is None:
        return None
    return _report(best[1], f"the wording (similarity {best[0]:.2f})")


_VECTORS: dict[str, list[np.ndarray]] = {}


def _cached_vectors(embedder: Embedder) -> list[np.ndarray]:
    # The caller only passes an embedder verified to be the trained model (vectors.py), so
    # the stored vectors, made with that model, stand for its own.
    key = embedder.name
    if key not in _VECTORS:
        _VECTORS[key] = _vectors(embedder)
    return _VECTORS[key]
