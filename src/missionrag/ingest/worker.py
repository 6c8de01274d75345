"""Untrusted files are read in a separate process with a time and a memory budget.

The API used to parse an upload inside the server process: a file that made a parser slow
(a quadratic regex held the GIL for minutes) or huge (a DOCX that unpacked to 1.44 GB) froze
or killed the whole service. Here a child process (spawned, so it shares nothing with the
server) loads the file or fetches the URL and chunks it (tokenising a megabyte holds the GIL
too), under ``RLIMIT_AS`` = ``MISSIONRAG_INGEST_MEMORY_MB``, and the server waits on a pipe
for at most ``MISSIONRAG_INGEST_TIMEOUT`` seconds before it kills the child. The store write
stays in the server, which owns the embedded store. One child serves one file at a time and
is started again after a kill; ``tests/test_reader_process.py`` measures ``/health``, ``/ask``
and ``/check`` while hostile files are read.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import FileTooLargeError, InputError, MissionRagError, UnsupportedFileError

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.models import Chunk, Document

Pairs = list[tuple["Chunk", list[int] | None]]
_ERRORS: dict[str, type[InputError]] = {
    "FileTooLargeError": FileTooLargeError,
    "UnsupportedFileError": UnsupportedFileError,
}


class ReaderProcess:
    """``read(item)`` -> (document, its chunks with token ids, or None when unchanged)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None

    def read(
        self, item: Path | str, source: str, known_hash: str | None, *, follow_links: bool
    ) -> tuple[Document, Pairs | None]:
        """Load (and chunk, unless the content hash is ``known_hash``) in the child process."""
        timeout = self.settings.ingest_timeout
        with self._lock:
            conn = self._ensure()
            conn.send((str(item), isinstance(item, Path), source, known_hash, follow_links))
            if not conn.poll(timeout):
                self._stop()
                raise InputError(
                    f"{source}: reading it took longer than {timeout:g} s "
                    "(MISSIONRAG_INGEST_TIMEOUT); it was stopped and nothing was stored"
                )
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):
                self._stop()
                raise InputError(
                    f"{source}: the reader stopped while reading it (more than "
                    f"{self.settings.ingest_memory_mb} MB of memory? MISSIONRAG_INGEST_MEMORY_MB); "
                    "nothing was stored"
                ) from None
        if status == "ok":
            doc, pairs = payload
            return doc, pairs
        kind, message = payload
        if kind == "MemoryError":
            self.close()  # a child that ran out of memory is not reused
        raise _ERRORS.get(kind, InputError)(message)

    def _ensure(self) -> Connection:
        if self._proc is not None and self._proc.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=serve,
            args=(child, self.settings),
            name="missionrag-reader",
            daemon=True,
        )
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        return parent

    def _stop(self) -> None:
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if conn is not None:
            conn.close()
        if proc is not None and proc.is_alive():
            proc.kill()
        if proc is not None:
            proc.join(timeout=5)

    def close(self) -> None:
        with self._lock:
            self._stop()


def serve(conn: Connection, settings: Settings) -> None:
    """The child: apply the budgets, then answer requests until the pipe closes."""
    import resource

    limit = settings.ingest_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # no thread pool to budget for
    with contextlib.suppress(OSError):
        os.nice(5)  # the server's own requests come first
    while True:
        try:
            item, is_path, source, known_hash, follow_links = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = (
                "ok",
                _load(item, is_path, source, known_hash, follow_links, settings),
            )
        except Exception as exc:  # every failure goes back to the server as a reason
            reply = ("error", _reason(exc, source, settings))
        try:
            conn.send(reply)
        except (OSError, MemoryError):
            return
        if reply[0] == "error" and reply[1][0] == "MemoryError":
            return


def _reason(exc: Exception, source: str, settings: Settings) -> tuple[str, str]:
    """(error kind, message) for the server.

    Out of memory shows up as MemoryError, or as a parser's own error ("Memory allocation
    failed" from libxml2), and loaders wrap both in an InputError.
    """
    cause = exc.__cause__
    if (
        isinstance(exc, MemoryError)
        or isinstance(cause, MemoryError)
        or "memory" in str(cause or "").lower()
    ):
        return (
            "MemoryError",
            f"{source}: reading it needs more than {settings.ingest_memory_mb} MB "
            "(MISSIONRAG_INGEST_MEMORY_MB); nothing was stored",
        )
    if isinstance(exc, MissionRagError):
        return type(exc).__name__, str(exc)
    return "InputError", f"{source}: could not be read ({type(exc).__name__})"


def _load(
    item: str,
    is_path: bool,
    source: str,
    known_hash: str | None,
    follow_links: bool,
    settings: Settings,
) -> tuple[Document, Pairs | None]:
    from missionrag.ingest import chunk_with_tokens, load_file, load_url

    if is_path:
        doc = load_file(Path(item), settings, source=source, follow_links=follow_links)
    else:
        doc = load_url(item, settings)
    if known_hash is not None and doc.content_hash == known_hash:
        return doc, None
    pairs = chunk_with_tokens(doc, settings)
    if not pairs:
        raise InputError(f"{doc.source}: no text to index")
    return doc, pairs
