"""The page in a real browser: a question and its follow-up; the collection picker.

Same set-up as ``test_web.py`` (Debian's Chromium, a real server with the corpus and a token).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_web import TOKEN, UPLOAD_MS, browser, page, server, shot_on_failure  # noqa: F401

pytestmark = pytest.mark.browser


def _ask(pg, question: str) -> None:  # type: ignore[no-untyped-def]
    pg.locator("#question").fill(question)
    pg.locator("#question").press("Enter")
    expect(pg.locator("#ask-status")).to_have_attribute("data-kind", "ok", timeout=60_000)


def test_a_follow_up_shows_how_it_was_read(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with shot_on_failure(page, "follow-up"):
        page.locator("#tab-ask").click()
        _ask(page, "What is the OECD Mission Action Lab?")
        expect(page.locator("#conversation-list li")).to_have_count(1)
        assert page.locator("#read-as").count() == 0

        _ask(page, "how can I contact them?")
        read_as = page.locator("#read-as")
        expect(read_as).to_contain_text("Read as: What is the OECD Mission Action Lab?")
        expect(read_as).to_contain_text("a follow-up to “What is the OECD Mission Action Lab?”")
        expect(page.locator("#conversation-list li")).to_have_count(2)
        expect(page.locator("#answer")).to_have_attribute("data-state", "answered")
        expect(page.locator("#citations li").first).to_contain_text("Missions needs assessment")

        # A new conversation: the same words have nothing to lean on.
        page.locator("#conversation-new").click()
        assert page.locator("#conversation").is_hidden()
        _ask(page, "how can I contact them?")
        assert page.locator("#read-as").count() == 0


def test_collection_picker_keeps_collections_apart(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    note = tmp_path / "lighthouse.md"
    note.write_text(
        "# Lighthouse mission\n\nThe Lighthouse mission lights every harbour in Esbjerg by 2032.\n"
    )
    with shot_on_failure(page, "collections"):
        page.locator("#collection").select_option("__new__")
        page.locator("#collection-name").fill("web-team")
        page.locator("#collection-form button[type=submit]").click()
        expect(page.locator("#health")).to_contain_text("New collection “web-team”")
        assert page.evaluate("localStorage.getItem('missionrag-collection')") == "web-team"

        page.locator("#docs-open").click()
        expect(page.locator("#docs-list")).to_contain_text("No documents yet")
        page.locator("#upload-file").set_input_files(str(note))
        page.locator("#upload-form button[type=submit]").click()
        page.locator("#token-input").wait_for(state="visible")
        page.locator("#token-input").fill(TOKEN)
        page.locator("#token-form button[type=submit]").click()
        expect(page.locator("#docs-list li.doc")).to_have_count(1, timeout=UPLOAD_MS)
        page.keyboard.press("Escape")
        expect(page.locator("#health")).to_contain_text("1 documents")
        expect(page.locator("#collection option", has_text="web-team")).to_have_count(1)

        page.locator("#tab-ask").click()
        _ask(page, "When will the Lighthouse mission light the harbours?")
        first = page.locator("#citations li").first
        expect(first).to_contain_text("lights every harbour in Esbjerg by 2032")

        # Back to the default collection: the corpus, without the new file.
        page.locator("#collection").select_option("missionrag")
        expect(page.locator("#health")).to_contain_text("5 documents")
        page.locator("#docs-open").click()
        expect(page.locator("#docs-list li.doc")).to_have_count(5)
