"""A PDF's pages as text: pypdf's text layer, tables as rows, OCR for scanned pages.

``binary.load_pdf`` reads every page's text layer with pypdf (fast, and what all PDFs get).
This module then looks at each page once with pypdfium2, which lists a page's drawing objects
without parsing its text, to pick the few pages that need more:

* pages whose drawing could hold a ruled table are read again with pdfplumber, which keeps
  each cell with its column heading (tables.py);
* pages with (almost) no text but a large image, i.e. scans, go through Tesseract (ocr.py),
  and their locator says so: "page 3 (OCR)".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import InputError
from missionrag.ingest.ocr import OcrOptions, ocr_pages, unavailable_reason

if TYPE_CHECKING:
    from missionrag.config import Settings

logger = logging.getLogger("missionrag.ingest")

# A page with fewer letters than this in its text layer has "no text": a scan often carries
# a page number, a stamp or a scanner app's name ("Scanned with ...") and nothing else.
MIN_LETTERS = 40
# ... and is a scan when images cover at least this share of it (a near-empty page with a
# small logo is a cover or separator page, not worth seconds of OCR).
MIN_IMAGE_SHARE = 0.3


@dataclass
class PageText:
    number: int  # 1-based
    text: str
    ocr: bool = False

    @property
    def locator(self) -> str:
        return f"page {self.number} (OCR)" if self.ocr else f"page {self.number}"


def ocr_options(settings: Settings | None) -> OcrOptions:
    if settings is None:
        return OcrOptions()
    return OcrOptions(
        enabled=settings.ocr,
        languages=settings.ocr_languages,
        page_seconds=settings.ocr_page_seconds,
        cache_dir=settings.resolved_data_dir() / "ocr",
    )


def letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def read_pages(
    path: Path, source: str, texts: list[str], settings: Settings | None = None
) -> list[PageText]:
    """Every page's best text (``texts`` are pypdf's, one per page)."""
    pages = [PageText(i + 1, t.strip()) for i, t in enumerate(texts)]
    tables, scans = _survey(path, texts)
    if tables:
        _read_tables(path, source, pages, tables)
    if scans:
        _read_scans(path, source, pages, scans, ocr_options(settings))
    return pages


def _survey(path: Path, texts: list[str]) -> tuple[list[int], list[int]]:
    """(pages that may hold a table, pages that look scanned), 0-based."""
    from missionrag.ingest.tables import may_hold_table

    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pypdf read it; tables and OCR are extras, not a reason to fail
        logger.warning("%s: pages not surveyed for tables or scans (%s)", path.name, exc)
        return [], []
    tables: list[int] = []
    scans: list[int] = []
    try:
        for i in range(min(len(pdf), len(texts))):
            page = pdf[i]
            if letters(texts[i]) < MIN_LETTERS:
                if _image_share(page) >= MIN_IMAGE_SHARE:
                    scans.append(i)
            elif may_hold_table(page):
                tables.append(i)
    finally:
        pdf.close()
    return tables, scans


def _image_share(page: Any) -> float:
    """Share of the page covered by images (overlaps counted twice; capped at 1)."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    if width <= 0 or height <= 0:
        return 0.0
    area = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        w = min(right, width) - max(left, 0.0)
        h = min(top, height) - max(bottom, 0.0)
        if w > 0 and h > 0:
            area += w * h
    return min(1.0, area / (width * height))


def _read_tables(path: Path, source: str, pages: list[PageText], indexes: list[int]) -> None:
    import pdfplumber

    from missionrag.ingest.tables import page_text_with_tables

    try:
        with pdfplumber.open(str(path)) as pdf:
            for i in indexes:
                text = page_text_with_tables(pdf.pages[i])
                if text is not None:
                    pages[i].text = text
    except Exception as exc:  # keep pypdf's text for this file; say why once
        logger.warning("%s: tables not read (%s: %s)", source, type(exc).__name__, exc)


def _read_scans(
    path: Path, source: str, pages: list[PageText], indexes: list[int], options: OcrOptions
) -> None:
    reason = unavailable_reason(options)
    if reason is not None:
        if not any(letters(p.text) for p in pages):
            raise InputError(
                f"{source}: the PDF has no extractable text (its pages are images); {reason}"
            )
        logger.warning("%s: %d scanned page(s) left out: %s", source, len(indexes), reason)
        return
    read = ocr_pages(path, indexes, options, source)
    for i, text in read.items():
        if letters(text) > letters(pages[i].text):
            pages[i].text = text
            pages[i].ocr = True
    if not any(p.text for p in pages) and len(read) < len(indexes):
        raise InputError(
            f"{source}: the PDF has no extractable text and OCR did not finish within "
            f"{options.page_seconds:g} s per page (MISSIONRAG_OCR_PAGE_SECONDS); raise it or "
            "run OCR on the file first"
        )
