"""Dense results repeat across restarts on an unchanged store (``index/exact.py``).

Chroma's HNSW graph is rebuilt from its log by every process that opens a small store (the
index is persisted every 1,000 writes), so the corpus gave one query a different
100-candidate pool in one process out of four. Exact search gives the same pool every time.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from conftest import CORPUS, run_cli

from missionrag.kb import KnowledgeBase

QUERIES = [
    "why do missions fail",
    "mission washing",
    "who wrote the code for the lunar lander",
    "directionality of innovation policy",
    "cross-sectoral collaboration between ministries",
    "measurable targets and deadlines",
    "citizen engagement in mission design",
    "portfolio of projects",
    "public procurement for innovation",
    "evaluation and monitoring of missions",
    "budget and funding instruments",
    "bold and inspirational goals",
]


def test_same_dense_pool_in_every_fresh_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli(["ingest", str(CORPUS), "--json"], data).returncode == 0
    questions = tmp_path / "q.txt"
    questions.write_text("\n".join(QUERIES) + "\n")
    args = ["search", "--file", str(questions), "--mode", "dense", "--top-k", "100", "--json"]
    runs = []
    for _ in range(3):
        out = run_cli(args, data)
        assert out.returncode == 0, out.stderr[-2000:]
        runs.append(
            [[h["chunk_id"] for h in json.loads(line)["hits"]] for line in out.stdout.splitlines()]
        )
    assert runs[0] == runs[1] == runs[2]
    assert all(len(pool) == 100 for pool in runs[0])


def test_exact_search_is_the_brute_force_ranking(corpus_kb: KnowledgeBase) -> None:
    store = corpus_kb.store
    pairs = list(store.iter_chunk_vectors())
    ids = [c.id for c, _ in pairs]
    matrix = np.stack([v for _, v in pairs])
    for q in corpus_kb.embedder.embed(QUERIES[:4]):
        found, vecs = store.nearest(q, 50)
        scores = matrix @ q
        best = sorted(range(len(ids)), key=lambda i: (-float(scores[i]), ids[i]))[:50]
        assert [c.id for c in found] == [ids[i] for i in best]
        assert np.allclose(vecs @ q, scores[best], atol=1e-5)
