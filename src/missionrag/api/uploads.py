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


async def receive_upload(request: Request, folder: Path, max_bytes: int) -> Upload:
    """Write the ``file`` part of a multipart body to ``folder``; the caller renames it."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise InputError("multipart body without a boundary; send the file as form field 'file'")

    part = _PartState()
    upload: Upload | None = None
    handle = None
    pending: list[bytes] = []
    error: Exception | None = None
    complete = {"file": False, "body": False}  # seen the file part's end, the closing boundary

    def on_part_begin() -> None:
        nonlocal part
        part = _PartState()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part.header_value += data[start:end]

    def on_header_end() -> None:
        # Raw bytes: a UTF-8 file name must reach disposition() as sent (it used to be decoded
        # here, then re-encoded as Latin-1 by python-multipart: a 500 for "Mission–strategy").
        part.headers[part.header_name.decode("latin-1").lower()] = part.header_value
        part.header_name = part.header_value = b""

    def on_headers_finished() -> None:
        nonlocal upload, handle, error
        name, raw_name = disposition(part.headers.get("content-disposition", b""))
        if name != FIELD or raw_name is None:
            return  # other form fields are ignored (and never buffered)
        if upload is not None:
            error = InputError("send one file per upload")
            return
        try:
            filename = safe_filename(raw_name)
        except InputError as exc:
            error = exc
            return
        upload = Upload(filename=filename, path=folder / f".incoming-{uuid.uuid4().hex}.part")
        # 0600, a new name (O_EXCL), never through a link: uploads are private files.
        handle = os.fdopen(open_private(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "wb")
        part.is_file = True

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part.is_file and upload is not None and error is None:
            upload.size += end - start
            pending.append(data[start:end])

    def on_part_end() -> None:
        if part.is_file:
            complete["file"] = True

    def on_end() -> None:
        complete["body"] = True

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": on_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if error is not None:
                raise error
            if upload is not None and upload.size > max_bytes:
                raise FileTooLargeError(
                    f"{upload.filename}: larger than {max_bytes / 1_000_000:g} MB "
                    "(MISSIONRAG_MAX_FILE_MB); nothing was stored"
                )
            if pending and handle is not None:
                data = b"".join(pending)
                pending.clear()
                await run_in_threadpool(handle.write, data)
        parser.finalize()
        if upload is None:
            raise InputError("no file in the upload; send it as multipart form field 'file'")
        if not (complete["file"] and complete["body"]):
            # A body cut short (a dropped connection behind a proxy, a client that gave up)
            # must not be stored as if it were the whole file.
            raise MalformedRequestError(
                f"{upload.filename}: the upload ended before its closing boundary (truncated); "
                "nothing was stored, send it again"
            )
        if upload.size == 0:
            raise InputError(f"{upload.filename}: the file is empty")
        return upload
    except MultipartParseError as exc:
        _discard(upload)
        raise MalformedRequestError(f"malformed multipart body ({exc})") from exc
    except BaseException:
        # Includes client disconnects and cancellation: no half-written file stays behind.
        _discard(upload)
        raise
    finally:
        if handle is not None:
            handle.close()


def _discard(upload: Upload | None) -> None:
    if upload is not None:
        upload.path.unlink(missing_ok=True)
