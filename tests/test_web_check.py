# ruff: noqa: F811  (pytest fixtures imported from test_web are function arguments here)
"""The check tab's new parts in a real browser: the rubric link, an existing mission reported as
such, relabelling side by side with its source, and evidence as earned or cost words."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from playwright.sync_api import expect
from test_web import _wait_scored, browser, page, server, shot_on_failure  # noqa: F401

from missionrag.check import check_statement
from missionrag.check.rubric import RUBRIC_FILE
from missionrag.models import Relabelling

pytestmark = pytest.mark.browser


def test_rubric_is_served_and_linked_and_matches_docs(server) -> None:  # type: ignore[no-untyped-def]
    from conftest import REPO

    assert RUBRIC_FILE.read_text(encoding="utf-8") == (REPO / "docs/rubric.md").read_text(
        encoding="utf-8"
    ), "src/missionrag/data/rubric.md must be a copy of docs/rubric.md"
    r = httpx.get(server.url + "/rubric", timeout=10)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "<h1>Mission statement rubric</h1>" in r.text and "<h2>4. cross_sectoral" in r.text


def test_a_quoted_mission_is_shown_as_existing_with_earned_evidence(page) -> None:  # type: ignore[no-untyped-def]
    with shot_on_failure(page, "check-existing"):
        expect(page.locator("#rubric-link")).to_have_attribute("href", "/rubric")
        page.locator("#statement").fill(
            "Our mission: 100 climate-neutral and smart cities by 2030."
        )
        page.locator("#statement").dispatch_event("input")
        _wait_scored(page)
        box = page.locator("#existing-mission")
        expect(box).to_be_visible()
        assert "This is EU Mission: Climate-Neutral and Smart Cities" in box.inner_text()
        assert (
            page.locator("#existing-mission a")
            .get_attribute("href", timeout=5000)
            .startswith("https://")
        )
        assert page.locator("#relabelling").is_hidden()
        earned = page.locator("#advice .evidence .earned")
        assert "by 2030" in " ".join(earned.all_inner_texts())


def test_relabelling_is_shown_side_by_side_with_its_source(page) -> None:  # type: ignore[no-untyped-def]
    draft = "Nordby mission: cut CO2 emissions in Nordby by 70% by 2030, with citizens."
    result = check_statement(draft, today=dt.date(2026, 11, 23))
    target = "cut CO2 emissions in Nordby by 70% by 2030"
    start = draft.index(target)
    result.relabelling = Relabelling(
        draft_target=target,
        draft_start=start,
        draft_end=start + len(target),
        existing="The municipality will cut CO2 emissions in Nordby by 70% by 2030 compared with 2008.",
        source="policies/nordby-climate-plan.md",
        title="Nordby Municipality Climate Plan 2020-2030",
        locator="section: Adopted targets",
        matched={"quantity": "70", "unit": "%", "deadline": "2030"},
    )
    body = json.dumps(result.model_dump(mode="json"))
    page.route(
        "**/check",
        lambda route: route.fulfill(status=200, content_type="application/json", body=body),
    )
    with shot_on_failure(page, "check-relabelling"):
        page.locator("#statement").fill(draft)
        page.locator("#statement").dispatch_event("input")
        _wait_scored(page)
        box = page.locator("#relabelling")
        expect(box).to_be_visible()
        cells = box.locator(".side-by-side > div")
        assert cells.count() == 2
        assert target in cells.nth(0).inner_text()
        assert "compared with 2008" in cells.nth(1).inner_text()
        assert (
            "Nordby Municipality Climate Plan 2020-2030 · section: Adopted targets"
            in cells.nth(1).inner_text()
        )
        assert "quantity: 70" in box.inner_text()
