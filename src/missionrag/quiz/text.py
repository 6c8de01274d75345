"""Sentence splitting with offsets, and the normalisation every gate compares with.

Quotes must stay verbatim substrings of ``Document.text``, so the splitter only ever returns
``(start, end)`` offsets into the text it was given; question wording is built separately.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from missionrag.text import ENGLISH_STOPWORDS, sentence_spans

BLANK = "_____"


def wordset(text: str) -> frozenset[str]:
    """A word list written as one string (readable in source, one set at import)."""
    return frozenset(text.split())


# Bullets and markdown list markers that open a line but are not part of the sentence.
_LINE_MARKER = re.compile(r"^\s*(?:[-*•·❋+]\s*|\d{1,2}[.)]\s+|#{1,6}\s+|>\s*)+")
# Words that make a sentence depend on the one before it: the quiz's quality gate keeps no
# dangling "this"/"they" (tests/test_quiz_corpus.py).
DANGLING = wordset(
    """this that these those they them their it its he she his her him both such we our us
    others latter former also then thus hence"""
)
_CONNECTIVES = re.compile(
    r"^(?:Here|Additionally|Furthermore|Moreover|However|In fact|For example|In addition|"
    r"Also|So|Indeed|Finally|Similarly|Instead|Today|Now),\s+"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text`` as spans; lines are never joined (slide decks, lists, headings)."""
    out: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        m = _LINE_MARKER.match(line)
        body = pos + (m.end() if m else 0)
        spans = sentence_spans(text, body, pos + len(line), attributions=True)
        out.extend(Span(s, e, text[s:e]) for s, e in spans)
        pos += len(line) + 1
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:[%'’][a-z]*)?", norm(text))


def norm(text: str) -> str:
    """Casefolded, accent-free, markdown-free, single-spaced text for comparisons."""
    text = unicodedata.normalize("NFKD", text)
    # "striving forMissions": a heading glued to its paragraph by the page export.
    text = re.sub(r"([a-z])([A-Z][a-z])", r"\1 \2", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[*_`]+", " ", text)
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` as whole words, after normalisation."""
    n = norm(needle)
    if not n:
        return False
    return re.search(r"(?<![a-z0-9])" + re.escape(n) + r"(?![a-z0-9])", norm(haystack)) is not None


def similar(a: str, b: str) -> float:
    """0..1 character similarity of the normalised strings."""
    return SequenceMatcher(None, norm(a), norm(b), autojunk=False).ratio()


def jaccard(a: str, b: str) -> float:
    wa, wb = set(content_words(a)), set(content_words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


# The words of the quiz's own item wording ("True or false? According to the source, ... fill
# in the blank"), which say nothing about a fact; and "every", as the quiz has always read it.
_QUIZ_WORDS = wordset(
    """true false fill blank according following statement complete completes source every"""
)
_STOP = ENGLISH_STOPWORDS | _QUIZ_WORDS


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _STOP and len(w) > 1]


def clean_markup(text: str) -> str:
    """Sentence text without markdown emphasis, for question wording (never for quotes)."""
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_connective(text: str) -> str:
    """Drop a leading discourse marker ("Here, ", "However, ") that only made sense in context."""
    m = _CONNECTIVES.match(text)
    if not m:
        return text
    rest = text[m.end() :]
    return rest[:1].upper() + rest[1:] if rest else text


def first_word(text: str) -> str:
    m = re.match(r"[\W_]*([A-Za-z]+)", text)
    return m.group(1).lower() if m else ""


# "It is hard to ...", "It's often difficult to ...": an "it" that points at nothing.
_EXPLETIVE = re.compile(r"^it(?:'s|’s|\s+is|\s+was)\s+(?:[a-z]+\s+){0,2}?(?:to|that|for)\b", re.I)


def starts_dangling(text: str) -> bool:
    """``text`` opens with a word that needs the previous sentence ("This", "They", "He")."""
    t = text.lstrip("\"“‘'(*- ")
    if t.startswith(BLANK) or _EXPLETIVE.match(t):  # "_____ also ...": the blank is the subject
        return False
    return first_word(t) in DANGLING


def statement_split(question: str) -> tuple[str, str]:
    """(framing, statement) of a generated question: the statement follows the first "? " or
    ": " ("True or false? According to ...: <statement>" -> the part a reader judges)."""
    for sep in ("? ", ": "):
        if sep in question:
            head, _, tail = question.partition(sep)
            if sep == "? " and ": " in tail and tail.startswith("According to"):
                more, _, tail = tail.partition(": ")
                head = f"{head}{sep}{more}"
            return head, tail
    return "", question
