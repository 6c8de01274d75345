"""Ingestion throughput: the whole pipeline's chunks/s against the bare model's encode.

A generated corpus (Markdown files of on-topic text from ``TextGenerator``, ~4,500 chunks at
the default chunk size) is ingested with ``KnowledgeBase.ingest`` into a fresh data dir:
loading, chunking, embedding, Chroma writes, commit and the keyword index. The corpus spans
three of the pipeline's embedding windows (``MISSIONRAG_INGEST_WINDOW``, 2,048 chunks), so
the windowing's costs (shorter length-sorted runs, writes overlapping the model, the last
window's writes) are all in the number; a corpus inside one window would flatter it. Then the very
strings the pipeline embedded are encoded by the same backend's bare embedder in one call.

Both run in this one process with the model already loaded and the imports done (start-up is
what ``coldstart.py`` measures), and they alternate for ``--rounds`` rounds; each side's best
round is compared, so a burst of load from another user on the shared machine does not decide
the ratio. The query-vector cache is emptied before each pipeline round, so nothing is reused.

Usage: python bench/ingest_throughput.py [--rounds N] [--files N]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import TextGenerator, emit, settings_for, shared_onnx


def write_corpus(folder: Path, files: int, seed: int = 21) -> int:
    """Markdown files with front matter, sections and paragraphs; returns the word count."""
    gen = TextGenerator(seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for i in range(files):
        parts = [f"---\ntitle: {gen.title()}\n---\n", f"# {gen.title()}\n"]
        for _ in range(4):
            parts.append(f"## {gen.title()}\n")
            for _ in range(3):
                para = gen.paragraph(gen.rng.randint(3, 6))
                words += len(para.split())
                parts.append(para + "\n")
        (folder / f"report-{i:03d}.md").write_text("\n".join(parts), encoding="utf-8")
    return words


class TimedEmbedder:
    """Wraps the model inside the pipeline to tell its time from everything else's."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.calls = 0

    @property
    def takes_token_ids(self) -> bool:
        return bool(getattr(self.inner, "takes_token_ids", False))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._timed(self.inner.embed, texts)

    def embed_ids(self, token_ids: Sequence[Sequence[int]]) -> np.ndarray:
        return self._timed(self.inner.embed_ids, token_ids)

    def _timed(self, fn: Any, arg: Any) -> np.ndarray:
        t = time.perf_counter()
        try:
            out: np.ndarray = fn(arg)
            return out
        finally:
            self.seconds += time.perf_counter() - t
            self.calls += 1


class Stages:
    """Wall time per pipeline stage, by wrapping the functions the pipeline calls.

    Measurement only: each wrapper calls the real function. A stage whose function is renamed
    is simply not reported (the totals above stay right).
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attr: str, stage: str) -> None:
        fn = getattr(owner, attr, None)
        if fn is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t

        self._undo.append((owner, attr, fn))
        setattr(owner, attr, timed)

    def restore(self) -> None:
        for owner, attr, fn in reversed(self._undo):
            setattr(owner, attr, fn)
        self._undo.clear()


def fresh_embedder(settings: Any) -> Any:
    """The process-wide embedder for these settings, with an empty query-vector cache."""
    from missionrag.index import embed as embed_mod

    embed_mod._EMBEDDERS.clear()  # a cached vector from the last round would flatter us
    return embed_mod.get_embedder(settings)


def pipeline_round(corpus: Path, root: Path, r: int, backend: str) -> dict[str, Any]:
    from missionrag.kb import KnowledgeBase

    data = root / f"data-{r}"
    shared_onnx(data)
    settings = settings_for(data, embed_backend=backend)
    emb = fresh_embedder(settings)
    timer = TimedEmbedder(emb.inner)
    emb.inner = timer  # the pipeline still goes through the cache wrapper, as in production
    import importlib

    import missionrag.ingest as ingest_mod

    kb = KnowledgeBase(settings)
    stages = Stages()
    stages.wrap(ingest_mod, "load_file", "load")
    stages.wrap(ingest_mod, "chunk_document", "chunk")
    # The pipeline module binds its chunking function at import, so its name is wrapped too.
    with contextlib.suppress(ImportError):
        pipeline_mod = importlib.import_module("missionrag.ingest.pipeline")
        stages.wrap(pipeline_mod, "chunk_document", "chunk")
        stages.wrap(pipeline_mod, "chunk_with_tokens", "chunk")
    stages.wrap(kb.store, "write_group", "store writes")
    stages.wrap(kb.derived, "rebuild", "keyword index")
    t, c = time.perf_counter(), time.process_time()
    try:
        report = kb.ingest([corpus])
    finally:
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        stages.restore()
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed[:3]}")
    from missionrag.ingest.chunking import index_text

    texts = [index_text(c, settings.contextual_headers) for c in kb.all_chunks()]
    return {
        "seconds": dt,
        "cpu_s": cpu,
        "chunks": report.chunks_embedded,
        "model_s": timer.seconds,
        "stages_s": {"model": timer.seconds, **stages.seconds},
        "embed_calls": timer.calls,
        "window": settings.ingest_window,
        "texts": texts,
        "inner": timer.inner,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--files", type=int, default=260)
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    opts = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="mr-bench-ingest-"))
    try:
        corpus = root / "corpus"
        words = write_corpus(corpus, opts.files)
        # Warm-up: imports (llama-index, chromadb, bm25s) and the model, on one small file.
        warm = root / "warm"
        warm.mkdir()
        shutil.copy(next(corpus.glob("*.md")), warm / "warm.md")
        from missionrag.kb import KnowledgeBase

        shared_onnx(root / "data-warm")
        KnowledgeBase(settings_for(root / "data-warm", embed_backend=opts.backend)).ingest([warm])

        pipe: list[dict[str, Any]] = []
        bare: list[float] = []
        bare_cpu: list[float] = []
        for r in range(opts.rounds):
            p = pipeline_round(corpus, root, r, opts.backend)
            texts, inner = p.pop("texts"), p.pop("inner")
            pipe.append(p)
            t, c = time.perf_counter(), time.process_time()
            vecs = inner.embed(texts)
            bare.append(time.perf_counter() - t)
            bare_cpu.append(time.process_time() - c)
            assert vecs.shape[0] == len(texts) == p["chunks"]
        chunks = pipe[0]["chunks"]
        best_pipe = min(p["seconds"] for p in pipe)
        best_round = min(pipe, key=lambda p: p["seconds"])
        stages_s = {k: round(v, 2) for k, v in best_round["stages_s"].items()}
        best_bare = min(bare)
        emit(
            {
                "backend": opts.backend,
                "files": opts.files,
                "words": words,
                "chunks": chunks,
                "rounds": opts.rounds,
                "pipeline_s": [round(p["seconds"], 2) for p in pipe],
                "pipeline_model_s": [round(p["model_s"], 2) for p in pipe],
                "pipeline_embed_calls": pipe[0]["embed_calls"],
                "window": pipe[0]["window"],
                "pipeline_stages_s": stages_s,
                "bare_s": [round(b, 2) for b in bare],
                "pipeline_chunks_per_s": round(chunks / best_pipe, 1),
                "bare_chunks_per_s": round(chunks / best_bare, 1),
                "ratio": round(best_bare / best_pipe, 3),
                # CPU seconds (all threads) barely move with other users' load: a steadier
                # view of the same comparison than wall time on a shared machine.
                "pipeline_cpu_s": [round(p["cpu_s"], 2) for p in pipe],
                "bare_cpu_s": [round(b, 2) for b in bare_cpu],
                "ratio_cpu": round(min(bare_cpu) / min(p["cpu_s"] for p in pipe), 3),
            }
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
