"""PDF (pypdf, one mark per page) and Word (python-docx, headings as sections) loaders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from missionrag.errors import InputError
from missionrag.models import Document, Mark

if TYPE_CHECKING:
    from missionrag.config import Settings


def load_pdf(path: Path, source: str, doc_id: str, settings: Settings | None = None) -> Document:
    import logging

    from pypdf import PdfReader

    # pypdf logs its repairs of damaged files; the user gets our one-line error instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # An empty user password opens many "protected" PDFs; anything else we cannot read.
            try:
                ok = bool(reader.decrypt(""))
            except Exception:
                ok = False
            if not ok:
                raise InputError(
                    f"{source}: the PDF is encrypted; save an unprotected copy and ingest that"
                )
        pages = [(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(
            f"{source}: not a readable PDF ({exc}); check the file is complete"
        ) from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise InputError(f"{source}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    from missionrag.ingest.pdfpages import read_pages

    parts: list[str] = []
    marks: list[Mark] = []
    offset = 0
    # Tables as header-cell rows and scanned pages through OCR (pdfpages.py).
    for page in read_pages(path, source, pages, settings):
        page_text = page.text.strip()
        if not page_text:
            continue
        marks.append(Mark(start=offset, locator=page.locator, page=page.number))
        parts.append(page_text)
        offset += len(page_text) + 2
    text = "\n\n".join(parts)
    if not text.strip():
        raise InputError(
            f"{source}: the PDF has no extractable text (scanned images?); run OCR on it first"
        )
    found = reader.metadata.get("/Title") if reader.metadata else None
    title = str(found or "").strip() or text.strip().splitlines()[0][:120]
    return Document(doc_id=doc_id, source=source, title=title, text=text, kind="pdf", marks=marks)


def load_docx(path: Path, source: str, doc_id: str) -> Document:
    import zipfile

    try:
        import docx

        d = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{source}: not a readable Word .docx file ({exc})") from exc
    except Exception as exc:
        raise InputError(
            f"{source}: not a readable Word .docx file ({type(exc).__name__})"
        ) from exc
    parts: list[str] = []
    marks: list[Mark] = []
    offset = 0
    title = (d.core_properties.title or "").strip()
    from missionrag.ingest.tables import docx_blocks

    # Paragraphs and table rows in document order; rows keep header-cell pairs (tables.py).
    for block_text, style in docx_blocks(d):
        text = block_text.strip()
        if not text:
            continue
        if style.lower().startswith(("heading", "title")):
            marks.append(Mark(start=offset, locator=f"section: {text}", section=text))
            title = title or text
        parts.append(text)
        offset += len(text) + 2
    text = "\n\n".join(parts)
    if not text.strip():
        raise InputError(f"{source}: the Word document has no text")
    return Document(
        doc_id=doc_id,
        source=source,
        title=title or text.splitlines()[0][:120],
        text=text,
        kind="docx",
        marks=marks,
    )
