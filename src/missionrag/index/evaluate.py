"""Retrieval eval: hit@1, hit@5 and MRR for hybrid, dense, keyword and llama-index's default.

A hit is a retrieved passage from the right source that covers at least half of the gold
passage (character overlap in the document's clean text), so a chunk boundary that splits the
gold sentence still counts, and a different chunk of the same file does not.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
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
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
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
            out.append((node.metadata["source"], node.start_char_idx or 0, node.end_char_idx or 0))
        return out

    return rank


def run_retrieval_eval(
    kb: KnowledgeBase,
    cases_path: Path = Path("evals/retrieval.jsonl"),
    report: Path | None = Path("evals/reports/retrieval.md"),
    *,
    baseline: bool = True,
    sweep: list[tuple[int, int]] | None = None,
) -> tuple[str, dict[str, Any]]:
    cases = load_cases(cases_path)
    golds = [_gold_span(kb, c) for c in cases]
    results: dict[str, Any] = {}
    rankers: dict[str, Callable[[str], list[Span]]] = {
        "hybrid": _kb_ranker(kb, "hybrid"),
        "dense": _kb_ranker(kb, "dense"),
        "keyword": _kb_ranker(kb, "keyword"),
    }
    if baseline:
        rankers["llama-index default (VectorStoreIndex, 1024/200)"] = _llamaindex_ranker(kb)
    misses: list[str] = []
    for name, rank in rankers.items():
        t0 = time.perf_counter()
        ranked = [rank(c.question) for c in cases]
        res = score(ranked, golds)
        res["ms_per_query"] = round(1000 * (time.perf_counter() - t0) / max(len(cases), 1), 1)
        results[name] = res
        if name == "hybrid":
            for c, spans, g in zip(cases, ranked, golds, strict=True):
                if not any(_covers(s, g) for s in spans[:5]):
                    misses.append(f"{c.id}: {c.question}")
    sweep_rows: list[dict[str, Any]] = []
    for size, overlap in sweep or []:
        sweep_rows.append(
            {
                "chunk_size": size,
                "chunk_overlap": overlap,
                **_sweep_one(kb, cases_path, size, overlap),
            }
        )
    results["_sweep"] = sweep_rows
    results["_misses_hybrid_top5"] = misses
    summary = _summary(results, len(cases), kb.settings)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(summary + "\n", encoding="utf-8")
    return summary, results


def _sweep_one(kb: KnowledgeBase, cases_path: Path, size: int, overlap: int) -> dict[str, float]:
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
        _, res = run_retrieval_eval(other, cases_path, None, baseline=False)
        return {**res["hybrid"], "chunks": other.status().chunks}


def _summary(results: dict[str, Any], n: int, settings: Settings) -> str:
    lines = [
        "# Retrieval eval",
        "",
        f"{n} paraphrased questions (`evals/retrieval.jsonl`); chunk_size={settings.chunk_size}, "
        f"chunk_overlap={settings.chunk_overlap} tokens; embeddings {settings.embed_backend}.",
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
    if results.get("_sweep"):
        lines += [
            "",
            "## Chunking sweep (hybrid)",
            "",
            "| chunk_size | overlap | chunks | hit@1 | hit@5 | MRR |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in results["_sweep"]:
            lines.append(
                f"| {r['chunk_size']} | {r['chunk_overlap']} | {r['chunks']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} |"
            )
    if results.get("_misses_hybrid_top5"):
        lines += ["", "Hybrid misses in the top 5:", ""] + [
            f"- {m}" for m in results["_misses_hybrid_top5"]
        ]
    return "\n".join(lines)
