"""Extractive answers: score the sentences of the retrieved chunks, pick 1-4, cite each one.

Scoring (issue 4): cosine similarity of each sentence to the question (the same embedder as
retrieval) plus IDF-weighted overlap with the question's content words; selection is MMR,
so the answer does not repeat itself, with a small bonus for a source not yet cited.
Abstention looks at the best evidence: weak similarity, question words the corpus never
uses, or a question that asks for a number or a date that no candidate sentence contains.
The thresholds are calibrated on ``evals/qa.jsonl`` (see ``evals/reports/ask.md``).
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from missionrag.ask.text import Unit, display, split_units, terms
from missionrag.models import Citation, Hit

if TYPE_CHECKING:
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder

# --- calibration (evals/qa.jsonl; the sweep is in evals/reports/ask.md) -----------------
KEYWORD_WEIGHT = 0.35  # weight of IDF-weighted question-term recall next to cosine
HEADING_CREDIT = 0.5  # share of keyword credit for words found only in the unit's heading
NEIGHBOUR_WEIGHT = 0.0  # share of a stronger adjacent sentence's lead passed on
PASSAGE_WEIGHT = 0.0  # weight of the retriever's score of the chunk holding the sentence
# per unit share of question words that appear nowhere in the corpus (names/numbers, others)
OOV_PROPER_PENALTY = 0.6
OOV_COMMON_PENALTY = 0.3
MIN_CONFIDENCE = 0.50  # below this the answer abstains
FOREIGN_MIN_CONFIDENCE = 0.70  # the English model reads other languages poorly: ask for more
FOLLOW_MARGIN = 0.10  # a further sentence must score within this of the best one
MAX_SENTENCES = 4
MMR_LAMBDA = 0.75  # relevance vs. redundancy
NEW_SOURCE_BONUS = 0.02
MIN_WORDS = 4


@dataclass
class Candidate:
    hit: Hit
    rank: int
    unit: Unit
    sim: float = 0.0
    kw: float = 0.0
    score: float = 0.0
    typed: bool = True  # satisfies the answer type the question asks for (number, date)
    vec: np.ndarray | None = field(default=None, repr=False)

    @property
    def quote(self) -> str:
        return self.unit.text


@dataclass
class Extraction:
    """What the extractive step found: the chosen sentences and the evidence behind them."""

    question: str
    hits: list[Hit]
    candidates: list[Candidate]
    chosen: list[Candidate]
    confidence: float
    abstain: bool
    reasons: list[str] = field(default_factory=list)
    language: str | None = None  # a non-English language the question seems to be in


# --------------------------------------------------------------------------- corpus stats


@dataclass
class CorpusStats:
    """Document frequencies over all chunks: IDF weights and "does the corpus use this word"."""

    chunk_ids: frozenset[str]
    df: Counter[str]
    n: int

    def idf(self, term: str) -> float:
        return math.log(1.0 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        return term in self.df


_STATS: weakref.WeakKeyDictionary[object, CorpusStats] = weakref.WeakKeyDictionary()


def corpus_stats(retriever: Retriever, hits: Sequence[Hit] = ()) -> CorpusStats:
    """Stats cached per retriever; rebuilt when a hit names a chunk they have not seen."""
    try:
        cached = _STATS.get(retriever)
    except TypeError:  # not weak-referenceable: compute every time
        cached = None
    if cached is not None and all(not h.chunk_id or h.chunk_id in cached.chunk_ids for h in hits):
        return cached
    chunks = retriever.all_chunks()
    df: Counter[str] = Counter()
    for c in chunks:
        df.update(set(terms(c.text)))
    stats = CorpusStats(frozenset(c.id for c in chunks), df, max(1, len(chunks)))
    try:
        _STATS[retriever] = stats
    except TypeError:
        pass
    return stats


# --------------------------------------------------------------------------- question analysis

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


def answer_type(question: str) -> str | None:
    """'date' or 'quantity' when the question asks for one, else None."""
    if _DATE.search(question):
        return "date"
    if _QUANTITY.search(question):
        return "quantity"
    return None


def _satisfies(kind: str | None, text: str, question: str) -> bool:
    """Whether ``text`` could hold the answer type: a new number, a year or a month."""
    if kind is None:
        return True
    asked = {n.strip(" ,.%") for n in _NUMBER.findall(question)}
    if kind == "date":
        years = {m.group(1) for m in _YEAR.finditer(text)} - asked
        months = set(_MONTH.findall(text)) - set(_MONTH.findall(question))
        return bool(years or months)
    for m in _NUMBER.finditer(text):
        num = m.group(0).strip(" ,.%")
        # A year is not a count or an amount; a number the question already states is no answer.
        if num and num not in asked and not _YEAR.fullmatch(num):
            return True
    return False


# --------------------------------------------------------------------------- scoring


def _units(hit: Hit) -> list[Unit]:
    out = []
    for u in split_units(hit.text, hit.section):
        if u.kind == "heading" or len(re.findall(r"[^\W\d_]{2,}", u.text)) < MIN_WORDS:
            continue
        out.append(u)
    return out


def _embed_texts(unit: Unit) -> tuple[str, str | None]:
    """The unit's clean text, and the same led by its heading when the heading adds words.

    Slides and bullet lists lean on their heading ("Bottom-up driven" over "(the mission was
    set primarily by the stakeholders...)"), so a unit scores by the better of the two.
    """
    body = display(unit.text)
    ctx = unit.context.strip().rstrip(":")
    if not ctx or ctx.lower() in body.lower():
        return body, None
    return body, f"{ctx}: {body}"


def collect(hits: Sequence[Hit]) -> list[Candidate]:
    """Candidate units of all hits, deduplicated by (source, text) across overlapping chunks."""
    seen: set[tuple[str, str]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(hits):
        for unit in _units(hit):
            key = (hit.source, unit.text)
            if key in seen:
                continue
            seen.add(key)
            out.append(Candidate(hit=hit, rank=rank, unit=unit))
    return out


def score_candidates(
    question: str,
    qvec: np.ndarray,
    cands: list[Candidate],
    embedder: Embedder,
    stats: CorpusStats,
) -> None:
    """Set sim, kw and score on every candidate (see the module docstring for the recipe)."""
    if not cands:
        return
    pairs = [_embed_texts(c.unit) for c in cands]
    texts = list(dict.fromkeys(t for pair in pairs for t in pair if t))
    index = {t: i for i, t in enumerate(texts)}
    matrix = embedder.embed(texts)
    sims = matrix @ qvec
    qweight = {t: stats.idf(t) for t in set(terms(question))}
    total = sum(qweight.values()) or 1.0
    kind = answer_type(question)
    for c, (body, with_ctx) in zip(cands, pairs, strict=True):
        c.vec = matrix[index[body]]
        c.sim = float(sims[index[body]])
        if with_ctx is not None:
            c.sim = max(c.sim, float(sims[index[with_ctx]]))
        have = set(terms(c.unit.text))
        heading = set(terms(c.unit.context)) - have
        # The heading is not quoted, so its words earn half credit.
        c.kw = (
            sum(w for t, w in qweight.items() if t in have)
            + HEADING_CREDIT * sum(w for t, w in qweight.items() if t in heading)
        ) / total
        c.typed = _satisfies(kind, c.unit.text, question)
    base = {id(c): c.sim + KEYWORD_WEIGHT * c.kw for c in cands}
    for i, c in enumerate(cands):
        # A sentence next to a strong one often carries the answer ("...established 10 action
        # items" follows the sentence that names the case), so neighbours lend some score.
        near = [
            base[id(o)]
            for o in (cands[i - 1] if i else None, cands[i + 1] if i + 1 < len(cands) else None)
            if o is not None and o.hit is c.hit
        ]
        score = base[id(c)] + NEIGHBOUR_WEIGHT * max([0.0, *(n - base[id(c)] for n in near)])
        score += PASSAGE_WEIGHT * c.hit.score  # the retriever's fused rank score, in [0, 1]
        if c.unit.text.rstrip().endswith("?"):
            score -= 0.15  # a question in the source (a slide title, a survey item) answers nothing
        c.score = score


def oov_terms(question: str, stats: CorpusStats) -> tuple[float, float, list[str]]:
    """Shares of the question's content words that no chunk uses: (names/numbers, others).

    A name or a number the corpus never mentions ("Finland", "2018", "CO2") is strong
    evidence that the question is out of scope; an unknown common word is often paraphrase.
    """
    seen: dict[str, bool] = {}
    for i, m in enumerate(re.finditer(r"[^\W_]+(?:['’][^\W_]+)?", question)):
        tok = m.group(0)
        t = terms(tok)
        if not t or t[0] in seen:
            continue
        seen[t[0]] = any(ch.isdigit() for ch in tok) or (i > 0 and tok[0].isupper())
    if not seen:
        return 0.0, 0.0, []
    unknown = [t for t in seen if not stats.known(t)]
    proper = sum(seen[t] for t in unknown) / len(seen)
    common = sum(not seen[t] for t in unknown) / len(seen)
    return proper, common, unknown


def select(cands: list[Candidate], pool: list[Candidate]) -> list[Candidate]:
    """MMR over ``pool``: relevant, not redundant, preferring a source not yet cited."""
    if not pool:
        return []
    chosen = [max(pool, key=lambda c: c.score)]
    best = chosen[0].score
    while len(chosen) < MAX_SENTENCES:
        nxt, nxt_val = None, -1e9
        for c in pool:
            if c in chosen or c.score < best - FOLLOW_MARGIN or _overlaps(c, chosen):
                continue
            redundancy = max(float(np.dot(c.vec, s.vec)) for s in chosen)  # type: ignore[arg-type]
            bonus = NEW_SOURCE_BONUS if all(s.hit.source != c.hit.source for s in chosen) else 0.0
            val = MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * redundancy + bonus
            if val > nxt_val:
                nxt, nxt_val = c, val
        if nxt is None or max(float(np.dot(nxt.vec, s.vec)) for s in chosen) > 0.9:  # type: ignore[arg-type]
            break
        chosen.append(nxt)
    return chosen


def _overlaps(c: Candidate, chosen: list[Candidate]) -> bool:
    """A list unit and the sentence that introduces it must not both be quoted."""
    return any(
        s.hit.source == c.hit.source and (s.quote in c.quote or c.quote in s.quote) for s in chosen
    )


def extract(
    question: str,
    hits: list[Hit],
    qvec: np.ndarray,
    embedder: Embedder,
    stats: CorpusStats,
) -> Extraction:
    cands = collect(hits)
    score_candidates(question, qvec, cands, embedder, stats)
    language = question_language(question)
    kind = answer_type(question)
    pool = [c for c in cands if c.typed]
    reasons: list[str] = []
    proper, common, unknown = oov_terms(question, stats)
    best = max((c.score for c in pool), default=0.0)
    confidence = best - OOV_PROPER_PENALTY * proper - OOV_COMMON_PENALTY * common
    if not cands:
        reasons.append("no passage was retrieved")
    elif kind and not pool:
        what = "a date" if kind == "date" else "a figure"
        reasons.append(f"the question asks for {what}, and no retrieved passage gives one")
    if unknown and confidence < MIN_CONFIDENCE:
        reasons.append("the corpus never mentions: " + ", ".join(unknown[:5]))
    threshold = FOREIGN_MIN_CONFIDENCE if language else MIN_CONFIDENCE
    abstain = not pool or confidence < threshold
    if abstain and language:
        reasons.append(
            f"the question looks written in {language}; the corpus and its model are English, "
            "so ask in English for better matches"
        )
    if abstain and not reasons:
        reasons.append("the closest passages are only loosely related to the question")
    chosen = [] if abstain else select(cands, pool)
    return Extraction(question, hits, cands, chosen, confidence, abstain, reasons, language)


# --------------------------------------------------------------------------- citations


def locate(hit: Hit, offset: int) -> tuple[str | None, str | None]:
    """The most precise locator at ``offset`` (relative to the chunk) and its link.

    ``Hit.marks`` are the finer marks inside the chunk (transcript timestamps, later pages);
    the one in force at the sentence start wins, else the chunk's own locator.
    """
    found = None
    for m in sorted(hit.marks, key=lambda m: m.start):
        if m.start <= offset and m.locator:
            found = m
        elif m.start > offset:
            break
    if found is not None:
        return found.locator, found.url or hit.url
    return hit.locator, hit.url


def cite(c: Candidate) -> Citation:
    locator, url = locate(c.hit, c.unit.start)
    return Citation(
        source=c.hit.source,
        title=c.hit.title,
        locator=locator,
        url=url,
        quote=c.quote,
        score=round(max(0.0, min(1.0, c.score)), 4),
    )


def compose(chosen: list[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after each sentence, and the citations it numbers."""
    parts: list[str] = []
    citations: list[Citation] = []
    for c in chosen:
        citations.append(cite(c))
        parts.append(f"{display(c.quote)} [{len(citations)}]")
    return " ".join(parts), citations
