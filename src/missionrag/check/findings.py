"""Findings: character spans into the statement, one per problem, like proselint's JSON.

Every span satisfies ``0 <= start < end <= len(statement)``; a problem with no words of its own
(a missing deadline) points at the end of the main clause, where the fix would go.
"""

from __future__ import annotations

from missionrag.check.analysis import WORD_RE, Analysis
from missionrag.check.criteria import FAR_YEARS, LONG_WORDS
from missionrag.models import Finding


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


def build_findings(a: Analysis, criteria: dict) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    no_target = not a.has_outcome_target
    for s in a.directional:
        add(
            Finding(
                start=s.start,
                end=s.end,
                rule="vague-verb",
                severity="warning" if no_target else "info",
                message=f"'{s.text}' sets a direction, not a destination.",
                suggestion="Say how much and by when: 'cut ... by [x%] by [year]', 'halve', 'end'.",
            )
        )
    for s in a.intensifiers:
        add(
            Finding(
                start=s.start,
                end=s.end,
                rule="intensifier",
                severity="warning",
                message=f"'{s.text}' has no size.",
                suggestion="Replace with a number: '[x%]', 'halve', 'zero'.",
            )
        )
    for t in a.times:
        if t.kind == "baseline":
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="baseline-year",
                    severity="info",
                    message=f"'{t.text}' is a baseline, not a deadline.",
                    suggestion=None
                    if a.deadlines
                    else "Add when the target must be met: '... by [year]'.",
                )
            )
        elif t.kind == "past_deadline":
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="past-deadline",
                    severity="error",
                    message=f"The deadline {t.year} is already past (today is {a.today.isoformat()}).",
                    suggestion="Set a new deadline ahead: 'by [year]'.",
                )
            )
        elif t.kind == "name":
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="name-year",
                    severity="info",
                    message=f"'{t.text}' is part of a name, not a deadline.",
                    suggestion=None,
                )
            )
        elif t.kind in ("past_reference", "start", "duration"):
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="past-reference" if t.kind == "past_reference" else "not-a-deadline",
                    severity="info",
                    message=f"'{t.text}' is not a deadline for the outcome.",
                    suggestion=None,
                )
            )
        elif t.kind == "vague":
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="vague-deadline",
                    severity="warning",
                    message=f"'{t.text}' is not a deadline.",
                    suggestion="Name a year: 'by [year]'.",
                )
            )
        elif t.kind == "bare":
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="unclear-year",
                    severity="warning",
                    message=f"'{t.text}' may be meant as a deadline but does not say so.",
                    suggestion=f"Write 'by {t.year}'.",
                )
            )
        elif t.kind == "deadline" and t.year is not None and t.year - a.today.year > FAR_YEARS:
            add(
                Finding(
                    start=t.start,
                    end=t.end,
                    rule="far-deadline",
                    severity="warning",
                    message=f"{t.year} is more than {FAR_YEARS} years away; few people who set it will see it through.",
                    suggestion=f"Add an interim milestone: '... and [x%] by {a.today.year + 10}'.",
                )
            )
    if not criteria["time_bound"].passed and not any(t.kind == "past_deadline" for t in a.times):
        ds, de = _anchor_end(a)
        add(
            Finding(
                start=ds,
                end=de,
                rule="missing-deadline",
                severity="warning",
                message="No deadline for the outcome.",
                suggestion="Add '... by [year]'.",
            )
        )
    for o in a.output_targets:
        add(
            Finding(
                start=o.start,
                end=o.end,
                rule="output-count",
                severity="warning",
                message=f"'{o.text}' counts an output or input, not an outcome.",
                suggestion="Count the change in people's lives or the environment instead.",
            )
        )
    for s in a.output_activity + a.inputs:
        add(
            Finding(
                start=s.start,
                end=s.end,
                rule="output-count",
                severity="warning",
                message=f"'{s.text}' is an activity or input, not an outcome.",
                suggestion="Keep it for the action plan; the mission is what it achieves.",
            )
        )
    for s in a.jargon:
        add(
            Finding(
                start=s.start,
                end=s.end,
                rule="jargon",
                severity="warning",
                message=f"'{s.text}' is bureaucratic jargon.",
                suggestion="Use plain words a resident would use.",
            )
        )
    for s in a.relabel:
        add(
            Finding(
                start=s.start,
                end=s.end,
                rule="relabel-word",
                severity="warning",
                message=f"'{s.text}' suggests an existing policy under a new name.",
                suggestion="State what will be new and different.",
            )
        )
    for s in a.existing_target:
        add(
            Finding(
                start=s.start,
                end=s.end,
                rule="existing-target",
                severity="warning",
                message=f"'{s.text}' ties the mission to a target or plan that already exists.",
                suggestion="Say what this mission adds beyond the existing commitment.",
            )
        )
    if not criteria["measurable"].passed and not a.intensifiers and not a.directional:
        if a.unsized:  # "reduce" with no size: point at the verb that needs one
            ms, me = a.unsized[0].start, a.unsized[0].end
        else:
            first_time = next((t.start for t in a.times if t.start > 0), None)
            ms, me = _anchor_end(a, before=first_time)
        add(
            Finding(
                start=ms,
                end=me,
                rule="missing-target",
                severity="warning",
                message="No target you can check.",
                suggestion="Add '[x%]', 'halve', 'zero ...' or 'every ...'.",
            )
        )
    for sent in a.sentences:
        n = len(WORD_RE.findall(sent.text))
        if n > LONG_WORDS:
            start = sent.start + (len(sent.text) - len(sent.text.lstrip()))
            end = sent.start + len(sent.text.rstrip())
            if end > start:
                add(
                    Finding(
                        start=start,
                        end=end,
                        rule="long-sentence",
                        severity="warning",
                        message=f"{n} words in one sentence (aim for under 25).",
                        suggestion="Keep the outcome, the size and the deadline; move the rest to the plan.",
                    )
                )
    n = len(a.text)
    clean = [f for f in out if 0 <= f.start < f.end <= n]
    return sorted(clean, key=lambda f: (f.start, f.end, f.rule))
