"""Loaders and chunking on the real corpus and small real fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, DATA

from missionrag.config import Settings
from missionrag.errors import FileTooLargeError, InputError, UnsupportedFileError
from missionrag.ingest import chunk_document, discover, load_file

TRANSCRIPT = CORPUS / "oecd-opsi-challenges-implementing-missions.md"


def test_transcript_timestamps_links_and_no_markup(settings: Settings) -> None:
    doc = load_file(TRANSCRIPT, settings)
    assert doc.kind == "transcript"
    assert doc.title == "Challenges in implementing missiondriven approaches"
    # Front matter and anchor markup are read, not indexed.
    assert "videoId" not in doc.text and "yt-timestamp" not in doc.text and "<br" not in doc.text
    assert "[[" not in doc.text and "**" not in doc.text
    # The sentence before an anchor carries that anchor's timestamp and a link to that second.
    i = doc.text.index('risk of "mission washing"')
    mark = doc.mark_at(i)
    assert mark is not None and mark.locator == "00:44:57"
    assert mark.url == "https://www.youtube.com/watch?v=2kY82Y_uE54&t=2697s"
    assert mark.section == "Defining and Sustaining the Mission"
    chunks = chunk_document(doc, settings)
    hit = next(c for c in chunks if 'risk of "mission washing"' in c.text)
    assert hit.url and hit.url.startswith("https://www.youtube.com/watch?v=2kY82Y_uE54&t=")


def test_chunks_are_verbatim_slices_with_locators(settings: Settings) -> None:
    files, skipped = discover([CORPUS])
    assert len(files) == 5 and not skipped  # SOURCES.md is ignored via corpus/.missionragignore
    for f in files:
        doc = load_file(f, settings)
        chunks = chunk_document(doc, settings)
        assert chunks, f
        assert len({c.id for c in chunks}) == len(chunks)
        for c in chunks:
            assert doc.text[c.start : c.start + len(c.text)] == c.text


def test_markdown_headings_become_sections(settings: Settings) -> None:
    doc = load_file(CORPUS / "oecd-ddc-missions-survey-workshop.md", settings)
    sections = {m.section for m in doc.marks}
    assert "Background & purpose" in sections
    assert not re.search(r"^#+ ", doc.text, re.M)


def test_pdf_pages(settings: Settings) -> None:
    doc = load_file(DATA / "strategy.pdf", settings)
    assert doc.kind == "pdf"
    chunks = chunk_document(doc, settings)
    assert [c.locator for c in chunks] == ["page 1", "page 2"]
    assert chunks[1].page == 2 and "farmers" in chunks[1].text


def test_docx_and_html(settings: Settings) -> None:
    d = load_file(DATA / "mission.docx", settings)
    assert d.title == "Healthy ageing mission" and "every older person" in d.text
    assert any(m.section == "Who takes part" for m in d.marks)
    h = load_file(DATA / "page.html", settings)
    assert "zero road deaths by 2030" in h.text
    assert "Contact us" not in h.text and "Home | About" not in h.text  # boilerplate dropped


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("corrupt.pdf", "not a readable PDF"),
        ("encrypted.pdf", "encrypted"),
        ("blank.pdf", "no extractable text"),
        ("binary.md", "binary data"),
        ("latin1.txt", "not UTF-8"),
        ("empty.md", "empty"),
    ],
)
def test_bad_files_one_clear_line(settings: Settings, name: str, reason: str) -> None:
    with pytest.raises(InputError) as err:
        load_file(DATA / name, settings)
    msg = str(err.value)
    assert name in msg and reason in msg and "\n" not in msg


def test_unsupported_and_oversize(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFileError, match=r"\.xyz.*supported: \.txt"):
        load_file(DATA / "notes.xyz", settings)
    big = tmp_path / "big.md"
    big.write_text("word " * 300_000)
    small = settings.model_copy(update={"max_file_mb": 1})
    with pytest.raises(FileTooLargeError, match="over the 1 MB limit"):
        load_file(big, small)
