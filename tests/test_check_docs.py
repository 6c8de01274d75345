"""check-doc: mission statements found in real strategy documents, verbatim, with locators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import DATA

from missionrag.check import check_statement
from missionrag.check.docs import find_mission_candidates
from missionrag.config import Settings
from missionrag.ingest import load_file
from missionrag.models import Document, Mark

TODAY = dt.date(2026, 11, 23)


def test_markdown_strategy_yields_its_missions_and_nothing_else(settings: Settings) -> None:
    doc = load_file(DATA / "check_strategy.md", settings)
    found = find_mission_candidates(doc, today=TODAY)
    texts = [t for t, _ in found]
    # Best first: dated, quantified goals before a goal the document merely names a mission.
    assert texts == [
        "By 2035, halve the number of people in the region who die early from heart disease and stroke.",
        "Every child in the region leaves primary school able to swim and ride a bike by 2030.",
        "By 2040, no household in the region lives in fuel poverty, with councils, utilities and charities working together.",
        "Promote sustainable mobility.",
    ]
    for text, _ in found:
        assert text in doc.text
    # Each statement checks on its own, so the candidates are usable as they are.
    results = [check_statement(t, today=TODAY) for t in texts]
    assert results[0].criteria["measurable"].passed
    assert not results[3].criteria["measurable"].passed


@pytest.mark.parametrize(
    ("name", "statement", "locator"),
    [
        ("strategy.pdf", "Our goal is swimmable rivers in every city by 2035.", "page 1"),
        (
            "mission.docx",
            "By 2032, every older person in the region can live independently at home for two years longer.",
            "section: Healthy ageing mission",
        ),
    ],
)
def test_pdf_and_docx_candidates_carry_their_locator(
    settings: Settings, name: str, statement: str, locator: str
) -> None:
    doc = load_file(DATA / name, settings)
    assert (statement, locator) in find_mission_candidates(doc, today=TODAY)


def test_page_locator_follows_the_marks() -> None:
    page1 = "Introduction and thanks to all partners.\n"
    page2 = "Our mission: by 2030, halve the number of road deaths in the county.\n"
    doc = Document(
        doc_id="d",
        source="plan.pdf",
        title="Plan",
        text=page1 + page2,
        kind="pdf",
        marks=[
            Mark(start=0, locator="page 1", page=1),
            Mark(start=len(page1), locator="page 2", page=2),
        ],
    )
    assert find_mission_candidates(doc, today=TODAY) == [
        ("Our mission: by 2030, halve the number of road deaths in the county.", "page 2")
    ]


def test_a_document_without_missions_yields_nothing(tmp_path: Path, settings: Settings) -> None:
    f = tmp_path / "minutes.md"
    f.write_text(
        "# Minutes\n\nThe meeting opened at ten. Coffee was served. The chair thanked everyone.\n",
        encoding="utf-8",
    )
    assert find_mission_candidates(load_file(f, settings), today=TODAY) == []


def test_a_real_summary_yields_its_mission_first_and_only_whole_sentences(
    settings: Settings,
) -> None:
    from conftest import CORPUS

    from missionrag.check.docs import mission_candidates

    doc = load_file(CORPUS / "oecd-opsi-roles-and-challenges-public-sector-innovation.md", settings)
    found = mission_candidates(doc)
    assert found[0].statement.startswith(
        "Health Holland (Netherlands): Set a mission for all Dutch citizens to live at least "
        "five years longer in good health by 2040"
    )
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    for c in found:
        assert doc.text[c.start : c.end] == c.statement  # verbatim
        assert c.statement[0].isupper() or c.statement[0].isdigit(), c.statement  # no fragment
        assert c.statement.rstrip().endswith((".", "!", "?", ")")), c.statement


def test_units_are_whole_sentences_list_items_and_cells() -> None:
    from missionrag.check.units import split_units

    text = (
        "Climate action gives a net gain of 0.2% in global GDP by 2040. Others, e.g. the IEA, "
        "disagree.\n\n●\nAdd 200ha of nature parks, to\n \nprovide more recreational options\n"
        " \n●\nAdd 160km of park connectors\n \n2030 targets:\n \nHalve waste by 2030\n"
        "- Mission 3: Promote sustainable mobility.\n"
    )
    units = [u.clean for u in split_units(text)]
    assert units == [
        "Climate action gives a net gain of 0.2% in global GDP by 2040.",
        "Others, e.g. the IEA, disagree.",
        "Add 200ha of nature parks, to provide more recreational options",
        "Add 160km of park connectors",
        "Halve waste by 2030",
        "Mission 3: Promote sustainable mobility.",
    ]
    assert split_units(text)[4].heading == "2030 targets:"
