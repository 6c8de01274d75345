"""KnowledgeBase: the one core both edges (CLI, API) call.

Every verb of the product is a method here: ingest, delete_document, search, ask,
resolve_followup, check, check_document, quiz, documents, status, refresh_literature, warmup.
The parts they use (the store, the embedder, the keyword index, the LLM) are wired in
``wiring.py`` and load on first use, so ``missionrag check`` never pays for the heavy ones
(Chroma, the model, llama-index) and ``missionrag --help`` imports none of them.

    ingest/ (files, URLs -> Document -> Chunk; ingest/run.py: one ingest run)
        -> index/ (embed -> ChunkStore in Chroma; derived.py: BM25 + centroid; hybrid search)
            -> ask/ | check/ | quiz/   (each takes this object as its ``Retriever``)
                -> cli/ | api/
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import MissionRagError, NotFoundError
from missionrag.index.derived import KeywordView
from missionrag.models import (
    Answer,
    CheckResult,
    Chunk,
    DocumentInfo,
    Hit,
    IngestReport,
    QuizItem,
    Status,
)
from missionrag.wiring import Wiring

if TYPE_CHECKING:
    from missionrag.ask.followup import Resolution, Turn
    from missionrag.check.docs import DocumentCheck
    from missionrag.index import Retriever
    from missionrag.ingest.run import Progress
    from missionrag.ingest.worker import ReaderProcess


class KnowledgeBase(Wiring):
    """The verbs of the product over one collection; its parts are in ``Wiring``."""

    def for_collection(self, name: str) -> KnowledgeBase:
        """The same configuration on another collection (model and reranker are shared:
        ``get_embedder`` and ``get_reranker`` keep one per process)."""
        from missionrag.collections import for_collection

        return KnowledgeBase(for_collection(self.settings, name))

    # ------------------------------------------------------------------ writes
    def ingest(
        self,
        paths: list[Path] | None = None,
        urls: list[str] | None = None,
        *,
        prune: bool = False,
        progress: Progress | None = None,
        check_allowed: bool = False,
        reader: ReaderProcess | None = None,
    ) -> IngestReport:
        """Add new, replace changed, skip unchanged files; with ``prune``, drop vanished ones.

        ``reader``: load and chunk in that separate process, under its time and memory budget
        (the API's uploads and URLs, see ``ingest/worker.py``); the store write stays here.
        The run itself is ``ingest/run.py``.
        """
        from missionrag.ingest.run import run_ingest

        return run_ingest(
            self,
            list(paths or []),
            list(urls or []),
            prune=prune,
            progress=progress,
            check_allowed=check_allowed,
            reader=reader,
        )

    def ingest_upload(
        self, filename: str, path: Path, reader: ReaderProcess | None = None
    ) -> IngestReport:
        """Ingest one uploaded file already written under the collection's ``uploads/``."""
        return self.ingest([path], check_allowed=True, reader=reader)

    def delete_document(self, doc_id: str) -> DocumentInfo:
        with self._write_lock:
            rec = self.store.delete_document(doc_id)
            self.keyword_index()
            return rec.info()

    # ------------------------------------------------------------------ reads
    def search(self, query: str, top_k: int | None = None, *, mode: str = "hybrid") -> list[Hit]:
        """Passages for ``query``: hybrid (dense + BM25, then the reranker), dense or keyword."""
        from missionrag.index.hybrid import check_query, search_with

        query = check_query(query, self.settings)
        self._open_store_and_model()
        self._require_store()
        keyword = self.keyword_index()  # also brings the centroid in step
        centroid = self.derived.centroid
        return search_with(
            query,
            self.settings,
            store=self.store,
            keyword=keyword,
            embedder=lambda: self.embedder,
            reranker=self.reranker if mode == "hybrid" else None,
            centroid=centroid.vector if centroid is not None else None,
            mode=mode,
            top_k=top_k,
        )

    def search_many(self, queries: list[str], top_k: int | None = None) -> list[list[Hit]]:
        return [self.search(q, top_k) for q in queries]

    def all_chunks(self) -> list[Chunk]:
        gen = self.store.generation()
        if self._chunks_cache is None or self._chunks_cache[0] != gen:
            chunks = sorted(self.store.iter_chunks(), key=lambda c: (c.source, c.position))
            self._chunks_cache = (gen, chunks)
        return list(self._chunks_cache[1])

    def document_text(self, source: str) -> str:
        rec = self.store.by_source().get(source) or self.store.catalog().get(source)
        if rec is None:
            raise NotFoundError(f"no stored document {source}; see `missionrag status`")
        key = (rec.doc_id, rec.content_hash)
        if key not in self._texts:
            self._texts[key] = self.store.document_text(rec.doc_id)
        return self._texts[key]

    def documents(self) -> list[DocumentInfo]:
        if not self.has_store_dir():
            return []
        return sorted((r.info() for r in self.store.catalog().values()), key=lambda d: d.source)

    def status(self) -> Status:
        docs = self.documents()
        kw = self.derived.describe(self.store) if docs else "empty"
        llm = self.llm
        return Status(
            collection=self.settings.collection,
            documents=len(docs),
            chunks=sum(d.chunks for d in docs),
            store=self.backend.describe(),
            data_dir=str(self.settings.resolved_data_dir()),
            embed_backend=self.settings.embed_backend,
            model_path=self.settings.model_path,
            keyword_index=kw,
            llm=llm.name if llm else None,
            sources=docs,
        )

    # ------------------------------------------------------------------ the three products
    def ask(
        self, question: str, top_k: int | None = None, history: Sequence[Turn] | None = None
    ) -> Answer:
        """Answer ``question``; with ``history`` (earlier turns), a follow-up is first read
        into a standalone query (ask/followup.py) and the answer says so."""
        from missionrag.ask import answer_question

        self._open_store_and_model()
        res = self._reading(question, history)
        answer = answer_question(
            res.query if res else question,
            self,
            self.embedder,
            self.settings,
            llm=self.llm,
            top_k=top_k,
            reranker=self.reranker,
        )
        return res.annotate(answer, question) if res else answer

    def ask_stream(
        self, question: str, top_k: int | None = None, history: Sequence[Turn] | None = None
    ) -> Iterator[dict[str, Any]]:
        from missionrag.ask import stream_answer

        res = self._reading(question, history)
        events = stream_answer(
            res.query if res else question,
            self,
            self.embedder,
            self.settings,
            llm=self.llm,
            top_k=top_k,
            reranker=self.reranker,
        )
        return res.annotate_events(events, question) if res else events

    def _reading(self, question: str, history: Sequence[Turn] | None) -> Resolution | None:
        return self.resolve_followup(question, history) if history else None

    def resolve_followup(self, question: str, history: Sequence[Turn]) -> Resolution:
        """The standalone reading of ``question`` after ``history`` (LLM, else measured)."""
        from missionrag.ask import validate_question
        from missionrag.ask.followup import SIGNAL_HITS, resolve

        q = validate_question(question, self.settings)
        return resolve(
            q,
            history,
            lambda text: self.search(text, SIGNAL_HITS),
            limit=self.settings.max_query_chars,
            llm=self.llm,
        )

    def check(self, statement: str) -> CheckResult:
        from missionrag.check import check_statement

        # Scoring needs no store; a missing or busy store only costs the cited passages.
        retriever: Retriever | None = self.keyword_view()
        if retriever is None:
            try:
                retriever = KeywordView(self) if self.has_store() else None
            except MissionRagError:
                retriever = None
        return check_statement(
            statement,
            self.settings,
            retriever=retriever,
            llm=self.llm,
            literature=self._literature() if retriever is not None else None,
        )

    def check_document(self, path: Path, top: int | None = None) -> DocumentCheck:
        """The sentences of a document that state a goal, best first (the ``top`` best), each
        with its check (``check/docs.py``)."""
        from missionrag.check.docs import CandidateCheck, DocumentCheck, mission_candidates
        from missionrag.ingest import load_file

        doc = load_file(path, self.settings)
        checks = [
            CandidateCheck(c, self.check(" ".join(c.statement.split())))
            for c in mission_candidates(doc)[:top]
        ]
        return DocumentCheck(source=doc.source, checks=checks)

    def _literature(self) -> dict[str, list[Any]] | None:
        """The reranked passages per criterion, when chosen for the store's current write."""
        from missionrag.check import literature
        from missionrag.collections import home
        from missionrag.index.store import read_state_mirror

        # Only a single-owner store's mirror is exact (index/backend.py); each collection
        # keeps its own (collections.home), as the keyword index reads it.
        state = read_state_mirror(home(self.settings)) if self.backend.single_owner else None
        gen = state.get("generation") if state else None
        if gen is None:
            try:
                gen = self.store.generation()
            except MissionRagError:
                return None
        return literature.load(self.derived.literature_file(), int(gen))

    def refresh_literature(self) -> bool:
        """Rerank the passages ``check`` cites per criterion, if the store moved since.

        Called by the edges after a write (CLI ingest, API uploads and deletes, server start),
        not inside ``ingest``: it costs a few seconds of cross-encoder time that the ingest
        throughput benchmark should not carry. Returns whether it chose anew.
        """
        from missionrag.check import literature

        if self.reranker is None or not self.has_store():
            return False
        gen = self.store.generation()
        path = self.derived.literature_file()
        if literature.load(path, gen) is not None:
            return False
        literature.save(path, gen, literature.choose(self, self.reranker))
        return True

    def quiz(
        self,
        n: int = 10,
        topic: str | None = None,
        types: list[str] | None = None,
        seed: int | None = None,
    ) -> list[QuizItem]:
        from missionrag.quiz import build_quiz

        self._require_store()
        return build_quiz(self, n=n, topic=topic, types=types, seed=seed, llm=self.llm)

    # ------------------------------------------------------------------ setup
    def warmup(self) -> Path | None:
        """Prepare the embedding backend so first use is fast: export the ONNX model once (its
        path is returned), or load the torch model and embed once (None)."""
        if self.settings.embed_backend == "onnx":
            from missionrag.index.onnx_embed import ensure_onnx_model

            return ensure_onnx_model(self.settings)
        self.embedder.embed(["warm up"])
        return None
