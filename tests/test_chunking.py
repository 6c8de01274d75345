"""The chunker: token budgets in the model's own tokens, sentence ends, overlap, verbatim slices."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from missionrag.config import Settings
from missionrag.index.records import chunk_from_record, chunk_metadata
from missionrag.ingest import chunk_document, discover, load_file
from missionrag.ingest.chunking import span_tokens, split_span
from missionrag.text import sentence_ends

CORPUS = REPO / "corpus"


def _chunks(text: str, settings: Settings, size: int = 96, overlap: int = 32) -> list[str]:
    _, starts = span_tokens(settings.model_path)(text)
    return [text[a:b] for a, b in split_span(text, starts, size, overlap)]


def _tokens(text: str, settings: Settings) -> int:
    return len(span_tokens(settings.model_path)(text)[1])


def test_corpus_chunks_fit_the_budget_and_are_verbatim(settings: Settings) -> None:
    for f in discover([CORPUS])[0]:
        doc = load_file(f, settings)
        chunks = chunk_document(doc, settings)
        assert len(chunks) > 5, f
        for c in chunks:
            assert doc.text[c.start : c.start + len(c.text)] == c.text
            assert c.text == c.text.strip() and c.text
            assert _tokens(c.text, settings) <= settings.chunk_size, (f.name, c.text)


def test_token_counts_match_the_model_tokenizer(settings: Settings) -> None:
    # Offsets of one encode must count what the embedder will read, word pieces included.
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(settings.model_path) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    text = "Mission-oriented innovation (MOI) targets 2030: CO₂ −55 %, naïve déjà-vu."
    assert _tokens(text, settings) == len(tok.encode(text, add_special_tokens=False).ids)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Missions fail. They fail often.", ["Missions fail. ", "They fail often."]),
        ("See e.g. The Lancet on this. Next.", ["See e.g. The Lancet on this. ", "Next."]),
        (
            "Dr. Smith and the U.S. Congress met. Then",
            ["Dr. Smith and the U.S. Congress met. ", "Then"],
        ),
        ("It grew approx. five times. Ok", ["It grew approx. five times. ", "Ok"]),
        ('He said "stop." Then left.', ['He said "stop." ', "Then left."]),
        ("Aims:\n- one\n- two\n\nNew paragraph", ["Aims:\n- one\n- two\n\n", "New paragraph"]),
        ("Version 2.5 is out. Yes", ["Version 2.5 is out. ", "Yes"]),
    ],
)
def test_sentence_ends(text: str, pieces: list[str]) -> None:
    ends = sentence_ends(text)
    got = [text[a:b] for a, b in zip([0, *ends], ends, strict=False)]
    assert got == pieces


def test_overlap_repeats_whole_trailing_sentences(settings: Settings) -> None:
    sentences = [
        f"Sentence number {i} talks about mission policy and its goals." for i in range(30)
    ]
    chunks = _chunks(" ".join(sentences), settings, size=48, overlap=16)
    assert len(chunks) > 5
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        first = nxt.split(". ")[0] + "."
        assert first in prev, "the next chunk starts with the previous chunk's last sentence"
        assert _tokens(prev, settings) <= 48


def test_a_list_stays_with_its_lead_in_while_it_fits(settings: Settings) -> None:
    text = (
        "Missions need a clear story. That is why you need to:\n"
        "test solutions in practice\nmeasure and monitor progress\nshare what you learn\n\n"
        "A new paragraph starts here."
    )
    chunks = _chunks(text, settings, size=24, overlap=0)
    lead_in_and_list = "That is why you need to:\ntest solutions in practice\nmeasure"
    assert any(c.startswith(lead_in_and_list) and "share what" in c for c in chunks), chunks
    assert not any(c.startswith(("test", "measure", "share")) for c in chunks), chunks


def test_an_overlong_sentence_is_cut_at_clauses_then_words(settings: Settings) -> None:
    clause = "the mission needs money, people, partners and time"
    long_sentence = "; ".join([clause] * 12) + "."
    chunks = _chunks(long_sentence, settings, size=40, overlap=0)
    assert len(chunks) > 3
    assert all(_tokens(c, settings) <= 40 for c in chunks)
    assert all(c.endswith((";", ".", ",")) for c in chunks[:-1]), "cuts fall at clause ends"
    words = " ".join(["innovation"] * 300)  # no punctuation at all: words are the last resort
    pieces = _chunks(words, settings, size=50, overlap=0)
    assert all(_tokens(p, settings) <= 50 for p in pieces) and len(pieces) >= 6


def test_short_text_is_one_chunk_and_blank_text_none(settings: Settings) -> None:
    assert _chunks("Just one short sentence.", settings) == ["Just one short sentence."]
    assert _chunks("   \n\n  ", settings) == []


def test_chunk_records_round_trip_and_old_layout_still_reads(settings: Settings) -> None:
    doc = load_file(CORPUS / "oecd-opsi-challenges-implementing-missions.md", settings)
    chunk = next(c for c in chunk_document(doc, settings) if c.marks)
    meta = chunk_metadata(chunk, doc.content_hash)
    assert set(meta) == {"doc_id", "doc_hash", "record"}  # two filter keys, one record
    assert chunk_from_record(chunk.id, None, meta) == chunk
    # A store written before the JSON record: fields as keys, text in ``documents``.
    old = {
        "doc_id": chunk.doc_id,
        "doc_hash": doc.content_hash,
        "source": chunk.source,
        "title": chunk.title,
        "start": chunk.start,
        "position": chunk.position,
        "locator": chunk.locator,
        "url": chunk.url,
        "marks": '[{"start": 3, "locator": "00:01:02", "url": "https://youtu.be/x?t=62"}]',
    }
    back = chunk_from_record(chunk.id, chunk.text, {k: v for k, v in old.items() if v})
    assert back.text == chunk.text and back.start == chunk.start
    assert back.marks[0].locator == "00:01:02"


def test_marks_are_sorted_and_looked_up_by_offset() -> None:
    from missionrag.models import Document, Mark

    marks = [Mark(start=50, locator="page 2", page=2), Mark(start=0, locator="page 1", page=1)]
    marks.append(Mark(start=50, locator="00:01:00", url="https://youtu.be/x?t=60"))
    doc = Document(doc_id="d", source="d.pdf", title="D", text="x" * 100, kind="pdf", marks=marks)
    assert [m.start for m in doc.marks] == [0, 50, 50]
    assert doc.marks[1].page == 2, "a stable sort keeps the loader's order at one offset"
    assert doc.mark_at(0) is not None and doc.mark_at(0).page == 1  # type: ignore[union-attr]
    assert doc.mark_at(49).page == 1  # type: ignore[union-attr]
    assert doc.mark_at(50).locator == "00:01:00"  # type: ignore[union-attr]
    assert [m.start for m in doc.marks_within(0, 50)] == []
    assert [m.start for m in doc.marks_within(0, 51)] == [50, 50]
    assert Document(doc_id="e", source="e", title="", text="", kind="text").mark_at(3) is None


def test_text_without_spaces_is_cut_at_tokens(settings: Settings) -> None:
    text = "以任务为导向的创新政策需要跨部门合作" * 40  # no spaces and no sentence marks
    chunks = _chunks(text, settings, size=50, overlap=0)
    assert len(chunks) >= 10
    assert all(_tokens(c, settings) <= 50 for c in chunks)
    assert "".join(chunks) == text, "the pieces are the text, in order, nothing lost"
