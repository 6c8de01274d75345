"""Findings: character spans into the statement, one per problem, like proselint's JSON.

Every span satisfies ``0 <= start < end <= len(statement)``; a problem with no words of its own
(a missing deadline) points at the end of the main clause, where the fix would go.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from missionrag.check.analysis import WORD_RE, Analysis
from missionrag.check.features import FAR_YEARS
from missionrag.models import Finding

# A sentence longer than this will not be remembered; a finding only, no score depends on it.
LONG_WORDS = 40


def _anchor_end(a: Analysis, before: int | None = None) -> tuple[int, int]:
    """Span of the last word of the first sentence (or before ``before``): where a fix goes."""
    first = a.sentences[0] if a.sentences else None
    offset = first.start if first else 0
    stop = first.end if first else len(a.text)
    if before is not None and offset < before < stop:
        stop = before
    region = a.text[offset:stop]
    words = list(WORD_RE.finditer(region))
    if not words:
        return 0, len(a.text)
    w = words[-1]
    return offset + w.start(), offset + w.end()


# Span lists of the analysis that each give one warning per span:
# (attribute, rule, message with {text}, suggestion).
SPAN_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "intensifiers",
        "intensifier",
        "'{text}' has no size.",
        "Replace with a number: '[x%]', 'halve', 'zero'.",
    ),
    (
        "output_targets",
        "output-count",
        "'{text}' counts an output or input, not an outcome.",
        "Count the change in people's lives or the environment instead.",
    ),
    (
        "output_activity",
        "output-count",
        "'{text}' is an activity or input, not an outcome.",
        "Keep it for the action plan; the mission is what it achieves.",
    ),
    (
        "inputs",
        "output-count",
        "'{text}' is an activity or input, not an outcome.",
        "Keep it for the action plan; the mission is what it achieves.",
    ),
    (
        "jargon",
        "jargon",
        "'{text}' is bureaucratic jargon.",
        "Use plain words a resident would use.",
    ),
    (
        "relabel",
        "relabel-word",
        "'{text}' suggests an existing policy under a new name.",
        "State what will be new and different.",
    ),
    (
        "existing_target",
        "existing-target",
        "'{text}' ties the mission to a target or plan that already exists.",
        "Say what this mission adds beyond the existing commitment.",
    ),
)


def _finding(
    start: int, end: int, rule: str, severity: str, message: str, suggestion: str | None
) -> Finding:
    sev = cast(Literal["error", "warning", "info"], severity)  # the rule table's own values
    return Finding(
        start=start, end=end, rule=rule, severity=sev, message=message, suggestion=suggestion
    )


def _time_finding(t: Any, a: Analysis) -> tuple[str, str, str, str | None] | None:
    """(rule, severity, message, suggestion) for a year or time phrase that is not a good deadline."""
    if t.kind == "baseline":
        fix = None if a.deadlines else "Add when the target must be met: '... by [year]'."
        return "baseline-year", "info", f"'{t.text}' is a baseline, not a deadline.", fix
    if t.kind == "past_deadline":
        msg = f"The deadline {t.year} is already past (today is {a.today.isoformat()})."
        return "past-deadline", "error", msg, "Set a new deadline ahead: 'by [year]'."
    if t.kind == "name":
        return "name-year", "info", f"'{t.text}' is part of a name, not a deadline.", None
    if t.kind in ("past_reference", "start", "duration"):
        rule = "past-reference" if t.kind == "past_reference" else "not-a-deadline"
        return rule, "info", f"'{t.text}' is not a deadline for the outcome.", None
    if t.kind == "vague":
        return (
            "vague-deadline",
            "warning",
            f"'{t.text}' is not a deadline.",
            "Name a year: 'by [year]'.",
        )
    if t.kind == "bare":
        msg = f"'{t.text}' may be meant as a deadline but does not say so."
        return "unclear-year", "warning", msg, f"Write 'by {t.year}'."
    if t.kind == "deadline" and t.year is not None and t.year - a.today.year > FAR_YEARS:
        msg = f"{t.year} is more than {FAR_YEARS} years away; few people who set it will see it through."
        return (
            "far-deadline",
            "warning",
            msg,
            f"Add an interim milestone: '... and [x%] by {a.today.year + 10}'.",
        )
    return None


def build_findings(a: Analysis, criteria: dict) -> list[Finding]:
    out: list[Finding] = []
    severity = "warning" if not a.has_outcome_target else "info"
    for s in a.directional:
        msg = f"'{s.text}' sets a direction, not a destination."
        fix = "Say how much and by when: 'cut ... by [x%] by [year]', 'halve', 'end'."
        out.append(_finding(s.start, s.end, "vague-verb", severity, msg, fix))
    for attr, rule, message, fix in SPAN_RULES:
        for s in getattr(a, attr):
            out.append(_finding(s.start, s.end, rule, "warning", message.format(text=s.text), fix))
    for t in a.times:
        found = _time_finding(t, a)
        if found:
            out.append(_finding(t.start, t.end, *found))
    if not criteria["time_bound"].passed and not any(t.kind == "past_deadline" for t in a.times):
        ds, de = _anchor_end(a)
        out.append(
            _finding(
                ds,
                de,
                "missing-deadline",
                "warning",
                "No deadline for the outcome.",
                "Add '... by [year]'.",
            )
        )
    if not criteria["measurable"].passed and not a.intensifiers and not a.directional:
        if a.unsized:  # "reduce" with no size: point at the verb that needs one
            ms, me = a.unsized[0].start, a.unsized[0].end
        else:
            first_time = next((t.start for t in a.times if t.start > 0), None)
            ms, me = _anchor_end(a, before=first_time)
        fix = "Add '[x%]', 'halve', 'zero ...' or 'every ...'."
        out.append(_finding(ms, me, "missing-target", "warning", "No target you can check.", fix))
    for sent in a.sentences:
        n = len(WORD_RE.findall(sent.text))
        start = sent.start + (len(sent.text) - len(sent.text.lstrip()))
        end = sent.start + len(sent.text.rstrip())
        if n > LONG_WORDS and end > start:
            msg = f"{n} words in one sentence (aim for under 25)."
            fix = "Keep the outcome, the size and the deadline; move the rest to the plan."
            out.append(_finding(start, end, "long-sentence", "warning", msg, fix))
    n = len(a.text)
    clean = [f for f in out if 0 <= f.start < f.end <= n]
    return sorted(clean, key=lambda f: (f.start, f.end, f.rule))
