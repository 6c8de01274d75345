"""Similar strong missions from the small library shipped in ``data/strong_missions.jsonl``.

Lexical similarity (TF-IDF cosine over light-stemmed words) plus shared themes, so no model is
loaded; themes carry the match across languages ("Verkehrstote" and "road deaths" share
"mobility").
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from missionrag.models import SimilarMission

LIBRARY = Path(__file__).resolve().parents[1] / "data" / "strong_missions.jsonl"
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "will",
        "our",
        "from",
        "all",
        "are",
        "has",
        "have",
        "its",
        "their",
        "than",
        "into",
        "per",
        "more",
        "by",
        "who",
        "what",
        "which",
        "when",
        "where",
        "while",
        "every",
        "each",
        "also",
        "been",
        "being",
        "them",
        "they",
        "there",
        "these",
        "those",
        "over",
        "under",
        "about",
        "such",
        "most",
        "much",
        "many",
        "any",
        "some",
        "other",
        "only",
        "both",
        "made",
        "make",
    ]
)
THEMES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "climate": r"climat|emission|carbon|greenhouse|net.?zero|co2|fossil|renewab|energy|klima|drivhus|"
        r"treibhaus|växthus|utsläpp|estufa|emiss|hiilineutr|neutral",
        "health": r"health|disease|cancer|obes|smok|life expectancy|hiv|stroke|heart|mortality|care|"
        r"sundhed|gesundheit|hälsa|gezondheid|saúde|santé|salud|terveys|medizin",
        "mobility": r"road|traffic|transport|vehicle|cars|mobility|cycling|rail|freight|ship|"
        r"trafik|verkehr|verkeer|estrada|trafiken",
        "poverty": r"povert|homeless|sleeping rough|housing|homes|hunger|food bank|deprivat|"
        r"fattigdom|armut|armoede|pobreza|pauvret|asunnott|sans domicile|pobreza energ",
        "children": r"child|school|young|pupil|educat|kind|børn|unge|barn|jeugd|criança|enfant",
        "environment": r"ocean|water|plastic|waste|biodivers|nature|soil|forest|predator|pollut|air|"
        r"circular|recycl",
        "cities": r"cit(?:y|ies)|urban|neighbourhood|municipal|region|kommune|stad",
        "food": r"food|nutrition|diet|meal|hungry|fødevare|lebensmittel|livsmedel|voedsel|alimento",
        "work": r"job|employ|labour|work|unemploy|beskæftig|arbeit|arbete|werk|emprego|lavoro",
        "equality": r"gap|inequal|divers|fair|equit|inclusi|opportunit",
    }.items()
}


def _tokens(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.lower()):
        if w in _STOP:
            continue
        for suffix in ("ing", "ies", "es", "s", "ed", "ly"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


def _themes(text: str) -> set[str]:
    return {name for name, rx in THEMES.items() if rx.search(text)}


@lru_cache(maxsize=1)
def _library() -> tuple[list[dict], list[dict[str, float]], dict[str, float], list[set[str]]]:
    rows = [
        json.loads(line)
        for line in LIBRARY.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    docs = [Counter(_tokens(r["text"])) for r in rows]
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    n = len(docs)
    idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
    vecs = [_unit({t: tf * idf[t] for t, tf in d.items()}) for d in docs]
    return rows, vecs, idf, [_themes(r["text"]) for r in rows]


def _unit(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def similar_missions(statement: str, k: int = 3) -> list[SimilarMission]:
    """The ``k`` library missions closest to ``statement`` (never the statement itself)."""
    rows, vecs, idf, themes = _library()
    if not rows:
        return []
    default_idf = max(idf.values(), default=1.0)
    q = _unit({t: tf * idf.get(t, default_idf) for t, tf in Counter(_tokens(statement)).items()})
    q_themes = _themes(statement)
    scored = []
    norm_stmt = " ".join(statement.lower().split())
    for row, vec, th in zip(rows, vecs, themes, strict=True):
        if " ".join(row["text"].lower().split()) == norm_stmt:
            continue
        cos = sum(w * vec.get(t, 0.0) for t, w in q.items())
        overlap = len(q_themes & th) / len(q_themes | th) if (q_themes | th) else 0.0
        scored.append((0.65 * cos + 0.35 * overlap, row))
    scored.sort(key=lambda x: -x[0])
    # Always two for inspiration; a third only if it shares something with the statement.
    top = [(s, r) for i, (s, r) in enumerate(scored[:k]) if i < 2 or s > 0.0]
    return [
        SimilarMission(
            text=r["text"],
            issuer=r["issuer"],
            year=r.get("year"),
            similarity=round(min(1.0, s), 3),
            source=r.get("source") or None,
        )
        for s, r in top
    ]
