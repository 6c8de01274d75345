"""The scale-out path end to end: a real `chroma run`, the CLI and two API worker processes.

Each worker has its own data dir (its own keyword index copy); the store is the server's.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from apiserver import ApiServer
from conftest import CORPUS, run_cli

ZEPPELIN = (
    b"# Zeppelin mission\n\n"
    b"The Zeppelin mission aims to green every flat rooftop in Aarhus by 2031. "
    b"It brings together housing, energy and water utilities.\n"
)


def test_two_api_workers_share_one_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    env = {"MISSIONRAG_CHROMA_URL": chroma_server, "MISSIONRAG_COLLECTION": "workers"}
    # An operator ingests the corpus into the server from the command line.
    done = run_cli(["ingest", str(CORPUS), "--json"], tmp_path / "cli", **env)
    assert done.returncode == 0, done.stderr[-2000:]

    with ApiServer(tmp_path / "w1", **env) as w1, ApiServer(tmp_path / "w2", **env) as w2:
        for w in (w1, w2):
            health = httpx.get(w.url + "/health", timeout=30).json()
            assert health["documents"] == 5 and health["chunks"] > 100
        r = httpx.post(
            w2.url + "/ask",
            json={"question": "Who wrote the code for the lunar lander?"},
            timeout=60,
        ).json()
        assert not r["abstained"] and "Hamilton" in r["answer"]

        # A document uploaded through one worker is found and cited by the other: its keyword
        # copy notices the store's new generation and is rebuilt from the server.
        up = httpx.post(
            w1.url + "/documents", files={"file": ("zeppelin.md", ZEPPELIN)}, timeout=60
        )
        assert up.status_code in (200, 201), up.text
        hits = httpx.post(
            w2.url + "/search", json={"query": "zeppelin rooftops Aarhus", "top_k": 3}, timeout=60
        ).json()["hits"]
        assert hits and "zeppelin" in hits[0]["source"]
        r = httpx.post(
            w2.url + "/ask",
            json={"question": "What does the Zeppelin mission aim to do?"},
            timeout=60,
        ).json()
        assert not r["abstained"] and "rooftop" in r["answer"]
        assert any("zeppelin" in c["source"] for c in r["citations"])

        # A delete through the second worker is seen by the first.
        doc_id = next(d["doc_id"] for d in up.json()["documents"])
        gone = httpx.delete(w2.url + f"/documents/{doc_id}", timeout=60)
        assert gone.status_code in (200, 204), gone.text
        after = httpx.post(
            w1.url + "/search", json={"query": "zeppelin rooftops Aarhus", "top_k": 5}, timeout=60
        ).json()["hits"]
        assert all("zeppelin" not in h["source"] for h in after)
        assert httpx.get(w1.url + "/health", timeout=30).json()["documents"] == 5
