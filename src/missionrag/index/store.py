"""The Chroma store, embedded (``PersistentClient``) or a server (``HttpClient``): which one
is ``backend.py``'s business; this module only sees a client.

Two collections: ``<name>_chunks`` (one record per chunk) and ``<name>_docs`` (one record per
document, a ``__state__`` record, and a ``__run__`` record per writer at work); the record
layouts are in ``records.py``, the writer records in ``writers.py``.
Chroma has no multi-record transactions, so a document is replaced in three steps whose
middle one is a single-record write, the commit point:

1. upsert the new chunks (ids derive from content, so a re-run writes the same ids), each
   stamped with the new ``doc_hash``;
2. upsert the document record with the new hash  <- commit;
3. delete the chunks of the version it replaced (stamped with the previous hash).

Searches only return chunks whose ``doc_hash`` matches the committed one, so a reader never
sees a half-replaced document. A ``dirty`` flag on the state record is raised before step 1 and
lowered after step 3; an ingest that finds it raised, or the record of a writer that died,
sweeps the stray chunks first, unless another writer is still at work (then its uncommitted
chunks are not strays, and a later run sweeps). Every run that writes moves ``generation`` (a stamp compared for equality only),
which tells keyword indexes (one per process or machine) that they are stale.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from missionrag.collections import home
from missionrag.errors import BackendUnavailableError, NotFoundError
from missionrag.index.backend import StoreBackend, backend_for
from missionrag.index.exact import ExactIndex
from missionrag.index.records import DocRecord, chunk_from_record, chunk_metadata, doc_metadata
from missionrag.index.writers import RUN_PREFIX, Writers
from missionrag.models import Chunk, Document

if TYPE_CHECKING:
    from missionrag.config import Settings

STATE_ID = "__state__"


def _write_state_mirror(folder: Path, state: dict[str, Any]) -> None:
    """``state.json`` in the collection's home folder (``collections.home``)."""
    from missionrag.private import private_dir, write_private

    write_private(private_dir(folder) / "state.json", json.dumps(state).encode())


def read_state_mirror(folder: Path) -> dict[str, Any] | None:
    """A collection's generation and dirty flag without opening Chroma (or None)."""
    try:
        return dict(json.loads((folder / "state.json").read_text()))
    except (OSError, ValueError):
        return None


class ChunkStore:
    def __init__(self, settings: Settings, backend: StoreBackend | None = None) -> None:
        self.settings = settings
        self.backend = backend or backend_for(settings)
        self.client = self.backend.client()
        self.location = self.backend.location()
        try:
            self.chunks = self.client.get_or_create_collection(
                f"{settings.collection}_chunks",
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": 100}},
            )
            self.docs = self.client.get_or_create_collection(
                f"{settings.collection}_docs", embedding_function=None
            )
        except Exception as exc:
            raise BackendUnavailableError(f"cannot open the Chroma collections: {exc}") from exc
        try:
            self.max_batch = min(250, int(self.client.get_max_batch_size()))
        except Exception:
            self.max_batch = 250
        self._catalog: dict[str, DocRecord] | None = None
        self._catalog_gen = -1
        self.exact = ExactIndex(self)
        self.writers = Writers(self.docs, single_process=self.backend.single_owner)

    # ------------------------------------------------------------------ state and catalog
    def state(self) -> dict[str, Any]:
        got = self.docs.get(ids=[STATE_ID], include=["metadatas"])
        if got["ids"]:
            return dict(got["metadatas"][0] or {})
        return {"generation": 0, "dirty": False}

    def _set_state(self, **changes: Any) -> dict[str, Any]:
        st = self.state()
        st.update(changes)
        if self.backend.single_owner:
            # Mirror first as dirty, so a crash between the two writes never leaves a mirror
            # that claims a clean store (see read_state_mirror).
            _write_state_mirror(home(self.settings), {**st, "dirty": True})
        self.docs.upsert(ids=[STATE_ID], embeddings=[[0.0]], metadatas=[st], documents=[""])
        if self.backend.single_owner:
            _write_state_mirror(home(self.settings), st)
        return st

    def generation(self) -> int:
        return int(self.state().get("generation", 0))

    def _next_generation(self) -> int:
        """A new generation stamp, never the one another writer is writing at the same time.

        Several processes can write one Chroma server, and the state record is read, then
        written. Two writers that read the same generation and both wrote it plus one would
        leave one stamp for two changes, and a worker whose keyword index was rebuilt between
        them would never see the second. So the stamp is the clock in microseconds (at least
        the current one plus one): readers only ever compare stamps for equality.
        """
        return max(self.generation() + 1, time.time_ns() // 1000)

    def catalog(self) -> dict[str, DocRecord]:
        """doc_id -> committed record; cached until the generation moves."""
        gen = self.generation()
        if self._catalog is None or gen != self._catalog_gen:
            got = self.docs.get(include=["metadatas"])
            cat: dict[str, DocRecord] = {}
            for did, meta in zip(got["ids"], got["metadatas"], strict=True):
                if did == STATE_ID or did.startswith(RUN_PREFIX) or not meta:
                    continue
                cat[did] = DocRecord(
                    doc_id=did,
                    source=meta["source"],
                    title=meta.get("title", ""),
                    url=meta.get("url"),
                    kind=meta.get("kind", ""),
                    content_hash=meta["content_hash"],
                    chunks=int(meta.get("chunks", 0)),
                    ingested_at=meta.get("ingested_at"),
                    language=meta.get("language"),
                )
            self._catalog, self._catalog_gen = cat, gen
        return self._catalog

    def by_source(self) -> dict[str, DocRecord]:
        return {r.source: r for r in self.catalog().values()}

    def document_text(self, doc_id: str) -> str:
        got = self.docs.get(ids=[doc_id], include=["documents"])
        if not got["ids"]:
            raise NotFoundError(f"no document with id {doc_id}; see `missionrag status`")
        return got["documents"][0] or ""

    # ------------------------------------------------------------------ writes
    def begin(self) -> None:
        self.writers.start()
        self._set_state(dirty=True)

    def end(self, changed: bool = True, *, clean: bool = True) -> None:
        """End the run: move the generation once if it wrote, and lower the dirty flag unless
        it failed midway (``clean=False``), so the next ingest sweeps what it left."""
        state: dict[str, Any] = {"dirty": False} if clean else {}
        if changed:
            state["generation"] = self._next_generation()
        try:
            if state:
                self._set_state(**state)
        finally:
            self.writers.stop()  # a failed run must not go on looking alive to other writers
            self._catalog = None

    def recover(self) -> int:
        """Remove chunks no committed document owns (after a run was killed). Returns count.

        Runs when the dirty flag is up, a dead writer left its record, or the store holds more
        chunks than the committed documents account for.

        Not while another writer is alive (a Chroma server shared by workers): its chunks are
        uncommitted, not stray, until it commits. The next run with the store to itself sweeps.
        """
        live, dead = self.writers.others()
        if live:
            return 0
        self._catalog = None
        # A healthy store holds exactly the committed documents' chunks; more means strays
        # (a killed run, a failed delete, or the losing version of a same-document race).
        expected = sum(r.chunks for r in self.catalog().values())
        if not (self.state().get("dirty") or dead or self.count() > expected):
            return 0
        cat = self.catalog()
        stray: list[str] = []
        offset = 0
        while True:
            got = self.chunks.get(include=["metadatas"], limit=5000, offset=offset)
            if not got["ids"]:
                break
            for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
                rec = cat.get((meta or {}).get("doc_id", ""))
                if rec is None or rec.content_hash != (meta or {}).get("doc_hash"):
                    stray.append(cid)
            offset += len(got["ids"])
        for i in range(0, len(stray), self.max_batch):
            self.chunks.delete(ids=stray[i : i + self.max_batch])
        self.writers.forget(dead)
        self._set_state(dirty=False, generation=self._next_generation())
        return len(stray)

    def existing_embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already stored for these ids (an edited file keeps its unchanged chunks')."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), self.max_batch):
            got = self.chunks.get(ids=list(ids[i : i + self.max_batch]), include=["embeddings"])
            for cid, emb in zip(got["ids"], got["embeddings"], strict=True):
                out[cid] = np.asarray(emb, dtype=np.float32)
        return out

    def write_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray, doc_hash: str) -> None:
        """Step 1 alone, for one document (tests use it to stop a run before its commit)."""
        self._upsert_chunks([(c, v, doc_hash) for c, v in zip(chunks, vectors, strict=True)])

    def _upsert_chunks(self, rows: Sequence[tuple[Chunk, np.ndarray, str]]) -> None:
        """(chunk, vector, stamp) rows, in batches Chroma takes."""
        for i in range(0, len(rows), self.max_batch):
            part = rows[i : i + self.max_batch]
            self.chunks.upsert(
                ids=[c.id for c, _, _ in part],
                embeddings=np.stack([v for _, v, _ in part]),
                metadatas=[chunk_metadata(c, h) for c, _, h in part],
            )

    def write_group(
        self, items: Sequence[tuple[Document, Sequence[Chunk], np.ndarray, str | None]]
    ) -> None:
        """Write several documents' chunks, then commit their records, in few store calls.

        ``items`` are (document, chunks, vectors, the committed hash it replaces or None). The
        three steps of the module docstring, batched: all chunks first, then the records (each
        record write is its own commit point; a crash between two leaves whole documents only),
        then the deletion of the replaced versions' chunks (strays of a killed run are swept by
        ``recover``).
        """
        self._upsert_chunks(
            [
                (c, v, doc.content_hash)
                for doc, chunks, matrix, _ in items
                for c, v in zip(chunks, matrix, strict=True)
            ]
        )
        now = datetime.now(UTC).isoformat(timespec="seconds")
        records = [(doc, len(chunks)) for doc, chunks, _, _ in items]
        for i in range(0, len(records), self.max_batch):
            part = records[i : i + self.max_batch]
            self.docs.upsert(
                ids=[d.doc_id for d, _ in part],
                embeddings=[[0.0]] * len(part),
                metadatas=[doc_metadata(d, n, now) for d, n in part],
                documents=[d.text for d, _ in part],
            )
        for doc, _, _, previous in items:
            self.drop_replaced(doc, previous)
        self._catalog = None

    def drop_replaced(self, doc: Document, previous: str | None) -> None:
        """Delete the chunks of the version ``doc`` replaced, and only those.

        Not "every chunk with another hash": on a shared server another writer may be writing
        a newer version of the same document at this moment, and its chunks must stay. (Chunks
        both versions share were restamped when rewritten, so they stay too.)
        """
        if previous is not None and previous != doc.content_hash:
            self.chunks.delete(where={"$and": [{"doc_id": doc.doc_id}, {"doc_hash": previous}]})

    def delete_document(self, doc_id: str) -> DocRecord:
        rec = self.catalog().get(doc_id)
        if rec is None:
            raise NotFoundError(
                f"no document with id {doc_id}; see `missionrag status` or GET /documents"
            )
        self.begin()
        done = False
        try:
            self.docs.delete(ids=[doc_id])  # the commit: the chunks are invisible from here
            self.chunks.delete(where={"doc_id": doc_id})
            done = True
        finally:
            self.end(clean=done)
        return rec

    # ------------------------------------------------------------------ reads
    def count(self) -> int:
        return int(self.chunks.count())

    def iter_chunks(self, batch: int = 5000) -> Iterable[Chunk]:
        """Every committed chunk (stray ones from a killed run are skipped)."""
        cat = self.catalog()
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            if not got["ids"]:
                return
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                rec = cat.get(meta.get("doc_id", ""))
                if rec is not None and rec.content_hash == meta.get("doc_hash"):
                    yield chunk_from_record(cid, text, meta)
            offset += len(got["ids"])

    def iter_chunk_vectors(self, batch: int = 5000) -> Iterable[tuple[Chunk, np.ndarray]]:
        """Every committed chunk with its stored vector (for indexes derived from the store)."""
        cat = self.catalog()
        offset = 0
        while True:
            got = self.chunks.get(
                include=["documents", "metadatas", "embeddings"], limit=batch, offset=offset
            )
            if not got["ids"]:
                return
            for cid, text, meta, emb in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            ):
                rec = cat.get(meta.get("doc_id", ""))
                if rec is not None and rec.content_hash == meta.get("doc_hash"):
                    yield chunk_from_record(cid, text, meta), np.asarray(emb, np.float32)
            offset += len(got["ids"])

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), self.max_batch):
            got = self.chunks.get(
                ids=list(ids[i : i + self.max_batch]), include=["documents", "metadatas"]
            )
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                out[cid] = chunk_from_record(cid, text, meta)
        return out

    def nearest(self, vector: np.ndarray, n: int) -> tuple[list[Chunk], np.ndarray]:
        """Nearest committed chunks to ``vector`` (cosine), best first, and their stored vectors.

        The vectors let the caller score the chunks against more than one query vector (hybrid
        search ranks with a centred query but reports the plain cosine). Up to
        ``exact_search_max`` chunks the search is exact (``exact.py``).
        """
        total = self.count()
        if total == 0:
            return [], np.zeros((0, len(vector)), dtype=np.float32)
        if total <= self.settings.exact_search_max:
            return self.exact.nearest(vector, n)
        cat = self.catalog()
        res = self.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=min(n, total),
            include=["documents", "metadatas", "embeddings"],
        )
        chunks: list[Chunk] = []
        vecs: list[np.ndarray] = []
        for cid, text, meta, emb in zip(
            res["ids"][0],
            res["documents"][0],
            res["metadatas"][0],
            res["embeddings"][0],
            strict=True,
        ):
            rec = cat.get(meta.get("doc_id", ""))
            if rec is None or rec.content_hash != meta.get("doc_hash"):
                continue
            chunks.append(chunk_from_record(cid, text, meta))
            vecs.append(np.asarray(emb, dtype=np.float32))
        if not vecs:
            return [], np.zeros((0, len(vector)), dtype=np.float32)
        return chunks, np.stack(vecs)
