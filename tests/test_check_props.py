"""Property tests: any Unicode text, no crash, spans inside the statement, scores in [0, 1]."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionrag.check import check_statement
from missionrag.check.docs import find_mission_candidates
from missionrag.check.render import render_check
from missionrag.errors import InputError
from missionrag.models import Document, Mark

# Fragments that reach deep into the rules (years, markers, numbers, lexicon words), mixed with
# arbitrary Unicode so offsets are exercised across combining marks, emoji and RTL text.
FRAGMENTS = [
    "by 2030",
    "bis 2030",
    "senast 2045",
    "até 2033",
    "inden 2030",
    "uiterlijk 2030",
    "vuoteen 2035 mennessä",
    "compared with 1990 levels",
    "since 2015",
    "Vision 2030",
    "by 2020",
    "by 2099",
    "within ten years",
    "50%",
    "10,000 people",
    "USD 2/kg",
    "halve",
    "zero",
    "net zero",
    "every school",
    "no child",
    "strengthen",
    "significantly",
    "continue the existing",
    "12 innovation labs",
    "stakeholders",
    "synergies",
    "with universities and businesses",
    "Mission 1:",
    "5-year-olds",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    ":",
    "\n",
    " ",
    "ı",
    "İ",
    "ß",
    "ﬁ",
    "e\u0301",
    "👩‍👩‍👧",
    "\u202e",
    "٣٠",
    "２０３０",
]
statements = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25).map(
    " ".join
)
TODAY = dt.date(2026, 11, 23)


def _check_invariants(text: str) -> None:
    try:
        result = check_statement(text, today=TODAY)
    except InputError:
        assert not text.strip()
        return
    n = len(text)
    assert result.statement == text
    for f in result.findings:
        assert 0 <= f.start < f.end <= n, (f, n)
    for c in result.criteria.values():
        assert 0.0 <= c.score <= 1.0
        assert all(e in text for e in c.evidence)
    assert 0.0 <= result.mission_washing.risk <= 1.0
    assert 0.0 <= result.overall <= 1.0
    assert all(0.0 <= m.similarity <= 1.0 for m in result.similar_missions)
    assert render_check(result)
    assert render_check(result, color=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_unicode_never_breaks_the_checker(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements)
def test_mission_like_text_keeps_every_invariant(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(statements, min_size=1, max_size=6).map("\n".join),
    st.integers(min_value=0, max_value=50),
)
def test_document_candidates_are_verbatim(text: str, page_at: int) -> None:
    marks = [
        Mark(start=0, locator="page 1", page=1),
        Mark(start=min(page_at, len(text)), locator="page 2", page=2),
    ]
    doc = Document(doc_id="d", source="d.md", title="d", text=text, kind="markdown", marks=marks)
    for statement, locator in find_mission_candidates(doc, today=TODAY):
        assert statement and statement in text
        assert locator in ("page 1", "page 2")
