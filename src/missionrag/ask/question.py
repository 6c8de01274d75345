"""Question analysis: the answer type a question asks for, and the language it is written in.

Answer-type matching is the classic extractive-QA check: "how many tonnes" needs a number
with that unit, "which minister" needs a sentence that names a minister, "what year" needs a
year. When no retrieved sentence can hold the type, ask abstains, however similar the
sentences are (the unanswerable eval questions ask for budgets, dates and names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from missionrag.ask.text import terms

_QUANTITY = re.compile(
    r"\b(how (many|much)|what (share|percentage|proportion|number|amount|budget|sum|salary)\b(?!-)"
    r"|number of|(did|does|do|will|would)\b.{0,60}\bcost\b)",
    re.I,
)
_DATE = re.compile(
    r"\b((what|which) (year|month|date|decade|day)|when (was|were|did|will|is|are)\b(?! it))",
    re.I,
)
_NUMBER = re.compile(r"\d[\d,.]*\s*%?")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b")
_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
# Function words of languages the corpus is not in; two or more and no English ones = foreign.
_FOREIGN = {
    "Danish": "og i at det er en til på som med har den for ikke de af hvor mange hvad hvem hvordan hvorfor om",
    "German": "und der die das ist nicht ein eine zu mit von wie was wer warum für auf dem den",
    "French": "le la les des est une un et pour que qui quoi comment pourquoi dans sur avec du",
    "Spanish": "el la los las es una un y para que qué quién cómo por del con en cuánto",
    "Dutch": "de het een en is niet van voor met hoe wat wie waarom op zijn",
    "Swedish": "och att det är en ett för inte som med har hur vad vem varför på",
}
_FOREIGN_SETS = {lang: set(words.split()) for lang, words in _FOREIGN.items()}
_ENGLISH_MARKERS = {
    "the", "and", "what", "how", "why", "who", "which", "does", "do", "is", "are", "of",
    "to", "in", "for", "a", "an", "should", "can", "did", "was", "were",
}  # fmt: skip


def question_language(question: str) -> str | None:
    """A non-English language the question looks written in, or None (English or unsure)."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", question)]
    english = sum(w in _ENGLISH_MARKERS for w in words)
    best, hits = None, 0
    for lang, vocab in _FOREIGN_SETS.items():
        n = sum(w in vocab and w not in _ENGLISH_MARKERS for w in words)
        if n > hits:
            best, hits = lang, n
    if hits >= 2 and hits > english:
        return best
    if english == 0 and any(ch in "æøåäöüßéèçñ" for ch in question.lower()) and len(words) >= 4:
        return best or "another language"
    return None


@dataclass(frozen=True)
class AnswerType:
    """What the question asks for: a date, a quantity (of ``noun``), or an entity (a ``noun``)."""

    kind: str
    noun: str | None = None


_HOW_MANY = re.compile(r"\bhow many ([^\W\d_][\w-]*)", re.I)
_WHICH = re.compile(
    r"\bwhich ((?:[^\W\d_][\w'’-]* ){0,3}?)(?:is|are|was|were|does|do|did|has|have|had|should|"
    r"can|could|will|would|provides?|makes?|leads?)\b",
    re.I,
)
_KIND_OF = re.compile(r"^(?:kinds?|types?|sorts?|forms?) of ", re.I)


def answer_type(question: str) -> AnswerType | None:
    """The answer type a question asks for, if it names one.

    "how many tonnes" wants a number with that unit; "which minister" wants a sentence that
    names a minister; "what year" wants a year. Plain what/why/how questions name none.
    """
    if _DATE.search(question):
        return AnswerType("date")
    if _QUANTITY.search(question):
        m = _HOW_MANY.search(question)
        noun = terms(m.group(1)) if m else []
        return AnswerType("quantity", noun[-1] if noun else None)
    m = _WHICH.search(question)
    if m and m.group(1).strip():
        phrase = _KIND_OF.sub("", m.group(1).strip()).split(" of ")[0].split()
        noun = terms(phrase[-1]) if phrase else []
        if noun:
            return AnswerType("entity", noun[-1])
    return None


def satisfies(kind: AnswerType | None, text: str, question: str) -> bool:
    """Whether ``text`` could hold the answer type (a new number with its unit, a year, ...)."""
    if kind is None:
        return True
    if kind.kind == "entity":
        return kind.noun in terms(text)
    asked = {n.strip(" ,.%") for n in _NUMBER.findall(question)}
    if kind.kind == "date":
        years = {m.group(1) for m in _YEAR.finditer(text)} - asked
        months = set(_MONTH.findall(text)) - set(_MONTH.findall(question))
        return bool(years or months)
    for m in _NUMBER.finditer(text):
        num = m.group(0).strip(" ,.%")
        # A year is not a count or an amount; a number the question already states is no answer.
        if not num or num in asked or _YEAR.fullmatch(num):
            continue
        if kind.noun is None or kind.noun in terms(" ".join(text[m.end() :].split()[:4])):
            return True
    return False
