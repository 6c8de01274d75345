"""The four criteria of docs/rubric.md, decided by the learned heads and explained by rules.

A criterion passes when its head's calibrated probability reaches the head's threshold, and
its score is that probability. Evidence is the drafter's own words behind the rule features
that pushed the decision its way (``EvidenceSpan``: offsets, earned or cost), and advice is
the rubric's wording for the strongest thing that cost points, or for what is missing.
"""

from __future__ import annotations

from missionrag.check.analysis import Analysis
from missionrag.check.features import FAR_YEARS, FEATURES, FeatureSet
from missionrag.check.model import Prediction
from missionrag.models import CriterionResult, EvidenceSpan

ABOUT = {f.name: f.about for f in FEATURES}
MAX_EVIDENCE = 4  # spans shown per criterion: enough to explain, few enough to read
CONFIDENT = 0.8  # at or above this probability a passed criterion needs no advice

# The direction in which docs/rubric.md says each rule feature moves each criterion: +1 earns
# it, -1 costs it. Only these features speak as evidence, and only when the learned weight
# agrees with the rubric (a feature the data happened to reward against the rubric says nothing).
RUBRIC_SIGNS: dict[str, dict[str, int]] = {
    "time_bound": {
        **dict.fromkeys(
            ("t_deadline", "t_deadline_weak", "t_relative", "t_generation", "t_headline_year"), 1
        ),
        **dict.fromkeys(
            (
                "t_past_deadline",
                "t_baseline",
                "t_past_reference",
                "t_start_future",
                "t_duration",
                "t_vague",
                "t_name_future",
                "t_bare_future",
            ),
            -1,
        ),
    },
    "measurable": {
        **dict.fromkeys(
            (
                "m_share",
                "m_quantity",
                "m_multiplier",
                "m_end_state",
                "m_universal",
                "m_ranking",
                "m_parity",
                "m_keep_level",
                "m_output",
            ),
            1,
        ),
        **dict.fromkeys(
            (
                "v_intensifier",
                "v_unsized",
                "v_directional",
                "v_direction_only",
                "v_vague_state",
                "v_leader",
            ),
            -1,
        ),
    },
    "bold": {
        **dict.fromkeys(
            (
                "b_domain",
                "b_ambition",
                "b_scope",
                "b_societal",
                "m_end_state",
                "m_multiplier",
                "m_universal",
            ),
            1,
        ),
        **dict.fromkeys(
            (
                "b_economic",
                "b_cost",
                "b_tech",
                "b_partial",
                "b_internal",
                "b_narrow",
                "c_service",
                "c_infrastructure",
                "m_output",
                "w_output_activity",
                "w_inputs",
                "w_relabel",
                "w_routine",
                "w_org_subject",
                "v_directional",
                "v_direction_only",
                "v_vague_state",
                "v_leader",
                "v_intensifier",
                "v_jargon",
            ),
            -1,
        ),
    },
    "cross_sectoral": {
        **dict.fromkeys(
            (
                "c_public",
                "c_private",
                "c_research",
                "c_civil",
                "c_citizens",
                "c_services",
                "c_together",
                "b_societal",
                "b_domain",
                "b_territory",
            ),
            1,
        ),
        **dict.fromkeys(
            (
                "c_service",
                "c_infrastructure",
                "b_tech",
                "b_internal",
                "w_org_subject",
                "b_partial",
                "b_economic",
                "b_sector_subject",
                "v_direction_only",
                "b_cost",
            ),
            -1,
        ),
    },
}

# Advice keyed by the feature that cost most; {text} is the drafter's words. Rubric wording.
COST_ADVICE: dict[str, dict[str, str]] = {
    "bold": {
        "v_directional": "'{text}' gives a direction, not an end state. Name the change a resident would notice ('No child ... by [year]').",
        "v_direction_only": "'{text}' gives a direction, not an end state. Name the change a resident would notice ('No child ... by [year]').",
        "v_vague_state": "'{text}' is too broad to act on (not 'all children should be well'): name the concrete change.",
        "v_leader": "'{text}' is a position, not a change in people's lives: say what would be different for them.",
        "b_economic": "'{text}' is an economic-structure indicator; tie the goal to something people feel: lives, health, homes, climate.",
        "b_cost": "A technology cost target on its own is not a change people notice; say what it makes possible for them.",
        "b_tech": "One technology is a means; aim at the outcome it serves for society.",
        "c_infrastructure": "A roll-out of '{text}' is a means; aim at the outcome it serves for people.",
        "b_partial": "'{text}' limits the goal to one sector or product; bold missions change the whole of society or the economy.",
        "b_internal": "'{text}' keeps the goal inside one organisation; aim at a change in society.",
        "b_narrow": "'{text}' is a process measure, too narrow to inspire (not 'two baths a week'): aim at the outcome it serves.",
        "c_service": "'{text}' is one service's standard; aim at the outcome for people that it serves.",
        "w_relabel": "Continuing what exists ('{text}') is not a new ambition: what will be different because of this mission?",
        "w_routine": "'{text}' describes business as usual: what will be different because of this mission?",
        "w_org_subject": "The subject is an organisation ('{text}'), not society: state the change people will see.",
        "m_output": "'{text}' counts outputs or inputs; lead with the outcome people will notice.",
        "w_output_activity": "'{text}' is an activity; lead with the outcome people will notice.",
    },
    "measurable": {
        "v_intensifier": "'{text}' has no size: replace it with a number, a threshold or an end state ('halve', 'zero', 'every').",
        "v_unsized": "'{text}' needs a size: 'by [x%]', 'halve', 'to under [n]'.",
        "v_direction_only": "'{text}' gives a direction, not a target: say how much ('by [x%]', 'halve', 'zero', 'every ...').",
        "v_directional": "'{text}' gives a direction, not a target: say how much ('by [x%]', 'halve', 'zero', 'every ...').",
        "v_leader": "'{text}' has no ranking or metric: name the index or peer group ('top 3 of the EU on [index]').",
        "v_vague_state": "'{text}' is an undefined end state: define it so two people would agree it was met.",
    },
    "time_bound": {
        "t_past_deadline": "'{text}' has already passed: set a new deadline ahead ('by [year]').",
        "t_baseline": "'{text}' is a baseline (the year you measure from), not a deadline: add '... by [year]'.",
        "t_past_reference": "'{text}' refers to the past or to a document, not a deadline: add '... by [year]'.",
        "t_start_future": "'{text}' is a start date; say when the outcome must be reached ('by [year]').",
        "t_duration": "'{text}' is how long a programme runs, not when the outcome is due: add '... by [year]'.",
        "t_vague": "'{text}' is not a deadline: name a year ('by [year]') or a countable period ('within ten years').",
        "t_name_future": "'{text}' is part of a name; say when the outcome is due ('... by [year]').",
    },
    "cross_sectoral": {
        "c_service": "'{text}' is one public service's standard; aim at an outcome that needs [who: public, private, research, civil society] to move together.",
        "c_infrastructure": "'{text}' is one roll-out that one organisation can do alone; aim at the outcome that needs several sectors to change.",
        "b_tech": "One technology fix ('{text}') is not cross-sectoral; aim at the societal outcome it serves.",
        "b_internal": "'{text}' sits inside one organisation; aim at an outcome that needs [who: public, private, research, civil society].",
        "w_org_subject": "'{text}': one organisation's programme; name the outcome and the sectors and actors that must change.",
        "b_partial": "'{text}' is one sector; name who else must change for it to happen.",
        "b_economic": "'{text}' is an economic indicator one sector moves; aim at an outcome that needs several sectors.",
        "v_direction_only": "A topic with a verb ('{text}') is not an outcome; state the end result and who must move together.",
        "f_topic": "A topic word is not an outcome; state the end result and who must move together.",
    },
}
MISSING_ADVICE = {
    "bold": "Rubric test: would a resident notice, and care, if this were achieved, and is it more than the current trend? Aim at a large change in lives, health, homes or nature.",
    "measurable": "Add a target you can check: a number ('[x%]', '[n] people'), a threshold, a ranking on a named index, or a binary end state ('zero ...', 'no child ...', 'every ...').",
    "time_bound": "Add a deadline still ahead: '... by [year]', or a countable period ('within ten years', 'within this parliamentary term').",
    "cross_sectoral": "Name at least two sectors or kinds of actor that must change for it to happen, or an outcome that evidently needs them: [who: public, private, research, civil society].",
}


def _evidence(criterion: str, fs: FeatureSet, pred: Prediction) -> list[EvidenceSpan]:
    """Spans of the features that pushed the decision its way, strongest first."""
    sign = 1 if pred.passed else -1
    signs = RUBRIC_SIGNS[criterion]
    ranked = sorted(
        (
            (sign * c, name)
            for name, c in pred.contributions.items()
            if signs.get(name) == sign and sign * c > 0 and fs.spans.get(name)
        ),
        reverse=True,
    )
    names = [name for _, name in ranked]
    if pred.guard is not None and not pred.passed:
        names = [pred.guard] + [n for n in names if n != pred.guard]
    out: list[EvidenceSpan] = []
    for name in names:
        for s in fs.spans.get(name, []):
            if any(s.start < e.end and e.start < s.end for e in out):
                continue  # one explanation per stretch of words
            out.append(
                EvidenceSpan(
                    start=s.start,
                    end=s.end,
                    text=s.text,
                    effect="earned" if pred.passed else "cost",
                    feature=name,
                    about=ABOUT.get(name, ""),
                )
            )
            break
        if len(out) >= MAX_EVIDENCE:
            break
    return out


def _advice(
    criterion: str, a: Analysis, fs: FeatureSet, pred: Prediction, spans: list[EvidenceSpan]
) -> str:
    if criterion == "time_bound" and pred.passed:
        far = fs.spans.get("t_far") or []
        if far:
            return (
                f"'{far[0].text}' is more than {FAR_YEARS} years away: keep it, and add an interim "
                f"milestone within ten years ('... and [x%] by {a.today.year + 10}')."
            )
    if pred.passed and pred.probability >= CONFIDENT:
        return ""
    table = COST_ADVICE[criterion]
    if pred.guard is not None and pred.guard in table:
        found = fs.spans.get(pred.guard) or []
        return table[pred.guard].format(text=found[0].text if found else "")
    costs = sorted(
        (c, name)
        for name, c in pred.contributions.items()
        if c < 0 and fs.spans.get(name) and name in table
    )
    if costs:
        name = costs[0][1]
        return table[name].format(text=fs.spans[name][0].text)
    if pred.passed:
        return "Borderline: " + MISSING_ADVICE[criterion][0].lower() + MISSING_ADVICE[criterion][1:]
    return MISSING_ADVICE[criterion]


def judge(a: Analysis, fs: FeatureSet, preds: dict[str, Prediction]) -> dict[str, CriterionResult]:
    """bold, measurable, time_bound, cross_sectoral as ``CriterionResult``s."""
    out = {}
    for name in ("bold", "measurable", "time_bound", "cross_sectoral"):
        pred = preds[name]
        spans = _evidence(name, fs, pred)
        out[name] = CriterionResult(
            score=round(min(1.0, max(0.0, pred.probability)), 3),
            passed=pred.passed,
            evidence=[s.text for s in spans],
            advice=_advice(name, a, fs, pred, spans),
            evidence_spans=spans,
            probability=pred.probability,
        )
    return out
