"""Citations that land where they point, in a real browser against a real server.

* A PDF citation links to the original file at its page (``/documents/<id>/file#page=N``),
  for a scanned PDF uploaded on the page (read by OCR in the server) and a PDF table.
* "Show in document" on a Markdown citation scrolls the text box to the quote and marks it.
* ``GET /documents/{id}/file`` serves only files under the folders the server reads.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apiserver import ApiServer, auth, ingested_data_dir
from conftest import CORPUS, make_settings, run_cli
from pdfmake import SCAN_QUESTION, TABLE_QUESTION, scanned_pdf, table_pdf
from playwright.sync_api import expect
from test_web import LAPTOP, UPLOAD_MS, browser, shot_on_failure  # noqa: F401 - the browser fixture

from missionrag.api.files import original_file

TOKEN = "files-test-token"
PAGE_LINK = re.compile(r"^http://127\.0\.0\.1:\d+/documents/[0-9a-f]{16}/file#page=(\d+)$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    base = tmp_path_factory.mktemp("web-files")
    data = ingested_data_dir(base)
    # A PDF ingested from a folder the server does not serve (the CLI may read anywhere).
    outside = table_pdf(base / "outside.pdf")
    done = run_cli(["ingest", str(outside)], data)
    assert done.returncode == 0, done.stderr
    with ApiServer(data, MISSIONRAG_API_TOKEN=TOKEN) as srv:
        yield srv


@pytest.fixture
def page(browser, server: ApiServer):  # type: ignore[no-untyped-def]  # noqa: F811
    context = browser.new_context(viewport=LAPTOP)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server.url + "/")
    expect(pg.locator("#health")).to_have_attribute("data-kind", "ok")
    yield pg
    context.close()
    assert errors == [], errors


def _ask(page, question: str):  # type: ignore[no-untyped-def]
    page.locator("#tab-ask").click()
    page.locator("#question").fill(question)
    page.locator("#ask-button").click()
    expect(page.locator("#ask-status")).to_have_attribute("data-kind", "ok", timeout=60_000)
    return page.locator("#citations li").first


def test_scanned_pdf_uploaded_on_the_page_cites_and_opens_its_page(
    page, server: ApiServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    scan = scanned_pdf(tmp_path / "harbour-letter.pdf")
    survey = table_pdf(tmp_path / "survey.pdf")
    with shot_on_failure(page, "files-scan"):
        page.evaluate(f"sessionStorage.setItem('missionrag-token', '{TOKEN}')")
        page.locator("#docs-open").click()
        page.locator("#upload-file").set_input_files(str(scan))
        page.locator("#upload-form button[type=submit]").click()
        expect(page.locator("#docs-status")).to_have_attribute("data-kind", "ok", timeout=120_000)
        expect(page.locator("#docs-list li.doc", has_text="harbour-letter.pdf")).to_have_count(
            1, timeout=UPLOAD_MS
        )
        page.keyboard.press("Escape")
        with survey.open("rb") as fh:
            up = httpx.post(
                server.url + "/documents", files={"file": fh}, headers=auth(TOKEN), timeout=120
            )
        assert up.status_code == 201, up.text

        first = _ask(page, SCAN_QUESTION)
        expect(first.locator(".cite-head")).to_contain_text("page 2 (OCR)")
        assert "4,000 trees" in first.locator("blockquote").inner_text()
        link = first.locator("a.ext")
        href = link.get_attribute("href") or ""
        assert (m := PAGE_LINK.match(href)) and m.group(1) == "2", href
        assert link.inner_text() == "Open the PDF at page 2 ↗"
        with page.context.expect_page() as opened:
            link.click()
        assert opened.value.url == href  # the browser went to the file, at the page
        got = page.request.get(href)
        assert got.headers["content-type"] == "application/pdf"
        assert got.body() == scan.read_bytes()

        first = _ask(page, TABLE_QUESTION)
        assert (
            "Collaboration; Share of respondents: 34%" in first.locator("blockquote").inner_text()
        )
        href = first.locator("a.ext").get_attribute("href") or ""
        assert (m := PAGE_LINK.match(href)) and m.group(1) == "2", href
        # "Show in document" on a PDF shows its text with the row marked, and the link.
        first.get_by_role("button", name="Show in document").click()
        expect(page.locator("#source-text mark.quote-mark")).to_contain_text("Collaboration")
        assert page.locator("#source-link").get_attribute("href") == href


def test_show_in_document_lands_on_the_quote(page) -> None:  # type: ignore[no-untyped-def]
    with shot_on_failure(page, "files-land"):
        # Its answer sits deep in a long transcript summary.
        first = _ask(page, "What is mission washing?")
        quote = first.locator("blockquote").inner_text().strip()
        first.get_by_role("button", name="Show in document").click()
        mark = page.locator("#source-text mark.quote-mark")
        expect(mark).to_be_visible()
        assert " ".join(mark.inner_text().split()) == " ".join(quote.split())
        box = page.locator("#source-text")
        assert box.evaluate("b => b.scrollTop") > 0  # scrolled, not left at the top
        inner, outer = mark.bounding_box(), box.bounding_box()
        assert inner and outer
        assert outer["y"] <= inner["y"] and inner["y"] + 20 <= outer["y"] + outer["height"]
        assert page.evaluate("document.activeElement.className") == "quote-mark"


def test_original_files_only_from_served_folders(server: ApiServer, tmp_path: Path) -> None:
    docs = httpx.get(server.url + "/documents").json()["documents"]
    by_name = {Path(d["source"]).name: d for d in docs}
    md = by_name["oecd-opsi-challenges-implementing-missions.md"]
    got = httpx.get(f"{server.url}/documents/{md['doc_id']}/file")
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["content-security-policy"].startswith("sandbox")
    assert got.content == (CORPUS / "oecd-opsi-challenges-implementing-missions.md").read_bytes()
    # Ingested by the CLI from a folder the server does not serve: no file, a clear reason.
    outside = by_name["outside.pdf"]
    got = httpx.get(f"{server.url}/documents/{outside['doc_id']}/file")
    assert got.status_code == 404 and "outside the folders" in got.json()["detail"]
    hits = httpx.post(server.url + "/search", json={"query": "share of respondents"}).json()
    assert [h["url"] for h in hits["hits"] if h["source"].endswith("outside.pdf")] == [None]
    for bad in ("nope", "..%2F..%2Fetc%2Fpasswd", "%2e%2e"):
        assert httpx.get(f"{server.url}/documents/{bad}/file").status_code in (404, 422)


def test_original_file_refuses_links_out_of_the_served_folders(tmp_path: Path) -> None:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    shutil.copy(table_pdf(outside / "secret.pdf"), allowed / "real.pdf")
    (allowed / "link.pdf").symlink_to(outside / "secret.pdf")
    settings = make_settings(tmp_path / "data", allowed_dirs=str(allowed))
    assert original_file(settings, str(allowed / "real.pdf")) == (allowed / "real.pdf").resolve()
    assert original_file(settings, str(allowed / "link.pdf")) is None
    assert original_file(settings, str(allowed / ".." / "outside" / "secret.pdf")) is None
    assert original_file(settings, "uploads/../../outside/secret.pdf") is None
    assert original_file(settings, "https://example.org/x.pdf") is None
