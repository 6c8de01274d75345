"""How chunks and documents are laid out as Chroma records (and read back).

The documents collection holds one record per document (metadata below; the clean text as its
``document``). The chunks collection holds one record per chunk: its vector, ``doc_id`` and
``doc_hash`` (the two keys the store filters on) and everything else in one JSON field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from missionrag.models import Chunk, Document, DocumentInfo, Mark


@dataclass
class DocRecord:
    doc_id: str
    source: str
    title: str
    url: str | None
    kind: str
    content_hash: str
    chunks: int
    ingested_at: str | None
    language: str | None = None

    def info(self) -> DocumentInfo:
        return DocumentInfo(**self.__dict__)


def _meta_clean(d: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata takes str/int/float/bool only, no None."""
    return {k: v for k, v in d.items() if v is not None}


def doc_metadata(doc: Document, n_chunks: int, when: str) -> dict[str, Any]:
    return _meta_clean(
        {
            "source": doc.source,
            "title": doc.title,
            "url": doc.url,
            "kind": doc.kind,
            "content_hash": doc.content_hash,
            "chunks": n_chunks,
            "ingested_at": when,
            "language": doc.language,
        }
    )


def chunk_metadata(c: Chunk, doc_hash: str) -> dict[str, Any]:
    """A chunk's Chroma metadata: the two keys we filter on, and the rest as one JSON record.

    Chroma's local segment writes every metadata key as its own indexed row, and every
    ``document`` into a trigram full-text index we never query (BM25 is our own). On 1,500
    chunks that was 0.85 s of writes against 0.36 s for this layout, with the model waiting
    on the same two cores (bench/ingest_throughput.py). So the text rides in the record, not in ``documents``.
    """
    record = {
        "text": c.text,
        "source": c.source,
        "title": c.title,
        "start": c.start,
        "position": c.position,
        "locator": c.locator,
        "url": c.url,
        "section": c.section,
        "page": c.page,
        "marks": [m.model_dump(exclude_none=True) for m in c.marks] or None,
        "lang": c.language,
    }
    return {
        "doc_id": c.doc_id,
        "doc_hash": doc_hash,
        "record": json.dumps(_meta_clean(record), ensure_ascii=False),
    }


def chunk_from_record(cid: str, text: str | None, meta: dict[str, Any]) -> Chunk:
    """A chunk back from its metadata (either layout: stores written before the JSON record
    kept each field as its own key and the text in ``documents``)."""
    if "record" in meta:
        fields = json.loads(meta["record"])
        raw_marks = fields.get("marks") or []
    else:
        fields = {**meta, "text": text or ""}
        raw_marks = json.loads(meta["marks"]) if meta.get("marks") else []
    return Chunk(
        id=cid,
        doc_id=meta["doc_id"],
        source=fields["source"],
        title=fields.get("title", ""),
        text=fields.get("text", ""),
        start=int(fields.get("start", 0)),
        position=int(fields.get("position", 0)),
        locator=fields.get("locator"),
        url=fields.get("url"),
        section=fields.get("section"),
        page=fields.get("page"),
        marks=[Mark(**m) for m in raw_marks],
        language=fields.get("lang"),
    )
