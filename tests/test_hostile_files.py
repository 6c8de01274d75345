"""The hostile-files set (tests/data/make_fixtures.py: hostile_set) ingested in one batch, and
the data dir's own defences: no link followed, private modes.

Every good file goes in, every bad one is named with its reason, nothing outside the folder
is read (a line that lives only outside it is nowhere in the store), and the batch ends.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from conftest import DATA, make_settings

from missionrag.errors import BackendUnavailableError
from missionrag.kb import KnowledgeBase

sys.path.insert(0, str(DATA))
from make_fixtures import SECRET, hostile_set  # noqa: E402


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("hostile")
    hostile = hostile_set(base / "files")
    kb = KnowledgeBase(make_settings(base / "data", max_file_mb=2))
    report = kb.ingest([hostile.folder])
    return hostile, kb, report


def _name(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def test_every_good_file_is_in(batch) -> None:  # type: ignore[no-untyped-def]
    hostile, kb, report = batch
    added = {_name(s) for s in report.added}
    assert added == set(hostile.good), report
    for doc in kb.documents():
        phrase = hostile.good[_name(doc.source)]
        assert phrase in kb.document_text(doc.source), doc.source


def test_every_bad_file_is_named_with_its_reason(batch) -> None:  # type: ignore[no-untyped-def]
    hostile, _, report = batch
    reported = {_name(f.source): f.reason for f in report.failed + report.skipped}
    assert set(reported) == set(hostile.bad), reported
    for name, phrase in hostile.bad.items():
        assert phrase in reported[name], (name, reported[name])
        assert "\n" not in reported[name] and "\u202e" not in reported[name]


def test_nothing_outside_the_folder_is_read(batch) -> None:  # type: ignore[no-untyped-def]
    hostile, kb, report = batch
    for doc in kb.documents():
        assert str(hostile.outside) not in doc.source
        assert SECRET not in kb.document_text(doc.source)
    assert not any(SECRET in c.text for c in kb.all_chunks())
    for f in report.failed + report.skipped:
        assert str(hostile.outside) not in f.source  # a link is named as itself


def test_control_characters_are_blanked_not_indexed(batch) -> None:  # type: ignore[no-untyped-def]
    _, kb, _ = batch
    text = next(kb.document_text(d.source) for d in kb.documents() if "controls" in d.source)
    assert "\x07" not in text and "\x1b" not in text and "\x0c" not in text


def test_data_dir_is_private(batch) -> None:  # type: ignore[no-untyped-def]
    _, kb, _ = batch
    data = kb.settings.resolved_data_dir()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in [data / "store.lock", data / "state.json", data / "chroma" / "chroma.sqlite3"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (data / "chroma").rglob("*"):
        if not path.is_symlink():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_planted_lock_link_is_refused_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "store.lock").symlink_to(victim)
    kb = KnowledgeBase(make_settings(data))
    with pytest.raises(BackendUnavailableError, match="symbolic link"):
        _ = kb.store
    assert victim.read_text() == "precious\n"


def test_a_planted_state_link_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "state.json").symlink_to(victim)
    kb = KnowledgeBase(make_settings(data))
    kb.ingest([DATA / "page.html"])
    assert victim.read_text() == "precious\n"
    assert not (data / "state.json").is_symlink()
    assert os.stat(data / "state.json").st_mode & 0o077 == 0
