#!/usr/bin/env python3
"""Check that every anchor in labels.jsonl is found in its document's text.

Stdlib only, plus pypdf for the PDF documents (pip install pypdf).

For each labelled sentence the script looks for `start_words` in the
document's plain text (whitespace-normalised, case-insensitive) and then for
`end_words` after it, no further than MAX_SPAN characters away. It also checks
the shape of labels.jsonl (one line per document in manifest.jsonl, known
kinds, 1-8 start words, 1-5 end words).

Plain text, per format:
  pdf   pypdf's extract_text() of every page, pages joined with a newline
  html  the visible text (no <script>/<style>, no tags)
  md    the raw file with HTML tags removed (their inner text kept),
        [[target | label]] -> label, [[target]] -> target,
        [text](url) -> text, ** / __ emphasis markers removed, and HTML
        entities decoded (&#39; -> ')
  txt   the raw file
Normalisation before matching: Unicode NFKC, zero-width characters and soft
hyphens removed, runs of whitespace collapsed to one space, casefolded.

Usage: python3 evals/checkdoc/check_labels.py [--docs DIR] [--verbose]
Exit status 0 when every anchor is found, 1 when an anchor or a document is
missing, 2 when nothing failed but PDF documents were skipped (no pypdf).
"""

import argparse
import html
import json
import logging
import re
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_SPAN = 3000  # characters allowed between the start of start_words and the end of end_words
KINDS = {"mission", "goal"}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


class MissingPypdf(RuntimeError):
    pass


class _Visible(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
             "tr", "td", "th", "section", "article", "header", "footer", "table", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript") and self.skip:
            self.skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(raw: str) -> str:
    parser = _Visible()
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts)


def markdown_text(raw: str) -> str:
    text = re.sub(r"<[^>\n]+>", " ", raw)                               # HTML tags, inner text kept
    text = re.sub(r"\[\[([^\]|]*)\|\s*([^\]]*)\]\]", r"\2", text)        # [[target | label]]
    text = re.sub(r"\[\[([^\]]*)\]\]", r"\1", text)                      # [[target]]
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)               # [text](url), images
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)            # backslash escapes
    return html.unescape(text)                                             # &#39; -> '



def pdf_text(path: Path) -> str:
    try:
        import pypdf  # noqa: PLC0415
    except ImportError as exc:
        raise MissingPypdf("pypdf is not installed (pip install pypdf)") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font-encoding warnings are noise here
    reader = pypdf.PdfReader(str(path))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def document_text(path: Path) -> str:
    """The plain text of a document, as defined in the module docstring."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_text(path)
    raw = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        return html_text(raw)
    if suffix in (".md", ".markdown"):
        return markdown_text(raw)
    return raw


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return re.sub(r"\s+", " ", text).strip().casefold()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", default=str(HERE), help="folder that holds docs/ (default: this folder)")
    ap.add_argument("--verbose", action="store_true", help="print every anchor pair found")
    args = ap.parse_args()
    base = Path(args.docs)

    manifest = [json.loads(line) for line in (HERE / "manifest.jsonl").read_text().splitlines() if line.strip()]
    labels = [json.loads(line) for line in (HERE / "labels.jsonl").read_text().splitlines() if line.strip()]
    problems = []
    files = [m["file"] for m in manifest]
    labelled = [entry["file"] for entry in labels]
    if sorted(files) != sorted(labelled) or len(set(labelled)) != len(labelled):
        problems.append(f"labels.jsonl must have exactly one line per manifest file; "
                        f"missing {sorted(set(files) - set(labelled))}, extra {sorted(set(labelled) - set(files))}")

    total = failed = 0
    skipped = []
    for entry in labels:
        path = base / entry["file"]
        if not path.is_file():
            problems.append(f"{entry['file']}: document missing (run build.py first)")
            continue
        try:
            text = normalise(document_text(path))
        except MissingPypdf as exc:
            skipped.append(entry["file"])
            print(f"{entry['file']}: SKIPPED, {exc}")
            continue
        found_here = 0
        for i, item in enumerate(entry.get("missions", [])):
            total += 1
            where = f"{entry['file']} #{i}"
            if item.get("kind") not in KINDS:
                problems.append(f"{where}: kind must be one of {sorted(KINDS)}")
            start, end = normalise(item.get("start_words", "")), normalise(item.get("end_words", ""))
            if not 1 <= len(start.split()) <= 8 or not 1 <= len(end.split()) <= 5:
                problems.append(f"{where}: start_words needs 1-8 words and end_words 1-5 words")
            positions = [m.start() for m in re.finditer(re.escape(start), text)] if start else []
            if not positions:
                problems.append(f"{where}: start_words not found: {item.get('start_words')!r}")
                failed += 1
                continue
            ok = False
            for pos in positions:
                j = text.find(end, pos)
                if j != -1 and j + len(end) - pos <= MAX_SPAN:
                    ok = True
                    if args.verbose:
                        print(f"ok {where}: {j + len(end) - pos} chars")
                    break
            if not ok:
                failed += 1
                problems.append(f"{where}: end_words not found within {MAX_SPAN} chars after start: "
                                f"{item.get('end_words')!r}")
            else:
                found_here += 1
        print(f"{entry['file']}: {found_here}/{len(entry.get('missions', []))} anchors found")

    for p in problems:
        print("FAIL", p)
    print(f"{total - failed} of {total} anchor pairs found; {len(problems)} problem(s)"
          + (f"; {len(skipped)} PDF document(s) skipped" if skipped else ""))
    if problems:
        return 1
    return 2 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
