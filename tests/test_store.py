"""Incremental, idempotent, crash-safe ingestion into a real Chroma store."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, cli_env, make_settings

from missionrag.config import Settings
from missionrag.ingest.run import stored_name
from missionrag.kb import KnowledgeBase


def _snapshot(kb: KnowledgeBase) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(all chunk ids in Chroma, keyword index ids, (source, hash) per document)."""
    raw = kb.store.chunks.get(include=[])["ids"]
    kw = kb.keyword_index()
    docs = sorted((d.source, d.content_hash) for d in kb.documents())
    return sorted(raw), sorted(kw.ids), docs


def test_reingest_unchanged_does_nothing_and_edit_reembeds_one_file(
    settings: Settings, corpus_copy: Path
) -> None:
    kb = KnowledgeBase(settings)
    first = kb.ingest([corpus_copy])
    assert len(first.added) == 5 and not first.failed
    before = _snapshot(kb)
    again = kb.ingest([corpus_copy])
    assert len(again.unchanged) == 5 and again.chunks_embedded == 0
    assert not again.added and not again.updated
    assert _snapshot(kb) == before

    target = corpus_copy / "invi-mission-driven-change.txt"
    target.write_text(
        target.read_text() + "\nA new closing paragraph about evaluation of missions.\n"
    )
    edited = kb.ingest([corpus_copy])
    assert [Path(s).name for s in edited.updated] == [target.name]
    assert len(edited.unchanged) == 4
    invi_chunks = next(d.chunks for d in kb.documents() if d.source.endswith(target.name))
    # Only the edited file is re-embedded, and only its changed chunks.
    assert 0 < edited.chunks_embedded < invi_chunks
    ids, kw_ids, _ = _snapshot(kb)
    assert ids == kw_ids  # keyword index in step, no old chunks left behind
    assert len(ids) == sum(d.chunks for d in kb.documents())
    assert kb.search("new closing paragraph about evaluation", 3)[0].source.endswith(target.name)


def test_prune_removes_vanished_files(settings: Settings, corpus_copy: Path) -> None:
    kb = KnowledgeBase(settings)
    kb.ingest([corpus_copy])
    (corpus_copy / "oecd-ddc-missions-survey-workshop.md").unlink()
    kept = kb.ingest([corpus_copy])
    assert not kept.removed and len(kb.documents()) == 5  # without --prune nothing goes
    pruned = kb.ingest([corpus_copy], prune=True)
    assert [Path(s).name for s in pruned.removed] == ["oecd-ddc-missions-survey-workshop.md"]
    ids, kw_ids, docs = _snapshot(kb)
    assert len(docs) == 4 and ids == kw_ids
    assert all("survey" not in h.source for h in kb.search("missions needs assessment survey", 10))


def test_bad_files_do_not_stop_the_batch_or_touch_stored_data(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "strategy.pdf", folder / "strategy.pdf")
    shutil.copy(DATA / "page.html", folder / "page.html")
    kb = KnowledgeBase(settings)
    assert len(kb.ingest([folder]).added) == 2
    before = _snapshot(kb)
    # The same name now holds a corrupt PDF: it fails and the stored version stays.
    shutil.copy(DATA / "corrupt.pdf", folder / "strategy.pdf")
    for name in ["binary.md", "latin1.txt", "empty.md", "encrypted.pdf", "notes.xyz"]:
        shutil.copy(DATA / name, folder / name)
    shutil.copy(DATA / "mission.docx", folder / "mission.docx")
    report = kb.ingest([folder])
    failed = {Path(f.source).name: f.reason for f in report.failed}
    assert set(failed) == {"strategy.pdf", "binary.md", "latin1.txt", "empty.md", "encrypted.pdf"}
    assert [Path(s.source).name for s in report.skipped] == ["notes.xyz"]
    assert [Path(s).name for s in report.added] == ["mission.docx"]
    ids, kw_ids, docs = _snapshot(kb)
    assert set(before[0]) < set(ids) and ids == kw_ids
    assert dict(before[2]).items() <= dict(docs).items()  # the old strategy.pdf is untouched


def test_half_written_document_is_invisible_and_swept(
    settings: Settings, corpus_copy: Path
) -> None:
    """A crash between writing new chunks and committing leaves nothing a reader can see."""
    from missionrag.ingest import chunk_document, load_file

    kb = KnowledgeBase(settings)
    kb.ingest([corpus_copy])
    clean = _snapshot(kb)
    target = corpus_copy / "invi-mission-driven-change.txt"
    target.write_text(target.read_text().replace("Apollo 11", "Apollo Eleven"))
    doc = load_file(target, settings)
    chunks = chunk_document(doc, settings)
    kb.store.begin()
    kb.store.write_chunks(chunks, kb.embedder.embed([c.text for c in chunks]), doc.content_hash)
    # ... and the process "dies" here: no commit, dirty flag left raised.
    assert all("Apollo Eleven" not in h.text for h in kb.search("Apollo Eleven moon mission", 10))
    assert kb.store.state()["dirty"] is True
    report = kb.ingest([corpus_copy])
    assert [Path(s).name for s in report.updated] == [target.name]
    ids, kw_ids, docs = _snapshot(kb)
    assert ids == kw_ids and len(ids) == len(set(ids)) == sum(d.chunks for d in kb.documents())
    assert docs != clean[2]


def _generated_corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    base = (CORPUS / "invi-mission-driven-change.txt").read_text()
    for i in range(n):
        (folder / f"doc{i:03d}.md").write_text(
            f"# Document {i}\n\nMission number {i} of the test set.\n\n" + base
        )


def test_kill_9_midway_then_rerun_matches_uninterrupted_run(tmp_path: Path) -> None:
    corpus = tmp_path / "gen"
    _generated_corpus(corpus, 24)
    exe = str(Path(sys.executable).parent / "missionrag")

    reference = tmp_path / "ref"
    subprocess.run(
        [exe, "ingest", str(corpus), "--json"],
        env=cli_env(reference),
        check=True,
        capture_output=True,
        timeout=600,
    )

    killed = tmp_path / "killed"
    # Small windows: many commit points, so the kill lands between committed documents.
    window = {"MISSIONRAG_INGEST_WINDOW": "64"}
    proc = subprocess.Popen(
        [exe, "ingest", str(corpus), "--json"],
        env=cli_env(killed, **window),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Wait until about half the documents are in (judged by the store's size against the
    # reference run's), then kill without warning.
    sqlite = killed / "chroma" / "chroma.sqlite3"
    full = (reference / "chroma" / "chroma.sqlite3").stat().st_size
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if sqlite.exists() and sqlite.stat().st_size > 0.6 * full:
            break
        time.sleep(0.02)
    was_running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = subprocess.run(
        [exe, "ingest", str(corpus), "--json"],
        env=cli_env(killed, **window),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    if was_running:
        # It really was interrupted midway: some documents were committed, some were not.
        assert len(report["unchanged"]) < 24

    def snap(data_dir: Path) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        return _snapshot(KnowledgeBase(make_settings(data_dir)))

    ref_snap, killed_snap = snap(reference), snap(killed)
    assert killed_snap == ref_snap
    assert len(killed_snap[0]) == len(set(killed_snap[0]))


def test_a_delete_that_fails_midway_is_swept_by_the_next_ingest(
    settings: Settings, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = KnowledgeBase(settings)
    kb.ingest([corpus_copy])
    survey = next(d for d in kb.documents() if "survey" in d.source)
    chunks_api = kb.store.chunks

    class Broken:  # the chunk delete fails after the record delete (the commit) went through
        def __getattr__(self, name: str) -> object:
            return getattr(chunks_api, name)

        def delete(self, **kwargs: object) -> None:
            raise ConnectionError("store went away")

    monkeypatch.setattr(kb.store, "chunks", Broken())
    with pytest.raises(ConnectionError):
        kb.delete_document(survey.doc_id)
    monkeypatch.setattr(kb.store, "chunks", chunks_api)
    assert kb.store.writers.run_id is None, "the failed run does not look alive"
    assert kb.store.state()["dirty"] is True, "left raised: the next ingest sweeps"
    assert len(kb.documents()) == 4
    (corpus_copy / Path(survey.source).name).unlink()
    kb.ingest([corpus_copy])
    ids, kw_ids, _ = _snapshot(kb)
    assert ids == kw_ids and len(ids) == sum(d.chunks for d in kb.documents())
    assert kb.store.state()["dirty"] is False


def test_a_late_delete_from_an_older_writer_keeps_the_newer_version(
    settings: Settings, corpus_copy: Path
) -> None:
    """Two writers replace one document on a shared server: A read version o and wrote a, B
    read o too and committed b last. A's deletion of what it replaced, arriving late, must
    remove o's chunks only, not b's."""
    from missionrag.ingest import chunk_document, load_file

    kb = KnowledgeBase(settings)
    kb.ingest([corpus_copy])
    target = corpus_copy / "invi-mission-driven-change.txt"
    source = stored_name(kb.settings, target)
    original = target.read_text()
    o = kb.store.by_source()[source].content_hash

    def version(old: str, new: str) -> tuple:  # type: ignore[type-arg]
        target.write_text(original.replace(old, new))
        doc = load_file(target, settings, source=source)
        chunks = chunk_document(doc, settings)
        return doc, chunks, kb.embedder.embed([c.text for c in chunks])

    doc_a, chunks_a, vecs_a = version("Apollo 11", "Apollo Eleven")
    kb.store.write_group([(doc_a, chunks_a, vecs_a, o)])
    doc_b, chunks_b, vecs_b = version("Margaret Hamilton", "M. Hamilton")
    kb.store.write_group([(doc_b, chunks_b, vecs_b, o)])
    kb.store.drop_replaced(doc_a, o)  # A's delete, late
    visible = [c for c in kb.store.iter_chunks() if c.doc_id == doc_b.doc_id]
    assert kb.store.by_source()[source].content_hash == doc_b.content_hash
    assert sorted(c.id for c in visible) == sorted(c.id for c in chunks_b)
    # A's own chunks are left behind, invisible; the next ingest counts them and sweeps them.
    assert kb.store.count() > sum(d.chunks for d in kb.documents())
    report = kb.ingest([corpus_copy])
    assert report.unchanged and not report.updated
    assert kb.store.count() == sum(d.chunks for d in kb.documents())
