"""Stream a multipart upload to disk with the size limit enforced while it arrives.

Starlette's ``request.form()`` spools the whole file before the endpoint runs, so an
over-size upload would be read in full before we could refuse it. Here python-multipart's
streaming parser hands us each piece as it arrives; bytes go straight to a temporary file in
``<data_dir>/uploads/`` and the request stops with 413 the moment the file passes the limit.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import unquote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from missionrag.errors import (
    FileTooLargeError,
    InputError,
    MalformedRequestError,
    UnsupportedFileError,
)
from missionrag.ingest import SUPPORTED
from missionrag.private import open_private
from missionrag.safetext import escape_controls

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FIELD = "file"
# Kept in names: letters, digits and marks of any script, and a few harmless punctuation
# marks. Everything else (path separators, control and bidi characters, quotes) becomes "_".
_UNSAFE = re.compile(r"[^\w .,()&+'\-\u2013\u2014]+")
MAX_NAME_BYTES = 200  # file systems take 255 bytes; a CJK character is three
_EXTENDED = re.compile(r"(?i)(?:^|;)\s*filename\*\s*=\s*([^;]*)")


def uploads_dir(data_dir: Path) -> Path:
    from missionrag.private import private_dir

    return private_dir(data_dir / "uploads")


def safe_filename(raw: str) -> str:
    """A plain file name: no folders, no control or odd characters, a supported suffix."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    stem = stem.encode()[:MAX_NAME_BYTES].decode(errors="ignore").strip(" .") or "upload"
    suffix = suffix.lower()
    if f".{suffix}" not in SUPPORTED:
        shown = escape_controls(raw)[:120] or "the file"
        raise UnsupportedFileError(
            f"{shown}: unsupported file type; supported: {', '.join(SUPPORTED)}"
        )
    return f"{stem}.{suffix}"


def disposition(raw: bytes) -> tuple[str, str | None]:
    """(field name, file name or None) of a part's Content-Disposition header bytes.

    Browsers send the file name as UTF-8 inside ``filename="..."`` (RFC 7578); some clients
    send RFC 5987's ``filename*=UTF-8''...`` instead or as well, which wins when it decodes.
    """
    _, opts = parse_options_header(raw)  # bytes in, bytes out: nothing re-encoded
    name = _decode(opts.get(b"name", b""))
    filename = _decode(opts[b"filename"]) if b"filename" in opts else None
    m = _EXTENDED.search(raw.decode("latin-1"))
    if m:
        charset, _, rest = m.group(1).strip().strip('"').partition("'")
        _, _, encoded = rest.partition("'")
        # A charset Python does not know or bytes that do not decode: keep the plain name.
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            filename = unquote(encoded, encoding=charset or "utf-8", errors="strict")
    return name, filename


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


@dataclass
class Upload:
    filename: str
    path: Path
    size: int = 0


@dataclass
class _PartState:
    headers: dict[str, bytes] = field(default_factory=dict)
    header_name: bytes = b""
    header_value: bytes = b""
    is_file: bool = False


class _Receiver:
    """python-multipart's callbacks: keep the ``file`` part, note where it and the body end.

    Bytes wait in ``pending`` until ``receive_upload`` writes them off the event loop.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.part = _PartState()
        self.upload: Upload | None = None
        self.handle: BinaryIO | None = None
        self.pending: list[bytes] = []
        self.error: Exception | None = None
        self.file_complete = False  # seen the file part's end
        self.body_complete = False  # seen the closing boundary

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.part = _PartState()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.header_value += data[start:end]

    def on_header_end(self) -> None:
        part = self.part
        # Raw bytes: a UTF-8 file name must reach disposition() as sent (it used to be decoded
        # here, then re-encoded as Latin-1 by python-multipart: a 500 for "Mission–strategy").
        part.headers[part.header_name.decode("latin-1").lower()] = part.header_value
        part.header_name = part.header_value = b""

    def on_headers_finished(self) -> None:
        name, raw_name = disposition(self.part.headers.get("content-disposition", b""))
        if name != FIELD or raw_name is None:
            return  # other form fields are ignored (and never buffered)
        if self.upload is not None:
            self.error = InputError("send one file per upload")
            return
        try:
            filename = safe_filename(raw_name)
        except InputError as exc:
            self.error = exc
            return
        upload = Upload(filename=filename, path=self.folder / f".incoming-{uuid.uuid4().hex}.part")
        self.upload = upload
        # 0600, a new name (O_EXCL), never through a link: uploads are private files.
        self.handle = os.fdopen(
            open_private(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "wb"
        )
        self.part.is_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part.is_file and self.upload is not None and self.error is None:
            self.upload.size += end - start
            self.pending.append(data[start:end])

    def on_part_end(self) -> None:
        if self.part.is_file:
            self.file_complete = True

    def on_end(self) -> None:
        self.body_complete = True

    async def flush(self, max_bytes: int) -> None:
        """After each network chunk: raise what the parser found, else write what arrived."""
        if self.error is not None:
            raise self.error
        upload = self.upload
        if upload is not None and upload.size > max_bytes:
            raise FileTooLargeError(
                f"{upload.filename}: larger than {max_bytes / 1_000_000:g} MB "
                "(MISSIONRAG_MAX_FILE_MB); nothing was stored"
            )
        if self.pending and self.handle is not None:
            data = b"".join(self.pending)
            self.pending.clear()
            await run_in_threadpool(self.handle.write, data)

    def finished(self) -> Upload:
        """The upload once the parser is finalised, or the reason there is none to keep."""
        upload = self.upload
        if upload is None:
            raise InputError("no file in the upload; send it as multipart form field 'file'")
        if not (self.file_complete and self.body_complete):
            # A body cut short (a dropped connection behind a proxy, a client that gave up)
            # must not be stored as if it were the whole file.
            raise MalformedRequestError(
                f"{upload.filename}: the upload ended before its closing boundary (truncated); "
                "nothing was stored, send it again"
            )
        if upload.size == 0:
            raise InputError(f"{upload.filename}: the file is empty")
        return upload


async def receive_upload(request: Request, folder: Path, max_bytes: int) -> Upload:
    """Write the ``file`` part of a multipart body to ``folder``; the caller renames it."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise InputError("multipart body without a boundary; send the file as form field 'file'")

    receiver = _Receiver(folder)
    parser = MultipartParser(boundary, receiver.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            await receiver.flush(max_bytes)
        parser.finalize()
        return receiver.finished()
    except MultipartParseError as exc:
        _discard(receiver.upload)
        raise MalformedRequestError(f"malformed multipart body ({exc})") from exc
    except BaseException:
        # Includes client disconnects and cancellation: no half-written file stays behind.
        _discard(receiver.upload)
        raise
    finally:
        if receiver.handle is not None:
            receiver.handle.close()


def _discard(upload: Upload | None) -> None:
    if upload is not None:
        upload.path.unlink(missing_ok=True)
