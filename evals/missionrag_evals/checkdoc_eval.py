"""check-doc extraction against the hand-labelled goal sentences of evals/checkdoc/.

The 13 documents are rebuilt by ``python evals/checkdoc/build.py`` (not committed). The six
first in file-name order are the dev documents (extraction was designed and fitted on them);
the other seven are untouched until the final run. A predicted candidate matches a label
when it overlaps the labelled span (``start_words`` ... ``end_words``, found in the product's
own document text after NFKC, zero-width removal, whitespace collapsing and casefolding) by at
least half of the shorter of the two; each label and each candidate matches at most once.
"""

from __future__ import annotations

import bisect
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionrag_evals import EVALS

CHECKDOC = EVALS / "checkdoc"
N_DEV = 6
MAX_SPAN = 3000  # evals/checkdoc/README.md: end_words within this many characters of start_words
OVERLAP = 0.5
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def documents() -> list[dict[str, Any]]:
    rows = [
        json.loads(x)
        for x in (CHECKDOC / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if x.strip()
    ]
    return sorted(rows, key=lambda r: r["file"])


def split() -> tuple[list[str], list[str]]:
    files = [r["file"] for r in documents()]
    return files[:N_DEV], files[N_DEV:]


def available() -> bool:
    return all((CHECKDOC / f).is_file() for f in split()[0] + split()[1])


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.I)


def normalise_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the offset it came from.

    HTML entities left in the product's text ("&#39;") read as the character they stand for,
    as they do in the labels' plain text (evals/checkdoc/README.md).
    """
    out: list[str] = []
    idx: list[int] = []
    space = False
    chars: list[tuple[int, str]] = []
    pos = 0
    for m in _ENTITY.finditer(text):
        chars += [(i, text[i]) for i in range(pos, m.start())]
        chars.append((m.start(), html.unescape(m.group(0))))
        pos = m.end()
    chars += [(i, text[i]) for i in range(pos, len(text))]
    for i, ch in chars:
        for c in unicodedata.normalize("NFKC", ch).translate(_ZERO_WIDTH).casefold():
            if c.isspace():
                if out and not space:
                    out.append(" ")
                    idx.append(i)
                space = True
            else:
                out.append(c)
                idx.append(i)
                space = False
    return "".join(out), idx


def _norm(s: str) -> str:
    return (
        re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).translate(_ZERO_WIDTH))
        .strip()
        .casefold()
    )


def label_spans(norm: str, missions: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(start, end, kind) in ``norm`` for each label, occurrences paired in document order."""
    out = []
    pos = 0
    for m in missions:
        start, end = _norm(m["start_words"]), _norm(m["end_words"])
        hit = None
        for origin in (pos, 0):
            for mm in re.finditer(re.escape(start), norm[origin:]):
                s = origin + mm.start()
                j = norm.find(end, s)
                if j != -1 and j + len(end) - s <= MAX_SPAN:
                    hit = (s, j + len(end))
                    break
            if hit:
                break
        if hit:
            out.append((hit[0], hit[1], m["kind"]))
            pos = hit[0] + 1
    return out


@dataclass
class DocScore:
    file: str
    labels: int
    predicted: int
    matched: int
    found_labels: int
    misses: list[str]
    false: list[str]


def score_document(
    file: str, missions: list[dict[str, Any]], text: str, preds: list[tuple[int, int]]
) -> DocScore:
    norm, idx = normalise_map(text)
    labels = label_spans(norm, missions)
    spans = [(bisect.bisect_left(idx, s), bisect.bisect_left(idx, e)) for s, e in preds]
    used: set[int] = set()
    found = 0
    for ls, le, _ in labels:
        best, best_ov = None, 0.0
        for k, (ps, pe) in enumerate(spans):
            if k in used:
                continue
            ov = min(le, pe) - max(ls, ps)
            if ov > 0 and ov >= OVERLAP * min(le - ls, pe - ps) and ov > best_ov:
                best, best_ov = k, ov
        if best is not None:
            used.add(best)
            found += 1
    misses = [norm[ls:le][:120] for ls, le, _ in labels if not _covered(ls, le, spans, used)]
    false = [norm[s:e][:120] for k, (s, e) in enumerate(spans) if k not in used]
    return DocScore(file, len(missions), len(preds), len(used), found, misses, false)


def _covered(ls: int, le: int, spans: list[tuple[int, int]], used: set[int]) -> bool:
    return any(min(le, spans[k][1]) - max(ls, spans[k][0]) > 0 for k in used)


def pooled(scores: list[DocScore]) -> dict[str, Any]:
    labels = sum(s.labels for s in scores)
    predicted = sum(s.predicted for s in scores)
    matched = sum(s.matched for s in scores)
    return {
        "documents": len(scores),
        "labels": labels,
        "candidates": predicted,
        "matched": matched,
        "precision": round(matched / predicted, 3) if predicted else None,
        "recall": round(matched / labels, 3) if labels else None,
    }


def run(files: list[str] | None = None, spec: dict[str, Any] | None = None) -> list[DocScore]:
    """Score the product's check-doc on ``files`` (default: all 13)."""
    from missionrag.check.docs import mission_candidates
    from missionrag.config import Settings
    from missionrag.ingest import load_file

    settings = Settings()
    by_file = {r["file"]: r for r in documents()}
    out = []
    for f in files or list(by_file):
        doc = load_file(Path(CHECKDOC / f), settings)
        cands = mission_candidates(doc, spec)
        out.append(
            score_document(f, by_file[f]["missions"], doc.text, [(c.start, c.end) for c in cands])
        )
    return out
