"""Warm speed of the offline mission check: ms per statement over 100 eval statements.

    .venv/bin/python bench/check_speed.py [--n 100] [--rounds 5]

The target is <= 20 ms per statement without an LLM. The first call (imports, compiled
patterns, the learned model, the embedding model, the mission library) is excluded; each round
checks the same statements again (their embeddings are then cached, as in a running service).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=100, help="statements per round (from evals/missions.jsonl)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from missionrag.check import check_statement

    rows = [
        json.loads(line)
        for line in (REPO / "evals/missions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts = [r["text"] for r in rows][: args.n]
    today = dt.date(2026, 11, 23)
    check_statement(texts[0], today=today)  # warm-up: imports, regexes, library
    cold = time.perf_counter() - t0

    per_round = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        for text in texts:
            check_statement(text, today=today)
        per_round.append(1000 * (time.perf_counter() - t) / len(texts))
    longest = max((r["text"] for r in rows), key=len)
    t = time.perf_counter()
    for _ in range(20):
        check_statement(longest, today=today)
    long_ms = 1000 * (time.perf_counter() - t) / 20

    heavy = [
        m
        for m in ("torch", "sentence_transformers", "chromadb", "llama_index", "sklearn")
        if m in sys.modules
    ]
    print(f"statements: {len(texts)} x {args.rounds} rounds (offline, no LLM, no store)")
    print(
        f"warm: {statistics.median(per_round):.2f} ms/statement (median of rounds; min {min(per_round):.2f}, max {max(per_round):.2f})"
    )
    print(f"longest statement ({len(longest)} chars): {long_ms:.2f} ms")
    print(
        f"cold start incl. imports: {1000 * cold:.0f} ms; heavy modules loaded: {heavy or 'none'}"
    )
    print(f"target <= 20 ms/statement: {'ok' if statistics.median(per_round) <= 20 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
