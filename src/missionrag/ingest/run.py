"""One ingest run: find the files, read them, write what changed, prune what vanished.

``KnowledgeBase.ingest`` calls ``run_ingest`` under its write lock. Each document goes through
the store's commit protocol (``index/store.py``), so a run killed at any point leaves whole
documents only; the next run sweeps the rest (``ChunkStore.recover``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import InputError, MissionRagError, PathNotAllowedError
from missionrag.models import Chunk, Document, FailedFile, IngestReport

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index.store import ChunkStore
    from missionrag.ingest.worker import ReaderProcess
    from missionrag.kb import KnowledgeBase

# (files done, which moves in fractions while a window is embedded; files in all; name)
Progress = Callable[[float, int, str], None]


def run_ingest(
    kb: KnowledgeBase,
    paths: list[Path],
    urls: list[str],
    *,
    prune: bool,
    progress: Progress | None,
    check_allowed: bool,
    reader: ReaderProcess | None,
) -> IngestReport:
    """Add new, replace changed, skip unchanged files; with ``prune``, drop vanished ones."""
    from missionrag.collections import ensure_home

    t0 = time.perf_counter()
    report = IngestReport()
    if check_allowed:
        for p in paths:
            check_allowed_path(kb.settings, p)
    files, named = _discover(paths, report)
    with kb.writing():
        ensure_home(kb.settings)  # marks the collection as existing (collections.exists)
        _write(kb, report, paths, files, named, urls, prune, progress, reader)
        kb.keyword_index()  # rebuild now, not on the first search
    report.chunks_total = sum(r.chunks for r in kb.store.catalog().values())
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _discover(paths: list[Path], report: IngestReport) -> tuple[list[Path], set[Path]]:
    """The files under ``paths``, and those the caller named (read even if they are links)."""
    from missionrag.ingest import discover, display_path, source_name

    files: list[Path] = []
    named: set[Path] = set()
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
    return files, named


class _Ticks:
    """Progress counts files, and a file is done when its chunks are embedded. Files are read
    fast and embedded a window at a time, so while a window is embedded the position moves
    through that window's files by the share of its chunks done."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total = progress, total
        self.read = self.done = 0
        self.name = ""

    def reading(self, read: int, name: str) -> None:
        self.read, self.name = read, name
        if self.progress:
            self.progress(
                self.done, self.total, name
            )  # alive, and on which file (a URL can be slow)

    def embedded(self, share: float) -> None:
        if self.progress:
            self.progress(self.done + share * (self.read - self.done), self.total, self.name)
        if share >= 1.0:
            self.done = self.read

    def end(self) -> None:
        if self.progress:
            self.progress(self.total, self.total, "")


def _write(
    kb: KnowledgeBase,
    report: IngestReport,
    paths: list[Path],
    files: list[Path],
    named: set[Path],
    urls: list[str],
    prune: bool,
    progress: Progress | None,
    reader: ReaderProcess | None,
) -> None:
    """The store part of a run: recover, begin, read and embed each item, prune, end."""
    from missionrag.ingest.pipeline import IngestPipeline

    settings = kb.settings
    store = kb.store
    store.recover()
    known = store.by_source()
    ticks = _Ticks(progress, len(files) + len(urls))
    store.begin()
    pipeline = IngestPipeline(store, kb.embedder, settings, report, on_embedded=ticks.embedded)
    finished = False
    try:
        items: list[Path | str] = [*files, *urls]
        for i, item in enumerate(items):
            name = _item_name(settings, item)
            ticks.reading(i + 1, name)
            try:
                doc, pairs = _read(settings, item, name, item in named, known, reader)
                prev = known.get(doc.source)
                if prev is not None and prev.content_hash == doc.content_hash:
                    report.unchanged.append(doc.source)
                    continue
                pipeline.add(doc, previous=prev.content_hash if prev else None, pairs=pairs)
            except MissionRagError as exc:
                report.failed.append(FailedFile(source=name, reason=_reason(exc, name)))
        pipeline.finish()
        if prune:
            seen = {stored_name(settings, f) for f in files}
            report.removed = _prune(store, paths, seen)
        finished = True
    finally:
        pipeline.abort()
        changed = bool(report.added or report.updated or report.removed)
        store.end(changed=changed, clean=finished)
        ticks.end()


def _item_name(settings: Settings, item: Path | str) -> str:
    """How the item is named in the report: a URL without its credentials."""
    from missionrag.ingest import display_path
    from missionrag.redact import redact_url

    if isinstance(item, Path):
        return stored_name(settings, item)
    return display_path(redact_url(item) or item)


def _read(
    settings: Settings,
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
        return load_file(item, settings, source=name, follow_links=named), None
    return load_url(item, settings), None


def _prune(store: ChunkStore, paths: list[Path], seen: set[str]) -> list[str]:
    """Delete the stored documents under the folders in ``paths`` whose files are gone."""
    from missionrag.ingest import source_name

    removed: list[str] = []
    roots = [source_name(p) for p in paths if p.is_dir()]
    for rec in list(store.catalog().values()):
        if rec.source in seen or rec.source.startswith(("http://", "https://")):
            continue
        under = any(rec.source == r or rec.source.startswith(r.rstrip("/") + "/") for r in roots)
        if under and not Path(rec.source).exists():
            store.delete_document(rec.doc_id)
            removed.append(rec.source)
    return removed


def stored_name(settings: Settings, path: Path) -> str:
    """How a file is named in citations: repo-relative, ``uploads/<name>``, or absolute.

    Uploads live in the data dir; naming them by their absolute path would show the
    server's folder layout to every API client.
    """
    from missionrag.collections import uploads_path
    from missionrag.ingest import source_name

    uploads = uploads_path(settings).resolve()
    resolved = path.expanduser().resolve()
    if uploads in resolved.parents:
        return "uploads/" + resolved.relative_to(uploads).as_posix()
    return source_name(path)


def check_allowed_path(settings: Settings, path: Path) -> None:
    """Refuse a path outside MISSIONRAG_ALLOWED_DIRS (the API's uploads)."""
    resolved = path.expanduser().resolve()
    roots = settings.allowed_roots()
    if not any(resolved == r or r in resolved.parents for r in roots):
        raise PathNotAllowedError(
            f"{path} is outside the folders this server may read ({', '.join(map(str, roots))}); "
            "add it to MISSIONRAG_ALLOWED_DIRS"
        )


def _reason(exc: Exception, name: str) -> str:
    """The error text without the file name it already starts with (the report names the file)."""
    msg = str(exc)
    return msg[len(name) + 2 :] if msg.startswith(name + ": ") else msg
