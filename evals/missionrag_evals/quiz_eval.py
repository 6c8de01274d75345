"""``missionrag eval quiz``: validity, fact coverage, type mix and answer balance of quizzes.

Validity re-runs every gate on the final items, with the verbatim check against the stored
document text, so it measures the quiz as shipped rather than trusting the builder. Coverage
is strict: a fact counts only when one item's quote or answer contains all its keywords.
Coverage is also reported over ten seeds, so one lucky seed cannot stand for the builder.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import InputError
from missionrag.models import QuizItem
from missionrag.quiz import TYPES, build_quiz
from missionrag.quiz.gates import LETTERS, item_problems, position_counts, quiz_problems
from missionrag.quiz.text import contains
from missionrag_evals import EVALS, REPORTS

if TYPE_CHECKING:
    from missionrag.index import Retriever

VALIDITY_N = 20
COVERAGE_N = 30
SEEDS = 10


def load_facts(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError(f"{path}: no such fact list (one JSON object per line)")
    facts = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not (isinstance(row, dict) and row.get("id") and isinstance(row.get("keywords"), list)):
            raise InputError(f'{path}:{n}: needs "id", "fact", "keywords": [...], "source"')
        facts.append(row)
    return facts


def covered(fact: dict[str, Any], items: list[QuizItem]) -> bool:
    keys = [str(k) for k in fact["keywords"]]
    return any(all(contains(f"{i.quote}\n{i.answer}", k) for k in keys) for i in items)


def validity(items: list[QuizItem], texts: dict[str, str]) -> tuple[float, dict[str, list[str]]]:
    failing = {i.id: p for i in items if (p := item_problems(i, texts.get(i.source)))}
    share = (len(items) - len(failing)) / len(items) if items else 0.0
    return share, failing


def run_quiz_eval(
    retriever: Retriever,
    facts: Path = EVALS / "quiz_facts.jsonl",
    report: Path = REPORTS / "quiz.md",
    seed: int = 7,
) -> tuple[str, dict]:
    """Build the quizzes, measure them, write ``report``; returns (markdown, metrics)."""
    fact_rows = load_facts(facts)
    t0 = time.perf_counter()
    quiz20 = build_quiz(retriever, n=VALIDITY_N, seed=seed)
    build_seconds = time.perf_counter() - t0
    texts: dict[str, str] = {}
    for item in quiz20:
        texts.setdefault(item.source, retriever.document_text(item.source))
    valid20, failing20 = validity(quiz20, texts)

    quiz30 = build_quiz(retriever, n=COVERAGE_N, seed=seed)
    for item in quiz30:
        texts.setdefault(item.source, retriever.document_text(item.source))
    valid30, failing30 = validity(quiz30, texts)
    hit = [f["id"] for f in fact_rows if covered(f, quiz30)]
    coverage = len(hit) / len(fact_rows) if fact_rows else 0.0
    per_seed = []
    for s in range(seed, seed + SEEDS):
        quiz = quiz30 if s == seed else build_quiz(retriever, n=COVERAGE_N, seed=s)
        per_seed.append(sum(covered(f, quiz) for f in fact_rows) / max(len(fact_rows), 1))

    types: Counter[str] = Counter(i.type for i in quiz30)
    positions = position_counts(quiz30)
    tf = Counter(i.answer for i in quiz30 if i.type == "true_false")
    sources = Counter(i.source for i in quiz30)
    metrics: dict[str, Any] = {
        "seed": seed,
        "validity_20": round(valid20, 4),
        "items_20": len(quiz20),
        "types_20": sorted({i.type for i in quiz20}),
        "quiz_problems_20": quiz_problems(quiz20),
        "validity_30": round(valid30, 4),
        "items_30": len(quiz30),
        "failing": {**failing20, **failing30},
        "facts": len(fact_rows),
        "coverage_30": round(coverage, 4),
        "covered": hit,
        "missed": [f["id"] for f in fact_rows if f["id"] not in hit],
        "coverage_seeds": {
            "seeds": [seed, seed + SEEDS - 1],
            "mean": round(sum(per_seed) / len(per_seed), 4),
            "min": round(min(per_seed), 4),
            "max": round(max(per_seed), 4),
        },
        "type_mix": {t: types.get(t, 0) for t in TYPES},
        "positions": positions,
        "position_spread": max(positions.values()) - min(positions.values()),
        "true_false": {"True": tf.get("True", 0), "False": tf.get("False", 0)},
        "sources": dict(sorted(sources.items())),
        "quiz_problems_30": quiz_problems(quiz30),
        "build_seconds_20": round(build_seconds, 3),
    }
    text = render(metrics, fact_rows)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text, encoding="utf-8")
    return text, metrics


def render(m: dict[str, Any], facts: list[dict[str, Any]]) -> str:
    by_id = {f["id"]: f for f in facts}
    cs = m["coverage_seeds"]
    lines = [
        "# Quiz eval",
        "",
        f"Seed {m['seed']}. Offline generation (no LLM). Facts: `evals/quiz_facts.jsonl` ({m['facts']}).",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| validity, {VALIDITY_N}-item quiz (share passing every gate) | {m['validity_20']:.2f} ({m['items_20']} items, types: {', '.join(m['types_20'])}) |",
        f"| validity, {COVERAGE_N}-item quiz | {m['validity_30']:.2f} ({m['items_30']} items) |",
        f"| quiz-level problems (duplicates, balance) | {', '.join(m['quiz_problems_20'] + m['quiz_problems_30']) or 'none'} |",
        f"| fact coverage, {COVERAGE_N}-item quiz | **{m['coverage_30']:.2f}** ({len(m['covered'])}/{m['facts']}) |",
        f"| fact coverage over seeds {cs['seeds'][0]}-{cs['seeds'][1]} | mean {cs['mean']:.2f}, min {cs['min']:.2f}, max {cs['max']:.2f} |",
        f"| type mix | {', '.join(f'{t} {c}' for t, c in m['type_mix'].items())} |",
        f"| MCQ answer positions | {', '.join(f'{k} {v}' for k, v in m['positions'].items())} (spread {m['position_spread']}) |",
        f"| true/false answers | True {m['true_false']['True']}, False {m['true_false']['False']} |",
        f"| build time, {VALIDITY_N} items | {m['build_seconds_20']:.2f} s |",
        "",
        "## Items per document",
        "",
        *[f"- `{s}`: {c}" for s, c in m["sources"].items()],
        "",
        "## Facts not covered",
        "",
        *([f"- `{i}`: {by_id[i]['fact']}" for i in m["missed"]] or ["- none"]),
        "",
    ]
    if m["failing"]:
        lines += ["## Items failing a gate", ""]
        lines += [f"- `{k}`: {', '.join(v)}" for k, v in m["failing"].items()]
        lines.append("")
    lines += [
        "Answer positions are letters " + "/".join(LETTERS) + "; a fact counts as covered when one",
        "item's quote or answer contains all its keywords.",
        "",
    ]
    return "\n".join(lines)
