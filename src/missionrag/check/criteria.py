"""The four criteria, scored from one ``Analysis``: time_bound, measurable, bold, cross_sectoral.

Each returns a ``CriterionResult`` whose evidence is the drafter's exact words (substrings of
the statement) that earned or cost points, and whose advice says what to change. Weights are
round numbers chosen against the definitions in issue #3, then checked on ``evals/missions.jsonl``.
"""

from __future__ import annotations

from missionrag.check.analysis import Analysis, Span
from missionrag.models import CriterionResult

FAR_YEARS = 30  # issue #3: a deadline more than 30 years ahead gets a warning
LONG_WORDS = 40  # issue #3: length over ~40 words costs bold points


def _clamp(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 3)


def _uniq(items: list[str], limit: int = 5) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen[:limit]


def _texts(spans: list[Span]) -> list[str]:
    return [s.text for s in spans]


def time_bound(a: Analysis) -> CriterionResult:
    deadlines = a.deadlines
    years = [t for t in deadlines if t.year is not None]
    nearest = min(years, key=lambda t: t.year or 0) if years else None
    evidence = _uniq([t.text for t in deadlines])
    past = [t for t in a.times if t.kind == "past_deadline"]
    not_deadlines = [
        t for t in a.times if t.kind in ("baseline", "name", "past_reference", "start", "duration")
    ]
    vague = [t for t in a.times if t.kind == "vague"]
    bare = [t for t in a.times if t.kind == "bare"]
    if deadlines:
        strong = [t for t in deadlines if t.kind == "deadline" and t.strength >= 1.0]
        score = 1.0 if strong else max(t.strength for t in deadlines)
        if any(t.kind == "loose" for t in deadlines) and not strong:
            score = 0.6
        advice = ""
        if nearest and nearest.year is not None and nearest.year - a.today.year > FAR_YEARS:
            score = min(score, 0.8)
            advice = (
                f"{nearest.year} is {nearest.year - a.today.year} years away: keep it, and add an interim "
                f"milestone within ten years (e.g. '... and [x%] by {a.today.year + 10}')."
            )
        elif score < 1.0:
            advice = f"'{deadlines[0].text}' is a loose time frame; a year is easier to hold people to ('by [year]')."
        return CriterionResult(score=_clamp(score), passed=True, evidence=evidence, advice=advice)
    if past:
        years_txt = ", ".join(str(t.year) for t in past)
        return CriterionResult(
            score=0.15,
            passed=False,
            evidence=_uniq([t.text for t in past]),
            advice=f"The deadline ({years_txt}) has already passed: set a new year ahead, e.g. 'by [year]', "
            "and say what happened to the old target.",
        )
    if bare:
        return CriterionResult(
            score=0.4,
            passed=False,
            evidence=_uniq([t.text for t in bare]),
            advice=f"'{bare[0].text}' is not clearly a deadline: write 'by {bare[0].year}' if that is when the outcome must be reached.",
        )
    evidence = _uniq([t.text for t in not_deadlines + vague])
    if not_deadlines:
        t = not_deadlines[0]
        what = {
            "baseline": "a baseline (the year you measure from)",
            "name": "part of a name",
            "past_reference": "a past reference",
            "start": "a start date",
            "duration": "how long a programme runs",
        }[t.kind]
        advice = f"'{t.text}' is {what}, not a deadline: add when the outcome must be reached ('... by [year]')."
    elif vague:
        advice = f"'{vague[0].text}' is not a deadline: name a year ('... by [year]')."
    else:
        advice = (
            "Add a deadline for the outcome: '... by [year]' (within 5-15 years keeps it urgent)."
        )
    return CriterionResult(
        score=0.2 if vague else 0.0, passed=False, evidence=evidence, advice=advice
    )


_TARGET_SCORE = {
    "share": 1.0,
    "quantity": 1.0,
    "multiplier": 1.0,
    "end_state": 0.9,
    "ranking": 0.8,
    "parity": 0.8,
    "universal": 0.75,
}


def measurable(a: Analysis) -> CriterionResult:
    outcome = a.outcome_targets
    if outcome:
        score = max(_TARGET_SCORE[t.kind] for t in outcome)
        advice = ""
        if max(t.kind in ("universal", "parity", "ranking") for t in outcome) and score < 0.9:
            advice = "The target is checkable but coarse; a number makes progress visible ('[x%] by [year]')."
        return CriterionResult(
            score=score, passed=True, evidence=_uniq([t.text for t in outcome]), advice=advice
        )
    if a.output_targets:
        return CriterionResult(
            score=0.8,
            passed=True,
            evidence=_uniq([t.text for t in a.output_targets]),
            advice="The number counts outputs or inputs; measure the outcome they should change instead "
            "(e.g. '[x%] fewer ...' or 'every ...').",
        )
    costs = _texts(a.intensifiers) + _texts(a.directional) + _texts(a.unsized)
    if a.intensifiers:
        word = a.intensifiers[0].text
        advice = f"'{word}' has no size: replace it with a number ('by [x%]', 'halve', 'zero ...')."
        score = 0.15
    elif a.directional or a.unsized:
        word = (a.directional or a.unsized)[0].text
        advice = f"'{word}' gives a direction, not a target: say how much ('by [x%]', 'halve', 'zero', 'every ...')."
        score = 0.1
    else:
        advice = "Add a target you can check: a number with a unit ('[x%]', '[n] people'), 'halve'/'double', or an end state ('zero ...', 'every ...')."
        score = 0.0
    return CriterionResult(score=score, passed=False, evidence=_uniq(costs), advice=advice)


def bold(a: Analysis) -> CriterionResult:
    score = 0.4
    earned: list[str] = []
    cost: list[str] = []
    advice: list[str] = []
    strong_targets = [t for t in a.outcome_targets if t.kind != "universal"]
    if a.domains:
        score += 0.2
        earned += _texts(a.domains[:2])
        if strong_targets and not (a.narrow or a.internal):  # a large change people care about
            score += 0.2
            earned += [t.text for t in strong_targets[:2]]
    if a.ambition:
        score += 0.15
        earned += _texts(a.ambition[:1])
    if a.scope or any(t.kind == "universal" for t in a.targets):
        score += 0.1
        earned += _texts(a.scope[:1])
    if a.n_words <= 30 and not a.jargon:
        score += 0.05
    if a.has_outputs:
        score -= 0.35 if a.outputs_only else 0.15
        cost += [t.text for t in a.output_targets] + _texts(a.output_activity) + _texts(a.inputs)
        advice.append(
            "Lead with the outcome people will notice, not the labs, projects, staff or budgets that serve it."
        )
    if a.jargon:
        score -= min(0.3, 0.1 * len(a.jargon))
        cost += _texts(a.jargon)
        advice.append(
            f"Drop the jargon ({', '.join(_uniq(_texts(a.jargon), 3))}); say it as you would to a neighbour."
        )
    if a.n_words > LONG_WORDS:
        score -= 0.3 if a.n_words > 60 else 0.15
        advice.append(
            f"At {a.n_words} words it will not be remembered: one sentence under 25 words."
        )
    if not a.has_outcome_target:
        if a.directional:
            score -= 0.3
            cost += _texts(a.directional[:2])
        elif a.unsized:
            score -= 0.25
            cost += _texts(a.unsized[:2])
        ambitious = {s.text.lower() for s in a.ambition}
        empty = [s for s in a.intensifiers if s.text.lower() not in ambitious]
        if empty:  # a word cannot both earn ambition and cost it
            score -= 0.15
            cost += _texts(empty[:2])
        if a.vague_state:
            score -= 0.2
            cost += _texts(a.vague_state[:1])
            advice.append(
                "Too broad to act on (INVI: not 'all children should be well'): name the concrete change."
            )
        if a.is_topic:
            score -= 0.25
            advice.append(
                "This names a topic; state the end result you want ('By [year], [who] [what changes]')."
            )
    if a.relabel or a.existing_target:
        score -= 0.25 + (0.2 if a.existing_target else 0.0)
        cost += _texts(a.relabel[:2]) + _texts(a.existing_target[:1])
        advice.append(
            "Continuing what exists is not a new ambition: what will be different because of this mission?"
        )
    if a.narrow or a.internal:
        score -= 0.35
        cost += _texts((a.narrow or a.internal)[:2])
        advice.append(
            "Too narrow to inspire (INVI: not 'two baths a week'): aim at the outcome this task serves."
        )
    if a.economic and not a.domains:
        score -= 0.2
        cost += _texts(a.economic[:2])
        advice.append(
            "An economic indicator is not an outcome most people feel; tie it to lives, jobs, health or climate."
        )
    score = _clamp(score)
    passed = score >= 0.5
    if not passed and not advice:
        advice.append(
            "Aim at a large change in an outcome people care about (lives, health, climate, homes), in one plain sentence."
        )
    return CriterionResult(
        score=score,
        passed=passed,
        evidence=_uniq(earned if passed else cost or earned),
        advice="" if passed and score >= 0.8 else " ".join(advice),
    )


def cross_sectoral(a: Analysis) -> CriterionResult:
    cats = a.actor_categories
    evidence = _uniq([s.text for k in cats for s in a.actors[k][:1]] + _texts(a.together[:1]))
    if a.domains:
        score = 0.65
        evidence = _uniq(_texts(a.domains[:2]) + evidence)
    elif a.tech or a.sector:
        score = 0.3
        evidence = _uniq(_texts((a.tech or a.sector)[:2]) + evidence)
    else:
        score = 0.2
    if len(cats) >= 2 or a.together:
        score = max(score, 0.9 if len(cats) < 3 else 1.0)
    elif len(cats) == 1:
        score += 0.1
    capped_by: list[Span] = []
    if a.internal or a.narrow:
        capped_by = a.internal or a.narrow
        score = min(score, 0.25)
    elif a.sector and len(cats) < 2 and not a.together:
        capped_by = a.sector
        score = min(score, 0.4)
    elif a.outputs_only and not a.domains:
        capped_by = a.output_activity or [Span(t.start, t.end, t.text) for t in a.output_targets]
        score = min(score, 0.4)
    passed = score >= 0.5
    if passed:
        advice = (
            ""
            if len(cats) >= 2
            else "Say who must move besides government: [who: public, private, research, civil society]."
        )
    elif capped_by:
        evidence = _uniq(_texts(capped_by[:2]) + evidence)
        advice = (
            f"'{capped_by[0].text}' is something one organisation or sector can do alone; aim at a societal "
            "outcome that needs [who: public, private, research, civil society] to move together."
        )
    else:
        advice = "Name the challenge and who must move together: [who: public, private, research, civil society]."
    return CriterionResult(score=_clamp(score), passed=passed, evidence=evidence, advice=advice)
