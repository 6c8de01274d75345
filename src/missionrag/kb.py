"""KnowledgeBase: the one core both edges (CLI, API) call.

It wires ``Settings`` to the store, the embedder, the keyword index and the LLM, and exposes
the verbs of the product: ingest, search, ask, check, quiz, documents, status. Heavy parts
(Chroma, the model, llama-index) load on first use, so ``missionrag check`` never pays for
them and ``missionrag --help`` imports none of them.

    ingest/ (files, URLs -> Document -> Chunk)
        -> index/ (embed -> ChunkStore in Chroma; KeywordIndex in BM25; hybrid search)
            -> ask.py | check/ | quiz/   (each takes this object as its ``Retriever``)
                -> cli.py | api/
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.config import Settings
from missionrag.errors import (
    BackendUnavailableError,
    InputError,
    MissionRagError,
    NotFoundError,
    PathNotAllowedError,
)
from missionrag.models import (
    Answer,
    CheckResult,
    Chunk,
    Document,
    DocumentInfo,
    FailedFile,
    Hit,
    IngestReport,
    QuizItem,
    Status,
)

if TYPE_CHECKING:
    from missionrag.ask.followup import Resolution, Turn
    from missionrag.index.centroid import Centroid
    from missionrag.index.embed import Embedder
    from missionrag.index.keyword import KeywordIndex
    from missionrag.index.rerank import Reranker
    from missionrag.index.store import ChunkStore
    from missionrag.ingest.worker import ReaderProcess
    from missionrag.llm import LLM

# (files done, which moves in fractions while a window is embedded; files in all; name)
Progress = Callable[[float, int, str], None]

_PROCESS_LOCKS: dict[str, Any] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _own_data_dir(data_dir: Path) -> None:
    """Hold an exclusive lock on the embedded store for this process's lifetime.

    Two processes writing one ``PersistentClient`` directory corrupt it; a clear error beats
    that. The kernel drops the lock when the process dies, even by ``kill -9``.
    """
    import fcntl
    import os

    from missionrag.private import open_private, private_dir, restrict_new_files

    key = str(data_dir)
    with _PROCESS_LOCKS_GUARD:
        if key in _PROCESS_LOCKS:
            return
        restrict_new_files()
        private_dir(data_dir)
        # O_NOFOLLOW: a planted store.lock -> victim must not be truncated below.
        fh = os.fdopen(open_private(data_dir / "store.lock"), "r+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise BackendUnavailableError(
                f"the store in {data_dir} is in use by {holder}. One process owns an embedded "
                "store: stop it, use its HTTP API (e.g. POST /documents), point this command at "
                "another MISSIONRAG_DATA_DIR, or run a Chroma server (MISSIONRAG_CHROMA_URL)"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        _PROCESS_LOCKS[key] = fh


class KnowledgeBase:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._store: ChunkStore | None = None
        self._keyword: KeywordIndex | None = None
        self._centroid: Centroid | None = None
        self._embedder: Embedder | None = None
        self._reranker: Reranker | None | bool = False  # False = not yet resolved
        self._llm: LLM | None | bool = False  # False = not yet resolved
        self._write_lock = threading.RLock()
        self._kw_lock = threading.Lock()
        self._texts: dict[tuple[str, str], str] = {}
        self._chunks_cache: tuple[int, list[Chunk]] | None = None
        self._exists = False  # the collection was seen in the store (collections.exists)

    def for_collection(self, name: str) -> KnowledgeBase:
        """The same configuration on another collection (model and reranker are shared:
        ``get_embedder`` and ``get_reranker`` keep one per process)."""
        from missionrag.collections import for_collection

        return KnowledgeBase(for_collection(self.settings, name))

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this knowledge base's write lock (ingest, delete, collection removal)."""
        with self._write_lock:
            yield

    def forget_store(self) -> None:
        """Drop the open store and derived indexes (after the collection was deleted)."""
        with self._kw_lock:
            self._store = self._keyword = self._centroid = None
            self._chunks_cache, self._texts, self._exists = None, {}, False

    # ------------------------------------------------------------------ lazy parts
    @property
    def store(self) -> ChunkStore:
        if self._store is None:
            from missionrag.index.store import ChunkStore

            if not self.settings.chroma_url:
                _own_data_dir(self.settings.resolved_data_dir())
            self._store = ChunkStore(self.settings)
        return self._store

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from missionrag.index.embed import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def reranker(self) -> Reranker | None:
        """The cross-encoder, or None when MISSIONRAG_RERANK is off or no model is installed."""
        if self._reranker is False:
            from missionrag.index.rerank import get_reranker

            self._reranker = get_reranker(self.settings)
        return self._reranker  # type: ignore[return-value]

    def _open_store_and_model(self) -> None:
        """Load the model on a thread while this one opens the store.

        A cold ``ask`` or ``search`` needs both, and they take about as long as each other
        (importing chromadb ~0.6 s; onnxruntime and the session ~0.2 s): side by side they cut
        ~0.12 s of a 1.4 s cold ``ask`` (bench/coldstart.py). Errors are left for the caller,
        which meets the same one when it reaches ``self.embedder`` and reports it properly.
        """
        if self._embedder is not None or not self.has_store_dir():
            return

        def load() -> None:
            with contextlib.suppress(Exception):
                _ = self.embedder
                _ = self.reranker

        loader = threading.Thread(target=load, name="embedder-preload", daemon=True)
        loader.start()
        try:
            _ = self.store
        except Exception:
            # The caller reports this; let the load finish first, since a process that exits
            # while a thread is inside an extension's import can crash on the way out.
            loader.join()

    @property
    def llm(self) -> LLM | None:
        if self._llm is False:
            from missionrag.llm import get_llm

            self._llm = get_llm(self.settings)
        return self._llm  # type: ignore[return-value]

    def _keyword_dir(self) -> Path:
        from missionrag.collections import keyword_base
        from missionrag.private import private_dir

        base = keyword_base(self.settings)
        return private_dir(base.parent) / base.name

    def _keyword_tag(self) -> str:
        """The BM25 text depends on keyword_headers and keyword_language: one index per choice,
        so changing either never loads an index built the other way."""
        tag = ".headers" if self.settings.keyword_headers else ""
        lang = self.settings.keyword_language
        return tag + ("" if lang == "auto" else f".{lang}")

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index (and the centroid), brought in step with the store's generation."""
        from missionrag.index.centroid import Centroid
        from missionrag.index.keyword import KeywordIndex

        with self._kw_lock:
            if self._keyword is None or self._centroid is None:
                base = self._keyword_dir()
                self._keyword = KeywordIndex(base.with_name(base.name + self._keyword_tag()))
                self._centroid = Centroid(base.with_name(base.name + ".centroid.json"))
            gen = self.store.generation()
            kw_ok = self._keyword.generation == gen or self._keyword.load(gen)
            c_ok = (
                self.settings.dense_centering <= 0
                or self._centroid.generation == gen
                or self._centroid.load(gen)
            )
            if not (kw_ok and c_ok):
                self._rebuild_derived(gen, rebuild_keyword=not kw_ok, rebuild_centroid=not c_ok)
            return self._keyword

    def _rebuild_derived(self, gen: int, *, rebuild_keyword: bool, rebuild_centroid: bool) -> None:
        """One pass over the committed chunks rebuilds the keyword index and/or the centroid."""
        import numpy as np

        from missionrag.ingest.chunking import index_text

        assert self._keyword is not None and self._centroid is not None
        headers = self.settings.keyword_headers
        ids: list[str] = []
        texts: list[str] = []
        owners: list[tuple[str, str | None]] = []  # (doc_id, language) per chunk
        # Embedded mode keeps each chunk's record beside BM25, so `check` can cite passages
        # without opening Chroma (see keyword_view).
        records: list[str] | None = None if self.settings.chroma_url else []
        total: np.ndarray | None = None
        count = 0

        def add(c: Chunk) -> None:
            ids.append(c.id)
            texts.append(index_text(c, headers))
            owners.append((c.doc_id, c.language))
            if records is not None:
                records.append(c.model_dump_json())

        if rebuild_centroid:
            for c, vec in self.store.iter_chunk_vectors():
                total = vec.astype(np.float64) if total is None else total + vec
                count += 1
                if rebuild_keyword:
                    add(c)
            self._centroid.build(None if total is None else total / count, count, gen)
        else:
            for c in self.store.iter_chunks():
                add(c)
        if rebuild_keyword:
            from missionrag.language import keyword_languages

            langs = keyword_languages(owners, texts, self.settings.keyword_language)
            self._keyword.build(ids, texts, gen, records, langs)

    def has_store_dir(self) -> bool:
        """The collection may hold documents: it exists in the store (never created here)."""
        if not self._exists:
            from missionrag.collections import exists

            self._exists = exists(self.settings)
        return self._exists

    def has_store(self) -> bool:
        """A store exists and holds documents (without creating one as a side effect)."""
        if not self.has_store_dir():
            return False
        return bool(self.store.catalog())

    # ------------------------------------------------------------------ ingestion
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
        """
        from missionrag.ingest import discover, display_path, source_name
        from missionrag.ingest.pipeline import IngestPipeline
        from missionrag.redact import redact_url

        t0 = time.perf_counter()
        paths = list(paths or [])
        urls = list(urls or [])
        report = IngestReport()
        if check_allowed:
            for p in paths:
                self._check_allowed(p)
        files: list[Path] = []
        named: set[Path] = set()  # files named by the caller: read even if they are links
        for p in paths:
            try:
                found, skipped = discover([p])
            except InputError as exc:
                report.failed.append(FailedFile(source=display_path(p), reason=str(exc)))
                continue
            files += found
            if p.is_file():
                named.update(found)
            report.skipped += [
                FailedFile(source=display_path(source_name(f)), reason=r) for f, r in skipped
            ]
        with self._write_lock:
            from missionrag.collections import ensure_home

            ensure_home(self.settings)  # marks the collection as existing (collections.exists)
            store = self.store
            store.recover()
            known = store.by_source()
            total = len(files) + len(urls)
            store.begin()
            # Progress counts files, and a file is done when its chunks are embedded. Files
            # are read fast and embedded a window at a time, so while a window is embedded the
            # position moves through that window's files by the share of its chunks done.
            read = done = 0
            name = ""

            def embedded(share: float) -> None:
                nonlocal done
                if progress:
                    progress(done + share * (read - done), total, name)
                if share >= 1.0:
                    done = read

            pipeline = IngestPipeline(
                store, self.embedder, self.settings, report, on_embedded=embedded
            )
            finished = False
            try:
                items: list[Path | str] = [*files, *urls]
                for i, item in enumerate(items):
                    # How the item is named in the report: a URL without its credentials.
                    name = (
                        self._source_name(item)
                        if isinstance(item, Path)
                        else display_path(redact_url(item) or item)
                    )
                    read = i + 1
                    if progress:
                        progress(done, total, name)  # alive, and on which file (a URL can be slow)
                    try:
                        doc, pairs = self._read(item, name, item in named, known, reader)
                        prev = known.get(doc.source)
                        if prev is not None and prev.content_hash == doc.content_hash:
                            report.unchanged.append(doc.source)
                            continue
                        pipeline.add(doc, previous=prev.content_hash if prev else None, pairs=pairs)
                    except MissionRagError as exc:
                        report.failed.append(FailedFile(source=name, reason=_reason(exc, name)))
                pipeline.finish()
                if prune:
                    report.removed = self._prune(paths, {self._source_name(f) for f in files})
                finished = True
            finally:
                pipeline.abort()
                changed = bool(report.added or report.updated or report.removed)
                store.end(changed=changed, clean=finished)
                if progress:
                    progress(total, total, "")
            _ = self.keyword  # rebuild now, not on the first search
        report.chunks_total = sum(r.chunks for r in self.store.catalog().values())
        report.seconds = round(time.perf_counter() - t0, 3)
        return report

    def _read(
        self,
        item: Path | str,
        name: str,
        named: bool,
        known: dict[str, Any],
        reader: ReaderProcess | None,
    ) -> tuple[Document, list[tuple[Chunk, list[int] | None]] | None]:
        """A file or URL as a document, with its chunks when the reader process made them.

        A file found by walking a folder (not ``named`` by the caller) is never read through
        a link (see ``ingest.discover``).
        """
        from missionrag.ingest import load_file, load_url

        if reader is not None:
            prev = known.get(name if isinstance(item, Path) else item)
            known_hash = prev.content_hash if prev else None
            return reader.read(item, name, known_hash, follow_links=named)
        if isinstance(item, Path):
            return load_file(item, self.settings, source=name, follow_links=named), None
        return load_url(item, self.settings), None

    def _prune(self, paths: list[Path], seen: set[str]) -> list[str]:
        from missionrag.ingest import source_name

        removed: list[str] = []
        roots = [source_name(p) for p in paths if p.is_dir()]
        for rec in list(self.store.catalog().values()):
            if rec.source in seen or rec.source.startswith(("http://", "https://")):
                continue
            under = any(
                rec.source == r or rec.source.startswith(r.rstrip("/") + "/") for r in roots
            )
            if under and not Path(rec.source).exists():
                self.store.delete_document(rec.doc_id)
                removed.append(rec.source)
        return removed

    def _source_name(self, path: Path) -> str:
        """How a file is named in citations: repo-relative, ``uploads/<name>``, or absolute.

        Uploads live in the data dir; naming them by their absolute path would show the
        server's folder layout to every API client.
        """
        from missionrag.collections import uploads_path
        from missionrag.ingest import source_name

        uploads = uploads_path(self.settings).resolve()
        resolved = path.expanduser().resolve()
        if uploads in resolved.parents:
            return "uploads/" + resolved.relative_to(uploads).as_posix()
        return source_name(path)

    def ingest_upload(
        self, filename: str, path: Path, reader: ReaderProcess | None = None
    ) -> IngestReport:
        """Ingest one uploaded file already written under the collection's ``uploads/``."""
        return self.ingest([path], check_allowed=True, reader=reader)

    def _check_allowed(self, path: Path) -> None:
        resolved = path.expanduser().resolve()
        roots = self.settings.allowed_roots()
        if not any(resolved == r or r in resolved.parents for r in roots):
            raise PathNotAllowedError(
                f"{path} is outside the folders this server may read ({', '.join(map(str, roots))}); "
                "add it to MISSIONRAG_ALLOWED_DIRS"
            )

    def delete_document(self, doc_id: str) -> DocumentInfo:
        with self._write_lock:
            rec = self.store.delete_document(doc_id)
            _ = self.keyword
            return rec.info()

    # ------------------------------------------------------------------ reads
    def search(self, query: str, top_k: int | None = None, *, mode: str = "hybrid") -> list[Hit]:
        from missionrag.index.hybrid import search

        query = self._check_query(query)
        self._open_store_and_model()
        if not self.has_store():
            from missionrag.collections import missing_message

            raise BackendUnavailableError(missing_message(self.settings))
        keyword = self.keyword  # also brings the centroid in step
        s = self.settings
        k = top_k or s.top_k
        reranker = self.reranker if mode == "hybrid" else None
        hits = search(
            query,
            store=self.store,
            keyword=keyword,
            embedder=lambda: self.embedder,
            top_k=max(k, s.rerank_pool) if reranker else k,
            mode=mode,  # type: ignore[arg-type]
            fusion=s.fusion,
            dense_weight=s.dense_weight,
            rrf_k=s.rrf_k,
            pool=s.search_pool,
            centroid=self._centroid.vector if self._centroid is not None else None,
            centering=s.dense_centering,
        )
        if reranker is None:
            return hits
        from missionrag.index.rerank import rerank_hits

        return rerank_hits(query, hits, reranker, weight=self._rerank_weight(query), top_k=k)

    def _rerank_weight(self, query: str) -> float:
        """The cross-encoder's weight for ``query``; with MISSIONRAG_RERANK_FOREIGN=skip, none
        for a question not in English (the default model is English). Measured on 29 Danish and
        German dev questions over English documents (evals/reports/language.md), reranking still
        helped (passage hit@1 0.21 -> 0.24, MRR 0.25 -> 0.30, document first 0.34 -> 0.41), so
        the default is "on". Skipped, the logits are still computed: ask abstains on them."""
        s = self.settings
        if s.rerank_foreign == "skip" and not s.rerank_model_path:
            from missionrag.language import DEFAULT, question_language

            if question_language(query) != DEFAULT:
                return 0.0
        return s.rerank_weight

    def search_many(self, queries: list[str], top_k: int | None = None) -> list[list[Hit]]:
        return [self.search(q, top_k) for q in queries]

    def _check_query(self, query: str) -> str:
        q = (query or "").strip()
        if not q:
            raise InputError("the query is empty; type a question or a few keywords")
        if len(q) > self.settings.max_query_chars:
            raise InputError(
                f"the query is {len(q)} characters; the limit is {self.settings.max_query_chars} "
                "(MISSIONRAG_MAX_QUERY_CHARS)"
            )
        return q

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
        from missionrag.redact import redact_url

        store = (
            f"server:{redact_url(self.settings.chroma_url)}"
            if self.settings.chroma_url
            else f"embedded:{self.settings.resolved_data_dir() / 'chroma'}"
        )
        kw = "empty"
        if docs:
            k = self.keyword
            kw = f"bm25, {k.size} chunks, in step with the store's last write ({_when(k.generation)})"
        llm = self.llm
        return Status(
            collection=self.settings.collection,
            documents=len(docs),
            chunks=sum(d.chunks for d in docs),
            store=store,
            data_dir=str(self.settings.resolved_data_dir()),
            embed_backend=self.settings.embed_backend,
            model_path=self.settings.model_path,
            keyword_index=kw,
            llm=llm.name if llm else None,
            sources=docs,
        )

    def keyword_view(self) -> Any:
        """BM25 search served from files, without opening Chroma, when that is provably current.

        Embedded mode only: ``state.json`` mirrors the store's generation and dirty flag (one
        process owns the store and writes both), and the BM25 folder carries the same
        generation and the chunk records. Anything else (a server store, a run in progress or
        killed, an index not yet rebuilt) returns ``None`` and the caller uses the store.
        """
        if self.settings.chroma_url:
            return None
        from missionrag.collections import home
        from missionrag.index.keyword import KeywordIndex
        from missionrag.index.store import read_state_mirror

        state = read_state_mirror(home(self.settings))
        if state is None or state.get("dirty"):
            return None
        gen = int(state.get("generation", -1))
        base = self._keyword_dir()
        kw = KeywordIndex(base.with_name(base.name + self._keyword_tag()))
        if not kw.load(gen) or not kw.has_records():
            return None
        return _FileKeywordView(kw, self.settings)

    # ------------------------------------------------------------------ the three products
    def ask(
        self, question: str, top_k: int | None = None, history: Sequence[Turn] | None = None
    ) -> Answer:
        """Answer ``question``; with ``history`` (earlier turns), a follow-up is first read
        into a standalone query (ask/followup.py) and the answer says so."""
        from missionrag.ask import answer_question

        self._open_store_and_model()
        res = self.resolve_followup(question, history) if history else None
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

        res = self.resolve_followup(question, history) if history else None
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
        retriever: Any = self.keyword_view()
        if retriever is None:
            try:
                retriever = _KeywordView(self) if self.has_store() else None
            except MissionRagError:
                retriever = None
        return check_statement(
            statement,
            self.settings,
            retriever=retriever,
            llm=self.llm,
            literature=self._literature() if retriever is not None else None,
        )

    def _literature_file(self) -> Path:
        base = self._keyword_dir()
        return base.with_name(base.name + ".criteria.json")

    def _literature(self) -> dict[str, list[Any]] | None:
        """The reranked passages per criterion, when chosen for the store's current write."""
        from missionrag.check import literature
        from missionrag.index.store import read_state_mirror

        state = (
            None
            if self.settings.chroma_url
            else read_state_mirror(self.settings.resolved_data_dir())
        )
        gen = state.get("generation") if state else None
        if gen is None:
            try:
                gen = self.store.generation()
            except MissionRagError:
                return None
        return literature.load(self._literature_file(), int(gen))

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
        if literature.load(self._literature_file(), gen) is not None:
            return False
        literature.save(self._literature_file(), gen, literature.choose(self, self.reranker))
        return True

    def quiz(
        self,
        n: int = 10,
        topic: str | None = None,
        types: list[str] | None = None,
        seed: int | None = None,
    ) -> list[QuizItem]:
        from missionrag.quiz import build_quiz

        if not self.has_store():
            from missionrag.collections import missing_message

            raise BackendUnavailableError(missing_message(self.settings))
        return build_quiz(self, n=n, topic=topic, types=types, seed=seed, llm=self.llm)


class _FileKeywordView:
    """Keyword hits from the BM25 folder's own records (see ``KnowledgeBase.keyword_view``)."""

    def __init__(self, kw: KeywordIndex, settings: Settings) -> None:
        self.kw = kw
        self.settings = settings
        self._pos = {cid: i for i, cid in enumerate(kw.ids)}

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        from missionrag.index.hybrid import to_hit

        k = top_k or self.settings.top_k
        found = self.kw.search(query, k)
        if not found:
            return []
        records = self.kw.records([self._pos[cid] for cid, _ in found])
        best = found[0][1] or 1.0
        return [
            to_hit(Chunk.model_validate_json(rec), score / best, None, score)
            for (_, score), rec in zip(found, records, strict=True)
        ]

    def all_chunks(self) -> list[Chunk]:
        return [
            Chunk.model_validate_json(r) for r in self.kw.records(list(range(len(self.kw.ids))))
        ]

    def document_text(self, source: str) -> str:
        raise NotFoundError("document text is not served from the keyword index; use the store")


class _KeywordView:
    """The knowledge base as ``check`` sees it: BM25 search only.

    The checker's queries are fixed criterion phrases and the draft's own targets (numbers,
    years, phrases): lexical matches by nature. Keyword search also spares a cold
    ``missionrag check`` the model load (issue #7: cold check <= 0.2x of importing torch).
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        return self.kb.search(query, top_k, mode="keyword")

    def all_chunks(self) -> list[Chunk]:
        return self.kb.all_chunks()

    def document_text(self, source: str) -> str:
        return self.kb.document_text(source)


def _reason(exc: Exception, name: str) -> str:
    """The error text without the file name it already starts with (the report names the file)."""
    msg = str(exc)
    return msg[len(name) + 2 :] if msg.startswith(name + ": ") else msg


def _when(generation: int) -> str:
    """A generation stamp for people: stamps are microsecond clock times (store.py); small
    ones come from stores written before that."""
    if generation < 10**15:
        return f"generation {generation}"
    return datetime.fromtimestamp(generation / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
