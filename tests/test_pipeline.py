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


def test_progress_moves_through_a_window_as_it_is_embedded(tmp_path: Path) -> None:
    # 12 copies of a 25-chunk document: one window of ~300 chunks, embedded in two slices.
    corpus = tmp_path / "gen"
    corpus.mkdir()
    base = (CORPUS / "invi-mission-driven-change.txt").read_text()
    for i in range(12):
        (corpus / f"doc{i:02d}.md").write_text(f"# Document {i}\n\nCopy {i}.\n\n{base}")
    calls: list[tuple[float, int]] = []
    kb = KnowledgeBase(make_settings(tmp_path / "data"))
    report = kb.ingest([corpus], progress=lambda done, total, _: calls.append((done, total)))
    assert len(report.added) == 12 and report.chunks_embedded > pipeline.EMBED_SLICE
    positions = [d for d, _ in calls]
    assert all(t == 12 for _, t in calls)
    assert positions == sorted(positions), "progress never goes back"
    assert positions[-1] == 12
    # Between reading the last file and the end, the bar moved part-way, not in one jump.
    assert any(0 < p < 12 and p != int(p) for p in positions), positions


def test_pipeline_embeds_the_chunkers_tokens_to_the_same_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from missionrag.index import embed as embed_mod
    from missionrag.index.onnx_embed import OnnxEmbedder

    rows: list[int] = []
    original = OnnxEmbedder.embed_ids

    def spy(self: OnnxEmbedder, token_ids):  # type: ignore[no-untyped-def]
        rows.append(len(token_ids))
        return original(self, token_ids)

    monkeypatch.setattr(OnnxEmbedder, "embed_ids", spy)
    embed_mod._EMBEDDERS.clear()  # a fresh cache, so every chunk goes to the model
    kb = KnowledgeBase(make_settings(tmp_path / "data"))
    report = kb.ingest([CORPUS])
    assert sum(rows) == report.chunks_embedded > 100, "the pipeline gave the model token ids"
    got = kb.store.chunks.get(limit=40, include=["embeddings", "metadatas"])
    texts = [kb.store.get_chunks([cid])[cid].text for cid in got["ids"]]
    embed_mod._EMBEDDERS.clear()
    ref = KnowledgeBase(make_settings(tmp_path / "data")).embedder.embed(texts)
    for stored, want in zip(got["embeddings"], ref, strict=True):
        assert max(abs(p - q) for p, q in zip(stored, want, strict=True)) < 1e-5
