"""Choose the rerank stage's settings on the DEV questions only; never on a test split.

    python -m missionrag_evals.tune_rerank [--kb seed|big]

For each dev question it takes the hybrid pool once (reranking off), scores every candidate
with the cross-encoder in each passage format and truncation, then sweeps pool size and the
fusion weight offline. The printed table is the evidence for the defaults in config.py
(``rerank_pool``, ``rerank_max_tokens``, ``rerank_weight``) and for ``passage_text``.
"""

from __future__ import annotations

import argparse
import time
from statistics import NormalDist

import numpy as np

from missionrag_evals import data
from missionrag_evals.kbs import Gold, build

POOLS = (10, 20, 30, 50)
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TOKENS = (128, 256)
FORMATS = {
    "text": lambda h: h.text,
    "title+text": lambda h: f"{h.title}. {h.text}" if h.title else h.text,
    "title+section+text": lambda h: ". ".join(x for x in (h.title, h.section, h.text) if x),
}


def _logits(model, cases, pools, fmt, key: str) -> dict:  # type: ignore[no-untyped-def]
    """Cross-encoder logits per case, cached in evals/.cache (the slow part of a sweep)."""
    import pickle

    from missionrag_evals.kbs import CACHE

    path = CACHE / f"ce-{key}.pkl"
    done: dict = pickle.loads(path.read_bytes()) if path.exists() else {}
    for c in cases:
        k = (c.question, tuple(h.chunk_id for h in pools[c.id]))
        if k not in done:
            done[k] = model.score(c.question, [fmt(h) for h in pools[c.id]])
    path.write_bytes(pickle.dumps(done))
    return {c.id: done[(c.question, tuple(h.chunk_id for h in pools[c.id]))] for c in cases}


def dev_cases(kb_name: str) -> list[data.QCase]:
    cases = [c for c in data.seed_retrieval() + data.seed_qa() if c.answerable]
    if kb_name == "big":
        cases += [c for c in data.corpus_b_qa() if c.answerable and c.split == "dev"]
    return cases


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def _metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    n = max(len(ranks), 1)
    h1 = sum(r == 1 for r in ranks) / n
    h5 = sum(r is not None and r <= 5 for r in ranks) / n
    mrr = sum(1 / r for r in ranks if r) / n
    return round(h1, 3), round(h5, 3), round(mrr, 3)


def main() -> None:
    from missionrag.index.rerank import OnnxCrossEncoder, rerank_path

    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", choices=["seed", "big"], default="seed")
    args = ap.parse_args()
    kb = build(args.kb, rerank="off")
    gold = Gold(kb)
    cases = dev_cases(args.kb)
    pools = {c.id: kb.search(c.question, max(POOLS)) for c in cases}
    print(f"{args.kb}: {len(cases)} dev questions, {len(kb.all_chunks())} chunks", flush=True)
    inv = NormalDist().inv_cdf
    rows = []
    for tokens in TOKENS:
        model = OnnxCrossEncoder(rerank_path(kb.settings), tokens)
        for fname, fmt in FORMATS.items():
            if tokens != 256 and fname != "title+text":
                continue  # truncation is swept on one format only
            t0 = time.process_time()
            logits = _logits(model, cases, pools, fmt, f"{args.kb}-{tokens}-{fname}")
            cpu = (time.process_time() - t0) / len(cases)
            for pool in POOLS:
                for w in WEIGHTS:
                    ranks = []
                    for c in cases:
                        hits = pools[c.id][:pool]
                        ce = _z(logits[c.id][:pool])
                        hy = _z(np.array([inv(min(max(h.score, 1e-4), 1 - 1e-4)) for h in hits]))
                        order = np.argsort(-(w * ce + (1 - w) * hy), kind="stable")
                        ranks.append(
                            next(
                                (i + 1 for i, j in enumerate(order) if gold.covers(hits[j], c)),
                                None,
                            )
                        )
                    rows.append((tokens, fname, pool, w, *_metrics(ranks), cpu))
    base = _metrics(
        [
            next((i + 1 for i, h in enumerate(pools[c.id][:10]) if gold.covers(h, c)), None)
            for c in cases
        ]
    )
    print(f"hybrid alone: hit@1 {base[0]} hit@5 {base[1]} MRR {base[2]}")
    print("tokens format pool weight hit@1 hit@5 MRR cpu-s/question(all 50)")
    for r in sorted(rows, key=lambda r: -r[6])[:25]:
        print(*r[:7], f"{r[7]:.2f}")
    print("-- defaults' neighbourhood (title+text, 256 tokens)")
    for r in rows:
        if r[0] == 256 and r[1] == "title+text":
            print(*r[:7])


if __name__ == "__main__":
    main()
