"""Scanned PDFs through OCR and tables as header-cell rows, from real files made here.

The files come from ``pdfmake.py``: a PDF whose pages are only images (Pillow), a PDF with a
ruled table (fpdf2) and a Word table (python-docx). The CLI test ingests all three into a real
store and answers a question from each with the real model.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from pdfmake import (
    DOCX_QUESTION,
    SCAN_QUESTION,
    TABLE_QUESTION,
    scanned_pdf,
    table_docx,
    table_pdf,
)

from missionrag.config import Settings
from missionrag.errors import InputError
from missionrag.ingest import chunk_document, load_file
from missionrag.ingest.tables import table_rows

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="Tesseract is not installed (`make ocr` installs Debian's tesseract-ocr)",
)


def test_table_rows_keep_each_cell_with_its_heading() -> None:
    assert table_rows([["Enabler", "Share"], ["Collaboration", "34%"], ["Strategy", None]]) == [
        "Enabler: Collaboration; Share: 34%.",
        "Enabler: Strategy.",
    ]
    # A slide's heading row over one row of values.
    assert table_rows([["Collaboration", "Strategy"], ["34%", "24%"]]) == [
        "Collaboration: 34%; Strategy: 24%."
    ]
    # Row labels under an empty corner cell; a heading merged over two columns.
    assert table_rows([["", "2025", "2026"], ["Cycle lanes", "12", "15"]]) == [
        "Cycle lanes, 2025: 12; 2026: 15."
    ]
    assert table_rows([["Item", "Budget", None], ["Lanes", "12", "15"]]) == [
        "Item: Lanes; Budget: 12; Budget: 15."
    ]
    # No heading row (the first row holds numbers): cells in order.
    assert table_rows([["2025", "12"], ["2026", "15"]]) == ["2025; 12.", "2026; 15."]


def test_pdf_table_becomes_rows_on_its_page(settings: Settings, tmp_path: Path) -> None:
    doc = load_file(table_pdf(tmp_path / "survey.pdf"), settings)
    row = "Enabler: Collaboration; Share of respondents: 34%."
    assert row in doc.text
    # The table sits between the paragraphs around it, on page 2.
    intro, after = doc.text.index("Survey of mission teams"), doc.text.index("Funding from")
    assert intro < doc.text.index(row) < after
    chunk = next(c for c in chunk_document(doc, settings) if row in c.text)
    assert (chunk.page, chunk.locator) == (2, "page 2")
    assert doc.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text


def test_docx_table_becomes_rows_in_place(settings: Settings, tmp_path: Path) -> None:
    doc = load_file(table_docx(tmp_path / "budget.docx"), settings)
    lines = doc.text.split("\n\n")
    row = "Cycle lanes, 2025: 12 million DKK; 2026: 15 million DKK."
    assert (
        lines.index(row)
        == lines.index("The mobility mission funds street changes in two steps.") + 1
    )
    assert lines[-1] == "The council reviews the budget every spring."


@needs_tesseract
def test_scanned_pdf_is_read_by_ocr_and_says_so(settings: Settings, tmp_path: Path) -> None:
    pdf = scanned_pdf(tmp_path / "scan.pdf")
    doc = load_file(pdf, settings)
    assert [m.locator for m in doc.marks] == ["page 1 (OCR)", "page 2 (OCR)"]
    assert "plant 4,000 trees" in doc.text
    assert doc.mark_at(doc.text.index("4,000")).page == 2  # type: ignore[union-attr]
    # Read once: the text is cached by file content, so re-ingesting costs no OCR.
    assert len(list((settings.resolved_data_dir() / "ocr").glob("*.json"))) == 1
    assert load_file(pdf, settings).content_hash == doc.content_hash


def test_ocr_off_and_missing_tesseract_say_what_to_do(tmp_path: Path) -> None:
    pdf = scanned_pdf(tmp_path / "scan.pdf", pages=["Only a picture of text."])
    off = Settings(data_dir=tmp_path / "data", ocr=False)
    with pytest.raises(InputError, match=r"no extractable text .*MISSIONRAG_OCR=off"):
        load_file(pdf, off)
    # A machine without Tesseract: the command says how to install it (PATH has no tesseract).
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run_cli(["ingest", str(pdf)], tmp_path / "cli", PATH=str(empty))
    assert done.returncode == 2, done.stderr
    assert "Tesseract is not installed" in done.stdout + done.stderr
    assert "make ocr" in done.stdout + done.stderr


@needs_tesseract
def test_cli_answers_from_a_scan_a_pdf_table_and_a_word_table(tmp_path: Path) -> None:
    files = [
        scanned_pdf(tmp_path / "harbour-scan.pdf"),
        table_pdf(tmp_path / "survey.pdf"),
        table_docx(tmp_path / "budget.docx"),
    ]
    data = tmp_path / "data"
    done = run_cli(["ingest", *map(str, files)], data)
    assert done.returncode == 0, done.stdout + done.stderr
    questions = tmp_path / "questions.txt"
    questions.write_text("\n".join([SCAN_QUESTION, TABLE_QUESTION, DOCX_QUESTION]) + "\n")
    done = run_cli(["ask", "--file", str(questions), "--json"], data)
    assert done.returncode == 0, done.stderr
    scan, table, word = (json.loads(line) for line in done.stdout.splitlines())
    for answer, source, locator, quoted in [
        (scan, "harbour-scan.pdf", "page 2 (OCR)", "4,000 trees"),
        (table, "survey.pdf", "page 2", "Collaboration; Share of respondents: 34%"),
        (word, "budget.docx", None, "2026: 15 million DKK"),
    ]:
        assert not answer["abstained"], answer
        top = answer["citations"][0]
        assert top["source"].endswith(source) and quoted in top["quote"], answer
        if locator:
            assert top["locator"] == locator


def test_help_and_check_load_no_pdf_library() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from missionrag.cli import main\n"
        "for args in (['--help'], ['check', 'Halve road deaths in Denmark by 2030 with cities']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0, args\n"
        "heavy = [m for m in ('pdfplumber', 'pdfminer', 'pypdfium2', 'PIL', 'docx') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
