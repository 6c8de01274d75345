"""The scale-out path end to end: a real `chroma run`, the CLI and two API worker processes.

Each worker has its own data dir (its own keyword index copy); the store is the server's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from apiserver import PAGE, ApiServer
from conftest import CORPUS, run_cli

ZEPPELIN = (
    b"# Zeppelin mission\n\n"
    b"The Zeppelin mission aims to green every flat rooftop in Aarhus by 2031. "
    b"It brings together housing, energy and water utilities.\n"
)


def _ask(url: str, question: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.post(
        url + "/ask", json={"question": question}, timeout=60
    ).json()
    return answer


def _search(url: str, query: str, k: int) -> list[dict[str, Any]]:
    body = httpx.post(url + "/search", json={"query": query, "top_k": k}, timeout=60).json()
    hits: list[dict[str, Any]] = body["hits"]
    return hits


def test_two_api_workers_share_one_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    env = {"MISSIONRAG_CHROMA_URL": chroma_server, "MISSIONRAG_COLLECTION": "workers"}
    # An operator ingests the corpus into the server from the command line.
    done = run_cli(["ingest", str(CORPUS), "--json"], tmp_path / "cli", **env)
    assert done.returncode == 0, done.stderr[-2000:]

    with ApiServer(tmp_path / "w1", **env) as w1, ApiServer(tmp_path / "w2", **env) as w2:
        for w in (w1, w2):
            health = httpx.get(w.url + "/health", timeout=30).json()
            assert health["documents"] == 5 and health["chunks"] > 100
        r = _ask(w2.url, "Who wrote the code for the lunar lander?")
        assert not r["abstained"] and "Hamilton" in r["answer"]

        # A document uploaded through one worker is found and cited by the other: its keyword
        # copy notices the store's new generation and is rebuilt from the server.
        up = httpx.post(
            w1.url + "/documents",
            files={"file": ("zeppelin.md", ZEPPELIN)},
            headers=PAGE,
            timeout=60,
        )
        assert up.status_code in (200, 201), up.text
        hits = _search(w2.url, "zeppelin rooftops Aarhus", 3)
        assert hits and "zeppelin" in hits[0]["source"]
        r = _ask(w2.url, "What does the Zeppelin mission aim to do?")
        assert not r["abstained"] and "rooftop" in r["answer"]
        assert any("zeppelin" in c["source"] for c in r["citations"])

        # A delete through the second worker is seen by the first.
        doc_id = next(d["doc_id"] for d in up.json()["documents"])
        gone = httpx.delete(w2.url + f"/documents/{doc_id}", headers=PAGE, timeout=60)
        assert gone.status_code in (200, 204), gone.text
        after = _search(w1.url, "zeppelin rooftops Aarhus", 5)
        assert all("zeppelin" not in h["source"] for h in after)
        assert httpx.get(w1.url + "/health", timeout=30).json()["documents"] == 5


def test_concurrent_ingests_on_one_server_keep_both(chroma_server: str, tmp_path: Path) -> None:
    """A second writer starting while the first is mid-run must not sweep the first one's
    chunks as leftovers of a killed run (the first then commits documents with no chunks)."""
    import subprocess
    import sys
    import time

    from conftest import cli_env, make_settings

    from missionrag.kb import KnowledgeBase

    env = {"MISSIONRAG_CHROMA_URL": chroma_server, "MISSIONRAG_COLLECTION": "concurrent"}
    big = tmp_path / "big"
    big.mkdir()
    base = (CORPUS / "invi-mission-driven-change.txt").read_text()
    for i in range(16):
        (big / f"doc{i:02d}.md").write_text(f"# Document {i}\n\nCopy {i}.\n\n{base}")
    slow = subprocess.Popen(
        [str(Path(sys.executable).parent / "missionrag"), "ingest", str(big), "--json"],
        env=cli_env(tmp_path / "first", MISSIONRAG_INGEST_WINDOW="64", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    other = KnowledgeBase(
        make_settings(tmp_path / "second", chroma_url=chroma_server, collection="concurrent")
    )
    # Start the second writer once the first has begun writing chunks.
    deadline = time.time() + 120
    while time.time() < deadline and other.store.count() == 0 and slow.poll() is None:
        time.sleep(0.05)
    assert slow.poll() is None, "the first ingest finished before the second started"
    report = other.ingest([CORPUS / "oecd-ddc-missions-survey-workshop.md"])
    assert len(report.added) == 1
    out, err = slow.communicate(timeout=600)
    assert slow.returncode == 0, err.decode()[-2000:]

    check = KnowledgeBase(
        make_settings(tmp_path / "check", chroma_url=chroma_server, collection="concurrent")
    )
    docs = check.documents()
    assert len(docs) == 17
    visible: dict[str, int] = {}
    for c in check.all_chunks():
        visible[c.doc_id] = visible.get(c.doc_id, 0) + 1
    assert {d.doc_id: d.chunks for d in docs} == visible, "every committed document has its chunks"


def test_recovery_waits_for_a_live_writer_and_sweeps_after_a_dead_one(
    chroma_server: str, tmp_path: Path
) -> None:
    import socket
    import subprocess
    import sys
    import time

    from conftest import make_settings

    from missionrag.ingest import chunk_document, load_file
    from missionrag.kb import KnowledgeBase

    def kb(name: str) -> KnowledgeBase:
        s = make_settings(tmp_path / name, chroma_url=chroma_server, collection="recovery")
        return KnowledgeBase(s)

    me, writer = kb("me"), kb("writer")
    me.ingest([CORPUS / "invi-mission-driven-change.txt"])
    committed = me.store.count()
    doc = load_file(CORPUS / "oecd-ddc-missions-survey-workshop.md", writer.settings)
    chunks = chunk_document(doc, writer.settings)
    writer.store.begin()  # a writer mid-run: chunks written, document not committed yet
    writer.store.write_chunks(chunks, writer.embedder.embed([c.text for c in chunks]), "h1")
    assert me.store.recover() == 0, "a live writer's uncommitted chunks are not strays"
    assert me.store.count() == committed + len(chunks)

    # The writer dies without ending its run: its record stays, naming a process that is gone.
    store = writer.store
    store.writers._stop.set()  # its heartbeat stops with it
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    meta = {"host": socket.gethostname(), "pid": int(gone.stdout), "heartbeat": time.time()}
    store.docs.upsert(ids=[store.writers.run_id], embeddings=[[0.0]], metadatas=[meta])
    assert me.store.recover() == len(chunks)
    assert me.store.count() == committed
    live, dead = me.store.writers.others()
    assert live == [] and dead == [], "the dead run's record is cleared"
