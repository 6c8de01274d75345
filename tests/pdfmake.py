"""Real PDF and Word files made in the tests: a scan (pages that are only images), a PDF with a
ruled table (fpdf2) and a .docx with a table (python-docx).

Pillow's built-in font is used for the scan, so the page looks the same on every machine
(no system fonts needed).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

# The facts each file holds and the questions that find them (test_pdf_ingest.py, test_web_files.py).
SCAN_PAGES = [
    "Harbour mission, annual letter. The city council met the port authority in March.",
    "The Nordby harbour mission will plant 4,000 trees along the quay by 2031, "
    "together with the port authority, local schools and the rowing club.",
]
SCAN_QUESTION = "How many trees will the Nordby harbour mission plant along the quay?"
TABLE_INTRO = (
    "Survey of mission teams, 2024. Respondents named what made mission-oriented work possible."
)
TABLE = [
    ["Enabler", "Share of respondents"],
    ["Collaboration", "34%"],
    ["Strategy", "24%"],
    ["Global challenges", "21%"],
]
TABLE_QUESTION = "What share of respondents named collaboration as an enabler?"
DOCX_TABLE = [
    ["", "2025", "2026"],
    ["Cycle lanes", "12 million DKK", "15 million DKK"],
    ["Bus priority", "8 million DKK", "9 million DKK"],
]
DOCX_QUESTION = "What is the budget for cycle lanes in 2026?"


def scanned_pdf(path: Path, pages: list[str] = SCAN_PAGES, dpi: int = 200) -> Path:
    """A PDF whose pages are pictures of text, as a scanner makes them: no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=int(dpi / 72 * 12))
    images = []
    for text in pages:
        img = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
        draw = ImageDraw.Draw(img)
        y = dpi
        for line in textwrap.wrap(text, 60):
            draw.text((dpi, y), line, font=font, fill=0)
            y += int(dpi / 72 * 18)
        images.append(img)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def table_pdf(path: Path) -> Path:
    """Two pages: a paragraph, then the survey table on page 2 between two paragraphs."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Mission survey report. Page one describes how the survey was run.")
    pdf.add_page()
    pdf.multi_cell(0, 8, TABLE_INTRO)
    with pdf.table() as table:
        for cells in TABLE:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.multi_cell(0, 8, "Funding from philanthropic organisations was almost non-existent.")
    pdf.output(str(path))
    return path


def table_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Mobility mission budget", level=1)
    d.add_paragraph("The mobility mission funds street changes in two steps.")
    table = d.add_table(rows=len(DOCX_TABLE), cols=len(DOCX_TABLE[0]))
    for r, cells in enumerate(DOCX_TABLE):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    d.add_paragraph("The council reviews the budget every spring.")
    d.save(str(path))
    return path
