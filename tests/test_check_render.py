"""Human output: table, highlighted statement (brackets + footnotes, or ANSI colour), advice."""

from __future__ import annotations

import datetime as dt
import re

from missionrag.check import check_statement
from missionrag.check.render import highlight, render_check
from missionrag.models import Finding

TODAY = dt.date(2026, 11, 23)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WEAK = "Significantly reduce air pollution by 2020 compared with 2015 levels, continuing the existing programme."


def test_plain_output_has_table_brackets_footnotes_and_sections() -> None:
    result = check_statement(WEAK, today=TODAY)
    out = render_check(result)
    assert not ANSI.search(out)
    assert "✗ Time-bound" in out and "Cross-sectoral" in out
    assert f"Mission washing: risk {result.mission_washing.risk:.2f}" in out
    assert "[Significantly]¹" in out and "[by 2020]²" in out
    for i, f in enumerate(result.findings, 1):
        assert f"{i}. {f.rule} ({f.severity})" in out
    for section in ("Advice", "Suggested rewrite", "Similar strong missions"):
        assert section in out


def test_colour_output_marks_spans_by_severity_and_reads_the_same_without_codes() -> None:
    result = check_statement(WEAK, today=TODAY)
    coloured = render_check(result, color=True)
    assert "\x1b[1;31mby 2020\x1b[0m" in coloured  # error: past deadline in bold red
    assert "\x1b[33mSignificantly\x1b[0m" in coloured  # warning in yellow
    plain = ANSI.sub("", coloured)
    assert "Significantly¹ reduce" in plain and "[Significantly]" not in plain


def test_overlapping_spans_share_one_bracket_with_both_numbers() -> None:
    findings = [
        Finding(start=0, end=8, rule="a", message="m"),  # "Continue"
        Finding(start=4, end=17, rule="b", message="m"),  # "inue existing"
        Finding(start=23, end=27, rule="c", severity="info", message="m"),  # "here"
    ]
    assert (
        highlight("Continue existing work here now", findings)
        == "[Continue existing]¹˒² work [here]³ now"
    )


def test_strong_mission_renders_without_rewrite_or_flag() -> None:
    out = render_check(
        check_statement(
            "Halve road deaths by 2030, with cities, carmakers and citizens.", today=TODAY
        )
    )
    assert "not flagged" in out and "Suggested rewrite" not in out
    assert out.count("✓") == 4
