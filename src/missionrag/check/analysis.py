"""One pass over a statement: every pattern the criteria, washing and findings need.

Each match keeps its character span into the original statement, so evidence, findings and
highlights all point at the drafter's own words (nothing is normalised before matching).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

import missionrag.check.lexicon as lx
from missionrag.check.langid import detect_language
from missionrag.check.targets import Target, find_targets
from missionrag.check.temporal import TimeMention, find_time_mentions

WORD_RE = re.compile(r"[^\W_](?:[\w'’&/-]*[^\W_])?")
SENTENCE_RE = re.compile(r"[^.!?;\n]+(?:[.!?;]+|$)")

DEADLINE_KINDS = ("deadline", "relative", "loose")
# Holding a level is checkable ("keep the 14 youth clubs open", "at its current volume"):
# rubric 2 asks only whether two people could agree it was met.
KEEP_LEVEL = re.compile(
    r"(?<!\w)(?:maintain\w*|keep\w*|continu\w+|hold\w*|houdt|manter|mantener|beibehalten|fastholde)"
    r"\b[^.;:]{0,60}?(?:\b(?:current|same|existing|present|huidige|atual|actual|bisherig\w*|nuværende|"
    r"nuvarande)\s+(?:\w+\s+)?(?:levels?|rate|volume|capacity|number|standards?|hours|funding|budget|"
    r"aantal|nível|nivel|Niveau|niveau)\b|\b\d+\s+existing\b|\bat\s+\d|\bop\s+peil\b)",
    re.I,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass
class Analysis:
    text: str
    today: dt.date
    n_words: int
    sentences: list[Span]
    times: list[TimeMention]
    targets: list[Target]
    directional: list[Span]
    unsized: list[Span]
    intensifiers: list[Span]
    relabel: list[Span]
    existing_target: list[Span]
    jargon: list[Span]
    output_activity: list[Span]
    inputs: list[Span]
    domains: list[Span]
    economic: list[Span]
    ambition: list[Span]
    scope: list[Span]
    narrow: list[Span]
    actors: dict[str, list[Span]]
    together: list[Span]
    internal: list[Span]
    tech: list[Span]
    sector: list[Span]
    vague_state: list[Span]
    mission_words: list[Span]
    org_subject: list[Span]
    routine: list[Span]
    leader: list[Span]
    service: list[Span]
    infrastructure: list[Span]
    cost: list[Span]
    territory: list[Span]
    keep_level: list[Span]
    partial: list[Span]
    lang: str = "en"
    extra: dict[str, object] = field(default_factory=dict)

    # -- derived views the criteria share
    @property
    def deadlines(self) -> list[TimeMention]:
        return [t for t in self.times if t.kind in DEADLINE_KINDS]

    @property
    def outcome_targets(self) -> list[Target]:
        return [t for t in self.targets if not t.output]

    @property
    def output_targets(self) -> list[Target]:
        return [t for t in self.targets if t.output]

    @property
    def has_outcome_target(self) -> bool:
        return bool(self.outcome_targets)

    @property
    def has_outputs(self) -> bool:
        return bool(self.output_targets or self.output_activity or self.inputs)

    @property
    def outputs_only(self) -> bool:
        """The only checkable things are outputs or inputs (labs, staff, spending)."""
        strong = [t for t in self.outcome_targets if t.kind != "universal"]
        return self.has_outputs and not strong

    @property
    def is_topic(self) -> bool:
        """A theme rather than an outcome: no target, no deadline, a short phrase."""
        return not self.targets and not self.deadlines and self.n_words <= 12

    @property
    def actor_categories(self) -> list[str]:
        return [k for k, v in self.actors.items() if v]


def _spans(pattern: re.Pattern[str], text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]


def _output_activity(text: str) -> list[Span]:
    """An output verb with an output noun a few words later ("publish a ... strategy")."""
    found = []
    for m in lx.OUTPUT_VERB.finditer(text):
        verb = m.group(0).lower()
        if verb.startswith(("digiti", "digitali", "automat")):
            found.append(Span(m.start(), m.end(), m.group(0)))
            continue
        window = text[m.end() : m.end() + 60]
        n = lx.OUTPUT_NOUN.search(window)
        if n and len(WORD_RE.findall(window[: n.start()])) <= 4:
            found.append(Span(m.start(), m.end() + n.end(), text[m.start() : m.end() + n.end()]))
    return found


def _mark_inputs(text: str, targets: list[Target], inputs: list[Span]) -> list[Target]:
    """A number that sizes spending or staff ("R&D spending to 3% of GDP") measures an input."""
    out = []
    for t in targets:
        lo = max(0, t.start - 60)
        before = text[lo : t.start]
        clause_start = lo + max(before.rfind(c) for c in ".;:!?") + 1
        near = any(clause_start <= s.start < t.start for s in inputs)
        out.append(replace(t, output=True) if near and t.kind in ("share", "quantity") else t)
    return out


def analyse(text: str, today: dt.date) -> Analysis:
    times = find_time_mentions(text, today.year)
    time_spans = [(t.start, t.end) for t in times]
    inputs = _spans(lx.INPUT_WORDS, text)
    targets = _mark_inputs(text, find_targets(text, time_spans), inputs)
    return Analysis(
        text=text,
        today=today,
        n_words=len(WORD_RE.findall(text)),
        sentences=[
            Span(m.start(), m.end(), m.group(0))
            for m in SENTENCE_RE.finditer(text)
            if m.group(0).strip()
        ],
        times=times,
        targets=targets,
        directional=_spans(lx.DIRECTIONAL, text),
        unsized=_spans(lx.UNSIZED_CHANGE, text),
        intensifiers=_spans(lx.VAGUE_INTENSIFIER, text),
        relabel=_spans(lx.RELABEL, text),
        existing_target=_spans(lx.EXISTING_TARGET, text),
        jargon=_spans(lx.JARGON, text),
        output_activity=_output_activity(text),
        inputs=inputs,
        domains=_spans(lx.DOMAIN, text),
        economic=_spans(lx.ECONOMIC, text),
        ambition=_spans(lx.AMBITION, text),
        scope=_spans(lx.SCOPE, text),
        narrow=_spans(lx.NARROW, text),
        actors={k: _spans(p, text) for k, p in lx.ACTORS.items()},
        together=_spans(lx.TOGETHER, text),
        internal=_spans(lx.INTERNAL, text),
        tech=_spans(lx.TECH, text),
        sector=_spans(lx.SECTOR_SUBJECT, text),
        vague_state=_spans(lx.VAGUE_STATE, text),
        mission_words=_spans(lx.MISSION_WORDS, text),
        org_subject=_spans(lx.ORG_SUBJECT, text),
        routine=_spans(lx.ROUTINE, text),
        leader=_spans(lx.LEADER, text),
        service=_spans(lx.SERVICE_STANDARD, text),
        infrastructure=_spans(lx.INFRASTRUCTURE, text),
        cost=_spans(lx.COST, text),
        territory=_spans(lx.TERRITORY, text),
        keep_level=_spans(KEEP_LEVEL, text),
        partial=_spans(lx.PARTIAL_SCOPE, text),
        lang=detect_language(text),
    )
