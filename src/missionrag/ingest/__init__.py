"""Loaders per format -> ``Document``; chunking -> ``Chunk``.

``load_file`` and ``load_url`` raise ``InputError`` subclasses with one clear line naming the
file and the reason; the caller decides whether to go on with the rest of a batch.
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path

from missionrag.config import Settings
from missionrag.errors import FileTooLargeError, InputError, UnsupportedFileError
from missionrag.ingest.chunking import chunk_document as _chunk_document
from missionrag.ingest.chunking import chunk_with_tokens as _chunk_with_tokens
from missionrag.models import Chunk, Document

TEXT_SUFFIXES = {".txt": False, ".md": True, ".markdown": True}
SUPPORTED = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")
IGNORE_FILE = ".missionragignore"
# Bumped when a loader's or the chunker's output changes, so stored documents are re-read
# once (3: the chunker of issue 7; unchanged chunks keep their vectors).
LOADER_VERSION = "3"


def source_name(path: Path) -> str:
    """Repo-relative path when the file is under the working directory, else absolute."""
    resolved = path.expanduser().resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def make_doc_id(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _ignored(path: Path, root: Path) -> bool:
    patterns: list[str] = []
    for folder in [root, *path.relative_to(root).parents]:
        ignore = (root / folder) if folder != root else root
        f = ignore / IGNORE_FILE
        if f.is_file():
            patterns += [
                ln.strip()
                for ln in f.read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#")
            ]
    rel = path.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to ingest under ``paths`` and files skipped with the reason.

    Hidden files and folders are passed over; files matching a ``.missionragignore`` pattern in
    the folder given are skipped silently; other unsupported files are reported.
    """
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in paths:
        p = p.expanduser()
        if p.is_file():
            found.append(p)
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                rel_parts = f.relative_to(p).parts
                if not f.is_file() or any(part.startswith(".") for part in rel_parts):
                    continue
                if _ignored(f, p):
                    continue
                if f.suffix.lower() in SUPPORTED:
                    found.append(f)
                else:
                    skipped.append((f, unsupported_message(f)))
        else:
            raise InputError(f"{p}: no such file or folder")
    return found, skipped


def unsupported_message(path: Path) -> str:
    return f"unsupported file type '{path.suffix or path.name}'; supported: {', '.join(SUPPORTED)}"


def _read_text(path: Path, source: str) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{source}: the file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(f"{source}: binary data in a text file (is it really {path.suffix}?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8"
        ) from exc


def load_file(path: Path, settings: Settings, *, source: str | None = None) -> Document:
    """Read one file into a ``Document`` (clean text, title, marks, content hash)."""
    from missionrag.ingest.binary import load_docx, load_pdf
    from missionrag.ingest.markdown import load_markdown_text
    from missionrag.ingest.web import html_to_document

    source = source or source_name(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFileError(f"{source}: {unsupported_message(path)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror})") from exc
    limit = int(settings.max_file_mb * 1_000_000)
    if size > limit:
        raise FileTooLargeError(
            f"{source}: {size / 1e6:.1f} MB is over the {settings.max_file_mb:g} MB limit "
            "(MISSIONRAG_MAX_FILE_MB)"
        )
    if size == 0:
        raise InputError(f"{source}: the file is empty")
    doc_id = make_doc_id(source)
    if suffix in TEXT_SUFFIXES:
        raw = _read_text(path, source)
        doc = load_markdown_text(
            raw, source, doc_id, markdown=TEXT_SUFFIXES[suffix] or _looks_markdown(raw)
        )
    elif suffix == ".pdf":
        doc = load_pdf(path, source, doc_id, settings)
    elif suffix == ".docx":
        doc = load_docx(path, source, doc_id)
    else:
        doc = html_to_document(_read_text(path, source), source, doc_id)
    if not doc.text.strip():
        raise InputError(f"{source}: no text to index")
    return finish(doc, settings)


def _looks_markdown(raw: str) -> bool:
    """A .txt that is really Markdown (front matter, headings or transcript anchors)."""
    head = raw[:20000]
    return (
        head.lstrip("\ufeff").startswith("---\n")
        or 'class="yt-timestamp"' in head
        or "\n## " in head
    )


def load_url(url: str, settings: Settings) -> Document:
    from missionrag.ingest.web import fetch_url, html_to_document

    html = fetch_url(
        url,
        timeout=settings.url_timeout,
        max_bytes=int(settings.max_file_mb * 1_000_000),
        allow_private=settings.allow_private_urls,
    )
    return finish(html_to_document(html, url, make_doc_id(url), url=url), settings)


def finish(doc: Document, settings: Settings) -> Document:
    """Stamp the content hash: text, marks and the settings that shape chunks."""
    h = hashlib.sha256()
    for part in (
        LOADER_VERSION,
        str(settings.chunk_size),
        str(settings.chunk_overlap),
        str(settings.contextual_headers),
        doc.title,
        doc.url or "",
        doc.text,
        "".join(m.model_dump_json() for m in doc.marks),
    ):
        h.update(part.encode())
        h.update(b"\x00")
    return doc.model_copy(update={"content_hash": h.hexdigest()[:32]})


def chunk_document(doc: Document, settings: Settings) -> list[Chunk]:
    return _chunk_document(doc, settings.chunk_size, settings.chunk_overlap, settings.model_path)


def chunk_with_tokens(doc: Document, settings: Settings) -> list[tuple[Chunk, list[int] | None]]:
    """Chunks with their token ids, for the ingest pipeline (see ``chunking.chunk_with_tokens``)."""
    return _chunk_with_tokens(doc, settings.chunk_size, settings.chunk_overlap, settings.model_path)


__all__ = [
    "SUPPORTED",
    "chunk_document",
    "chunk_with_tokens",
    "discover",
    "load_file",
    "load_url",
    "make_doc_id",
    "source_name",
]
