"""Which language a document or a question is written in.

Keyword search stems each document and question in its own language (``index/keyword.py``),
and with MISSIONRAG_RERANK_FOREIGN=skip a question not in English is ranked without the English
cross-encoder (``kb.search``). Detection is py3langid (a maintained fork of langid.py; its model ships in
the wheel, BSD), restricted to the languages PyStemmer stems and bm25s has stopwords for.

Measured (``evals/reports/language.md``): on 247 questions (the English eval questions and
follow-ups, the Danish and German questions of corpus B's dev split and 24 translated dev
questions) and 122 documents, py3langid made no error once answers below ``MIN_PROBABILITY``
count as "unsure"; lingua-language-detector made none either but its wheel is 96 MB and a
question takes 6 ms against 0.05 ms; a stopword-profile detector built from bm25s's lists made
24 errors, mostly short English questions. Loading the py3langid model takes ~0.75 s, so it
is imported on first use only, and a plain English question (ASCII letters, two or more English
function words: 209 of 217 English questions, none of the 30 others) never loads it: cold
``ask`` and ``check`` on English stay as fast as before.
"""

from __future__ import annotations

import re
import threading
from typing import Any

# ISO 639-1 code -> PyStemmer algorithm (bm25s knows the same names for its stopword lists).
STEMMERS = {
    "en": "english",
    "da": "danish",
    "de": "german",
    "sv": "swedish",
    "no": "norwegian",
    "nl": "dutch",
    "pt": "portuguese",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "fi": "finnish",
}
NAMES = {
    "en": "English",
    "da": "Danish",
    "de": "German",
    "sv": "Swedish",
    "no": "Norwegian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "fi": "Finnish",
}
DEFAULT = "en"
# Below this (a probability over the languages above) the answer is "unsure": the one error
# on the questions above ("and in Denmark?" as German) had 0.27; the least sure right answer
# (a Danish question) 0.52.
MIN_PROBABILITY = 0.5
MIN_LETTERS = 12  # shorter texts are not judged (an acronym, a name)
SAMPLE_CHARS = 20_000  # of a document: start, middle and end

_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "what",
        "how",
        "why",
        "who",
        "which",
        "does",
        "do",
        "is",
        "are",
        "of",
        "to",
        "in",
        "for",
        "a",
        "an",
        "should",
        "can",
        "did",
        "was",
        "were",
        "with",
        "by",
        "from",
        "on",
        "about",
        "this",
        "that",
        "their",
        "they",
        "it",
        "its",
        "has",
        "have",
        "be",
        "or",
        "when",
        "where",
        "many",
        "much",
        "would",
        "could",
        "will",
    ]
)
_MODEL: Any = None
_LOCK = threading.Lock()


def _identifier() -> Any:
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            from py3langid.langid import _load_identifier

            ident = _load_identifier(norm_probs=True)
            ident.set_languages(sorted(STEMMERS))
            _MODEL = ident
        return _MODEL


def plainly_english(text: str) -> bool:
    """ASCII words with at least two English function words: English without the model."""
    words = [w.lower() for w in _WORD.findall(text)]
    return all(w.isascii() for w in words) and sum(w in _ENGLISH for w in words) >= 2


def detect(text: str) -> str | None:
    """The ISO code of ``text``'s language among ``STEMMERS``, or None when unsure."""
    if sum(len(w) for w in _WORD.findall(text)) < MIN_LETTERS:
        return None
    if plainly_english(text[:2000]):
        return DEFAULT
    code, probability = _identifier().classify(text)
    return str(code) if probability >= MIN_PROBABILITY else None


def document_language(text: str) -> str:
    """A document's language (English when unsure), from a sample of its text."""
    if len(text) > SAMPLE_CHARS:
        third = SAMPLE_CHARS // 3
        mid = len(text) // 2
        text = " ".join((text[:third], text[mid - third // 2 : mid + third // 2], text[-third:]))
    # The English shortcut is for questions; a document is always measured.
    if sum(len(w) for w in _WORD.findall(text)) < MIN_LETTERS:
        return DEFAULT
    code, probability = _identifier().classify(text)
    return str(code) if probability >= MIN_PROBABILITY else DEFAULT


_FOREIGN: frozenset[str] | None = None


def _foreign_words() -> frozenset[str]:
    """Function words of the other languages that English does not share (bm25s's lists)."""
    global _FOREIGN
    if _FOREIGN is None:
        import bm25s.stopwords as lists

        words: set[str] = set()
        for name in ("DANISH", "GERMAN", "SWEDISH", "NORWEGIAN", "DUTCH", "PORTUGUESE"):
            words |= set(getattr(lists, f"STOPWORDS_{name}"))
        for name in ("FRENCH", "SPANISH", "ITALIAN"):
            words |= set(getattr(lists, f"STOPWORDS_{name}"))
        _FOREIGN = frozenset(words - set(lists.STOPWORDS_EN) - _ENGLISH)
    return _FOREIGN


def maybe_foreign(text: str) -> bool:
    """Worth asking the detector: a letter outside ASCII, or at least as many function words
    of another language as English ones. Every one of 31 Danish/German eval questions passes;
    of 289 English ones, 3 do (and the detector then says English), so an English search
    or question never waits for the model to load."""
    words = [w.lower() for w in _WORD.findall(text)]
    if any(not w.isascii() for w in words):
        return True
    foreign = sum(w in _foreign_words() for w in words)
    return foreign > 0 and foreign >= sum(w in _ENGLISH for w in words)


def question_language(question: str) -> str:
    """A question's language, English when unsure (short follow-ups, names)."""
    return (detect(question) or DEFAULT) if maybe_foreign(question) else DEFAULT


def keyword_languages(
    owners: list[tuple[str, str | None]], texts: list[str], setting: str = "auto"
) -> list[str]:
    """The language BM25 reads each chunk in: ``setting`` when it names one, else the chunk's
    document's (detected at ingest; for chunks stored before that, detected here from the
    document's chunks)."""
    if setting != "auto":
        return [setting] * len(owners)
    missing: dict[str, list[str]] = {}
    for (doc, lang), text in zip(owners, texts, strict=True):
        if lang is None and sum(map(len, missing.get(doc, []))) < SAMPLE_CHARS:
            missing.setdefault(doc, []).append(text)
    found = {doc: document_language(" ".join(parts)) for doc, parts in missing.items()}
    return [lang or found[doc] for doc, lang in owners]
