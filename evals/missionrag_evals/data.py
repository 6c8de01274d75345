"""Labelled cases of every eval set, with paths resolved from the repository.

Question sets (one JSON object per line):
  evals/retrieval.jsonl, evals/qa.jsonl       seed corpus; tuned on in earlier rounds (dev)
  evals/qa_seed_blind.jsonl                   seed corpus; written blind, untouched (test)
  evals/corpus_b/qa.jsonl                     corpus B (+ seed corpus); "split": dev | test
Corpus B's documents are not committed (evals/corpus_b/README.md): its gold passages are
offsets into the rebuilt files, checked by sha1, and resolved to text here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from missionrag_evals import EVALS, REPO

SEED_CORPUS = REPO / "corpus"
CORPUS_B = EVALS / "corpus_b" / "docs"


@dataclass
class QCase:
    id: str
    question: str
    answerable: bool
    source: str | None = None  # repo-relative path of the file that answers
    passage: str | None = None  # the gold span's text (None for unanswerable / PDF pages)
    keywords: list[str] = field(default_factory=list)
    page: int | None = None
    lang: str = "en"
    style: str = ""
    split: str = "dev"
    set: str = ""


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _case(d: dict, set_name: str, split: str) -> QCase:
    return QCase(
        id=d["id"],
        question=d["question"],
        answerable=bool(d.get("answerable", True)),
        source=d.get("source"),
        passage=d.get("passage"),
        keywords=[k.lower() for k in d.get("keywords") or []],
        page=d.get("page"),
        lang=d.get("lang", "en"),
        style=d.get("style", ""),
        split=d.get("split", split),
        set=set_name,
    )


def seed_retrieval() -> list[QCase]:
    return [_case(d, "seed-retrieval", "dev") for d in _rows(EVALS / "retrieval.jsonl")]


def seed_qa() -> list[QCase]:
    return [_case(d, "seed-qa", "dev") for d in _rows(EVALS / "qa.jsonl")]


def seed_blind() -> list[QCase]:
    path = EVALS / "qa_seed_blind.jsonl"
    return [_case(d, "seed-blind", "test") for d in _rows(path)] if path.exists() else []


def corpus_b_qa() -> list[QCase]:
    """Corpus B questions with their passages read from the rebuilt documents."""
    path = EVALS / "corpus_b" / "qa.jsonl"
    if not path.exists():
        return []
    out = []
    for d in _rows(path):
        c = _case(d, "b", d.get("split", "test"))
        if c.answerable and c.source and "passage_start" in d:
            raw = (REPO / c.source).read_text(encoding="utf-8")
            span = raw[d["passage_start"] : d["passage_end"]]
            if hashlib.sha1(span.encode("utf-8")).hexdigest() != d["passage_sha1"]:
                raise ValueError(f"{c.id}: the passage no longer matches {c.source}; rebuild docs/")
            c.passage = span
        out.append(c)
    return out


def corpus_b_available() -> bool:
    return CORPUS_B.is_dir() and any(CORPUS_B.iterdir())
