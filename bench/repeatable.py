"""Dense repeatability: the same query on an unchanged store, in fresh processes.

    .venv/bin/python bench/repeatable.py [--sizes 10000] [--processes 4] [--queries 30]

For each size a synthetic store is built (``scale.py``'s composed chunks), then ``processes``
fresh processes open it and run the same ``queries`` dense searches (100 candidates each),
once with Chroma's HNSW index (``MISSIONRAG_EXACT_SEARCH_MAX=0``) and once exact (the
default up to 10,000 chunks, ``index/exact.py``). Reported: the share of queries whose
100-candidate pool and top 10 are identical in every process, the mean overlap of a pool with
the first process's, and the search time (the first exact search loads the vectors).
Replaces ``## Dense repeatability`` in ``bench/REPORT.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    BENCH,
    MISSIONRAG,
    PYTHON,
    REPO,
    bench_env,
    emit,
    machine_info,
    settings_for,
    shared_onnx,
    write_section,
)

POOL = 100


def probe(data_dir: Path, exact_max: int, queries: int) -> dict[str, Any]:
    """In a fresh process: pools for the fixed queries, and timings."""
    from scale import sentence_pool

    from missionrag.kb import KnowledgeBase

    _, vectors = sentence_pool()
    rng = np.random.default_rng(17)
    qs = vectors[rng.choice(len(vectors), size=queries, replace=False)]
    kb = KnowledgeBase(settings_for(data_dir, exact_search_max=exact_max))
    store = kb.store
    pools: list[list[str]] = []
    times: list[float] = []
    for q in qs:
        t0 = time.perf_counter()
        found, _ = store.nearest(np.asarray(q, dtype=np.float32), POOL)
        times.append(time.perf_counter() - t0)
        pools.append([c.id for c in found])
    return {"pools": pools, "first_ms": times[0] * 1000, "ms": [t * 1000 for t in times[1:]]}


def _count(data: Path) -> int:
    out = subprocess.run(
        [str(MISSIONRAG), "status", "--json"],
        cwd=REPO,
        env=bench_env(data),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(json.loads(out.stdout)["chunks"])


def compare(runs: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(runs[0]["pools"])
    same_pool = sum(all(r["pools"][i] == runs[0]["pools"][i] for r in runs) for i in range(n))
    same_top = sum(
        all(r["pools"][i][:10] == runs[0]["pools"][i][:10] for r in runs) for i in range(n)
    )
    overlaps = [
        len(set(r["pools"][i]) & set(runs[0]["pools"][i])) / POOL
        for r in runs[1:]
        for i in range(n)
    ]
    ms = [t for r in runs for t in r["ms"]]
    return {
        "same_pool": round(same_pool / n, 3),
        "same_top10": round(same_top / n, 3),
        "pool_overlap": round(statistics.mean(overlaps), 4) if overlaps else 1.0,
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "first_ms": round(statistics.median(r["first_ms"] for r in runs), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="corpus,10000", help="chunk counts, or corpus (ingested)")
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--exact-max", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe, args.exact_max, args.queries)))
        return
    if args.build:
        from scale import build

        build(int(args.sizes), args.build)  # its own process: the store's lock goes with it
        return

    rows: list[dict[str, Any]] = []
    for token in args.sizes.split(","):
        with tempfile.TemporaryDirectory(prefix="missionrag-repeat-") as tmp:
            data = Path(tmp) / "data"
            if token == "corpus":  # the real ingest path: windows, pipeline, corpus/
                shared_onnx(data)
                cmd = [str(MISSIONRAG), "ingest", "corpus/"]
            else:
                cmd = [str(PYTHON), str(BENCH / "repeatable.py"), "--build", str(data)]
                cmd += ["--sizes", token]
            subprocess.run(cmd, cwd=REPO, env=bench_env(data), check=True, timeout=3600)
            size = _count(data) if token == "corpus" else int(token)
            for mode, exact_max in (("HNSW", 0), ("exact", max(size, 10000))):
                runs = []
                for _ in range(args.processes):
                    out = subprocess.run(
                        [str(PYTHON), str(BENCH / "repeatable.py"), "--probe", str(data)]
                        + ["--exact-max", str(exact_max), "--queries", str(args.queries)],
                        cwd=REPO,
                        env=bench_env(data),
                        capture_output=True,
                        text=True,
                        timeout=900,
                        check=True,
                    )
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                rows.append({"chunks": size, "mode": mode, **compare(runs)})
                print(rows[-1], file=sys.stderr, flush=True)
    machine = machine_info()
    if not args.no_report:
        table = "\n".join(
            f"| {r['chunks']:,} | {r['mode']} | {r['same_pool']:.0%} | {r['same_top10']:.0%} "
            f"| {r['pool_overlap']:.3f} | {r['p50_ms']} | {r['p95_ms']} | {r['first_ms']} |"
            for r in rows
        )
        write_section(
            "Dense repeatability",
            f"""## Dense repeatability

`bench/repeatable.py` ({machine["date"]}): {args.processes} fresh processes open the same
unchanged store and run the same {args.queries} dense searches ({POOL} candidates each).
*Same pool* and *same top 10*: share of queries identical in every process; *overlap*: mean
share of a pool found by the first process too. Times are per search, warm; *first* is the
first search of a process (exact search loads the stored vectors then: once per store write).

| chunks | dense search | same pool | same top 10 | overlap | p50 ms | p95 ms | first ms |
| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |
{table}
""",
        )
    emit({"repeatable": rows})


if __name__ == "__main__":
    main()
