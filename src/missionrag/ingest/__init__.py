"""Loaders per format -> ``Document``; chunking -> ``Chunk``.

``load_file`` and ``load_url`` raise ``InputError`` subclasses with one clear line naming the
file and the reason; the caller decides whether to go on with the rest of a batch.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from pathlib import Path

from missionrag.config import Settings
from missionrag.errors import FileTooLargeError, InputError, UnsupportedFileError
from missionrag.ingest.chunking import chunk_document as _chunk_document
from missionrag.ingest.chunking import chunk_with_tokens as _chunk_with_tokens
from missionrag.models import Chunk, Document
from missionrag.safetext import clean_text, escape_controls, unsafe_name

TEXT_SUFFIXES = {".txt": False, ".md": True, ".markdown": True}
SUPPORTED = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")
IGNORE_FILE = ".missionragignore"
# Bumped when a loader's or the chunker's output changes, so stored documents are re-read
# once (3: the offset-based chunker in chunking.py; unchanged chunks keep their vectors).
LOADER_VERSION = "3"


def source_name(path: Path) -> str:
    """Repo-relative path when the file is under the working directory, else absolute.

    The folders are resolved, the file's own name is not: a link is named as itself, never
    by what it points to (a link to /etc/passwd used to be reported as "/etc/passwd").
    """
    path = path.expanduser()
    resolved = path.parent.resolve() / path.name if path.name else path.resolve()
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
        if f.is_file() and not f.is_symlink():  # a link could point anywhere, even a pipe
            patterns += [
                ln.strip()
                for ln in f.read_text(encoding="utf-8", errors="replace").splitlines()
                if ln.strip() and not ln.startswith("#")
            ]
    rel = path.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to ingest under ``paths`` and files skipped with the reason.

    Hidden files and folders are passed over; files matching a ``.missionragignore`` pattern in
    the folder given are skipped silently; other unsupported files are reported. Inside a
    folder nothing is followed out of it: symbolic links (to files or folders) are reported and
    skipped, never read (a link to /etc/passwd used to be stored and served to every reader),
    and so are pipes, sockets and devices. A file named on the command line is the user's
    choice and is read even if it is a link.
    """
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in paths:
        p = p.expanduser()
        if p.is_file():
            if unsafe_name(p.name):
                skipped.append((p, UNSAFE_NAME_REASON))
            else:
                found.append(p)
        elif p.is_dir():
            _scan(p, p, p.resolve(), found, skipped)
        else:
            raise InputError(f"{display_path(p)}: no such file or folder")
    return found, skipped


UNSAFE_NAME_REASON = (
    "the file name holds control or text-direction characters (shown escaped); rename the file"
)


def _scan(
    folder: Path,
    root: Path,
    real_root: Path,
    found: list[Path],
    skipped: list[tuple[Path, str]],
) -> None:
    """Walk ``folder`` without following links, in the order ``sorted(rglob("*"))`` gave."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        skipped.append((folder, f"the folder cannot be read ({exc.strerror})"))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            _scan(path, root, real_root, found, skipped)
            continue
        if _ignored(path, root):
            continue
        if unsafe_name(entry.name):
            skipped.append((path, UNSAFE_NAME_REASON))
        elif entry.is_symlink():
            skipped.append((path, _link_reason(path, real_root)))
        elif not entry.is_file(follow_symlinks=False):
            skipped.append((path, "not a regular file (a pipe, socket or device); not read"))
        elif path.suffix.lower() not in SUPPORTED:
            skipped.append((path, unsupported_message(path)))
        elif not _inside(path, real_root):
            skipped.append((path, f"resolves outside {root}; not read"))
        else:
            found.append(path)


def _inside(path: Path, real_root: Path) -> bool:
    real = path.resolve()
    return real == real_root or real_root in real.parents


def _link_reason(path: Path, real_root: Path) -> str:
    where = "inside the folder" if _inside(path, real_root) else "outside the folder"
    return (
        f"a symbolic link (pointing {where}); links are not followed: ingest what it points "
        "to by its own path"
    )


def display_path(path: Path | str) -> str:
    """A path for messages: control and text-direction characters escaped."""
    return escape_controls(str(path))


def unsupported_message(path: Path) -> str:
    return f"unsupported file type '{path.suffix or path.name}'; supported: {', '.join(SUPPORTED)}"


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xef\xbb\xbf", "utf-8"),
)


def decode_text(data: bytes, source: str, suffix: str) -> str:
    """Text of a text file: UTF-8, or UTF-16/32 with a byte-order mark; else ``InputError``.

    A NUL anywhere means binary data (it used to be checked in the first 8 KB only, so a NUL
    later on was indexed); other control characters are blanked by ``finish``.
    """
    if not data.strip():
        raise InputError(f"{source}: the file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{source}: not valid {codec.upper()} text (at byte {exc.start + len(bom)}); "
                    "re-save it as UTF-8"
                ) from exc
            if "\x00" in text:
                raise InputError(f"{source}: binary data in a text file (a NUL character)")
            return text
    if b"\x00" in data:
        if _looks_utf16(data):
            raise InputError(
                f"{source}: looks like UTF-16 text without a byte-order mark; re-save it as UTF-8"
            )
        raise InputError(f"{source}: binary data in a text file (is it really {suffix}?)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8"
        ) from exc


def _looks_utf16(data: bytes) -> bool:
    """Most NULs on one parity of offset: ASCII-range text in UTF-16 without a BOM."""
    head = data[:8192]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > len(head) // 4 and min(even, odd) < max(even, odd) // 10


def read_regular_file(path: Path, source: str, limit: int, *, follow_links: bool) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` (``FileTooLargeError`` past it).

    ``follow_links=False`` opens with ``O_NOFOLLOW``: a file found in a folder that is swapped
    for a link before it is read is refused, not followed. ``O_NONBLOCK`` and the type check
    keep a pipe from blocking the reader forever.
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path) and not follow_links:
            raise InputError(f"{source}: a symbolic link; links are not followed") from exc
        raise InputError(f"{source}: cannot be read ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{source}: not a regular file (a pipe, socket or device)")
        _check_size(st.st_size, source, limit)
        data = fh.read(limit + 1)
    _check_size(len(data), source, limit)
    return data


def _check_size(size: int, source: str, limit: int) -> None:
    if size > limit:
        raise FileTooLargeError(
            f"{source}: {size / 1e6:.1f} MB is over the {limit / 1e6:g} MB limit "
            "(MISSIONRAG_MAX_FILE_MB)"
        )


def _check_path(path: Path, source: str, limit: int, *, follow_links: bool) -> None:
    """Size and type of a file a parser will open by name (PDF, DOCX)."""
    try:
        st = os.stat(path) if follow_links else os.lstat(path)
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror})") from exc
    if stat.S_ISLNK(st.st_mode):
        raise InputError(f"{source}: a symbolic link; links are not followed")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{source}: not a regular file (a pipe, socket or device)")
    _check_size(st.st_size, source, limit)
    if st.st_size == 0:
        raise InputError(f"{source}: the file is empty")


def load_file(
    path: Path, settings: Settings, *, source: str | None = None, follow_links: bool = True
) -> Document:
    """Read one file into a ``Document`` (clean text, title, marks, content hash).

    ``follow_links=False`` for files found by walking a folder (see ``discover``).
    """
    from missionrag.ingest.binary import load_docx, load_pdf
    from missionrag.ingest.limits import check_docx
    from missionrag.ingest.markdown import load_markdown_text
    from missionrag.ingest.web import html_to_document

    source = source or source_name(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFileError(f"{source}: {unsupported_message(path)}")
    limit = int(settings.max_file_mb * 1_000_000)
    doc_id = make_doc_id(source)
    if suffix in TEXT_SUFFIXES or suffix in (".html", ".htm"):
        data = read_regular_file(path, source, limit, follow_links=follow_links)
        raw = clean_text(decode_text(data, source, suffix))
        if suffix in TEXT_SUFFIXES:
            markdown = TEXT_SUFFIXES[suffix] or _looks_markdown(raw)
            doc = load_markdown_text(raw, source, doc_id, markdown=markdown)
        else:
            doc = html_to_document(raw, source, doc_id)
    else:
        _check_path(path, source, limit, follow_links=follow_links)
        if suffix == ".pdf":
            doc = load_pdf(path, source, doc_id, settings)
        else:
            check_docx(path, source, settings)
            doc = load_docx(path, source, doc_id)
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
    from urllib.parse import urlsplit

    from missionrag.ingest.web import fetch_url, html_to_document

    if unsafe_name(url) or any(ch.isspace() for ch in url):
        raise InputError(
            f"{escape_controls(url)}: the URL holds spaces or control characters; "
            "percent-encode them"
        )
    try:
        parts = urlsplit(url)
        credentials = parts.username is not None or parts.password is not None
    except ValueError as exc:
        raise InputError(f"{escape_controls(url)}: not a valid URL ({exc})") from exc
    if credentials:
        # The URL becomes the document's source, shown to every reader.
        raise InputError(f"{parts.hostname}: URLs with user names or passwords are not accepted")

    html = fetch_url(
        url,
        timeout=settings.url_timeout,
        max_bytes=int(settings.max_file_mb * 1_000_000),
        allow_private=settings.allow_private_urls,
    )
    return finish(html_to_document(html, url, make_doc_id(url), url=url), settings)


def finish(doc: Document, settings: Settings) -> Document:
    """Blank control characters, then stamp the content hash: text, marks and the settings
    that shape chunks.

    Every format goes through here, so a control character in a PDF, a Word file or a web page
    is treated like one in a text file: replaced by a space (offsets stay valid).
    """
    doc = _without_controls(doc)
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


def _without_controls(doc: Document) -> Document:
    marks = [
        m.model_copy(
            update={
                "section": m.section and clean_text(m.section),
                "locator": m.locator and clean_text(m.locator),
            }
        )
        for m in doc.marks
    ]
    return doc.model_copy(
        update={"text": clean_text(doc.text), "title": clean_text(doc.title), "marks": marks}
    )


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
