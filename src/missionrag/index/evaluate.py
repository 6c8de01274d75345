"""Retrieval eval: hit@1, hit@5 and MRR for hybrid, dense, keyword and llama-index's default.

A hit is a retrieved passage from the right source that covers at least half of the gold
passage (character overlap in the document's clean text), so a chunk boundary that splits the
gold sentence still counts, and a different chunk of the same file does not.

The retrieval settings were tuned on ``evals/retrieval.jsonl``. The answerable items of
``evals/qa.jsonl`` (other questions, 49 of 51 on other passages) were not used for tuning, so
the report also scores them as a held-out check on every table: chunk sizes (each ingested
afresh) and the query-time variants of ``index/hybrid.py``.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.config import Settings

if TYPE_CHECKING:
    from missionrag.kb import KnowledgeBase

Span = tuple[str, int, int]  # (source, start, end) in the clean text


@dataclass
class Case:
    id: str
    question: str
    source: str
    passage: str


def load_cases(path: Path) -> list[Case]:
    """Cases with a gold passage (unanswerable QA items have none and are skipped)."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            if d.get("passage") and d.get("source"):
                cases.append(Case(d["id"], d["question"], d["source"], d["passage"]))
    return cases


def _gold_span(kb: KnowledgeBase, case: Case) -> Span:
    text = kb.document_text(case.source)
    i = text.find(case.passage)
    if i < 0:
        norm = " ".join(case.passage.split())
        i = " ".join(text.split()).find(norm)  # approximate: whitespace differs
    return (case.source, max(i, 0), max(i, 0) + len(case.passage))


def _covers(hit: Span, gold: Span) -> bool:
    if hit[0] != gold[0]:
        return False
    overlap = min(hit[2], gold[2]) - max(hit[1], gold[1])
    return overlap >= 0.5 * (gold[2] - gold[1])


def score(ranked: list[list[Span]], golds: list[Span]) -> dict[str, float]:
    h1 = h5 = rr = 0.0
    for spans, gold in zip(ranked, golds, strict=True):
        rank = next((i + 1 for i, s in enumerate(spans[:10]) if _covers(s, gold)), None)
        if rank == 1:
            h1 += 1
        if rank is not None and rank <= 5:
            h5 += 1
        if rank is not None:
            rr += 1.0 / rank
    n = max(len(golds), 1)
    return {"hit@1": round(h1 / n, 3), "hit@5": round(h5 / n, 3), "mrr": round(rr / n, 3)}


def _kb_ranker(kb: KnowledgeBase, mode: str) -> Callable[[str], list[Span]]:
    def rank(q: str) -> list[Span]:
        hits = kb.search(q, 10, mode=mode)
        return [(h.source, _start(kb, h), _start(kb, h) + len(h.text)) for h in hits]

    starts: dict[str, int] = {c.id: c.start for c in kb.all_chunks()}

    def _start(kb: KnowledgeBase, h: Any) -> int:
        return starts.get(h.chunk_id, 0)

    return rank


def _llamaindex_ranker(kb: KnowledgeBase) -> Callable[[str], list[Span]]:
    """llama-index's default ``VectorStoreIndex`` retriever over the same texts and model.

    Defaults as shipped: SentenceSplitter(1024 tokens, 200 overlap), in-memory vector store,
    top-k similarity; only the embedding model is ours so the comparison isolates retrieval.
    """
    from llama_index.core import Document as LIDocument
    from llama_index.core import Settings as LISettings
    from llama_index.core import VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding

    embedder = kb.embedder

    class _Embed(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

    LISettings.embed_model = _Embed(model_name="missionrag")
    LISettings.llm = None
    docs = [
        LIDocument(text=kb.document_text(d.source), metadata={"source": d.source}, id_=d.doc_id)
        for d in kb.documents()
    ]
    index = VectorStoreIndex.from_documents(docs)
    retriever = index.as_retriever(similarity_top_k=10)

    def rank(q: str) -> list[Span]:
        out = []
        for n in retriever.retrieve(q):
            node = n.node
            start = getattr(node, "start_char_idx", None) or 0  # TextNode has them, BaseNode not
            end = getattr(node, "end_char_idx", None) or 0
            out.append((node.metadata["source"], start, end))
        return out

    return rank


DEFAULT_SWEEP: tuple[tuple[int, int], ...] = (
    (64, 16),
    (96, 32),
    (128, 32),
    (160, 32),
    (192, 64),
    (254, 64),
)
HELDOUT = Path("evals/qa.jsonl")


def run_retrieval_eval(
    kb: KnowledgeBase,
    cases_path: Path = Path("evals/retrieval.jsonl"),
    report: Path | None = Path("evals/reports/retrieval.md"),
    *,
    baseline: bool = True,
    sweep: Sequence[tuple[int, int]] | None = DEFAULT_SWEEP,
    variants: bool = True,
    heldout: Path | None = HELDOUT,
) -> tuple[str, dict[str, Any]]:
    cases = load_cases(cases_path)
    golds = [_gold_span(kb, c) for c in cases]
    held = load_cases(heldout) if heldout is not None and heldout.exists() else []
    held_golds = [_gold_span(kb, c) for c in held]
    results: dict[str, Any] = {}
    rankers: dict[str, Callable[[str], list[Span]]] = {
        "hybrid": _kb_ranker(kb, "hybrid"),
        "dense": _kb_ranker(kb, "dense"),
        "keyword": _kb_ranker(kb, "keyword"),
    }
    if baseline:
        rankers["llama-index default (VectorStoreIndex, 1024/200)"] = _llamaindex_ranker(kb)
    misses: list[str] = []
    held_results: dict[str, dict[str, float]] = {}
    for name, rank in rankers.items():
        rank(cases[0].question)  # warm-up: loading the model or an index is not per-query time
        t0 = time.perf_counter()
        ranked = [rank(c.question) for c in cases]
        res = score(ranked, golds)
        res["ms_per_query"] = round(1000 * (time.perf_counter() - t0) / max(len(cases), 1), 1)
        results[name] = res
        if held:
            held_results[name] = score([rank(c.question) for c in held], held_golds)
        if name == "hybrid":
            for c, spans, g in zip(cases, ranked, golds, strict=True):
                if not any(_covers(s, g) for s in spans[:5]):
                    misses.append(f"{c.id}: {c.question}")
    results["_heldout"] = held_results
    results["_heldout_n"] = len(held)
    results["_sweep"] = [
        {
            "chunk_size": size,
            "chunk_overlap": overlap,
            **_sweep_one(kb, cases_path, heldout if held else None, size, overlap),
        }
        for size, overlap in sweep or ()
    ]
    results["_variants"] = _variants(kb, (cases, golds), (held, held_golds)) if variants else []
    results["_misses_hybrid_top5"] = misses
    summary = _summary(results, len(cases), kb.settings, cases_path.name)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(summary + "\n", encoding="utf-8")
    return summary, results


# Query-time alternatives to the default hybrid search, re-run on the same chunks so the
# report shows what each choice in index/hybrid.py is worth (issue #2).
VARIANTS: dict[str, dict[str, Any]] = {
    "before issue #2 tuning: convex 0.4/0.6, no centring, plain BM25": {
        "fusion": "convex",
        "dense_weight": 0.4,
        "dense_centering": 0.0,
        "keyword_headers": False,
    },
    "convex 0.4/0.6": {"fusion": "convex", "dense_weight": 0.4},
    "rrf (k=60), equal weights": {"fusion": "rrf", "dense_weight": 0.5},
    "zscore, no query centring": {"dense_centering": 0.0},
    "zscore, BM25 without headers": {"keyword_headers": False},
    "zscore, equal weights": {"dense_weight": 0.5},
    "zscore, pool of 40": {"search_pool": 40},
}


CaseSet = tuple[list[Case], list[Span]]


def _variants(kb: KnowledgeBase, main: CaseSet, held: CaseSet) -> list[dict[str, Any]]:
    from missionrag.kb import KnowledgeBase as KB

    rows: list[dict[str, Any]] = []
    for name, update in VARIANTS.items():
        other = KB(kb.settings.model_copy(update=update))
        row: dict[str, Any] = {"variant": name}
        for mode in ("hybrid", "dense", "keyword"):
            rank = _kb_ranker(other, mode)
            row[mode] = score([rank(c.question) for c in main[0]], main[1])
        if held[0]:
            rank = _kb_ranker(other, "hybrid")
            row["heldout"] = score([rank(c.question) for c in held[0]], held[1])
        rows.append(row)
    return rows


def _sweep_one(
    kb: KnowledgeBase, cases_path: Path, heldout: Path | None, size: int, overlap: int
) -> dict[str, Any]:
    from missionrag.kb import KnowledgeBase as KB

    paths = sorted({Path(d.source) for d in kb.documents() if not d.source.startswith("http")})
    with tempfile.TemporaryDirectory(prefix="mr-sweep-") as tmp:
        s = kb.settings.model_copy(
            update={
                "data_dir": Path(tmp),
                "chunk_size": size,
                "chunk_overlap": overlap,
                "chroma_url": None,
            }
        )
        other = KB(s)
        other.ingest(paths)
        _, res = run_retrieval_eval(
            other, cases_path, None, baseline=False, sweep=None, variants=False, heldout=heldout
        )
        return {
            "hybrid": res["hybrid"],
            "dense": res["dense"],
            "keyword": res["keyword"],
            "heldout": res["_heldout"].get("hybrid"),
            "chunks": other.status().chunks,
        }


def _triple(r: dict[str, float] | None) -> str:
    return "" if r is None else f"{r['hit@1']:.3f} / {r['hit@5']:.3f} / {r['mrr']:.3f}"


def _summary(results: dict[str, Any], n: int, settings: Settings, cases_name: str) -> str:
    lines = [
        "# Retrieval eval",
        "",
        f"{n} paraphrased questions (`evals/{cases_name}`); chunk_size={settings.chunk_size}, "
        f"chunk_overlap={settings.chunk_overlap} tokens; embeddings {settings.embed_backend}; "
        f"fusion={settings.fusion}, dense_weight={settings.dense_weight}, "
        f"dense_centering={settings.dense_centering}, keyword_headers="
        f"{settings.keyword_headers}, search_pool={settings.search_pool}.",
        "A hit is a passage from the right file covering at least half of the gold passage.",
        "",
        "| retriever | hit@1 | hit@5 | MRR | ms/query |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        if name.startswith("_"):
            continue
        lines.append(
            f"| {name} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} | {r['ms_per_query']} |"
        )
    held = results.get("_heldout") or {}
    if held:
        lines += [
            "",
            f"## Held-out: the {results['_heldout_n']} answerable questions of `evals/qa.jsonl`",
            "",
            "Not used to choose any setting.",
            "",
            "| retriever | hit@1 | hit@5 | MRR |",
            "| --- | --- | --- | --- |",
        ]
        for name, r in held.items():
            lines.append(f"| {name} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} |")
    if results.get("_sweep"):
        lines += [
            "",
            "## Chunking sweep (each size ingested afresh; hit@1 / hit@5 / MRR)",
            "",
            "| chunk_size | overlap | chunks | hybrid | dense | keyword | held-out hybrid |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in results["_sweep"]:
            lines.append(
                f"| {r['chunk_size']} | {r['chunk_overlap']} | {r['chunks']} "
                f"| {_triple(r['hybrid'])} | {_triple(r['dense'])} | {_triple(r['keyword'])} "
                f"| {_triple(r['heldout'])} |"
            )
    if results.get("_variants"):
        lines += [
            "",
            "## Query-time variants (same chunks; hit@1 / hit@5 / MRR)",
            "",
            "| variant | hybrid | dense | keyword | held-out hybrid |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in results["_variants"]:
            lines.append(
                f"| {r['variant']} | {_triple(r['hybrid'])} | {_triple(r['dense'])} "
                f"| {_triple(r['keyword'])} | {_triple(r.get('heldout'))} |"
            )
    if results.get("_misses_hybrid_top5"):
        lines += ["", "Hybrid misses in the top 5:", ""] + [
            f"- {m}" for m in results["_misses_hybrid_top5"]
        ]
    return "\n".join(lines)
