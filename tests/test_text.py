"""The one text module: sentence offsets, abbreviations, stopwords, terms; chunks unchanged."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from missionrag.ask.text import sentence_spans as ask_sentences
from missionrag.check.units import split_units as check_units
from missionrag.config import Settings
from missionrag.ingest import chunk_document, discover, load_file
from missionrag.quiz.text import split_sentences as quiz_sentences
from missionrag.text import (
    ENGLISH_STOPWORDS,
    is_abbreviation,
    sentence_ends,
    sentence_spans,
    stopwords,
    terms,
)

CHUNK_IDS = json.loads((REPO / "tests" / "data" / "chunk_ids.json").read_text())["files"]
CORPUS_B = REPO / "evals" / "corpus_b" / "docs"


def _chunk_digest(path: str) -> str:
    s = Settings()
    ids = "\n".join(c.id for c in chunk_document(load_file(REPO / path, s), s))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


def test_chunks_of_corpus_are_the_ones_stored_before() -> None:
    # Chunk ids hash the chunk text: a moved sentence end would re-embed every stored corpus.
    files = [f.relative_to(REPO).as_posix() for f in discover([REPO / "corpus"])[0]]
    assert files and set(files) <= set(CHUNK_IDS)
    assert {f: _chunk_digest(f) for f in files} == {f: CHUNK_IDS[f] for f in files}


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS_B.is_dir(), reason="python evals/corpus_b/build.py first")
def test_chunks_of_corpus_b_are_the_ones_stored_before() -> None:
    files = [f.relative_to(REPO).as_posix() for f in discover([CORPUS_B])[0]]
    assert len(files) == sum(k.startswith("evals/corpus_b/") for k in CHUNK_IDS)
    assert {f: _chunk_digest(f) for f in files} == {f: CHUNK_IDS[f] for f in files}


TEXT = (
    "The U.S. Congress met Dr. Smith on Jan. 5, e.g. at noon. J. Smith came too. "
    "See Appendix A. 13 agencies replied. It grew approx. five times.\n"
)
SENTENCES = [
    "The U.S. Congress met Dr. Smith on Jan. 5, e.g. at noon.",
    "J. Smith came too.",
    "See Appendix A.",
    "13 agencies replied.",
    "It grew approx. five times.",
]


def test_chunks_quotes_quiz_and_check_end_sentences_at_the_same_places() -> None:
    assert [TEXT[a:b] for a, b in sentence_spans(TEXT)] == SENTENCES
    assert [TEXT[a:b] for a, b in ask_sentences(TEXT, 0, len(TEXT), merge=False)] == SENTENCES
    assert [s.text for s in quiz_sentences(TEXT)] == SENTENCES
    assert [u.text for u in check_units(TEXT)] == SENTENCES
    ends = sentence_ends(TEXT)
    assert [TEXT[a:b].strip() for a, b in zip([0, *ends], ends, strict=False)] == SENTENCES


@pytest.mark.parametrize(
    ("word", "following", "expected"),
    [
        ("U.S", "C", True),
        ("(e.g", "t", True),
        ("Dr", "S", True),
        ("J", "S", True),  # an initial
        ("A", "1", False),  # "Appendix A. 13 agencies"
        ("i", "M", False),  # a list label: "i. More nature parks"
        ("policy", "T", False),
    ],
)
def test_abbreviations(word: str, following: str, expected: bool) -> None:
    assert is_abbreviation(word, following) is expected


def test_sentences_cut_at_blank_lines_unless_told_not_to() -> None:
    text = "A heading\n \nthe layout line goes on. Next one"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "A heading",
        "the layout line goes on.",
        "Next one",
    ]
    assert [text[a:b] for a, b in sentence_spans(text, blank_lines=False)] == [
        "A heading\n \nthe layout line goes on.",
        "Next one",
    ]


def test_glued_headings_are_cut_only_when_asked() -> None:
    text = "Goals worth striving forMissions should inspire people."
    assert len(sentence_spans(text)) == 1
    assert [text[a:b] for a, b in sentence_spans(text, glued=True)] == [
        "Goals worth striving for",
        "Missions should inspire people.",
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aAbZ .!?…:\n\t“”'\"()0123é")), max_size=300))
def test_sentences_are_verbatim_slices_in_order(text: str) -> None:
    pos = 0
    for a, b in sentence_spans(text):
        assert pos <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        pos = b
    assert sentence_ends(text)[-1] == len(text)


def test_stopwords_per_language() -> None:
    assert {"the", "and", "would"} <= stopwords("en") == ENGLISH_STOPWORDS
    assert {"og", "ikke"} <= stopwords("da")
    assert {"und", "nicht"} <= stopwords("de")
    assert {"och", "att"} <= stopwords("sv")
    assert {"het", "een"} <= stopwords("nl")
    assert {"não", "uma"} <= stopwords("pt")
    assert {"les", "est"} <= stopwords("fr")
    assert {"los", "para"} <= stopwords("es")
    assert stopwords("xx") == frozenset()


def test_terms_stem_and_drop_function_words() -> None:
    assert terms("The budgets of Denmark's policies, budgeting 5 times") == [
        "budget",
        "denmark",
        "policy",
        "budget",
        "5",
        "tim",
    ]
    assert terms("describe the main example", frozenset({"describe", "main"})) == ["example"]


def test_a_quote_keeps_its_dash_attribution_only_when_asked() -> None:
    text = "“It gave a sense of hope.” -New Jersey attendee, Health. Next one."
    assert [text[a:b] for a, b in sentence_spans(text, attributions=True)] == [
        "“It gave a sense of hope.” -New Jersey attendee, Health.",
        "Next one.",
    ]
    assert len(sentence_spans(text)) == 3  # the chunker's cut, kept for its stored ids
