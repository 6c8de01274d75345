"""The write path: documents -> chunks -> vectors -> the store, in overlapping stages.

The model is the expensive stage, so the pipeline keeps it busy (measured by
``bench/ingest_throughput.py``):

- chunks are gathered over a window of documents (``MISSIONRAG_INGEST_WINDOW`` chunks, 2,048
  by default), sorted by length across the whole window and embedded in slices, so batches
  pad little; windows of 256 chunks cost 1.3 CPU-seconds more per 1,431 chunks than one
  window, as much as all the store writes;
- the model gets the token ids the chunker already computed instead of the text;
- a writer thread puts the previous window into Chroma and commits it while the next one is
  embedded (onnxruntime releases the GIL).

The price of a big window is that a run killed midway loses more uncommitted work. Each
document still goes through the store's commit protocol on its own (write chunks, commit the
record, drop old chunks), so a run killed at any point leaves only whole documents behind (see
``index/store.py``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from missionrag.errors import InputError
from missionrag.ingest import chunk_with_tokens
from missionrag.ingest.chunking import index_text

# Chunks per embedder call within a window (see _flush).
EMBED_SLICE = 256

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index.embed import Embedder
    from missionrag.index.store import ChunkStore
    from missionrag.models import Chunk, Document, IngestReport


@dataclass
class _Pending:
    doc: Document
    chunks: list[Chunk]
    previous: str | None  # the committed hash this document replaces (None: a new one)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    todo: list[Chunk] = field(default_factory=list)
    tokens: dict[str, list[int] | None] = field(default_factory=dict)


class IngestPipeline:
    """Feed it documents with ``add``; ``finish`` flushes, waits for the writer and re-raises."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        settings: Settings,
        report: IngestReport,
        threaded: bool = True,
        on_embedded: Callable[[float], None] | None = None,
    ) -> None:
        """``threaded=False`` writes in the caller's thread (for comparisons and debugging).

        ``on_embedded(share)`` is told, as a window is embedded, the share of it done (1.0 at
        its end), for progress bars.
        """
        self.on_embedded = on_embedded
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.report = report
        self._group: list[_Pending] = []
        self._group_chunks = 0
        self._queue: queue.Queue[list[_Pending] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self.threaded = threaded
        self._thread = threading.Thread(target=self._write_loop, name="ingest-writer", daemon=True)
        self._thread.start()
        self._closed = False

    def add(
        self,
        doc: Document,
        *,
        previous: str | None = None,
        pairs: list[tuple[Chunk, list[int] | None]] | None = None,
    ) -> None:
        """Chunk ``doc`` (unless its ``pairs`` of chunk and token ids come ready, from the
        reader process) and queue it; ``InputError`` if it has nothing to index."""
        self._raise_writer_error()
        if pairs is None:
            pairs = chunk_with_tokens(doc, self.settings)
        if not pairs:
            raise InputError(f"{doc.source}: no text to index")
        chunks = [c for c, _ in pairs]
        if doc.language is None:
            from missionrag.language import document_language

            doc.language = document_language(doc.text)
        for c in chunks:
            c.language = doc.language  # BM25 stems each chunk in its document's language
        p = _Pending(doc, chunks, previous, tokens={c.id: ids for c, ids in pairs})
        # An edited document keeps the vectors of the chunks whose text did not change.
        if previous is not None:
            p.vectors = self.store.existing_embeddings([c.id for c in chunks])
        p.todo = [c for c in chunks if c.id not in p.vectors]
        self._group.append(p)
        self._group_chunks += len(p.todo)
        if self._group_chunks >= self.settings.ingest_window:
            self._flush()

    def _flush(self) -> None:
        if not self._group:
            return
        group, self._group, self._group_chunks = self._group, [], 0
        todo = [(p, c) for p in group for c in p.todo]
        ctx = self.settings.contextual_headers
        texts = [index_text(c, ctx) for _, c in todo]
        # Longest first across the whole window, then cut into slices: each slice batches as
        # well as one call over the window would, and progress can be told between slices.
        # The chunker's token ids spare the model a second tokenisation of the same text,
        # unless headers were added to the text it embeds.
        ids = None if ctx else [p.tokens.get(c.id) for p, c in todo]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        tokenized = getattr(self.embedder, "embed_tokenized", None)
        for k in range(0, len(order), EMBED_SLICE):
            part = order[k : k + EMBED_SLICE]
            if ids is not None and tokenized is not None:
                vecs = tokenized([texts[i] for i in part], [ids[i] for i in part])
            else:
                vecs = self.embedder.embed([texts[i] for i in part])
            for i, v in zip(part, vecs, strict=True):
                p, c = todo[i]
                p.vectors[c.id] = v
            if self.on_embedded and k + EMBED_SLICE < len(order):
                self.on_embedded((k + len(part)) / len(order))
        if self.on_embedded:
            self.on_embedded(1.0)
        if self.threaded:
            self._queue.put(group)  # blocks while the writer is one group behind: bounded memory
        else:
            self._write(group)
            self._raise_writer_error()

    def _write_loop(self) -> None:
        while True:
            group = self._queue.get()
            if group is None:
                return
            if self._error is not None:
                continue  # drain: the main thread will raise it
            self._write(group)

    def _write(self, group: list[_Pending]) -> None:
        try:
            items = [
                (p.doc, p.chunks, np.stack([p.vectors[c.id] for c in p.chunks]), p.previous)
                for p in group
            ]
            self.store.write_group(items)
            for p in group:
                done = self.report.added if p.previous is None else self.report.updated
                done.append(p.doc.source)
                self.report.chunks_embedded += len(p.todo)
        except BaseException as exc:  # surfaced by finish()/add() in the caller's thread
            self._error = exc

    def _raise_writer_error(self) -> None:
        if self._error is not None:
            raise self._error

    def finish(self) -> None:
        if self._closed:
            return
        try:
            self._flush()
        finally:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        self._raise_writer_error()

    def abort(self) -> None:
        """Stop without flushing (an exception is already on its way up)."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
