"""Tables as text rows that keep each cell with its column header.

A PDF's text layer reads a table as loose words ("Collaboration 34% Strategy 24%"), which
loses which number belongs to which heading; a question like "what share named
collaboration?" then has nothing to match. Each row becomes one line of ``header: cell``
pairs instead ("Enabler: Collaboration; Share of respondents: 34%"), or, for a table whose
first row is all headings over single values, "Collaboration: 34%; Strategy: 24%".

PDF tables come from pdfplumber (ruled tables: the lines strategy). Finding them parses the
page's every character, so it runs only on pages whose drawing has enough lines or boxes to
hold a table (``may_hold_table``); bench/pdf_tables.py measures the cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

# Path objects (lines, boxes) a page needs before pdfplumber is asked for tables: a ruled
# table of two rows and two columns is at least an outer box and one inner line each way.
MIN_PATHS = 3
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[\s\d.,%+\-\u2212()€$£/:]+$")
_TERMINAL = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")  # a year heads a column ("2025"); other numbers do not

Cell = str | None


def _clean(cell: Cell) -> str:
    return _SPACES.sub(" ", cell or "").strip()


def _is_header(row: Sequence[str]) -> bool:
    """A heading row: two or more filled cells, none of them a number other than a year."""
    filled = [c for c in row if c]
    return len(filled) >= 2 and not any(_NUMBER.match(c) and not _YEAR.match(c) for c in filled)


def _fill_spans(row: Sequence[Cell]) -> list[str]:
    """Header cells under a merged heading (None from pdfplumber) take the heading's text."""
    out: list[str] = []
    for cell in row:
        out.append(_clean(cell) if cell is not None or not out else out[-1])
    return out


def table_rows(rows: Sequence[Sequence[Cell]]) -> list[str]:
    """One sentence per data row, each value paired with its column heading.

    * first column headed ("Enabler"): ``Enabler: Collaboration; Share: 34%.``
    * top-left cell empty (row labels): ``Collaboration, 2023: 34%; 2024: 41%.``
    * one heading row over one value row (a slide): ``Collaboration: 34%; Strategy: 24%.``
    * no heading row: the cells joined with ``; ``

    Each row ends with a full stop so the answer's quotes take one row, not the whole table
    (short unpunctuated lines read as one list to ``ask/text.py``).
    """
    clean = [[_clean(c) for c in r] for r in rows]
    clean = [r for r in clean if any(r)]
    if not clean:
        return []
    width = max(len(r) for r in clean)
    clean = [r + [""] * (width - len(r)) for r in clean]
    raw_header = list(rows[0]) + [None] * (width - len(rows[0]))
    header = _fill_spans(raw_header) if _is_header(clean[0]) else None
    if header is None or len(clean) == 1:
        lines = ["; ".join(c for c in r if c) for r in clean]
    elif not header[0]:  # a column of row labels under an empty corner cell
        lines = []
        for r in clean[1:]:
            pairs = "; ".join(
                f"{h}: {c}" if h else c for h, c in zip(header[1:], r[1:], strict=True) if c
            )
            lines.append(f"{r[0]}, {pairs}" if r[0] and pairs else r[0] or pairs)
    else:
        lines = [
            "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, r, strict=True) if c)
            for r in clean[1:]
        ]
    return [_sentence(ln) for ln in lines if ln]


def _sentence(line: str) -> str:
    return line if _TERMINAL.search(line) else line + "."


# --------------------------------------------------------------------------- PDF


def may_hold_table(page: Any) -> bool:
    """Cheap test on a pypdfium2 page: enough lines or boxes for pdfplumber to find a table."""
    import pypdfium2.raw as pdfium_c

    paths = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)
    return any(n >= MIN_PATHS for n, _ in enumerate(paths, start=1))


def _usable(table: Any) -> list[list[Cell]] | None:
    rows = table.extract()
    cells = sum(1 for r in rows for c in r if _clean(c))
    width = max((len(r) for r in rows), default=0)
    # A box around one paragraph is found as a 1x1 "table": not one.
    return rows if len(rows) >= 2 and width >= 2 and cells >= 3 else None


def page_text_with_tables(page: Any) -> str | None:
    """A pdfplumber page's text with each table replaced by its rows; None when it has none.

    Text between tables is read band by band from top to bottom, so a table's rows sit where
    the table stood. Rows are separated by blank lines: each row is one sentence to the
    chunker and the answer's quotes.
    """
    found = [(t.bbox, rows) for t in page.find_tables() if (rows := _usable(t)) is not None]
    if not found:
        return None
    found.sort(key=lambda f: f[0][1])
    boxes = [bbox for bbox, _ in found]

    def outside(obj: dict[str, Any]) -> bool:
        x, top = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= top <= b[3] for b in boxes)

    parts: list[str] = []
    upper = float("-inf")
    for bbox, rows in [*found, ((0, float("inf"), 0, float("inf")), None)]:
        lower = bbox[1]

        def band(obj: dict[str, Any], a: float = upper, b: float = lower) -> bool:
            return "top" in obj and a <= obj["top"] < b and outside(obj)

        text = page.filter(band).extract_text().strip()
        if text:
            parts.append(text)
        if rows is not None:
            parts.append("\n\n".join(table_rows(rows)))
        upper = bbox[3]
    return "\n\n".join(p for p in parts if p)


# --------------------------------------------------------------------------- DOCX


def docx_blocks(document: Any) -> Iterator[tuple[str, str]]:
    """(text, style name) of a python-docx document's paragraphs and table rows, in order.

    Table rows come with an empty style; a table inside a table cell is read as that cell's
    text (python-docx joins its paragraphs).
    """
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            grid: list[list[Cell]] = []
            for row in block.rows:
                # A merged cell is the same cell object in every grid column it spans: keep
                # its text once (a heading over two columns fills both in table_rows).
                cells = list(row.cells)
                grid.append(
                    [
                        None if i and c._tc is cells[i - 1]._tc else c.text
                        for i, c in enumerate(cells)
                    ]
                )
            for line in table_rows(grid):
                yield line, ""
        else:
            style = (block.style.name if block.style is not None else "") or ""
            yield block.text, style
