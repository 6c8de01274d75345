"""`check` cites the corpus from the keyword index's files, without opening Chroma."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, REPO, cli_env, make_settings

from missionrag.kb import KnowledgeBase

WASHED = "Promote sustainable mobility by continuing the existing strategy"


def test_check_cites_sources_without_chroma_or_model(tmp_path: Path) -> None:
    data = tmp_path / "d"
    kb = KnowledgeBase(make_settings(data))
    kb.ingest([CORPUS])
    view = kb.keyword_view()
    assert view is not None
    hits = view.search("measurable targets", 3)
    assert hits and all(h.keyword_score for h in hits)
    # The file-served hits are the store's own chunks.
    stored = {c.id: c.text for c in kb.all_chunks()}
    assert all(stored[h.chunk_id] == h.text for h in hits)

    code = (
        "import sys, json\nfrom click.testing import CliRunner\nfrom missionrag.cli import main\n"
        f"r = CliRunner().invoke(main, ['check', {WASHED!r}, '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "out = json.loads(r.output)\n"
        "heavy = [m for m in ('chromadb', 'torch', 'sklearn') if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'sources': out['sources']}))\n"
    )
    # Run while this process still owns the store: check must not need its lock.
    r = subprocess.run(
        [sys.executable, "-c", code],
        env=cli_env(data),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert {s["criterion"] for s in result["sources"]} >= {"bold", "measurable", "time_bound"}
    for s in result["sources"]:
        assert s["quote"] in kb.document_text(s["source"])


def test_fast_path_steps_aside_when_not_provably_current(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path / "d"))
    kb.ingest([CORPUS / "invi-mission-driven-change.txt"])
    assert kb.keyword_view() is not None
    kb.store.begin()  # a write in progress (or a run killed midway)
    assert kb.keyword_view() is None
    kb.store.end(changed=True)  # generation moved, index not yet rebuilt
    assert kb.keyword_view() is None
    assert kb.check(WASHED).sources  # the store path still cites
    kb.keyword_index()
    assert kb.keyword_view() is not None
