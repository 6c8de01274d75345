"""The web page in a real browser (Debian's Chromium, headless) against a real server.

On failure each test saves a screenshot to ``tests/artifacts/``. ``test_layout`` also saves
one per tab at laptop and phone width, to look at.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apiserver import ApiServer, auth, ingested_data_dir
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
# No network here: without these flags Chromium keeps trying to reach Google services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "web-test-token"
# An upload runs a reader process and the model: seconds on a loaded 2-core CI machine, more
# than Playwright's 5 s default. The tests check what the page shows, not how fast.
UPLOAD_MS = 30_000
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    data = ingested_data_dir(tmp_path_factory.mktemp("web"))
    with ApiServer(data, MISSIONRAG_API_TOKEN=TOKEN) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (`make chromium` installs Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: ApiServer, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server.url + "/")
    expect(pg.locator("#health")).to_have_attribute("data-kind", "ok")
    yield pg
    context.close()
    assert errors == [], errors  # no uncaught script errors during the test


@contextlib.contextmanager
def shot_on_failure(page, name: str) -> Iterator[None]:  # type: ignore[no-untyped-def]
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        raise


def _wait_scored(page) -> None:  # type: ignore[no-untyped-def]
    # Locator-based waits: the page's CSP forbids the eval that wait_for_function(str) uses.
    expect(page.locator("#check-status")).to_have_attribute("data-kind", "ok", timeout=30_000)


# --------------------------------------------------------------------------- check


def test_typing_a_statement_shows_scores_and_highlights(page) -> None:  # type: ignore[no-untyped-def]
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.url) if r.url.endswith("/check") else None)
    statement = "We will strive to foster innovation and improve wellbeing through synergies."
    with shot_on_failure(page, "check-typing"):
        chart_before = page.locator("#chart").bounding_box()
        page.locator("#statement").press_sequentially(statement, delay=15)
        _wait_scored(page)

        overall = page.locator("#overall").inner_text()
        assert re.fullmatch(r"\d{1,3}", overall), overall
        values = page.locator("#chart .chart-value").all_text_contents()  # SVG: no innerText
        assert len(values) == 5 and all(re.match(r"\d{1,3}", v) for v in values), values
        # Debounced: one request per pause, not one per keystroke.
        assert 1 <= len(checks) < len(statement) / 4, len(checks)

        marks = page.locator("#statement-view mark.finding")
        assert marks.count() >= 1
        assert page.locator("#statement-view").inner_text() == statement
        messages = page.locator("#findings li").all_inner_texts()
        marks.first.hover()
        tip = page.locator("#tip")
        assert tip.is_visible()
        assert any(line in "\n".join(messages) for line in tip.inner_text().splitlines())
        # Keyboard users get the same note on focus.
        page.mouse.move(0, 0)
        marks.first.focus()
        assert tip.is_visible()
        # Results arriving did not move the chart (space was reserved).
        assert page.locator("#chart").bounding_box() == chart_before


def test_statement_text_is_never_parsed_as_html(page) -> None:  # type: ignore[no-untyped-def]
    statement = 'By 2030 <img src=x onerror="window.__pwned=1"> halve <b>waste</b> in Denmark.'
    with shot_on_failure(page, "check-html"):
        page.locator("#statement").fill(statement)
        page.locator("#statement").dispatch_event("input")
        _wait_scored(page)
        assert page.locator("#statement-view").inner_text() == statement
        assert page.locator("#statement-view img, #statement-view b").count() == 0
        assert page.evaluate("window.__pwned") is None


# --------------------------------------------------------------------------- ask


def test_asking_shows_citations_that_open_their_source(page) -> None:  # type: ignore[no-untyped-def]
    with shot_on_failure(page, "ask"):
        # Keyboard only: focus the active tab, arrow to "Ask", Enter to submit.
        page.locator("#tab-check").focus()
        page.keyboard.press("ArrowRight")
        assert page.locator("#tab-ask").get_attribute("aria-selected") == "true"
        assert page.locator("#panel-ask").is_visible()
        page.locator("#question").fill("What is mission washing?")
        page.locator("#question").press("Enter")
        page.wait_for_selector("#citations li", timeout=30_000)

        assert "[1]" in page.locator("#answer").inner_text()
        first = page.locator("#citations li").first
        quote = first.locator("blockquote").inner_text().strip()
        assert quote
        first.get_by_role("button", name="Show in document").click()
        dialog = page.locator("#source-dialog")
        dialog.wait_for(state="visible")
        page.wait_for_selector("#source-text mark.quote-mark")
        assert page.locator("#source-text mark.quote-mark").inner_text().strip() == quote
        page.keyboard.press("Escape")
        assert not dialog.is_visible()

        # The answer to this question lives in a video summary: its citation opens the video
        # at the passage's timestamp.
        links = page.locator("#citations a.ext")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert any(re.search(r"youtube\.com/watch\?v=[\w-]+&t=\d+s", h) for h in hrefs), hrefs


# --------------------------------------------------------------------------- quiz


def test_quiz_preview_and_gift_download(page, server: ApiServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with shot_on_failure(page, "quiz"):
        page.locator("#tab-quiz").click()
        page.locator("#quiz-n").fill("3")
        page.locator("#quiz-seed").fill("7")
        page.locator("#quiz-build").click()
        page.wait_for_selector("#quiz-list .quiz-item", timeout=60_000)
        items = page.locator("#quiz-list .quiz-item")
        assert items.count() == 3
        answer = items.first.locator(".quiz-answer")
        assert not answer.is_visible()  # hidden until asked for
        toggle = items.first.get_by_role("button", name="Show answer")
        toggle.click()
        assert answer.is_visible()
        assert (
            items.first.get_by_role("button", name="Hide answer").get_attribute("aria-expanded")
            == "true"
        )

        with page.expect_download() as info:
            page.locator("button[data-format=gift]").click()
        download = info.value
        assert download.suggested_filename.endswith(
            ".gift"
        ) or download.suggested_filename.endswith(".txt")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)

    expected = httpx.post(
        server.url + "/quiz", json={"n": 3, "seed": 7, "format": "gift"}, timeout=60
    )
    assert saved.read_bytes() == expected.content  # the file is the quiz on screen, in GIFT
    text = saved.read_text()
    assert text.count("{") >= 3 and "}" in text


# --------------------------------------------------------------------------- documents


def test_documents_panel_asks_for_the_token_then_uploads_and_deletes(
    page, server: ApiServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    upload = tmp_path / "heron.md"
    upload.write_text(
        "# Heron wetlands mission\n\nRestore <script>window.__pwned=1</script> 40 wetlands by 2032.\n"
    )
    with shot_on_failure(page, "documents"):
        page.locator("#docs-open").click()
        page.wait_for_selector("#docs-list li.doc")
        assert page.locator("#docs-list li.doc").count() == 5
        page.locator("#upload-file").set_input_files(str(upload))
        page.locator("#upload-form button[type=submit]").click()
        # The server answers 401: the panel asks for the token and retries with it.
        page.locator("#token-input").wait_for(state="visible")
        page.locator("#token-input").fill(TOKEN)
        page.locator("#token-form button[type=submit]").click()
        expect(page.locator("#docs-list li.doc")).to_have_count(6, timeout=UPLOAD_MS)
        assert page.evaluate("sessionStorage.getItem('missionrag-token')") == TOKEN
        row = page.locator("#docs-list li.doc", has_text="Heron wetlands mission")

        row.get_by_role("button", name="View").click()
        expect(page.locator("#source-text")).to_contain_text("wetlands")
        assert "<script>" in page.locator("#source-text").inner_text()  # shown as text
        assert page.evaluate("window.__pwned") is None
        page.keyboard.press("Escape")

        delete = row.get_by_role("button", name=re.compile("Delete"))
        delete.click()
        assert delete.inner_text() == "Confirm delete"
        delete.click()
        expect(page.locator("#docs-list li.doc")).to_have_count(5)
    docs = httpx.get(server.url + "/documents").json()["documents"]
    assert all("heron" not in d["source"] for d in docs)
    assert httpx.delete(server.url + "/documents/x", headers=auth("nope")).status_code == 401


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_layout(browser, server: ApiServer, viewport: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Every tab fits the width (no sideways scrolling) and is usable by keyboard."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    width = viewport["width"]
    try:
        with shot_on_failure(page, f"layout-{width}"):
            page.goto(server.url + "/")
            expect(page.locator("#health")).to_have_attribute("data-kind", "ok")
            page.locator("#check-example").click()
            _wait_scored(page)
            page.locator("#tab-ask").click()
            page.locator("#question").fill("What are pilot initiatives in a mission?")
            page.locator("#ask-button").click()
            page.wait_for_selector("#citations li", timeout=30_000)
            page.locator("#tab-quiz").click()
            page.locator("#quiz-n").fill("3")
            page.locator("#quiz-build").click()
            page.wait_for_selector("#quiz-list .quiz-item", timeout=60_000)
            for tab in ("check", "ask", "quiz"):
                page.locator(f"#tab-{tab}").click()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{tab} at {width}px scrolls sideways by {overflow}px"
                page.screenshot(path=str(ARTIFACTS / f"tab-{tab}-{width}.png"), full_page=True)
            page.locator("#docs-open").click()
            page.wait_for_selector("#docs-list li.doc")
            page.screenshot(path=str(ARTIFACTS / f"documents-{width}.png"))
            # Focus is visible: the focused tab gets an outline.
            page.keyboard.press("Escape")
            page.locator("#tab-quiz").focus()
            page.keyboard.press("ArrowLeft")
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert page.evaluate("document.activeElement.id") == "tab-ask"
            assert outline != "none"
    finally:
        context.close()
