"""Documents in the knowledge base: list, read, add (upload or URL), delete.

Writes need ``WriteAccess`` (token / loopback rule, see ``security.py``) and hold the app's
write lock: one embedded store per process, and the file shuffling in ``uploads/`` below
must not interleave for two uploads of the same name.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import ValidationError

from missionrag.api.body_limit import MB
from missionrag.api.deps import (
    KBDep,
    ReaderDep,
    SettingsDep,
    WritableKBDep,
    WriteAccess,
    WriteLockDep,
)
from missionrag.api.files import MEDIA_TYPES, original_file
from missionrag.api.refresh import refresh_later
from missionrag.api.schemas import (
    DeleteOut,
    DocumentOut,
    DocumentsOut,
    IngestOut,
    UrlIngestRequest,
)
from missionrag.api.scope import CollectionSet
from missionrag.api.security import guard_url
from missionrag.api.uploads import Upload, receive_upload, uploads_dir
from missionrag.collections import delete_collection, home, uploads_path
from missionrag.config import Settings
from missionrag.errors import InputError, NotFoundError
from missionrag.ingest.worker import ReaderProcess
from missionrag.kb import KnowledgeBase
from missionrag.models import DocumentInfo, IngestReport

router = APIRouter(tags=["documents"])
logger = logging.getLogger("missionrag.api")

DocId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

# POST /documents reads its body by hand (streamed upload or JSON), so OpenAPI is told here.
_ADD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {"schema": UrlIngestRequest.model_json_schema()},
        },
    }
}


@router.get("/documents", response_model=DocumentsOut)
def list_documents(kb: KBDep) -> DocumentsOut:
    docs = kb.documents()
    return DocumentsOut(documents=docs, count=len(docs))


def _find(kb: KnowledgeBase, doc_id: str) -> DocumentInfo:
    for info in kb.documents():
        if info.doc_id == doc_id:
            return info
    raise NotFoundError(f"no document with id {doc_id}; GET /documents lists them")


@router.get("/documents/{doc_id}", response_model=DocumentOut)
def get_document(doc_id: DocId, kb: KBDep) -> DocumentOut:
    """One document with its clean text, so a citation's quote can be shown in context."""
    info = _find(kb, doc_id)
    return DocumentOut(**info.model_dump(), text=kb.document_text(info.source))


@router.get(
    "/documents/{doc_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t, _ in MEDIA_TYPES.values()}}, 404: {}},
)
def get_document_file(doc_id: DocId, kb: KBDep, settings: SettingsDep) -> FileResponse:
    """The original file (a PDF opens in the browser; add ``#page=N`` for a page)."""
    info = _find(kb, doc_id)
    path = original_file(settings, info.source)
    if path is None:
        raise NotFoundError(
            f"{info.source}: no original file to serve (a web page, a file since moved or "
            "deleted, or one outside the folders this server reads); GET /documents/"
            f"{doc_id} has its text"
        )
    media_type, disposition = MEDIA_TYPES[path.suffix.lower()]
    headers = {"Cache-Control": "no-cache"}
    if not media_type.startswith("application/pdf"):
        # Shown as text or downloaded, never run: no script, no plugins, its own origin.
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return FileResponse(
        path,
        media_type=media_type,
        filename=path.name,
        content_disposition_type=disposition,
        headers=headers,
    )


def _kept(kb: KnowledgeBase, report: IngestReport) -> list[DocumentInfo]:
    sources = set(report.added + report.updated + report.unchanged)
    return [d for d in kb.documents() if d.source in sources]


def _refuse_failed(report: IngestReport, name: str) -> None:
    problems = report.failed or (
        [] if report.added + report.updated + report.unchanged else report.skipped
    )
    if problems:
        raise InputError(f"{name}: {problems[0].reason}")


def _ingest_upload(
    kb: KnowledgeBase, lock: threading.Lock, upload: Upload, reader: ReaderProcess
) -> IngestReport:
    """Move the upload into place and ingest it; on failure the folder is as it was before.

    The store keeps what it had for a file that fails (KnowledgeBase guarantees that); the
    earlier file of the same name is set aside first and put back, so disk and store agree.
    """
    final = upload.path.parent / upload.filename
    with lock:
        backup: Path | None = None
        if final.exists():
            backup = final.with_name(f".{final.name}.{uuid.uuid4().hex}.bak")
            os.replace(final, backup)
        os.replace(upload.path, final)
        try:
            report = kb.ingest_upload(upload.filename, final, reader)
            _refuse_failed(report, upload.filename)
            refresh_later(kb)
        except BaseException:
            final.unlink(missing_ok=True)
            if backup is not None:
                os.replace(backup, final)
            raise
        if backup is not None:
            backup.unlink(missing_ok=True)
    logger.info("upload %s (%d bytes): %s", upload.filename, upload.size, _summary(report))
    return report


def _ingest_url(
    kb: KnowledgeBase, lock: threading.Lock, url: str, reader: ReaderProcess
) -> IngestReport:
    with lock:
        report = kb.ingest(paths=[], urls=[url], reader=reader)
        refresh_later(kb)
    _refuse_failed(report, url)
    logger.info("url %s: %s", url, _summary(report))
    return report


def _summary(report: IngestReport) -> str:
    return (
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {report.chunks_embedded} chunks embedded"
    )


@router.post(
    "/documents",
    response_model=IngestOut,
    status_code=201,
    dependencies=[WriteAccess],
    openapi_extra=_ADD_BODY,
    responses={200: {"description": "Already stored, unchanged"}, 413: {}, 422: {}},
)
async def add_document(
    request: Request,
    response: Response,
    kb: WritableKBDep,
    settings: SettingsDep,
    lock: WriteLockDep,
    reader: ReaderDep,
) -> IngestOut:
    """Upload a file (multipart field ``file``) or ingest a web page (JSON ``{"url": ...}``)."""
    # A new collection exists once its first document is in; a refused first upload must not
    # leave an empty one behind (its reads would answer 503, not 404).
    fresh = not await run_in_threadpool(kb.has_store_dir)
    try:
        report = await _add(request, kb, settings, lock, reader)
    except BaseException:
        if fresh:
            await run_in_threadpool(_forget_if_empty, request, kb, lock)
        raise
    if not (report.added or report.updated):
        response.status_code = 200
    documents = await run_in_threadpool(_kept, kb, report)
    return IngestOut(report=report, documents=documents)


def _forget_if_empty(request: Request, kb: KnowledgeBase, lock: threading.Lock) -> None:
    """Remove a collection this request was creating, if its first upload did not go in."""
    registry: CollectionSet = request.app.state.collections
    name = kb.settings.collection
    if name == registry.settings.collection:
        return  # the server's own collection is there whatever is uploaded
    with lock:
        if kb.documents():
            return
        with contextlib.suppress(NotFoundError):
            delete_collection(kb)
        shutil.rmtree(home(kb.settings), ignore_errors=True)  # an upload refused midway
        registry.drop(name)


async def _add(
    request: Request,
    kb: KnowledgeBase,
    settings: Settings,
    lock: threading.Lock,
    reader: ReaderProcess,
) -> IngestReport:
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("multipart/form-data"):
        folder = uploads_dir(home(settings))  # the collection's own uploads/
        upload = await receive_upload(request, folder, int(settings.max_file_mb * MB))
        report = await run_in_threadpool(_ingest_upload, kb, lock, upload, reader)
    elif ctype.startswith("application/json"):
        try:
            body = UrlIngestRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_input=False)) from None
        # Blocking DNS lookups: run in the threadpool like every other blocking call.
        url = await run_in_threadpool(guard_url, body.url, settings)
        report = await run_in_threadpool(_ingest_url, kb, lock, url, reader)
    else:
        raise InputError(
            'send a file as multipart/form-data (field \'file\') or JSON {"url": "https://..."}'
        )
    return report


def _delete(kb: KnowledgeBase, lock: threading.Lock, doc_id: str, uploads: Path) -> DocumentInfo:
    with lock:
        info = kb.delete_document(doc_id)
        refresh_later(kb)
        # An uploaded file goes too, or the next `ingest` of uploads/ would bring it back.
        # Uploads are named "uploads/<file>" in the store (ingest/run.py, stored_name).
        if info.source.startswith("uploads/"):
            path = (uploads / info.source.removeprefix("uploads/")).resolve()
            if uploads.resolve() in path.parents:
                path.unlink(missing_ok=True)
    logger.info("deleted %s (%s)", info.doc_id, info.source)
    return info


@router.delete("/documents/{doc_id}", response_model=DeleteOut, dependencies=[WriteAccess])
def delete_document(
    doc_id: DocId, kb: KBDep, settings: SettingsDep, lock: WriteLockDep
) -> DeleteOut:
    # Not uploads_dir(): a delete has no reason to create the folder.
    info = _delete(kb, lock, doc_id, uploads_path(settings))
    return DeleteOut(deleted=info)
