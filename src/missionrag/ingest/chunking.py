"""Sentence-aware chunking with llama-index-core's ``SentenceSplitter``.

Chunks never straddle a section or page, carry the locator in force where they start and the
finer marks inside them (transcript timestamps), and are verbatim substrings of the document
text, so a quote taken from a chunk is a quote from the document. Token counts use the
embedding model's own tokenizer, so a chunk never exceeds what the model reads.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from missionrag.models import Chunk, Document, Mark

_lock = threading.Lock()


@lru_cache(maxsize=4)
def token_counter(model_path: str) -> Callable[[str], list[int]]:
    from tokenizers import Tokenizer

    tok_file = Path(model_path) / "tokenizer.json"
    if tok_file.exists():
        tok = Tokenizer.from_file(str(tok_file))
        # The shipped tokenizer.json truncates and pads to 128; counting needs neither.
        tok.no_truncation()
        tok.no_padding()

        def count(text: str) -> list[int]:
            return tok.encode(text, add_special_tokens=False).ids

        return count
    return lambda text: text.split()  # a model without tokenizer.json: words approximate tokens


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int, model_path: str) -> Any:
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        tokenizer=token_counter(model_path),
    )


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
    high for any question on its topic while it answers none (retrieval eval, issue #2).
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
    with _lock:  # the splitter's tokenizer is shared; keep it single-threaded
        splitter = _splitter(chunk_size, chunk_overlap, model_path)
        pieces: list[tuple[int, str]] = []
        for a, b in _spans(doc):
            span = doc.text[a:b]
            cursor = 0
            for piece in splitter.split_text(span):
                piece = piece.strip()
                if not piece:
                    continue
                found = span.find(piece, max(0, cursor - len(piece)))
                if found < 0:
                    found = span.find(piece)
                if found < 0:  # the splitter altered whitespace; keep the exact source slice
                    continue
                pieces.append((a + found, piece))
                cursor = found + len(piece)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for position, (start, text) in enumerate(pieces):
        occurrence = seen.get(text, 0)
        seen[text] = occurrence + 1
        mark = doc.mark_at(start)
        inner = [
            Mark(
                start=m.start - start, locator=m.locator, url=m.url, section=m.section, page=m.page
            )
            for m in doc.marks
            if start < m.start < start + len(text) and m.locator
        ]
        chunks.append(
            Chunk(
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
        )
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
