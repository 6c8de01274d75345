"""Sentence units with exact offsets, display cleanup, and question analysis (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missionrag.ask.llm_answer import parse_claims
from missionrag.ask.question import answer_type, question_language
from missionrag.ask.text import display, sentence_spans, split_units, terms
from missionrag.config import Settings
from missionrag.ingest import chunk_document, load_file
from missionrag.text import strip_terms

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_units_are_exact_slices_of_every_corpus_chunk() -> None:
    s = Settings()
    seen = 0
    for path in sorted(CORPUS.iterdir()):
        if path.name.startswith(".") or path.name == "SOURCES.md":
            continue
        doc = load_file(path, s)
        for chunk in chunk_document(doc, s):
            for u in split_units(chunk.text, chunk.section):
                assert chunk.text[u.start : u.end] == u.text
                assert doc.text[chunk.start + u.start : chunk.start + u.end] == u.text
                seen += 1
    assert seen > 200


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcXYZ .!?:-*#\n\t“”'0123456789é")), min_size=0, max_size=300
    )
)
def test_units_never_rewrite_text(text: str) -> None:
    for u in split_units(text):
        assert text[u.start : u.end] == u.text
        assert u.text == u.text.strip() or u.kind == "list"


def test_sentences_split_at_full_stops_but_not_abbreviations() -> None:
    text = "A well-known example is the U.S. Apollo program, e.g. the moon landing. It took many rocket tests."
    spans = [text[a:b] for a, b in sentence_spans(text, 0, len(text))]
    assert spans == [
        "A well-known example is the U.S. Apollo program, e.g. the moon landing.",
        "It took many rocket tests.",
    ]


def test_heading_glued_to_paragraph_is_split_off() -> None:
    # HTML-to-text exports glue a heading to its paragraph: "❋ Goals worth striving forMissions".
    text = "❋ Goals worth striving forMissions should inspire people to get involved. They must not be vague."
    units = [u.text for u in split_units(text)]
    assert "Missions should inspire people to get involved." in units


def test_short_bullets_become_one_list_unit_with_their_heading() -> None:
    text = "The biggest risks of possibly failing\n\n- Effect of silos\n- Keeping momentum and motivation over time\n- Lack of committed support"
    units = split_units(text, heading="The biggest risks of possibly failing")
    lists = [u for u in units if u.kind == "list"]
    assert len(lists) == 1
    assert lists[0].text == text
    assert display(lists[0].text) == (
        "The biggest risks of possibly failing: Effect of silos; Keeping momentum and "
        "motivation over time; Lack of committed support."
    )


def test_a_lone_one_word_fragment_joins_the_next_sentence() -> None:
    text = '"Experimentation. Missions is a novel approach, room for iterating."'
    assert [u.text for u in split_units(text)] == [text]


def test_display_strips_markup_but_keeps_words() -> None:
    assert display("- **Active Leadership** Strong leadership is essential .") == (
        "Active Leadership Strong leadership is essential."
    )


def test_terms_and_strip_terms() -> None:
    assert terms("Budgets and budgeting policies") == ["budget", "budget", "policy"]
    assert strip_terms("Why do missions fail?", frozenset({"mission"})) == "Why do fail?"


@pytest.mark.parametrize(
    ("question", "kind", "noun"),
    [
        ("In what year did Kennedy launch the moon mission?", "date", None),
        ("How many tonnes of CO2 were cut?", "quantity", "tonn"),
        ("What budget did INVI allocate in 2024?", "quantity", None),
        ("Which Danish minister is responsible for the mission?", "entity", "minister"),
        ("What budget-related challenge do practitioners report?", None, None),
        ("When does it make sense to add a mission-driven approach?", None, None),
    ],
)
def test_answer_type(question: str, kind: str | None, noun: str | None) -> None:
    t = answer_type(question)
    assert (t.kind if t else None) == kind
    assert (t.noun if t else None) == noun


def test_question_language() -> None:
    assert question_language("Why do missions fail?") is None
    assert (
        question_language("Hvor mange penge har den danske regering afsat til missionen?")
        == "Danish"
    )
    assert question_language("Wie viel Geld hat die Regierung für die Mission?") == "German"


def test_parse_claims_keeps_markers_with_their_sentence() -> None:
    claims = parse_claims(
        "The U.S. Apollo program is an example [1]. Leadership matters. [2][3] No marker here."
    )
    assert [(c.text, c.cited) for c in claims] == [
        ("The U.S. Apollo program is an example.", [1]),
        ("Leadership matters.", [2, 3]),
        ("No marker here.", []),
    ]
