"""Ask: question -> hits -> answer whose every sentence is cited, or an honest "not in the corpus".

    answer_question   extractive by default; with an LLM, a generated answer checked sentence by
                      sentence against the passages it cites, falling back to extractive
    stream_answer     the same as server-sent events: "token" deltas, then one "answer"
    render_answer     human output for the CLI

Quotes are always verbatim substrings of ``retriever.document_text(source)`` (tests/test_ask.py); the
extractive step takes them from ``Hit.text`` by offset and ``verify_quotes`` re-checks them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from missionrag.ask.citations import compose
from missionrag.ask.extractive import Extraction, corpus_stats, extract
from missionrag.ask.render import render_answer
from missionrag.errors import MissionRagError, bounded
from missionrag.models import Answer, Citation

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder
    from missionrag.index.rerank import Reranker
    from missionrag.llm import LLM

__all__ = [
    "answer_question",
    "stream_answer",
    "render_answer",
    "validate_question",
    "warm_up",
    "NOT_COVERED",
]

NOT_COVERED = "The corpus does not cover this question."
CLOSEST = 3
POOL_FACTOR = 4
MIN_POOL = 20


def warm_up(retriever: Retriever, embedder: Embedder) -> int:
    """Embed every candidate sentence of the corpus once (server start-up), so the first
    questions run as fast as later ones. Returns how many units were scored."""
    from missionrag.ask.extractive import collect, score_candidates
    from missionrag.models import Hit

    hits = [
        Hit(
            source=c.source, title=c.title, text=c.text, score=0.0, chunk_id=c.id, section=c.section
        )
        for c in retriever.all_chunks()
    ]
    cands = collect(hits)
    qvec = embedder.embed(["warm up"])[0]
    score_candidates("warm up", qvec, cands, embedder, corpus_stats(retriever, hits))
    return len(cands)


def validate_question(question: str, settings: Settings) -> str:
    """The stripped question; ``InputError`` when it is empty or too long."""
    return bounded(
        question,
        settings.max_query_chars,
        noun="question",
        empty='the question is empty; type a question, e.g. "Why do missions fail?"',
        advice=". Ask something shorter.",
    )


def retrieve_and_extract(
    question: str,
    retriever: Retriever,
    embedder: Embedder,
    settings: Settings,
    top_k: int | None,
    *,
    reranker: Reranker | None = None,
) -> Extraction:
    q = validate_question(question, settings)
    # Sentence scoring re-ranks, so it reads a wider pool than the passages it reports:
    # paraphrased questions often match one sentence inside a long chunk ranked ~20th.
    k = top_k or settings.top_k
    hits = retriever.search(q, max(k * POOL_FACTOR, MIN_POOL))
    if reranker is not None and any(h.rerank_score is not None for h in hits):
        return extract(
            q,
            hits,
            None,
            None,
            None,
            retriever,
            reranker=reranker,
            min_confidence=settings.ask_min_confidence,
        )
    qvec = embedder.embed([q])[0]
    return extract(q, hits, qvec, embedder, corpus_stats(retriever, hits), retriever)


def abstained_answer(
    ex: Extraction, mode: str = "extractive", notes: list[str] | None = None
) -> Answer:
    reason = ex.reasons[0] if ex.reasons else ""
    text = NOT_COVERED + (f" ({reason}.)" if reason else "")
    if ex.hits:
        text += " The closest material is listed below; it may help you rephrase."
    return Answer(
        question=ex.question,
        answer=text,
        abstained=True,
        citations=[],
        mode=mode,  # type: ignore[arg-type]
        closest=ex.hits[:CLOSEST],
        notes=[*ex.reasons, *(notes or [])],
        confidence=ex.shown_confidence(),
    )


def verify_quotes(citations: list[Citation], retriever: Retriever) -> tuple[list[int], list[str]]:
    """Indexes of citations whose quote is not in the stored document text, with notes."""
    bad: list[int] = []
    notes: list[str] = []
    texts: dict[str, str] = {}
    for i, c in enumerate(citations):
        try:
            doc = texts.setdefault(c.source, retriever.document_text(c.source))
        except MissionRagError as exc:
            bad.append(i)
            notes.append(f"dropped a quote from {c.source}: {exc}")
            continue
        if c.quote not in doc:
            bad.append(i)
            notes.append(f"dropped a quote that is not verbatim in {c.source}")
    return bad, notes


def extractive_answer(
    ex: Extraction, retriever: Retriever, notes: list[str] | None = None
) -> Answer:
    if ex.abstain:
        return abstained_answer(ex, notes=notes)
    bad, vnotes = verify_quotes(compose(ex.chosen)[1], retriever)
    chosen = [c for i, c in enumerate(ex.chosen) if i not in bad]
    if not chosen:
        ex.abstain, ex.reasons = True, vnotes or ["no verifiable quote"]
        return abstained_answer(ex, notes=notes)
    text, citations = compose(chosen)
    return Answer(
        question=ex.question,
        answer=text,
        abstained=False,
        citations=citations,
        mode="extractive",
        notes=[*vnotes, *(notes or [])],
        confidence=ex.shown_confidence(),
    )


def answer_question(
    question: str,
    retriever: Retriever,
    embedder: Embedder,
    settings: Settings,
    *,
    llm: LLM | None = None,
    top_k: int | None = None,
    reranker: Reranker | None = None,
) -> Answer:
    """Answer from the corpus; with ``llm``, generate and check, else (or on failure) extract."""
    ex = retrieve_and_extract(question, retriever, embedder, settings, top_k, reranker=reranker)
    if llm is None or ex.abstain:
        # Weak evidence abstains before any LLM call: a model would only guess.
        return extractive_answer(ex, retriever)
    from missionrag.ask.llm_answer import llm_answer

    return llm_answer(ex, retriever, embedder, llm, fallback=extractive_answer)


def stream_answer(
    question: str,
    retriever: Retriever,
    embedder: Embedder,
    settings: Settings,
    *,
    llm: LLM | None = None,
    top_k: int | None = None,
    reranker: Reranker | None = None,
) -> Iterator[dict[str, Any]]:
    """Server-sent events: ``{"event": "token", "data": str}``... then one ``"answer"`` event.

    The final answer is authoritative: after streaming, unsupported sentences are dropped, and
    on a failure mid-stream it is the extractive answer with a note. Offline: only "answer".
    Input errors raise before the first event, so the edge can answer 422.
    """
    ex = retrieve_and_extract(question, retriever, embedder, settings, top_k, reranker=reranker)

    def events() -> Iterator[dict[str, Any]]:
        final: Answer | None = None
        if llm is None or ex.abstain:
            final = extractive_answer(ex, retriever)
        else:
            from missionrag.ask.llm_answer import stream_llm_answer

            for ev in stream_llm_answer(ex, retriever, embedder, llm, fallback=extractive_answer):
                if isinstance(ev, Answer):
                    final = ev
                else:
                    yield {"event": "token", "data": ev}
        if final is None:  # pragma: no cover - stream_llm_answer always ends with an Answer
            final = extractive_answer(ex, retriever)
        yield {"event": "answer", "data": final.model_dump(mode="json")}

    return events()
