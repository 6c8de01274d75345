"""The ingest pipeline writes the same store whether writes overlap embedding or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, make_settings

import missionrag.ingest.pipeline as pipeline
from missionrag.kb import KnowledgeBase


def _ingest(data: Path, threaded: bool, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    original = pipeline.IngestPipeline.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **{**kwargs, "threaded": threaded})

    monkeypatch.setattr(pipeline.IngestPipeline, "__init__", init)
    kb = KnowledgeBase(make_settings(data))
    report = kb.ingest([CORPUS])
    assert len(report.added) == 5 and report.chunks_embedded == report.chunks_total
    return kb


def test_threaded_and_serial_writes_give_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _ingest(tmp_path / "threaded", True, monkeypatch)
    b = _ingest(tmp_path / "serial", False, monkeypatch)
    ids_a = sorted(a.store.chunks.get(include=[])["ids"])
    assert ids_a == sorted(b.store.chunks.get(include=[])["ids"])
    assert [(d.source, d.content_hash, d.chunks) for d in a.documents()] == [
        (d.source, d.content_hash, d.chunks) for d in b.documents()
    ]
    got = a.store.chunks.get(ids=ids_a[:20], include=["embeddings"])
    ref = b.store.chunks.get(ids=ids_a[:20], include=["embeddings"])
    for x, y in zip(got["embeddings"], ref["embeddings"], strict=True):
        assert max(abs(p - q) for p, q in zip(x, y, strict=True)) < 1e-5
