"""OCR for PDF pages without a text layer: pypdfium2 renders the page, Tesseract reads it.

Why this and not ``ocrmypdf``: ocrmypdf rasterises with Ghostscript, runs the same Tesseract,
then writes a new PDF with a text layer that we would have to read back with pypdf. We only
need the text, so rendering with pypdfium2 (already here for pdfplumber) and piping each page
to ``tesseract stdin stdout`` skips a PDF rewrite and two system dependencies (Ghostscript,
qpdf), and was faster on the same scan: 3.6 s against 4.8 s a page (bench/pdf_ingest.py,
numbers in bench/REPORT.md).

Tesseract runs with ``OMP_THREAD_LIMIT=1``: with its default OpenMP threads on this shared
two-core machine it took 2x (and, under heavier load, up to 14x) longer per page, as the
threads wait for each other; one thread per process is Tesseract's own advice when the CPU is
shared.

Results are cached per file content and language under ``<data_dir>/ocr/``: re-ingesting a
folder re-reads every PDF to compare content hashes, and OCR is seconds per page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from missionrag.errors import InputError

logger = logging.getLogger("missionrag.ingest")

# Used when MISSIONRAG_OCR_LANGUAGES is empty: the languages of the documents this tool is for
# (English, Danish, German), as far as Tesseract has them installed (`make ocr` installs all).
DEFAULT_LANGUAGES = ("eng", "dan", "deu")
# Pages are rendered at the scan's own resolution (no pixels invented), within these bounds:
# Tesseract reads ~300 dpi best and small print suffers below ~150 dpi (bench/pdf_ingest.py).
DPI = 300
MIN_DPI = 150
# A poster-sized page at 300 dpi is hundreds of megapixels; cap it (about A3 at 300 dpi).
MAX_PIXELS = 18_000_000
INSTALL_HINT = (
    "install Tesseract (`make ocr`, or `apt-get install tesseract-ocr tesseract-ocr-eng`)"
)


@dataclass(frozen=True)
class OcrOptions:
    enabled: bool = True
    languages: str = ""  # "" = DEFAULT_LANGUAGES that are installed
    page_seconds: float = 60.0
    cache_dir: Path | None = None


@dataclass(frozen=True)
class Tesseract:
    path: str
    version: str
    languages: frozenset[str]


@lru_cache(maxsize=1)
def find_tesseract() -> Tesseract | None:
    """The installed Tesseract and its language packs, or None when it is not installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
        ver = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # "List of available languages in ... (4):" then one code per line.
    langs = frozenset(ln.strip() for ln in out.stdout.splitlines()[1:] if ln.strip())
    version = (
        (ver.stdout or ver.stderr).splitlines()[0].strip() if (ver.stdout or ver.stderr) else ""
    )
    return Tesseract(path=exe, version=version, languages=langs)


def unavailable_reason(options: OcrOptions) -> str | None:
    """Why scanned pages cannot be read now (OCR off, Tesseract or a language missing)."""
    if not options.enabled:
        return "OCR is off (MISSIONRAG_OCR=off); turn it on or run OCR on the file first"
    tess = find_tesseract()
    if tess is None:
        return f"Tesseract is not installed for OCR; {INSTALL_HINT}, or run OCR on the file first"
    try:
        languages(options, tess)
    except InputError as exc:
        return str(exc)
    return None


def languages(options: OcrOptions, tess: Tesseract) -> str:
    """The ``-l`` argument: the configured languages, each of which must be installed."""
    if options.languages.strip():
        wanted = [x for x in options.languages.replace(",", "+").split("+") if x.strip()]
        missing = [x.strip() for x in wanted if x.strip() not in tess.languages]
        if missing:
            have = ", ".join(sorted(tess.languages - {"osd"})) or "none"
            raise InputError(
                f"Tesseract has no language data for {', '.join(missing)} (installed: {have}); "
                f"install tesseract-ocr-{missing[0]} or change MISSIONRAG_OCR_LANGUAGES"
            )
        return "+".join(x.strip() for x in wanted)
    found = [x for x in DEFAULT_LANGUAGES if x in tess.languages]
    if not found:
        raise InputError(
            "Tesseract has none of the languages eng, dan, deu; install tesseract-ocr-eng "
            "(`make ocr`) or set MISSIONRAG_OCR_LANGUAGES"
        )
    return "+".join(found)


def ocr_pages(
    path: Path, page_indexes: list[int], options: OcrOptions, source: str
) -> dict[int, str]:
    """Text of the given pages (0-based) read by Tesseract; a page that fails is left out.

    A page that runs past ``options.page_seconds`` is stopped and skipped with a warning,
    so one pathological page cannot hold up a whole ingest.
    """
    tess = find_tesseract()
    if tess is None or not page_indexes:
        return {}
    lang = languages(options, tess)
    cache = _Cache(path, lang, tess.version, options.cache_dir)
    out: dict[int, str] = {}
    todo = [i for i in page_indexes if not cache.get(i, out)]
    if not todo:
        return out
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in todo:
            text = _ocr_page(pdf[i], tess, lang, options.page_seconds, f"{source} page {i + 1}")
            if text is not None:
                out[i] = text
                cache.put(i, text)
    finally:
        pdf.close()
    cache.save()
    return out


def _ocr_page(page: Any, tess: Tesseract, lang: str, seconds: float, where: str) -> str | None:
    width, height = page.get_size()  # points (1/72 in)
    scale = render_dpi(page) / 72
    pixels = width * height * scale * scale
    if pixels > MAX_PIXELS:
        scale *= (MAX_PIXELS / pixels) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil()
    import io

    buf = io.BytesIO()
    # PGM: no compression to spend time on, and leptonica reads it from a pipe.
    image.save(buf, format="PPM")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [tess.path, "stdin", "stdout", "-l", lang, "--psm", "3"],
            input=buf.getvalue(),
            capture_output=True,
            timeout=seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning(
            "%s: OCR stopped after %g s (MISSIONRAG_OCR_PAGE_SECONDS); page skipped", where, seconds
        )
        return None
    if done.returncode != 0:
        logger.warning(
            "%s: Tesseract failed: %s", where, done.stderr.decode(errors="replace")[-300:]
        )
        return None
    return clean_ocr_text(done.stdout.decode("utf-8", errors="replace"))


def render_dpi(page: Any) -> float:
    """The resolution of the page's largest image (a scan's own dpi), kept in [150, 300]."""
    import pypdfium2.raw as pdfium_c

    best = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, _, right, _ = obj.get_bounds()
        px_w, _ = obj.get_px_size()
        if right - left > 1 and px_w:
            best = max(best, px_w / ((right - left) / 72))
    return min(DPI, max(MIN_DPI, best)) if best else DPI


def clean_ocr_text(text: str) -> str:
    """Tesseract's text with form feeds and runs of blank lines removed, lines right-stripped."""
    lines = [ln.rstrip() for ln in text.replace("\f", "\n").splitlines()]
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    return "\n".join(out).strip()


class _Cache:
    """Page texts of one file for one language set and Tesseract version, as one JSON file."""

    def __init__(self, path: Path, lang: str, version: str, folder: Path | None) -> None:
        self.file: Path | None = None
        self.pages: dict[str, str] = {}
        self.dirty = False
        if folder is None:
            return
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(f"\x00{lang}\x00{version}\x00{DPI}".encode())
        self.file = folder / f"{h.hexdigest()[:32]}.json"
        try:
            self.pages = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.pages = {}

    def get(self, index: int, out: dict[int, str]) -> bool:
        text = self.pages.get(str(index))
        if text is None:
            return False
        out[index] = text
        return True

    def put(self, index: int, text: str) -> None:
        self.pages[str(index)] = text
        self.dirty = True

    def save(self) -> None:
        if self.file is None or not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.pages, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.file)
        except OSError as exc:  # a cache that cannot be written only costs time next run
            logger.warning("OCR cache not written (%s)", exc)
