"""Embedding backends: torch (sentence-transformers) against onnx, on the same chunks.

Each backend runs in its own process, so the import and model-load time is its own. Encode
time is the best of ``--rounds`` passes over the corpus's chunks (the texts the pipeline
embeds), which filters out the moments another user's job held a core. Single-query latency
is what a search pays per question. Cosine agreement compares the two sets of vectors.

Usage: python bench/embedding.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ONNX_HOME, PYTHON, REPO, bench_env, emit, settings_for, shared_onnx


def corpus_chunk_texts() -> list[str]:
    """The exact strings the ingest pipeline embeds for corpus/ (chunk plus its header)."""
    from missionrag.ingest import chunk_document, load_file
    from missionrag.ingest.chunking import index_text

    settings = settings_for(ONNX_HOME)
    texts: list[str] = []
    for path in sorted((REPO / "corpus").glob("*")):
        if path.name == "SOURCES.md" or path.suffix not in {".md", ".txt"}:
            continue
        doc = load_file(path, settings)
        texts += [index_text(c, settings.contextual_headers) for c in chunk_document(doc, settings)]
    return texts


def worker(backend: str, texts_file: Path, out_file: Path, rounds: int) -> None:
    texts = json.loads(texts_file.read_text())
    queries = [t.split("\n", 1)[-1][:80] for t in texts[:60]]
    t0 = time.perf_counter()
    settings = settings_for(ONNX_HOME, embed_backend=backend)
    if backend == "onnx":
        from missionrag.index.onnx_embed import OnnxEmbedder

        emb = OnnxEmbedder.from_settings(settings)
        tokens = sum(len(e.ids) for e in emb.tokenizer.encode_batch(texts))
    else:
        from missionrag.index.embed import TorchEmbedder

        emb = TorchEmbedder(settings.model_path, settings.embed_batch_size)  # type: ignore[assignment]
        tokens = 0
    load = time.perf_counter() - t0
    emb.embed(texts[:8])  # first call allocates buffers; not part of steady-state speed
    passes = []
    vecs = None
    for _ in range(rounds):
        t = time.perf_counter()
        vecs = emb.embed(texts)
        passes.append(time.perf_counter() - t)
    lat = []
    for q in queries:
        t = time.perf_counter()
        emb.embed([q])
        lat.append(time.perf_counter() - t)
    assert vecs is not None
    np.save(out_file, vecs)
    best = min(passes)
    print(
        json.dumps(
            {
                "backend": backend,
                "import_and_load_s": round(load, 3),
                "encode_best_s": round(best, 3),
                "encode_passes_s": [round(p, 3) for p in passes],
                "chunks_per_s": round(len(texts) / best, 1),
                "tokens": tokens,
                "query_ms_p50": round(1000 * statistics.median(lat), 2),
                "heavy": [m for m in ("torch", "sentence_transformers") if m in sys.modules],
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker", choices=["onnx", "torch"])
    ap.add_argument("--texts", type=Path)
    ap.add_argument("--out", type=Path)
    opts = ap.parse_args()
    if opts.worker:
        worker(opts.worker, opts.texts, opts.out, opts.rounds)
        return

    shared_onnx(ONNX_HOME)
    texts = corpus_chunk_texts()
    tmp = Path(tempfile.mkdtemp(prefix="mr-bench-embed-"))
    try:
        (tmp / "texts.json").write_text(json.dumps(texts))
        results = {}
        for backend in ("onnx", "torch"):
            proc = subprocess.run(
                [
                    str(PYTHON),
                    __file__,
                    "--worker",
                    backend,
                    "--texts",
                    str(tmp / "texts.json"),
                    "--out",
                    str(tmp / f"{backend}.npy"),
                    "--rounds",
                    str(opts.rounds),
                ],
                cwd=REPO,
                env=bench_env(),
                capture_output=True,
                text=True,
                timeout=900,
            )
            if proc.returncode != 0:
                raise SystemExit(f"{backend} worker failed: {proc.stderr.strip()[-800:]}")
            results[backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        a = np.load(tmp / "onnx.npy")
        b = np.load(tmp / "torch.npy")
        cos = (a * b).sum(axis=1)
        onnx, torch = results["onnx"], results["torch"]
        tokens = onnx["tokens"]
        for r in results.values():
            r["tokens_per_s"] = round(tokens / r["encode_best_s"], 0)
        emit(
            {
                "chunks": len(texts),
                "tokens": tokens,
                "backends": results,
                "speedup_encode": round(torch["encode_best_s"] / onnx["encode_best_s"], 2),
                "speedup_load": round(torch["import_and_load_s"] / onnx["import_and_load_s"], 1),
                "cosine_min": round(float(cos.min()), 6),
                "cosine_mean": round(float(cos.mean()), 6),
                "max_abs_diff": float(np.abs(a - b).max()),
            }
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
