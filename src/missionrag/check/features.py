"""Rule features of a statement: the numbers the learned model reads, each with its spans.

Every feature is computed from one ``Analysis`` (deadlines, targets, word lists) and keeps the
character spans that set it, so a criterion's evidence can name the drafter's own words that
earned or cost it points. The order of ``FEATURES`` is the order of the weights in
``data/checker_model.json``; the training script (evals/missionrag_evals/train_checker.py)
and the product both build vectors here, so the two cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from missionrag.check.analysis import Analysis, Span
from missionrag.check.temporal import NAME_LEFT

FAR_YEARS = 30  # rubric: a deadline still ahead; beyond a working life it earns a warning
# Rubric 3: "an outcome headline with a year ('Carbon-neutral Helsinki 2030') does count"; a
# headline is short. 8 words: the longest such headline in labels_dev has 5, the shortest
# sentence that merely names a plan year ("Mission 2030: the council will ...") has 15.
HEADLINE_WORDS = 8


def _spans_of(items: list) -> list[Span]:  # type: ignore[type-arg]
    return [Span(i.start, i.end, i.text) for i in items]


def _times(kind: str, future: bool | None = None) -> Callable[[Analysis], list[Span]]:
    def get(a: Analysis) -> list[Span]:
        out = []
        for t in a.times:
            if t.kind != kind:
                continue
            if future is not None and t.year is not None and (t.year >= a.today.year) != future:
                continue
            out.append(Span(t.start, t.end, t.text))
        return out

    return get


def _deadline(strong: bool) -> Callable[[Analysis], list[Span]]:
    def get(a: Analysis) -> list[Span]:
        return [
            Span(t.start, t.end, t.text)
            for t in a.times
            if t.kind == "deadline" and (t.strength >= 1.0) == strong
        ]

    return get


def _far(a: Analysis) -> list[Span]:
    return [
        Span(t.start, t.end, t.text)
        for t in a.deadlines
        if t.year is not None and t.year - a.today.year > FAR_YEARS
    ]


def _headline_year(a: Analysis) -> list[Span]:
    """A future year heading a short outcome ("Carbon-neutral Helsinki 2030"), not a plan's
    name ("Vision 2030", "Mission Healthy Ageing 2030": rubric 3 says those do not count)."""
    if a.n_words > HEADLINE_WORDS:
        return []
    return [
        Span(t.start, t.end, t.text)
        for t in a.times
        if t.kind in ("bare", "name")
        and t.year is not None
        and t.year >= a.today.year
        and not NAME_LEFT.search(a.text[max(0, t.start - 40) : t.start])
        and not any(m.end <= t.start for m in a.mission_words)
    ]


def _targets(kind: str) -> Callable[[Analysis], list[Span]]:
    def get(a: Analysis) -> list[Span]:
        return _spans_of([t for t in a.outcome_targets if t.kind == kind])

    return get


def _mission_label(a: Analysis) -> list[Span]:
    """A statement that opens with mission vocabulary ("Mission Health 2.0: ...")."""
    return [s for s in a.mission_words if s.start <= 2]


def _actors(kind: str) -> Callable[[Analysis], list[Span]]:
    def get(a: Analysis) -> list[Span]:
        return a.actors.get(kind, [])

    return get


def _societal(a: Analysis) -> list[Span]:
    """A territory and an outcome word together ("a net-zero city", "child poverty in Wales")."""
    outcome: list[Span] = list(a.domains) or [
        Span(t.start, t.end, t.text) for t in a.outcome_targets if t.kind == "end_state"
    ]
    return [a.territory[0], outcome[0]] if a.territory and outcome else []


def _direction_only(a: Analysis) -> list[Span]:
    return [] if a.outcome_targets else list(a.directional[:1] or a.unsized[:1])


@dataclass(frozen=True)
class Feature:
    name: str
    about: str
    spans: Callable[[Analysis], list[Span]] | None = None
    value: Callable[[Analysis], float] | None = None
    cap: float = 1.0  # counts are capped: the third vague verb says little the first did not


def _f(name: str, about: str, spans: Callable[[Analysis], list[Span]], cap: float = 1.0) -> Feature:
    return Feature(name, about, spans=spans, cap=cap)


def _attr(name: str) -> Callable[[Analysis], list[Span]]:
    return lambda a: list(getattr(a, name))


FEATURES: tuple[Feature, ...] = (
    # -- time (rubric 3): absolute or relative deadline still ahead of as_of
    _f(
        "t_deadline",
        "a future year behind a deadline marker ('by 2030', 'bis 2030')",
        _deadline(True),
    ),
    _f("t_deadline_weak", "a future year after 'until' or 'through'", _deadline(False)),
    _f(
        "t_relative",
        "a relative deadline ('within ten years', 'this parliamentary term')",
        _times("relative"),
    ),
    _f("t_generation", "'within a generation' and its translations", _times("loose")),
    _f("t_bare_future", "a future year with no marker ('2050 carbon neutrality')", _times("bare")),
    _f(
        "t_name_future",
        "a future year inside a name ('Vision 2030', 'Helsinki 2030')",
        _times("name", True),
    ),
    _f("t_start_future", "a future start date ('from 2030')", _times("start", True)),
    _f("t_past_deadline", "a deadline already past at as_of", _times("past_deadline")),
    _f("t_baseline", "a baseline year ('compared with 1990')", _times("baseline")),
    _f(
        "t_past_reference",
        "a past year that is not a deadline ('since 2015', 'the 2019 plan')",
        lambda a: [
            Span(t.start, t.end, t.text)
            for t in a.times
            if t.kind in ("past_reference", "name") and t.year is not None and t.year < a.today.year
        ],
    ),
    _f(
        "t_duration",
        "a year that ends a running programme ('funded until 2027')",
        _times("duration"),
    ),
    _f("t_vague", "a time phrase that is no deadline ('in the coming years')", _times("vague")),
    _f("t_far", f"a deadline more than {FAR_YEARS} years ahead", _far),
    _f(
        "t_headline_year",
        f"a future year in a headline of at most {HEADLINE_WORDS} words ('Hiilineutraali Helsinki 2030')",
        _headline_year,
    ),
    # -- targets (rubric 2): could two people agree whether it was met?
    _f("m_share", "a percentage or ratio ('50%', '1 in 10')", _targets("share")),
    _f("m_quantity", "a counted quantity ('3 billion trees', 'USD 2/kg')", _targets("quantity")),
    _f("m_multiplier", "halve, double, by a third", _targets("multiplier")),
    _f(
        "m_end_state",
        "a binary end state ('net zero', 'no child', '-free', 'end')",
        _targets("end_state"),
    ),
    _f("m_universal", "every / all as the target ('every village has ...')", _targets("universal")),
    _f("m_ranking", "a ranking on a named peer group ('highest in the G7')", _targets("ranking")),
    _f("m_parity", "parity ('as diverse as', 'on a par with')", _targets("parity")),
    _f(
        "m_output",
        "a number that counts outputs or inputs ('12 labs', 'R&D spending')",
        lambda a: _spans_of(a.output_targets),
    ),
    _f(
        "m_targets",
        "how many checkable outcome targets (capped at 3)",
        lambda a: _spans_of(a.outcome_targets),
        cap=3.0,
    ),
    _f(
        "m_keep_level",
        "holding a level ('keep the 14 clubs', 'at current volume')",
        _attr("keep_level"),
    ),
    # -- vague wording (rubric 1 and 2 fail cues)
    _f(
        "v_directional",
        "a verb with no end state ('promote', 'support', 'strengthen')",
        _attr("directional"),
    ),
    _f("v_unsized", "a change with no size ('reduce', 'greener')", _attr("unsized")),
    _f(
        "v_intensifier",
        "an intensifier with no size ('significantly', 'transform')",
        _attr("intensifiers"),
    ),
    _f(
        "v_vague_state",
        "an end state too broad to check ('thrive', 'be well')",
        _attr("vague_state"),
    ),
    _f("v_leader", "leadership with no metric ('world leader', 'superpower')", _attr("leader")),
    _f("v_jargon", "bureaucratic jargon", _attr("jargon"), cap=2.0),
    # -- washing cues (rubric 5)
    _f("w_relabel", "continue, existing, maintain, renamed", _attr("relabel"), cap=2.0),
    _f("w_existing_target", "'in line with the existing plan'", _attr("existing_target")),
    _f("w_mission_words", "mission vocabulary anywhere", _attr("mission_words")),
    _f("w_mission_label", "opens with mission vocabulary ('Mission X: ...')", _mission_label),
    _f("w_org_subject", "an organisation or its remit as the subject", _attr("org_subject")),
    _f(
        "w_routine",
        "business as usual ('unchanged', 'current capacity', 'new name')",
        _attr("routine"),
        cap=2.0,
    ),
    _f(
        "w_output_activity",
        "an activity as the goal ('publish a strategy')",
        _attr("output_activity"),
    ),
    _f("w_inputs", "spending or staffing as the goal", _attr("inputs")),
    # -- what the outcome is about (rubric 1 and 4)
    _f(
        "b_domain",
        "outcomes people notice (climate, health, poverty, homes)",
        _attr("domains"),
        cap=3.0,
    ),
    _f("b_ambition", "a decisive end ('eliminate', 'zero', '-free')", _attr("ambition")),
    _f("b_scope", "breadth ('every', 'all', 'everyone')", _attr("scope")),
    _f("b_economic", "an economic-structure indicator (GDP, exports)", _attr("economic")),
    _f("b_tech", "a single technology", _attr("tech")),
    _f("b_sector_subject", "one sector as the subject", _attr("sector")),
    _f("b_internal", "the outcome sits inside one organisation", _attr("internal")),
    _f("b_narrow", "a process measure or service routine", _attr("narrow")),
    _f("b_cost", "a technology cost or price ('USD 2 per kilogram')", _attr("cost")),
    _f("b_territory", "a whole country, region or city", _attr("territory")),
    _f(
        "b_societal",
        "an outcome for a whole territory (a territory and an outcome word)",
        _societal,
    ),
    _f(
        "b_partial",
        "one sector, one gas or new products only ('industry', 'methane')",
        _attr("partial"),
    ),
    _f(
        "v_direction_only",
        "a direction and no checkable target ('promote ...', 'reduce ...')",
        _direction_only,
    ),
    _f(
        "c_service",
        "one public service's standard or coverage (waiting, screening, access)",
        _attr("service"),
    ),
    _f("c_infrastructure", "one technology or infrastructure roll-out", _attr("infrastructure")),
    # -- who must move (rubric 4)
    _f("c_public", "public actors named", _actors("public")),
    _f("c_private", "business named", _actors("private")),
    _f("c_research", "research named", _actors("research")),
    _f("c_civil", "civil society named", _actors("civil_society")),
    _f("c_citizens", "citizens, households, communities named", _actors("citizens")),
    _f("c_services", "public services named (schools, hospitals)", _actors("services")),
    _f("c_together", "working together across sectors", _attr("together")),
    Feature(
        "c_kinds",
        "how many kinds of actor are named (capped at 4)",
        value=lambda a: float(len(a.actor_categories)),
        cap=4.0,
    ),
    # -- form
    Feature(
        "f_words", "log of the number of words", value=lambda a: math.log1p(a.n_words), cap=10.0
    ),
    Feature("f_sentences", "more than one sentence", value=lambda a: float(len(a.sentences) > 1)),
    Feature(
        "f_topic",
        "a topic, not an outcome: no target, no deadline, short",
        value=lambda a: float(a.is_topic),
    ),
    Feature(
        "f_english",
        "written in English (the embedding model reads English)",
        value=lambda a: float(a.lang == "en"),
    ),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


@dataclass
class FeatureSet:
    values: np.ndarray  # float64, one per FEATURES entry
    spans: dict[str, list[Span]]
    lang: str

    def value(self, name: str) -> float:
        return float(self.values[NAMES.index(name)])


def rule_features(a: Analysis) -> FeatureSet:
    values = np.zeros(len(FEATURES), dtype=np.float64)
    spans: dict[str, list[Span]] = {}
    for i, f in enumerate(FEATURES):
        if f.spans is not None:
            found = f.spans(a)
            spans[f.name] = found
            values[i] = min(f.cap, float(len(found)))
        elif f.value is not None:
            values[i] = min(f.cap, f.value(a))
    return FeatureSet(values=values, spans=spans, lang=a.lang)
