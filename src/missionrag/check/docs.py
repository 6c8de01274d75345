"""Find the mission statements in a strategy document (``missionrag check-doc FILE``).

Every whole sentence, list item or table cell of the document (``units.split_units``) is
scored by a logistic model over goal cues: a deadline, a checkable target, a goal verb at the
front ("Reduce ...", "Delivering ..."), words of intent ("aims to", "our vision", "will"), a
heading such as "2030 targets:"; and against: forecasts ("expected", "projected"), past
achievements, reporting about the document ("This article summarizes ..."), definitions of
missions, fragments. The weights are in ``data/checkdoc_model.json``, fitted on the six dev
documents of evals/checkdoc/ (evals/missionrag_evals/train_checkdoc.py). Candidates are
returned best first, verbatim (exact slices of ``Document.text``), with their locators.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from missionrag.check.analysis import WORD_RE, analyse
from missionrag.check.units import Unit, split_units
from missionrag.models import CheckResult, Document

MODEL_FILE = Path(__file__).resolve().parents[1] / "data" / "checkdoc_model.json"
MIN_WORDS, MAX_WORDS = 3, 80  # shorter is a label, longer a paragraph of argument
_UNDATED = dt.date(1900, 1, 1)  # a document's years are read as its own: every one counts

_GOAL_VERB = re.compile(
    r"^(?:to\s+)?(?:achiev|reduc|increas|cut|halv|doubl|tripl|add|expand|deliver|mak|ensur|"
    r"eliminat|end|reach|rais|green|requir|meet|plant|protect|restor|build|creat|establish|"
    r"develop|provid|becom|transform|digiti[sz]|bring|extend|lower|improv|complet|convert|"
    r"phas|decarboni[sz]|electrif|conver|target|aim|lead|cover|connect|install|deploy|"
    r"generat|have|start|embed|grow|halt|prevent|save|eradicat|support|promot|enhanc|strengthen)\w*",
    re.I,
)
_INTENT = re.compile(
    r"\b(?:will|shall|aims?\s+to|aiming|goal|goals|target|targets|vision|mission|ambition|"
    r"ambitious|commit\w*|pledge\w*|seek\w*\s+to|objective|aspiration|aspire\w*|strive\w*|"
    r"plan\s+to|intend\w*|by\s+(?:19|20)\d\d)\b",
    re.I,
)
_HEADING_CUE = re.compile(
    r"\b(?:targets?|goals?|missions?|vision|objectives?|ambitions?|aims?|commitments?|pillars?)\b",
    re.I,
)
_FORECAST = re.compile(
    r"\b(?:expected|expect|projected|projection\w*|estimat\w*|forecast\w*|assum\w*|could|would|"
    r"might|may|likely|potential\w*|predict\w*|scenario\w*|if)\b",
    re.I,
)
_PAST = re.compile(
    r"\b(?:(?<!will\s)(?:have|has|had)\s+(?:\w+ly\s+)?\w+(?:ed|en|t)|was|were|since|already|achieved|launched|"
    r"completed|last\s+year|in\s+the\s+past|so\s+far|to\s+date|previously)\b",
    re.I,
)
_META = re.compile(
    r"(?:^note\b|\b(?:almost|nearly)\s+all\s+have|\b(?:this|the)\s+(?:article|report|summary|session|webinar|paper|document|video|chapter|section|roadmap|"
    r"annex|strategy\s+sets\s+out)|speakers?|discuss\w*|highlight\w*|emphasi[sz]\w*|noted|explain\w*|"
    r"mention\w*|according\s+to|said|explor\w*|shar(?:ed|es)|present\w*|talk\w*|describ\w*|"
    r"summari[sz]\w*|example\w*|for\s+instance|such\s+as|include\w*|including)\b",
    re.I,
)
_DEFINITION = re.compile(
    r"\b(?:(?:are|is)\s+defined|refers?\s+to|means|missions?\s+(?:are|is|should|must|need)|"
    r"should\s+be|must\s+be|needs?\s+to|require\w*|important|crucial|key\s+to|challenges?)\b",
    re.I,
)
_ACTIVITY = re.compile(
    r"\b(?:work\w*\s+with|support\w*|help\w*|explor\w*|consider\w*|review\w*|assess\w*|engag\w*|"
    r"consult\w*|encourag\w*|publish\w*|tender\w*|pilot\w*|study|studies|identify\w*)\b",
    re.I,
)
_WE = re.compile(r"\b(?:we|our|us)\b", re.I)
_GOAL_STATEMENT = re.compile(
    r"\b(?:aims?\s+to|aim\s+is|goal\s+is|mission\s+is|vision\s+(?:for\s+[^.]{0,60}\s+)?is|"
    r"ambition\s+is|mission\s+focused\s+on|we\s+aim|seeks?\s+to|seeking\s+to|aspires?\s+to|"
    r"targeting|aiming|pledge\w*\s+to)\b",
    re.I,
)
# An initiative, not a target: a verb of direction at the front and nothing to check.
_DIRECTION_VERB = re.compile(
    r"^(?:promot|develop|strengthen|enhanc|improv|support|encourag|foster|rais|increas|reduc|"
    r"review|explor|build|push|introduc|invest|implement|pilot|trial|deploy|work|help|continu|"
    r"facilitat|stimulat|accelerat|advanc|boost|expand|green|mak|ensur|grow|upgrad)\w*$",
    re.I,
)
# An item the document itself names a mission or goal ("Mission 3: ...", "Goal 2 - ...").
NAMED_ITEM = re.compile(
    r"^(?:missions?|missie|missão|misión|mission|mål|ziel|goal|target|objective|ambition|pillar)"
    r"\s*\d{0,2}\s*(?:[:.]|\s[–-])\s+",  # "Mission 3: ", "Goal 2 - "; not "Mission-oriented"
    re.I,
)
# A named pillar and its aim ("City in Nature : to create a green, liveable ... home").
_PILLAR = re.compile(r"^[A-Z][^:.]{2,40}\s?:\s+to\s+[a-z]+")
# An end state as a noun phrase ("Singapore as a carbon services hub", "X to be carbon neutral").
_STATE_FORM = re.compile(
    r"^[A-Z][\w’'&\- ]{1,50}?\s(?:as|to\s+be|will\s+be)\s+(?:a|an|the|\w+-?\w*)\b"
)
_PROCEDURAL = re.compile(
    r"\b(?:publish\w*|tender\w*|review\w*|pilot\w*|consult\w*|stud(?:y|ies)|commission\w*|"
    r"call(?:ing)?\s+for|set\s+up|appoint\w*|survey\w*|conference|workshop\w*|report\w*)\b",
    re.I,
)
_ABOUT_MISSIONS = re.compile(
    r"\b(?:missions?\s+(?:are|is|should|must|need|can|governance|approach\w*)|mission[- ]oriented|"
    r"mission[- ]driven|governance|approach\w*|framework\w*|lessons?|challenges?)\b",
    re.I,
)


def _flag(rx: re.Pattern[str], text: str) -> float:
    return 1.0 if rx.search(text) else 0.0


def unit_features(unit: Unit) -> dict[str, float]:
    """The goal cues of one unit (the names in ``data/checkdoc_model.json``)."""
    text = unit.clean
    words = WORD_RE.findall(text)
    a = analyse(text, _UNDATED)
    first = words[0] if words else ""
    quantified = any(
        t.kind in ("share", "quantity", "multiplier", "end_state") for t in a.outcome_targets
    )
    return {
        "deadline": float(bool(a.deadlines)),
        "year": float(bool(a.times)),
        "target": float(bool([t for t in a.outcome_targets if t.kind != "universal"])),
        "universal": float(any(t.kind == "universal" for t in a.targets)),
        "output": float(bool(a.output_targets or a.output_activity)),
        "goal_verb": float(bool(_GOAL_VERB.match(first))),
        "intent": _flag(_INTENT, text),
        "heading_cue": _flag(_HEADING_CUE, unit.heading),
        "label": float(
            bool(
                re.match(r"^(?:\d{4}|long-term|short-term)\s+(?:targets?|aspiration):", text, re.I)
            )
        ),
        "forecast": _flag(_FORECAST, text),
        "past": _flag(_PAST, text),
        "meta": _flag(_META, text),
        "definition": _flag(_DEFINITION, text),
        "activity": _flag(_ACTIVITY, text),
        "we": _flag(_WE, text),
        "goal_statement": _flag(_GOAL_STATEMENT, text),
        "procedural": _flag(_PROCEDURAL, text),
        "about_missions": _flag(_ABOUT_MISSIONS, text),
        "dated_will": float(
            bool(a.deadlines) and bool(re.search(r"\b(?:will|shall)\b", text, re.I))
        ),
        "direction_only": float(bool(_DIRECTION_VERB.match(first)) and not quantified),
        "pillar": float(bool(_PILLAR.match(text))),
        "named_item": float(bool(NAMED_ITEM.match(text))),
        "state_form": float(bool(_STATE_FORM.match(text))),
        "tend": float(
            bool(
                re.search(
                    r"\b(?:tend|tends|need|needs|likely|more\s+likely|than\s+average)\s+to\b",
                    text,
                    re.I,
                )
            )
        ),
        "question": float(text.rstrip().endswith("?")),
        "lower_start": float(bool(first) and first[:1].islower()),
        "log_words": math.log1p(len(words)),
        "mission_word": float(bool(a.mission_words)),
    }


@dataclass(frozen=True)
class Candidate:
    statement: str  # verbatim slice of the document
    start: int
    end: int
    locator: str | None
    score: float  # the model's probability that the unit states a goal


@dataclass(frozen=True)
class CandidateCheck:
    candidate: Candidate
    result: CheckResult  # the check of the candidate's statement, whitespace collapsed


@dataclass(frozen=True)
class DocumentCheck:
    """What ``KnowledgeBase.check_document`` returns: the checked candidates, best first."""

    source: str  # the document as named in citations
    checks: list[CandidateCheck]


@lru_cache(maxsize=1)
def _model() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return spec


def score_units(units: list[Unit], spec: dict[str, Any] | None = None) -> list[float]:
    """Probability for each unit (0 for units outside the length bounds)."""
    spec = spec or _model()
    names: list[str] = spec["features"]
    mean, scale = np.asarray(spec["mean"]), np.asarray(spec["scale"])
    w, b = np.asarray(spec["weights"]), float(spec["intercept"])
    out = []
    for u in units:
        n = len(WORD_RE.findall(u.clean))
        if not (MIN_WORDS <= n <= MAX_WORDS):
            out.append(0.0)
            continue
        f = unit_features(u)
        x = (np.array([f[k] for k in names]) - mean) / scale
        out.append(1.0 / (1.0 + math.exp(-float(w @ x + b))))
    return out


def mission_candidates(doc: Document, spec: dict[str, Any] | None = None) -> list[Candidate]:
    """Units scoring at or above the model's threshold, best first (ties in document order)."""
    spec = spec or _model()
    units = split_units(doc.text)
    scores = score_units(units, spec)
    found = []
    for u, p in zip(units, scores, strict=True):
        if p < spec["threshold"]:
            continue  # a repeated goal stays: each occurrence has its own page
        start = u.start
        if (m := NAMED_ITEM.match(u.text)) and m.end() < len(u.text):
            start += m.end()  # the statement starts at its first word, after "Mission 3:"
        mark = doc.mark_at(start)
        found.append(
            Candidate(
                doc.text[start : u.end], start, u.end, mark.locator if mark else None, round(p, 3)
            )
        )
    return sorted(found, key=lambda c: (-c.score, c.start))


def find_mission_candidates(
    doc: Document, today: dt.date | None = None
) -> list[tuple[str, str | None]]:
    """(statement, locator) for every likely mission statement in ``doc``, best first.

    ``today`` is accepted for callers of the earlier interface; a document's deadlines are
    read as of the document, so it does not change which sentences are found.
    """
    return [(c.statement, c.locator) for c in mission_candidates(doc)]
