"""Sentence-aware chunking, counted in the embedding model's own tokens.

Chunks never straddle a section or page, carry the locator in force where they start and the
finer marks inside them (transcript timestamps), and are verbatim slices of the document
text, so a quote taken from a chunk is a quote from the document. Token counts use the
embedding model's own tokenizer, so a chunk never exceeds what the model reads.

The packing follows llama-index's ``SentenceSplitter`` (sentences, then clauses, then words;
greedy up to ``chunk_size`` tokens; whole trailing sentences of up to ``chunk_overlap``
tokens repeated at the start of the next chunk), which is what this module used first. It is
rewritten here because ingestion is bound by the model (bench/ingest_throughput.py): the splitter tokenised every
sentence separately and ran NLTK's punkt on each split, 0.6 s of the 11 s a 1,400-chunk corpus
took, all of it while the model waited. Here each span is tokenised once, with offsets, and a
sentence's length is a count over those offsets; chunks are cut as character ranges, so no
search is needed to find a chunk in its span.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from missionrag.models import Chunk, Document, Mark
from missionrag.text import sentence_ends

# A text's token ids (None without a tokenizer) and their start offsets (character
# positions): the one tokeniser call per span.
Tokens = Callable[[str], tuple[list[int] | None, list[int]]]

_LINE = re.compile(r"[^\n]+\n*")
_CLAUSE = re.compile(r"[^,;:\u3001\u3002]+[,;:\u3001\u3002]?\s*")
_WORD = re.compile(r"\S+\s*")
_FINER = {_LINE: _CLAUSE, _CLAUSE: _WORD}


@lru_cache(maxsize=4)
def span_tokens(model_path: str) -> Tokens:
    """The model's tokens of a text, with their start offsets (words without a tokenizer)."""
    tok_file = Path(model_path) / "tokenizer.json"
    if tok_file.exists():
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(tok_file))
        # The shipped tokenizer.json truncates and pads to 128; counting needs neither.
        tok.no_truncation()
        tok.no_padding()

        def tokens(text: str) -> tuple[list[int] | None, list[int]]:
            enc = tok.encode(text, add_special_tokens=False)
            return enc.ids, [a for a, _ in enc.offsets]

        return tokens
    return lambda text: (None, [m.start() for m in re.finditer(r"\S+", text)])


def _units(text: str, starts: list[int], size: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) pieces of ``text`` no longer than ``size`` tokens each.

    Sentences where they fit; a longer one is cut at line breaks (a list), then at clauses,
    then at words, and a word longer than ``size`` (a run of CJK text) at tokens.
    """

    def tokens(a: int, b: int) -> int:
        return bisect_left(starts, b) - bisect_left(starts, a)

    def split(a: int, b: int, pattern: re.Pattern[str] | None) -> list[tuple[int, int, int]]:
        n = tokens(a, b)
        if n <= size:
            return [(a, b, n)]
        if pattern is None:  # one "word" over budget (CJK text has no spaces): cut at tokens
            first = bisect_left(starts, a)
            cuts = [starts[i] for i in range(first + size, bisect_left(starts, b), size)]
            bounds = [a, *cuts, b]
            return [(x, y, tokens(x, y)) for x, y in zip(bounds, bounds[1:], strict=False)]
        out: list[tuple[int, int, int]] = []
        finer = _FINER.get(pattern)
        for m in pattern.finditer(text, a, b):
            out.extend(split(m.start(), m.end(), finer))
        return out or [(a, b, n)]

    units: list[tuple[int, int, int]] = []
    prev = 0
    for end in sentence_ends(text):
        if end > prev:
            units.extend(split(prev, end, _LINE))
        prev = end
    return units


def split_span(text: str, starts: list[int], size: int, overlap: int) -> list[tuple[int, int]]:
    """Character ranges of the chunks of one span, stripped of surrounding whitespace."""
    ranges: list[tuple[int, int]] = []
    cur: list[tuple[int, int, int]] = []
    cur_len = 0

    def close() -> list[tuple[int, int, int]]:
        ranges.append((cur[0][0], cur[-1][1]))
        carry: list[tuple[int, int, int]] = []
        carried = 0
        for unit in reversed(cur):  # whole trailing units, up to ``overlap`` tokens
            if carried + unit[2] > overlap:
                break
            carry.insert(0, unit)
            carried += unit[2]
        return carry

    fresh = True  # the chunk holds only carried-over units (or nothing) so far
    for unit in _units(text, starts, size):
        if cur_len + unit[2] > size and not fresh:
            cur = close()
            cur_len = sum(u[2] for u in cur)
            fresh = True
        while cur and cur_len + unit[2] > size:  # too much carried over for this unit
            cur_len -= cur.pop(0)[2]
        cur.append(unit)
        cur_len += unit[2]
        fresh = False
    if cur and not fresh:
        ranges.append((cur[0][0], cur[-1][1]))
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        piece = text[a:b]
        a += len(piece) - len(piece.lstrip())
        b -= len(piece) - len(piece.rstrip())
        if b > a and (not out or out[-1] != (a, b)):
            out.append((a, b))
    return out


def _is_cut(text: str, mark: Mark) -> bool:
    """Marks that start a chunk: pages, sections, and transcript passages that start a sentence.

    One passage per timestamp keeps each transcript chunk on one point of the talk (the
    retrieval eval scored longer transcript chunks lower), but an anchor placed mid-sentence
    must not cut the sentence in two.
    """
    if mark.page is not None or (mark.section and not mark.url):
        return True
    if mark.url:  # a timestamp: cut only where a sentence or a line ended before it
        before = text[: mark.start].rstrip(" \t")
        return not before or before[-1] in ".!?:\n"
    return bool(mark.section)


def _spans(doc: Document) -> list[tuple[int, int]]:
    """Section/page spans: chunk boundaries never cross a section heading or a page.

    A span that holds nothing but its own heading (a slide title followed by another heading)
    joins the span after it: alone it would be a three-word chunk that both retrievers rank
    high for any question on its topic while it answers none (evals/reports/retrieval.md).
    """
    cuts = sorted({0, *(m.start for m in doc.marks if _is_cut(doc.text, m))})
    cuts = [c for c in cuts if 0 <= c < len(doc.text)] + [len(doc.text)]
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if doc.text[a:b].strip()]
    out: list[tuple[int, int]] = []
    carry: int | None = None
    for i, (a, b) in enumerate(spans):
        start = a if carry is None else carry
        mark = doc.mark_at(a)
        nxt = doc.mark_at(spans[i + 1][0]) if i + 1 < len(spans) else None
        if (
            mark is not None
            and mark.section is not None
            and doc.text[a:b].strip() == mark.section.strip()
            and nxt is not None
            and nxt.page == mark.page
        ):
            carry = start
            continue
        out.append((start, b))
        carry = None
    return out


def chunk_id(doc_id: str, text: str, occurrence: int) -> str:
    h = hashlib.sha256(f"{doc_id}\x00{text}\x00{occurrence}".encode()).hexdigest()
    return h[:32]


def chunk_document(
    doc: Document, chunk_size: int, chunk_overlap: int, model_path: str
) -> list[Chunk]:
    return [c for c, _ in chunk_with_tokens(doc, chunk_size, chunk_overlap, model_path)]


def chunk_with_tokens(
    doc: Document, chunk_size: int, chunk_overlap: int, model_path: str
) -> list[tuple[Chunk, list[int] | None]]:
    """The chunks, each with the model's token ids of its text (None without a tokenizer).

    The ids are a slice of the span's tokens: chunks start and end at white space or
    punctuation, where the tokenizer splits words anyway, so they are the ids the text gets
    on its own, and the ingest pipeline hands them to the model instead of tokenising again.
    """
    tokenize = span_tokens(model_path)
    overlap = min(chunk_overlap, chunk_size // 2)
    pieces: list[tuple[int, str, list[int] | None]] = []
    for a, b in _spans(doc):
        span = doc.text[a:b]
        ids, starts = tokenize(span)
        for x, y in split_span(span, starts, chunk_size, overlap):
            piece_ids = None
            if ids is not None:
                piece_ids = ids[bisect_left(starts, x) : bisect_left(starts, y)]
            pieces.append((a + x, span[x:y], piece_ids))
    chunks: list[tuple[Chunk, list[int] | None]] = []
    seen: dict[str, int] = {}
    for position, (start, text, piece_ids) in enumerate(pieces):
        occurrence = seen.get(text, 0)
        seen[text] = occurrence + 1
        mark = doc.mark_at(start)
        inner = [
            Mark(
                start=m.start - start, locator=m.locator, url=m.url, section=m.section, page=m.page
            )
            for m in doc.marks_within(start, start + len(text))
            if m.locator
        ]
        chunk = Chunk(
            id=chunk_id(doc.doc_id, text, occurrence),
            doc_id=doc.doc_id,
            source=doc.source,
            title=doc.title,
            text=text,
            start=start,
            position=position,
            locator=mark.locator if mark else None,
            url=(mark.url if mark and mark.url else doc.url),
            section=mark.section if mark else None,
            page=mark.page if mark else None,
            marks=inner,
        )
        chunks.append((chunk, piece_ids))
    return chunks


def index_text(chunk: Chunk, contextual: bool = True) -> str:
    """What the embedder and BM25 see: the chunk, headed by where it sits.

    The stored text (and every quote) stays the verbatim chunk; only the indexed form gains
    the title, the file name's words and the section heading, which carry the context that a
    short chunk of a long document loses ("According to INVI...", "DDC's playbook").
    """
    if not contextual:
        return chunk.text
    stem = Path(chunk.source.split("?")[0]).stem.replace("-", " ").replace("_", " ")
    parts = [chunk.title, stem]
    if chunk.section and not chunk.text.startswith(chunk.section):
        parts.append(chunk.section)
    header = " | ".join(p for p in parts if p)
    return f"{header}\n{chunk.text}"
