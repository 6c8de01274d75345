"""Hybrid search, the CLI contract, and the Chroma server mode."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, make_settings

from missionrag.errors import InputError
from missionrag.kb import KnowledgeBase


def test_hybrid_finds_paraphrased_passages(corpus_kb: KnowledgeBase) -> None:
    hits = corpus_kb.search("who programmed the software for landing on the moon?", 5)
    assert any("Margaret Hamilton" in h.text for h in hits[:3])
    hits = corpus_kb.search("relabelling existing policies as missions", 5)
    assert any("washing" in h.text.lower() for h in hits[:3])
    top = hits[0]
    assert 0 <= top.score <= 1 and top.title and top.source.startswith("corpus/")


def test_search_modes_and_transcript_links(corpus_kb: KnowledgeBase) -> None:
    for mode in ("dense", "keyword", "hybrid"):
        hits = corpus_kb.search("Mission Planning Canvas", 5, mode=mode)
        assert hits, mode
    hit = next(h for h in corpus_kb.search("Mission Planning Canvas", 5) if "Canvas" in h.text)
    assert hit.locator and hit.url and "youtube.com/watch?v=PMeGhXxyupE&t=" in hit.url


def test_query_limits(corpus_kb: KnowledgeBase) -> None:
    with pytest.raises(InputError, match="empty"):
        corpus_kb.search("   ")
    with pytest.raises(InputError, match="limit"):
        corpus_kb.search("x" * 50_000)


def test_cli_contract(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("ingest", str(CORPUS), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert len(report["added"]) == 5 and report["failed"] == []
    r = cli("ingest", str(CORPUS), "--json")
    assert len(json.loads(r.stdout)["unchanged"]) == 5

    r = cli("search", "mission washing", "--json", "--top-k", "3")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["query"] == "mission washing" and len(out["hits"]) == 3
    assert set(out["hits"][0]) >= {"source", "title", "locator", "url", "text", "score"}

    batch = tmp_path / "q.txt"
    batch.write_text("mission washing\n\nApollo moon landing\nsurvey respondents\n")
    r = cli("search", "--file", str(batch), "--json")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["query"] for x in lines] == [
        "mission washing",
        "Apollo moon landing",
        "survey respondents",
    ]

    r = cli("status", "--json")
    st = json.loads(r.stdout)
    assert st["documents"] == 5 and st["chunks"] > 100
    # The generation is a clock stamp; status shows it as the time of the last write.
    assert re.search(r"last write \(20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC\)", st["keyword_index"])

    r = cli("search", "   ")
    assert r.returncode == 2 and "error: the query is empty" in r.stderr
    r = cli("search")
    assert r.returncode == 2 and "give a query or --file" in r.stderr


def test_cli_ingest_reports_failures_with_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    from conftest import DATA

    r = cli("ingest", str(DATA / "page.html"), str(DATA / "corrupt.pdf"), "--json")
    assert r.returncode == 2
    rep = json.loads(r.stdout)
    assert len(rep["added"]) == 1 and rep["failed"][0]["source"].endswith("corrupt.pdf")
    r = cli("ingest", str(DATA / "corrupt.pdf"))
    assert r.returncode == 2 and "corrupt.pdf" in r.stderr and "not a readable PDF" in r.stderr


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom missionrag.cli import main\n"
        "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'chromadb', 'llama_index') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_embedded_store_has_one_owner(tmp_path: Path) -> None:
    """A second process gets a clear error instead of corrupting the embedded store."""
    kb = KnowledgeBase(make_settings(tmp_path / "d"))
    kb.ingest([CORPUS / "invi-mission-driven-change.txt"])
    exe = str(Path(sys.executable).parent / "missionrag")
    from conftest import cli_env

    r = subprocess.run(
        [exe, "search", "missions"],
        env=cli_env(tmp_path / "d"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 3 and "in use by pid" in r.stderr and "MISSIONRAG_CHROMA_URL" in r.stderr


def test_chroma_server_mode(chroma_server: str, tmp_path: Path) -> None:
    """The same code against `chroma run`: ingest, hybrid search, keyword index per client."""
    s1 = make_settings(tmp_path / "worker1", chroma_url=chroma_server, collection="srvtest")
    kb1 = KnowledgeBase(s1)
    rep = kb1.ingest([CORPUS])
    assert len(rep.added) == 5
    hits = kb1.search("who wrote the code for the lunar lander", 5)
    assert any("Margaret Hamilton" in h.text for h in hits)
    assert kb1.status().store == f"server:{chroma_server}"
    # A second client (another worker or machine, own data dir) sees the same store and
    # builds its own keyword index from it; then sees the first one's delete.
    kb2 = KnowledgeBase(
        make_settings(tmp_path / "worker2", chroma_url=chroma_server, collection="srvtest")
    )
    assert kb2.status().chunks == kb1.status().chunks
    assert kb2.search("Margaret Hamilton lunar lander", 3, mode="keyword")
    survey = next(d for d in kb1.documents() if "survey" in d.source)
    kb1.delete_document(survey.doc_id)
    assert all(
        "survey" not in h.source
        for h in kb2.search("missions needs assessment survey", 10, mode="keyword")
    )
    assert len(kb2.documents()) == 4


def test_two_writers_on_one_server_never_share_a_generation(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers ingest at once: the second read the generation before the first wrote its
    bump. A third worker whose keyword index was rebuilt between the two must still see the
    second one's document (with a plain counter both would write the same number)."""
    from missionrag.index.store import ChunkStore

    def kb(name: str) -> KnowledgeBase:
        s = make_settings(tmp_path / name, chroma_url=chroma_server, collection="racetest")
        return KnowledgeBase(s)

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Alpha\n\nThe alpha mission cuts heat deaths by half.\n")
    (docs / "b.md").write_text("# Beta\n\nThe zeppelin mission greens every rooftop.\n")
    a, b, c = kb("a"), kb("b"), kb("c")
    a.ingest([docs / "a.md"])
    seen_by_b = b.store.generation()  # b reads the state before a's next write lands
    (docs / "a.md").write_text("# Alpha\n\nThe alpha mission cuts heat deaths by 60%.\n")
    a.ingest([docs / "a.md"])
    assert c.search("alpha heat deaths", 3, mode="keyword")  # c's index: after a's write
    monkeypatch.setattr(ChunkStore, "generation", lambda self: seen_by_b)
    b.ingest([docs / "b.md"])
    monkeypatch.undo()
    hits = c.search("zeppelin rooftop", 3, mode="keyword")
    assert hits and hits[0].source.endswith("b.md"), "c rebuilt its index for b's write"
