"""Warm extractive ask: p50/p95 latency of new questions (target p95 <= 350 ms, reranked).

    .venv/bin/python bench/ask_speed.py [--rounds 5]

Ingests the corpus into a temporary data dir, warms the process up on ``evals/qa.jsonl``
(models loaded, caches filled), then times ``KnowledgeBase.ask`` (retrieval, reranking,
sentence scoring, abstention, quote verification; no LLM) on questions it has not seen:
``evals/retrieval.jsonl`` and ``evals/qa_seed_blind.jsonl``. "Repeat" passes ask the warm-up
questions again, when the embedder's cache holds their vectors, as a server sees repeats.
Prints a few lines for people and one JSON object last (``bench/common.emit``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, emit, settings_for, shared_onnx  # noqa: E402


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm passes over the questions")
    args = parser.parse_args()

    def read(name: str) -> list[str]:
        path = REPO / "evals" / name
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.loads(x)["question"] for x in lines if x.strip()]

    questions = read("qa.jsonl")
    new = [q for q in dict.fromkeys(read("retrieval.jsonl") + read("qa_seed_blind.jsonl"))]
    with tempfile.TemporaryDirectory(prefix="ask-bench-") as tmp:
        data = Path(tmp) / "data"
        shared_onnx(data)
        from missionrag.kb import KnowledgeBase

        kb = KnowledgeBase(settings_for(data))
        kb.ingest([REPO / "corpus"])

        for q in questions:  # warm-up: models loaded, caches filled
            kb.ask(q)
        warm: list[float] = []
        abstained = 0
        for q in new:
            t = time.perf_counter()
            ans = kb.ask(q)
            warm.append(1000 * (time.perf_counter() - t))
            abstained += ans.abstained
        cold: list[float] = []  # repeats of the warm-up questions
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                kb.ask(q)
                cold.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        hits = [kb.search(q, 20) for q in questions]
        search_ms = 1000 * (time.perf_counter() - t) / len(questions)
        del hits

    result = {
        "benchmark": "ask_speed",
        "questions": len(new),
        "rounds": args.rounds,
        "warm_p50_ms": round(statistics.median(warm), 1),
        "warm_p95_ms": round(pct(warm, 0.95), 1),
        "warm_max_ms": round(max(warm), 1),
        "repeat_p50_ms": round(statistics.median(cold), 1),
        "repeat_p95_ms": round(pct(cold, 0.95), 1),
        "search_mean_ms": round(search_ms, 1),
        "abstained_share": round(abstained / len(warm), 3),
        "target_p95_ms": 350,
        "ok": pct(warm, 0.95) <= 350,
    }
    print(f"new questions: {len(new)} (extractive, reranked, no LLM)")
    print(
        f"warm: p50 {result['warm_p50_ms']} ms, p95 {result['warm_p95_ms']} ms, "
        f"max {result['warm_max_ms']} ms (search of 20 ~{result['search_mean_ms']} ms)"
    )
    print(f"repeats: p50 {result['repeat_p50_ms']} ms, p95 {result['repeat_p95_ms']} ms")
    print(f"target p95 <= 350 ms: {'ok' if result['ok'] else 'MISSED'}")
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
