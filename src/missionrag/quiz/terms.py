"""Key terms worth asking about, typed so distractors can be of the same kind.

Kinds: ``percent``, ``year``, ``number``, ``organisation``, ``person``, ``place``, ``term``
(a criterion, lesson, tool or defined concept). Detection is rule-based on purpose: offline
generation must run without a model, and a wrong guess only costs a candidate (the gates and
the "exactly once in the sentence" rule throw out what does not read well).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from missionrag.quiz.text import wordset

KINDS = ("percent", "year", "number", "organisation", "person", "place", "term")

NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "fifty": 50, "hundred": 100,
}  # fmt: skip
WORD_FOR = {v: k for k, v in NUMBER_WORDS.items()}

ORG_WORDS = wordset(
    """Institute Institution Centre Center Observatory Commission Corporation Company Foundation
    Agency Lab Laboratory Academy University College Council Ministry Department Network Bank
    Organisation Organization Office Fund Association Union Forum Parliament Agency Inc Ltd"""
)
TOOL_WORDS = wordset("Playbook Canvas Model Framework Toolkit Handbook Guide Index Agenda")
# Countries and regions: general knowledge, not read from the corpus.
PLACES = wordset(
    """Afghanistan Argentina Australia Austria Belgium Brazil Bulgaria Canada Chile China Colombia
    Croatia Cyprus Czechia Denmark Egypt Estonia Europe Africa Asia America Finland France Germany
    Greece Hungary Iceland India Indonesia Ireland Israel Italy Japan Kenya Korea Latvia Lithuania
    Luxembourg Malta Mexico Netherlands Holland Nigeria Norway Poland Portugal Romania Scotland
    Singapore Slovakia Slovenia Spain Sweden Switzerland Turkey Ukraine UK USA US Wales England
    London Paris Copenhagen Stockholm Brussels Berlin Amsterdam California Texas Jersey York
    Chile Peru"""
)
# Capitals that are acronyms but not organisations.
NOT_ORG_ACRONYMS = wordset(
    """AI CEO CTO CFO STI COVID NGO NGOs CSO CSOs R&D R&I ICT GDP SDG SDGs OK FAQ PDF HTML URL
    US USA UK EU2 II III IV MM HH TV CO2 PhD MBA API IT HR DIY USD EUR DKK"""
)
PERSON_BEFORE = re.compile(
    r"(?:\b(?:[Bb]y|[Pp]rogrammer|CEO|[Dd]irector|[Cc]ontact|[Pp]rofessor|[Ee]conomist|"
    r"[Aa]stronaut|[Aa]s|[Pp]resident|[Mm]inister|[Aa]uthor|[Cc]hair))\s+$"
)
PERSON_AFTER = re.compile(
    r"^(?:,\s+(?:the|a|an)\s+[a-zA-Z]+|\s+(?:said|says|told|noted|notes|wrote|explained|argued|"
    r"stressed|introduced|launched|asked|began|went|from|at)\b)"
)
_COMMON_START = wordset(
    """The A An In On At For From To By With When While Where If As After Before During Since
    Our We Just This That These Those It Its They Their There Here Some Many Most Each Every
    Only Both Such Other Another Any No Not And But Or So Yet Also Then However Learn Read Work
    Would Check Make Join Who What Why How Computer Today Without Reach Contact Together"""
)
_CONNECT = wordset("of for and the de on")
_CAP_TOKEN = r"(?:[A-Z][A-Za-z0-9&.\-]*[A-Za-z0-9]|[A-Z])"
_CAP_SEQ = re.compile(rf"{_CAP_TOKEN}(?:\s+(?:(?:of|for|and|the|de|on)\s+)?{_CAP_TOKEN})*")
PERCENT = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d+)?)(\s?%|\s(?:percent|per cent)\b)")
YEAR = re.compile(r"(?<![\w,.:-])((?:1[6-9]|20)\d{2})(s?)(?![\w%,.]\d|\s?%|:\d)")
NUMBER = re.compile(
    r"(?<![\w,.:/-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%:]|[.,]\d|\s?%)(?=[\s-]+[a-z])"
    r"|\b(" + "|".join(NUMBER_WORDS) + r")\b(?=\s+[a-z])",
    re.I,
)
QUOTED = re.compile(r"[“\"]([A-Za-z][A-Za-z' -]{2,40}?)[,.]?[”\"]")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str
    start: int = 0
    end: int = 0
    value: float | None = None
    aliases: tuple[str, ...] = field(default=())
    # "enumeration": the last item of "A, B and C" - a cloze, never swapped (no peers to swap in)
    role: str = ""


def numbers(sentence: str) -> list[Term]:
    """Percentages, years and counts in ``sentence`` (offsets relative to it)."""
    out: list[Term] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in PERCENT.finditer(sentence):
        out.append(Term(m.group(0), "percent", m.start(), m.end(), float(m.group(1))))
        taken.append((m.start(), m.end()))
    for m in YEAR.finditer(sentence):
        if free(m.start(), m.end()):
            out.append(Term(m.group(0), "year", m.start(), m.end(), float(m.group(1))))
            taken.append((m.start(), m.end()))
    for m in NUMBER.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        before = sentence[: m.start()].rstrip()
        # "Apollo 11", "COVID-19": a number glued to a name is part of the name.
        if before and re.search(r"[A-Z][A-Za-z]*$", before) and not before.endswith(","):
            continue
        if m.group(1):
            value = float(m.group(1).replace(",", ""))
            if value < 2 or 1600 <= value <= 2099:
                continue
        else:
            word = m.group(2).lower()
            value = float(NUMBER_WORDS[word])
        out.append(Term(m.group(0), "number", m.start(), m.end(), value))
        taken.append((m.start(), m.end()))
    return sorted(out, key=lambda t: t.start)


def _strip_common(seq: str) -> tuple[int, str]:
    """Drop leading function words from a capitalised run ("The Whirlpool Corporation")."""
    toks = seq.split()
    drop = 0
    while drop < len(toks) and (toks[drop] in _COMMON_START or toks[drop].lower() in _CONNECT):
        drop += 1
    if drop == len(toks):
        return len(seq), ""
    return (seq.find(" " + toks[drop]) + 1 if drop else 0), " ".join(toks[drop:])


def runs(sentence: str) -> list[tuple[int, str]]:
    """Capitalised runs as (offset, text); "OECD and Danish Design Centre" is two runs."""
    out: list[tuple[int, str]] = []
    for m in _CAP_SEQ.finditer(sentence):
        off, seq = _strip_common(m.group(0))
        if not seq:
            continue
        a = m.start() + off
        parts = seq.split(" and ")
        if len(parts) == 2 and (is_acronym(parts[0]) or parts[0].split()[-1] in ORG_WORDS):
            out.append((a, parts[0]))
            out.append((a + len(parts[0]) + 5, parts[1]))
        else:
            out.append((a, seq))
    return out


def is_acronym(tok: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z&]{1,5}s?", tok))


def abbreviates(acronym: str, name: str) -> bool:
    """ "IIPP" abbreviates "UCL Institute for Innovation and Public Purpose" (letters in order)."""
    caps = iter(w[0] for w in name.split() if w[0].isupper())
    letters = acronym.rstrip("s").replace("&", "")
    return len(name.split()) >= 2 and all(any(c == ch for c in caps) for ch in letters)


class EntityIndex:
    """Organisations, people and places seen in the corpus (two passes: learn, then tag)."""

    def __init__(self) -> None:
        self.people: dict[str, str] = {}  # full name -> full name; surname -> full name
        self.orgs: dict[str, str] = {}
        self.aliases: dict[str, str] = {}  # acronym <-> expansion

    def learn(self, sentence: str) -> None:
        # Fragments (slide titles, contact blocks) teach wrong names; whole sentences only.
        if len(sentence.split()) < 5:
            return
        for a, seq in runs(sentence):
            toks = seq.split()
            before, after = sentence[:a], sentence[a + len(seq) :]
            paren = re.match(r"\s*\(([A-Z][A-Za-z&]{1,9})\)", after)
            acr = paren.group(1) if paren else None
            if acr and acr not in PLACES and abbreviates(acr, seq):
                self.aliases[acr] = seq
                self.aliases[seq] = acr
            if self._org_like(toks):
                self.orgs.setdefault(seq, seq)
                if acr and acr in self.aliases:
                    self.orgs.setdefault(acr, acr)
            elif (
                2 <= len(toks) <= 3
                and all(t[0].isupper() and not is_acronym(t) for t in toks)
                and not set(toks) & (PLACES | TOOL_WORDS | ORG_WORDS)
                and (PERSON_BEFORE.search(before) or PERSON_AFTER.match(after))
            ):
                self.people[seq] = seq
                self.people.setdefault(toks[-1], seq)
        for m in re.finditer(r"(?<![\w-])([A-Z][A-Z&]{2,5})(?![\w-])", sentence):
            tok = m.group(1)
            if tok not in NOT_ORG_ACRONYMS and tok not in PLACES:
                self.orgs.setdefault(tok, tok)

    @staticmethod
    def _org_like(toks: list[str]) -> bool:
        return bool(set(toks) & ORG_WORDS) and not all(t in PLACES for t in toks)

    def tag(self, sentence: str) -> list[Term]:
        """Named entities in ``sentence`` with offsets; longest match wins."""
        found: list[Term] = []
        for a, seq in runs(sentence):
            toks = seq.split()
            kind = None
            if seq in self.people:
                kind = "person"
            elif self._org_like(toks) or seq in self.orgs:
                kind = "organisation"
            elif all(t in PLACES for t in toks):
                kind = "place"
            elif toks[-1] in TOOL_WORDS and len(toks) >= 2:
                kind = "term"
            if kind:
                alias = self.aliases.get(seq)
                found.append(Term(seq, kind, a, a + len(seq), aliases=(alias,) if alias else ()))
                continue
            # A run such as "Bason Mission Playbook" can hold a known name inside it.
            for tok_m in re.finditer(r"[A-Za-z][\w&.-]*[\w]|[A-Z]", seq):
                tok = tok_m.group(0)
                ta = a + tok_m.start()
                if tok in self.people:
                    found.append(Term(tok, "person", ta, ta + len(tok)))
                elif tok in self.orgs:
                    alias = self.aliases.get(tok)
                    found.append(
                        Term(
                            tok,
                            "organisation",
                            ta,
                            ta + len(tok),
                            aliases=(alias,) if alias else (),
                        )
                    )
                elif tok in PLACES:
                    found.append(Term(tok, "place", ta, ta + len(tok)))
        return found


def quoted_terms(sentence: str) -> list[Term]:
    """Short quoted phrases (“pilot initiatives”): the corpus's own vocabulary."""
    out = []
    for m in QUOTED.finditer(sentence):
        inner = m.group(1).strip()
        if 1 <= len(inner.split()) <= 4:
            a = m.start(1)
            out.append(Term(inner, "term", a, a + len(inner)))
    return out


_ENUMERATION = re.compile(
    r"\b[a-z][\w-]*, (?:[a-z][\w-]*, )*[a-z][\w-]*,? and (?P<t>[a-z][\w-]{3,})(?=[.;:!?)]|$)"
)


def enumeration_term(sentence: str) -> Term | None:
    """The last item of a closing list of single words ("framed, measurable and time-bound.")."""
    m = _ENUMERATION.search(sentence)
    if not m:
        return None
    return Term(m.group("t"), "term", m.start("t"), m.end("t"), role="enumeration")


_DEFINED = [
    re.compile(r"(?:^|,\s)(?P<t>[A-Za-z][a-z-]*(?: [a-z][\w-]*){0,2}) is defined as\b"),
    re.compile(
        r"^(?P<t>[A-Z][a-z][\w-]*(?: [a-z][\w-]*){0,2}) (?:is|are) (?:an? |the )?"
        r"(?:[\w-]+ ){0,3}?(?:approach|tool|role|way|method|framework|concept|answer|"
        r"“test runs”|process)\b"
    ),
    re.compile(
        r"(?:^|,\s)(?P<t>[a-z][\w -]{2,40}?) (?:is|are) (?:also )?(?:referred to|known) as\b"
    ),
]


def defined_term(sentence: str) -> Term | None:
    """The term a definition sentence defines ("design is defined as ...")."""
    for pat in _DEFINED:
        m = pat.search(sentence)
        if m:
            t = m.group("t")
            if t.split()[0].lower() in {"it", "this", "that", "there", "what", "which", "these"}:
                continue
            return Term(t, "term", m.start("t"), m.end("t"))
    return None
