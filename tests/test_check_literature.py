"""The passages a check cites per failed criterion: reranked once per store write."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPUS, make_settings

from missionrag.check.literature import QUESTIONS
from missionrag.kb import KnowledgeBase


def test_reranked_passages_are_chosen_once_per_write_and_cited(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path / "data"))
    kb.ingest([CORPUS])
    assert kb.refresh_literature() is True
    assert kb.refresh_literature() is False  # same store: nothing to redo
    chosen = kb._literature()
    assert chosen is not None and set(chosen) == set(QUESTIONS)
    for refs in chosen.values():
        for r in refs:  # every quote a verbatim slice of its stored document
            assert r.quote in kb.document_text(r.source)

    res = kb.check("Promote sustainable mobility.")
    failed = [n for n, c in res.criteria.items() if not c.passed]
    cited = [s for s in res.sources if s.criterion in failed]
    assert {s.criterion for s in cited} == set(failed)
    assert len({s.quote for s in cited}) == len(cited)  # one passage each, none twice
    measurable = next(s for s in cited if s.criterion == "measurable")
    assert "measurable targets" in measurable.quote

    # A write moves the store on: the old choice is stale until the edge refreshes it.
    doc = kb.documents()[0]
    kb.delete_document(doc.doc_id)
    assert kb._literature() is None
    assert kb.check("Promote sustainable mobility.").sources  # keyword search meanwhile
    assert kb.refresh_literature() is True


def test_a_named_collection_reads_its_own_literature(tmp_path: Path) -> None:
    """The passages are stamped with the collection's own generation, not the default's."""
    default = KnowledgeBase(make_settings(tmp_path / "data"))
    default.ingest([CORPUS])  # two writes: the default collection's generation runs ahead
    default.delete_document(default.documents()[0].doc_id)
    team = KnowledgeBase(make_settings(tmp_path / "data", collection="team"))
    team.ingest([CORPUS / "invi-mission-driven-change.txt"])
    assert team.refresh_literature() is True
    assert team._literature() is not None
