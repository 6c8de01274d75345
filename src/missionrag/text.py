"""Where text is cut: sentences with exact offsets, abbreviations, stopwords, keyword terms.

Chunking, ask, quiz and check all split with ``sentence_ends``/``sentence_spans``, so a chunk,
a quote and a quiz sentence end at the same places, and "U.S." is fixed in one list
(``ABBREVIATIONS``). Nothing is ever normalised: a sentence is a ``(start, end)`` span and its
text is ``text[start:end]``, so a quote is always a verbatim slice.

Why a regular expression and not a library (measured on the 122 files of corpus/ and
evals/corpus_b/docs/, 1.39 M characters, 2 shared cores):

=============== ========= =========================================================
splitter        speed     where it disagrees with the rule here (inside a line)
=============== ========= =========================================================
this rule       6.9 MB/s  -
nltk punkt      3.0 MB/s  113 more ends, nearly all wrong ("U.S.C. §", "vs. Private",
                          "e.g. evaluation", "avg. hourly"); 44 fewer, nearly all real
                          sentence ends it missed ("...a structure that works. They")
pysbd 0.3.4     0.08 MB/s 264 more, 699 fewer; splits PDF layout lines mid-sentence
=============== ========= =========================================================

pysbd would add ~19 s to the 34 s ingest of bench/ingest_throughput.py (its ratio, 0.86
against a floor of 0.85, would fall near 0.55); punkt is slower and wrong more often on this
kind of text, needs its model file (llama-index happens to ship one) and took 3 s to import.
The rule here is the one the chunker already used, so stored chunk ids do not move
(tests/test_text.py checks every file of both corpora against the ids before the move). For
ask, quiz and check it replaced four looser rules; on the dev evals that moved one big-corpus
ask answer to the right document (a quote that "&#8220;" had kept glued to the sentence
before it) and left every other number as it was (evals/reports/).

Keyword terms (``terms``) use a light suffix stripper (``stem``): with PyStemmer's English
stemmer (the keyword index's) instead, the reranked ask eval (dev) was unchanged and the
fallback path, rerank off, answered one fewer seed question right (45 against 46 of 51).
Stopwords: English here, the other languages from bm25s's lists (``stopwords``), which the
keyword index already uses.
"""

from __future__ import annotations

import re
from functools import cache

# --------------------------------------------------------------------------- abbreviations

# A word before a full stop that does not end a sentence ("e.g. the", "Dr. Smith", "No. 5").
# Dotted forms ("U.S.", "a.m.") and capital initials ("J. Smith") are caught by shape, below.
_ABBREVIATION_WORDS = """e.g i.e etc vs cf al approx ca fig figs no nos vol vols p pp dr mr mrs ms
prof st inc ltd co corp jr sr dept est govt jan feb mar apr jun jul aug sep sept oct nov dec art
sec para incl min max"""
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_DOTTED = re.compile(r"^[a-z]\.(?:[a-z]\.)+$")  # "u.s.", "e.g.", "a.m." (a full stop added)
_OPENERS = "(\"'\u201c\u2018["
_DASHES = "-\u2013\u2014"


def is_abbreviation(word: str, following: str = "A") -> bool:
    """Whether a full stop after ``word`` (as written, e.g. "(U.S") belongs to the word,
    given the character ``following`` the space after it.

    A capital letter alone before a word is an initial ("J. Smith"); before a number it ends
    a sentence ("see Appendix A. 13 agencies"), and a lower-case letter alone is a list label
    ("i. More nature parks"): both from evals/checkdoc's documents.
    """
    w = word.lstrip(_OPENERS)
    low = w.lower()
    if low in ABBREVIATIONS or _DOTTED.match(low + "."):
        return True
    return len(w) == 1 and w.isupper() and following.isalpha()


# --------------------------------------------------------------------------- sentences

# Candidate sentence ends: terminal punctuation (with closing quotes or brackets) before
# white space, or a blank line. A single line break is not one: a list and the line that
# introduces it ("That's why you need to:") stay one unit while they fit in a chunk.
#
# Linear on hostile text: a match may only start where a run of terminal punctuation starts
# (the lookbehind) and takes the run whole (possessive), so a line of 80,000 dots is scanned
# once instead of once from every dot (194 s before; tests/test_ingest_hostile.py).
END = re.compile(r"(?<![.!?\u2026])[.!?\u2026]++[\"'\u201d\u2019)\]]*+\s+|\n[ \t]*\n\s*")
_END_NO_BLANK = re.compile(r"(?<![.!?\u2026])[.!?\u2026]++[\"'\u201d\u2019)\]]*+\s+")
# A heading glued to its paragraph by an HTML-to-text export ("striving forMissions should"):
# a lower-case word of 3+ letters running into a capitalised word. Real camel case ("YouTube",
# "iPhone", "JavaScript") does not start with three lower-case letters.
GLUED = re.compile(r"(?<![A-Za-z])[a-z]{3,}(?=[A-Z][a-z]{2,})")


def sentence_ends(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    blank_lines: bool = True,
    attributions: bool = False,
) -> list[int]:
    """Where the sentences of ``text[start:end]`` end (after their trailing spaces), the
    last one (``end``) included.

    A full stop ends a sentence unless the next word starts lower case ("approx. five",
    "p. 12 shows": punkt does not split there either) or the word before it is an
    abbreviation or an initial. ``blank_lines=False`` for text whose layout puts
    white-space-only lines inside paragraphs (PDF text, ``check/units.py``).

    ``attributions=True`` keeps a quote with the speaker glued to a dash after it ('...of
    hope.” -New Jersey attendee'): the quiz needs both to state a fact with its source (its
    eval loses a covered fact otherwise). The chunker leaves it off: it always cut there, and
    its chunk ids hash the chunk text (tests/test_text.py).
    """
    stop = len(text) if end is None else end
    ends: list[int] = []
    for m in (END if blank_lines else _END_NO_BLANK).finditer(text, start, stop):
        if m.end() >= stop:
            break
        if m.group()[0] == "\n":
            ends.append(m.end())
            continue
        nxt = text[m.end() : m.end() + 2]
        if nxt[0].islower() or (attributions and nxt[0] in _DASHES and nxt[1:].isalpha()):
            continue
        before = text[max(start, m.start() - 40) : m.start()].rsplit(None, 1)
        word = before[-1] if before else ""
        if m.group()[0] == "." and is_abbreviation(word, text[m.end()]):
            continue
        ends.append(m.end())
    ends.append(stop)
    return ends


def sentence_spans(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    blank_lines: bool = True,
    attributions: bool = False,
    glued: bool = False,
) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as ``(s, e)`` spans without surrounding white space.

    ``glued`` also cuts where a heading runs into its paragraph (``GLUED``); the other
    options are ``sentence_ends``'s.
    """
    stop = len(text) if end is None else end
    cuts = sentence_ends(text, start, stop, blank_lines=blank_lines, attributions=attributions)
    if glued:
        cuts = sorted({*cuts, *(m.end() for m in GLUED.finditer(text, start, stop))})
    spans: list[tuple[int, int]] = []
    pos = start
    for cut in cuts:
        s, e = pos, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        pos = cut
    return spans


# --------------------------------------------------------------------------- stopwords

# NLTK's English list without its contraction fragments ("don", "ll"), plus "also", "could",
# "would", the other modals and "us", "within", "without": the words ask has always left out
# of keyword matching (evals/reports/ask.md).
_ENGLISH = """a about above after again against all also am an and any are as at be because
been before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if in into
is it its itself just me more most my myself no nor not now of off on once only or other our
ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
may might must shall us within without"""
ENGLISH_STOPWORDS = frozenset(_ENGLISH.split())
# ISO 639-1 code -> the name of bm25s's list (bm25s/stopwords.py).
_BM25S_LISTS = {
    "da": "DANISH",
    "de": "GERMAN",
    "sv": "SWEDISH",
    "no": "NORWEGIAN",
    "nl": "DUTCH",
    "pt": "PORTUGUESE",
    "fr": "FRENCH",
    "es": "SPANISH",
    "it": "ITALIAN",
}
STOPWORD_LANGUAGES = ("en", *_BM25S_LISTS)


@cache
def stopwords(language: str = "en") -> frozenset[str]:
    """Function words of ``language`` (ISO 639-1); empty for a language without a list.

    English is here, so the cold paths (``check``) need not import bm25s; the others are
    bm25s's lists, loaded on first use.
    """
    if language == "en":
        return ENGLISH_STOPWORDS
    name = _BM25S_LISTS.get(language)
    if name is None:
        return frozenset()
    from bm25s import stopwords as lists

    return frozenset(w.lower() for w in getattr(lists, f"STOPWORDS_{name}"))


def all_stopwords() -> frozenset[str]:
    """The function words of every language with a list (for multilingual statements)."""
    return frozenset().union(*(stopwords(lang) for lang in STOPWORD_LANGUAGES))


# --------------------------------------------------------------------------- terms

# A word: letters and digits, with an inner apostrophe ("Denmark's", "don't").
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def stem(word: str) -> str:
    """A light suffix stripper: enough to match "budgets"/"budgeting", "policies"/"policy"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suf, rep in (
        ("ational", "ate"), ("ization", "ize"), ("isation", "ize"), ("ies", "y"),
        ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", ""),
    ):  # fmt: skip
        if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith("ss"):
            return w[: len(w) - len(suf)] + rep
    return w


def terms(text: str, extra_stopwords: frozenset[str] = frozenset()) -> list[str]:
    """Stemmed content words of ``text`` in order: the one tokenizer for keyword overlap.

    English stopwords and ``extra_stopwords`` (a caller's own framing words) are dropped, and
    so are one-letter words other than digits.
    """
    out = []
    for tok in WORD.findall(text):
        low = tok.lower()
        if (
            low in ENGLISH_STOPWORDS
            or low in extra_stopwords
            or (len(low) < 2 and not low.isdigit())
        ):
            continue
        out.append(stem(low))
    return out


def strip_terms(text: str, drop: frozenset[str]) -> str:
    """``text`` without the words whose stem is in ``drop`` (for scoring only, never quoted)."""
    if not drop:
        return text
    out = WORD.sub(lambda m: "" if stem(m.group(0)) in drop else m.group(0), text)
    return re.sub(r"\s{2,}", " ", out).strip()
