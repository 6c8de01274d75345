"""What a real knowledge base adds to a check: cited guidance and the relabelling test.

One store per module: the five corpus documents plus a fictional municipality's climate plan
(``tests/data/check_policy_nordby_climate.md``) standing in for the organisation's own policies.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, free_port, make_settings

from missionrag.check import check_statement
from missionrag.kb import KnowledgeBase

TODAY = dt.date(2026, 11, 23)
POLICY = "check_policy_nordby_climate.md"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    docs = tmp_path_factory.mktemp("check-docs")
    for f in CORPUS.iterdir():
        if f.name != "SOURCES.md":
            shutil.copy(f, docs / f.name)
    shutil.copy(DATA / POLICY, docs / POLICY)
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("check-kb")))
    report = kb.ingest([docs])
    assert len(report.added) == 6, report
    return kb


def _texts(kb: KnowledgeBase) -> dict[str, str]:
    return {c.source: kb.document_text(c.source) for c in kb.all_chunks()}


def test_each_failed_criterion_cites_a_verbatim_corpus_sentence(kb: KnowledgeBase) -> None:
    result = check_statement(
        "Promote sustainable mobility.", kb.settings, retriever=kb, today=TODAY
    )
    failed = {n for n, c in result.criteria.items() if not c.passed}
    cited = {s.criterion for s in result.sources}
    # A topic word is not cross-sectoral either (docs/rubric.md, cross_sectoral).
    assert failed == {"bold", "measurable", "time_bound", "cross_sectoral"}
    assert failed <= cited
    docs = _texts(kb)
    for s in result.sources:
        assert s.quote in docs[s.source], s  # verbatim, so a reader can find it
        assert "<a " not in s.quote and len(s.quote) > 30
    measurable = next(s for s in result.sources if s.criterion == "measurable")
    assert "measurable" in measurable.quote.lower()
    bold = next(s for s in result.sources if s.criterion == "bold")
    assert bold.source.endswith("invi-mission-driven-change.txt")


def test_a_strong_mission_needs_no_citations(kb: KnowledgeBase) -> None:
    result = check_statement(
        "By 2032, no child in the city goes to school hungry, with schools, food businesses and charities working together.",
        kb.settings,
        retriever=kb,
        today=TODAY,
    )
    assert all(c.passed for c in result.criteria.values())
    assert result.sources == []
    assert not result.mission_washing.flagged


def test_restating_an_existing_target_is_flagged_as_relabelling(kb: KnowledgeBase) -> None:
    draft = "Nordby mission: cut CO2 emissions in Nordby by 70% by 2030, together with citizens and businesses."
    offline = check_statement(draft, kb.settings, today=TODAY)
    assert not offline.mission_washing.flagged  # nothing in the words alone gives it away
    result = check_statement(draft, kb.settings, retriever=kb, today=TODAY)
    assert result.mission_washing.flagged
    ref = next(s for s in result.sources if s.criterion == "mission_washing")
    assert ref.source.endswith(POLICY)
    assert "by 70% by 2030" in ref.quote and ref.quote in _texts(kb)[ref.source]
    assert any(
        POLICY[:-3] in sig or "Nordby Municipality" in sig for sig in result.mission_washing.signals
    )
    spans = [
        result.statement[f.start : f.end] for f in result.findings if f.rule == "existing-target"
    ]
    assert spans == ["cut CO2 emissions in Nordby by 70% by 2030"]
    # Side by side: the draft's whole target and the commitment it restates, with the source.
    r = result.relabelling
    assert r is not None and r.draft_target == spans[0]
    assert r.existing == ref.quote and r.source.endswith(POLICY)
    assert r.matched["quantity"] == "70" and r.matched["unit"] == "%"
    assert r.matched["deadline"] == "2030"
    assert result.existing_mission is None


def test_shared_numbers_without_the_same_target_are_not_relabelling(kb: KnowledgeBase) -> None:
    # "100" and "2030" also appear in the corpus' passages about the EU's 100 climate-neutral
    # cities by 2030; the target as a whole (100% renewable electricity) does not.
    draft = "Every municipality in the region runs on 100% renewable electricity and heat by 2030."
    result = check_statement(draft, kb.settings, retriever=kb, today=TODAY)
    assert result.relabelling is None
    assert not result.mission_washing.flagged


def test_a_quoted_eu_mission_is_reported_as_existing_not_washed(kb: KnowledgeBase) -> None:
    draft = "Our mission: 100 climate-neutral and smart cities by 2030."
    result = check_statement(draft, kb.settings, retriever=kb, today=TODAY)
    assert not result.mission_washing.flagged and result.relabelling is None
    e = result.existing_mission
    assert e is not None and "Climate-Neutral and Smart Cities" in e.name
    assert e.message.startswith("This is EU Mission: Climate-Neutral and Smart Cities")
    assert e.source and e.source.startswith("https://")


def test_a_close_passage_without_the_same_target_is_not_relabelling(kb: KnowledgeBase) -> None:
    # Retrieval finds the Nordby plan first (same words); the target differs, so no flag.
    draft = "Nordby mission: cut CO2 emissions in Nordby by 90% by 2040, together with citizens and businesses."
    top = kb.search(draft, 3)[0]
    assert top.source.endswith(POLICY)
    result = check_statement(draft, kb.settings, retriever=kb, today=TODAY)
    assert not result.mission_washing.flagged
    assert not any(s.criterion == "mission_washing" for s in result.sources)


def test_an_unreachable_store_leaves_the_offline_result_with_a_note(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", chroma_url=f"http://127.0.0.1:{free_port()}")
    broken = KnowledgeBase(settings)
    text = "Promote sustainable mobility."
    result = check_statement(text, settings, retriever=broken, today=TODAY)
    offline = check_statement(text, settings, today=TODAY)
    assert result.criteria == offline.criteria
    assert result.sources == []
    assert any(n.startswith("Knowledge base unavailable") for n in result.notes)
