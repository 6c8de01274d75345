"""Extractive answers: score the sentences of the retrieved chunks, pick 1-4, cite each one.

Score of a sentence (the fallback path when no reranker is installed; evals/reports/ask.md):
  cosine to the question, with the same embedder as retrieval; the mean of a plain reading
    and one without the words most chunks share ("mission"), and the better of the sentence
    alone or led by its section heading (slides and lists lean on their headings)
  + KEYWORD_WEIGHT x IDF-weighted share of the question's content words in the sentence
  + PASSAGE_WEIGHT / (1 + rank of its chunk in the retriever's list)
Selection: the best sentence plus the sentences that follow it on its line (the answer to a
paraphrased question is often the continuation of the sentence that names the topic), then
MMR over the rest within FOLLOW_MARGIN of the best, up to four sentences in all.
Abstention: the best score minus penalties for question words the corpus never uses is
below MIN_CONFIDENCE, or the question asks for a number, date or named kind of thing that
no retrieved sentence holds (``question.py``). The constants are calibrated on
``evals/qa.jsonl``; the report (``evals/reports/ask.md``) shows the threshold sweep.
The chosen sentences become the answer text and its citations in ``citations.py``.
"""

from __future__ import annotations

import contextlib
import math
import re
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from missionrag.ask.question import answer_type, question_language, satisfies
from missionrag.ask.text import Unit, display, split_units, terms
from missionrag.errors import MissionRagError
from missionrag.models import Hit
from missionrag.text import strip_terms

if TYPE_CHECKING:
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder
    from missionrag.index.rerank import Reranker

# --- calibration (evals/qa.jsonl; the sweep is in evals/reports/ask.md) -----------------
KEYWORD_WEIGHT = 0.2  # weight of IDF-weighted question-term recall next to cosine
PASSAGE_WEIGHT = 0.1  # weight of the reciprocal rank of the chunk holding the sentence
# per unit share of question words that appear nowhere in the corpus (names/numbers, others)
OOV_PROPER_PENALTY = 0.6
OOV_COMMON_PENALTY = 0.1
MIN_CONFIDENCE = 0.50  # below this the answer abstains
FOREIGN_MIN_CONFIDENCE = 0.70  # the English model reads other languages poorly: ask for more
FOLLOW_MARGIN = 0.25  # a further sentence must score within this of the best one
MAX_SENTENCES = 4
MMR_LAMBDA = 0.75  # relevance vs. redundancy
NEW_SOURCE_BONUS = 0.02
MIN_WORDS = 4
DOMAIN_DF = 0.5  # words in more than this share of chunks carry no topic (see score_candidates)


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

    def shown_confidence(self) -> float | None:
        """``confidence`` as ``Answer.confidence`` carries it: rounded, None when not finite."""
        x = self.confidence
        return None if x != x or x in (float("inf"), float("-inf")) else round(x, 4)


# --------------------------------------------------------------------------- corpus stats


@dataclass
class CorpusStats:
    """Document frequencies over all chunks: IDF weights and "does the corpus use this word"."""

    chunk_ids: frozenset[str]
    df: Counter[str]
    n: int
    starts: dict[str, int] = field(default_factory=dict)  # chunk id -> offset in its document

    def idf(self, term: str) -> float:
        return math.log(1.0 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        return term in self.df

    def common_terms(self, share: float) -> frozenset[str]:
        """Terms found in more than ``share`` of all chunks."""
        return frozenset(t for t, n in self.df.items() if n > share * self.n)


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
    stats = CorpusStats(
        frozenset(c.id for c in chunks), df, max(1, len(chunks)), {c.id: c.start for c in chunks}
    )
    with contextlib.suppress(TypeError):  # not weak-referenceable: no cache
        _STATS[retriever] = stats
    return stats


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
    # Words in most chunks ("mission" here) pull every sentence towards every question; a
    # second reading without them separates the sentence that answers from the generic one.
    common = stats.common_terms(DOMAIN_DF)
    q2 = strip_terms(question, common)
    variants = [[t, None if t is None else strip_terms(t, common)] for pair in pairs for t in pair]
    texts = list(dict.fromkeys(v for pair in variants for v in pair if v))
    index = {t: i for i, t in enumerate(texts)}
    matrix = embedder.embed(texts)
    sims = matrix @ qvec
    sims2 = matrix @ embedder.embed([q2])[0] if q2 and q2 != question else sims

    def sim_of(text: str | None) -> float:
        if text is None:
            return -1.0
        stripped = strip_terms(text, common)
        return 0.5 * (float(sims[index[text]]) + float(sims2[index[stripped or text]]))

    qweight = {t: stats.idf(t) for t in set(terms(question))}
    total = sum(qweight.values()) or 1.0
    kind = answer_type(question)
    for c, (body, with_ctx) in zip(cands, pairs, strict=True):
        c.vec = matrix[index[body]]
        c.sim = max(sim_of(body), sim_of(with_ctx))
        have = set(terms(c.unit.text))
        c.kw = sum(w for t, w in qweight.items() if t in have) / total
        c.typed = satisfies(kind, c.unit.text, question)
        score = c.sim + KEYWORD_WEIGHT * c.kw
        score += PASSAGE_WEIGHT / (1 + c.rank)  # the retriever's ranking of the chunk
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


def select(
    pool: list[Candidate], retriever: Retriever | None = None, stats: CorpusStats | None = None
) -> list[Candidate]:
    """The best sentence with its continuation (``relevance.expand``, as with reranking), then
    MMR: relevant, not redundant, and preferring a source not yet cited, up to
    ``MAX_SENTENCES`` sentences in all."""
    from missionrag.ask import relevance

    if not pool:
        return []
    first = max(pool, key=lambda c: c.score)
    chosen = [first]
    if retriever is not None and stats is not None:
        if first.hit.start is None:  # a hit built without its offset: the stats know it
            start = stats.starts.get(first.hit.chunk_id)
            first = replace(first, hit=first.hit.model_copy(update={"start": start}))
        chosen = [relevance.expand(first, _doc_text(retriever, first.hit.source))]
    best = first.score
    used = relevance.sentences_in(chosen[0])
    while used < MAX_SENTENCES:
        nxt, nxt_val = None, -1e9
        for c in pool:
            if c in chosen or c.score < best - FOLLOW_MARGIN or _overlaps(c, chosen):
                continue
            if used + relevance.sentences_in(c) > MAX_SENTENCES:
                continue
            redundancy = max(float(np.dot(c.vec, s.vec)) for s in chosen)  # type: ignore[arg-type]
            bonus = NEW_SOURCE_BONUS if all(s.hit.source != c.hit.source for s in chosen) else 0.0
            val = MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * redundancy + bonus
            if val > nxt_val:
                nxt, nxt_val = c, val
        if nxt is None or max(float(np.dot(nxt.vec, s.vec)) for s in chosen) > 0.9:  # type: ignore[arg-type]
            break
        chosen.append(nxt)
        used += relevance.sentences_in(nxt)
    return chosen


def _overlaps(c: Candidate, chosen: list[Candidate]) -> bool:
    """A list unit and the sentence that introduces it must not both be quoted."""
    return any(
        s.hit.source == c.hit.source and (s.quote in c.quote or c.quote in s.quote) for s in chosen
    )


def extract(
    question: str,
    hits: list[Hit],
    qvec: np.ndarray | None,
    embedder: Embedder | None,
    stats: CorpusStats | None,
    retriever: Retriever | None = None,
    *,
    reranker: Reranker | None = None,
    min_confidence: float | None = None,
) -> Extraction:
    """Score, pick the sentences, and decide whether to abstain.

    With a cross-encoder (hits carry ``rerank_score``), sentences are scored by it
    (``relevance.py``) and abstention is a calibrated threshold on the best score. Without
    one, the similarity recipe of the module docstring applies. ``chosen`` is filled either
    way; ``abstain`` says whether an answer may use it.
    """
    if reranker is not None and any(h.rerank_score is not None for h in hits):
        return _extract_reranked(question, hits, reranker, retriever, min_confidence)
    assert qvec is not None and embedder is not None and stats is not None
    return _extract_similar(question, hits, qvec, embedder, stats, retriever)


def _extract_reranked(
    question: str,
    hits: list[Hit],
    reranker: Reranker,
    retriever: Retriever | None,
    min_confidence: float | None,
) -> Extraction:
    from missionrag.ask import relevance

    cands = collect(hits[: relevance.SENTENCE_CHUNKS])
    relevance.score_units(question, cands, reranker)
    passage = max((h.rerank_score for h in hits if h.rerank_score is not None), default=-30.0)
    ev = relevance.evidence(question, cands, passage)
    threshold = relevance.MIN_CONFIDENCE if min_confidence is None else min_confidence
    abstain = not cands or ev.confidence < threshold
    language = question_language(question)
    reasons: list[str] = []
    if not cands:
        reasons.append("no passage was retrieved")
    elif abstain and ev.asked:
        reasons.append(f"the question asks for {ev.asked}, and no retrieved passage gives one")
    elif abstain:
        reasons.append("none of the closest passages answers the question")
    if abstain and language:
        reasons.append(
            f"the question looks written in {language}; the corpus and its model are English, "
            "so ask in English for better matches"
        )
    chosen: list[Candidate] = []
    if cands:
        best = max(cands, key=lambda c: c.score)
        chosen = relevance.select(cands, _doc_text(retriever, best.hit.source))
    return Extraction(question, hits, cands, chosen, ev.confidence, abstain, reasons, language)


def _doc_text(retriever: Retriever | None, source: str) -> str | None:
    if retriever is None:
        return None
    try:
        return retriever.document_text(source)
    except MissionRagError:
        return None


def _extract_similar(
    question: str,
    hits: list[Hit],
    qvec: np.ndarray,
    embedder: Embedder,
    stats: CorpusStats,
    retriever: Retriever | None,
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
        what = {"date": "a date", "quantity": "a figure"}.get(kind.kind, f"a {kind.noun}")
        if kind.kind == "quantity" and kind.noun:
            what = f"a number of {kind.noun}s"
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
    chosen = select(pool, retriever, stats)
    return Extraction(question, hits, cands, chosen, confidence, abstain, reasons, language)
