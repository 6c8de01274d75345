"""Which sentence answers, and whether any does: the cross-encoder's evidence, calibrated.

Word-overlap and cosine scores pick the sentence that *names* the topic ("Furthermore,
missions..."); the cross-encoder, trained on question-passage pairs, picks the one that
*answers*. A sentence's score is its own logit, read with its heading, plus ``CHUNK_WEIGHT``
times its passage's logit (a sentence in a passage that answers is more likely the answer
than an equally worded one elsewhere). The best sentence is quoted with the sentences that
continue it on its line: paraphrased questions match the sentence that names a topic, and
the answer is often the next one.

Whether to answer at all is a logistic model of two signals, fitted on the dev questions of
both corpora and scored by grouped 5-fold cross-validation repeated 10 times
(``evals/missionrag_evals/tune_ask.py``; ``evals/reports/ask_calibration.md``): the best
passage's logit, and whether the question asks for a date, figure or named kind of thing
that none of the best sentences holds. The second is a rule on question words, kept because
it earns its place on both corpora: without it 0.21 of answerable questions were wrongly
abstained and 0.63 of unanswerable ones abstained; with it 0.12 and 0.76. The share of
question words the corpus never uses (the old hard rule) added nothing and was dropped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from missionrag.ask.question import answer_type, satisfies
from missionrag.ask.text import Unit, display, sentence_spans, terms

if TYPE_CHECKING:
    from missionrag.ask.extractive import Candidate
    from missionrag.index.rerank import Reranker

# -- selection, chosen on the dev questions (tune_ask.py: forced-correct sweep)
SENTENCE_CHUNKS = 3  # reranked passages whose sentences compete to answer (4: same, slower)
CHUNK_WEIGHT = 1.0  # weight of the passage's logit in its sentences' scores (0.5: -0.02)
EXPAND_SENTENCES = 2  # sentences continuing the best one on its line (0: seed 0.75 vs 0.90)
MAX_SENTENCES = 4  # sentences in an answer, continuation included
MIN_FOLLOW_LOGIT = -2.0  # a further sentence must not be judged irrelevant on its own
REDUNDANT = 0.6  # share of shared content words above which a sentence repeats another
MAX_QUOTE_CHARS = 600

# -- abstention: P(answerable) = sigmoid(W_PASSAGE * passage + W_UNTYPED * untyped + BIAS),
# fitted on all dev rows by tune_ask.py (balanced classes)
W_PASSAGE = 0.3053  # per logit of the best passage
W_UNTYPED = -2.6329  # the asked date/figure/kind is in none of the best sentences
BIAS = 0.1035
MIN_CONFIDENCE = 0.5  # answer when P(answerable) >= this (balanced classes in the fit)
TYPED_SENTENCES = 3  # best sentences searched for the asked date/figure/kind

# Discourse connectives that make a quote start mid-argument. The quote then begins after
# the connective (still a verbatim slice); this is presentation, not judgement.
CONNECTIVE = re.compile(
    r"(?:Furthermore|Moreover|Additionally|In addition|However|Also|Thus|Therefore|Hence|"
    r"Consequently|Similarly|Likewise|Meanwhile|Nevertheless|Nonetheless|Instead|Finally|"
    r"Firstly|Secondly|Thirdly|Lastly|Indeed|Overall|In turn|As a result|For example|"
    r"For instance|In particular|Notably|Importantly|Crucially|Specifically|Ultimately|"
    r"In this context|To this end|That said|On the other hand|In contrast|By contrast|"
    r"Beyond this|Alongside this|At the same time|Then|And|But|So),\s+"
)


@dataclass
class Evidence:
    """The abstention model's inputs and output for one question."""

    best: float  # best sentence score
    passage: float  # best passage's logit
    untyped: bool  # asks for a date/figure/kind that none of the best sentences holds
    confidence: float  # P(answerable)
    asked: str | None = None  # what the question asks for, in words, when untyped


def unit_context(c: Candidate) -> str:
    """The sentence as the cross-encoder reads it: led by its heading when that adds words.

    Slides and bullet lists lean on their headings ("Bottom-up driven" over "(the mission was
    set primarily by the stakeholders...)").
    """
    body = display(c.unit.text)
    ctx = c.unit.context.strip().rstrip(":")
    if not ctx or ctx.lower() in body.lower():
        return body
    return f"{ctx}: {body}"


def score_units(question: str, cands: list[Candidate], reranker: Reranker) -> None:
    """Set ``sim`` (the sentence's own logit) and ``score`` on every candidate."""
    if not cands:
        return
    logits = reranker.score(question, [unit_context(c) for c in cands])
    for c, logit in zip(cands, logits, strict=True):
        c.sim = float(logit)
        c.score = float(logit) + CHUNK_WEIGHT * float(c.hit.rerank_score or 0.0)


def evidence(question: str, cands: list[Candidate], passage: float) -> Evidence:
    ranked = sorted(cands, key=lambda c: -c.score)
    best = ranked[0].score if ranked else -30.0
    kind = answer_type(question)
    untyped = kind is not None and not any(
        satisfies(kind, c.unit.text, question) for c in ranked[:TYPED_SENTENCES]
    )
    z = W_PASSAGE * passage + W_UNTYPED * untyped + BIAS
    asked = None
    if untyped and kind is not None:
        asked = {"date": "a date", "quantity": "a figure"}.get(kind.kind, f"a {kind.noun}")
    return Evidence(best, passage, untyped, 1.0 / (1.0 + math.exp(-z)), asked)


def _overlap(a: Candidate, b: Candidate) -> float:
    ta, tb = set(terms(a.unit.text)), set(terms(b.unit.text))
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def sentences_in(c: Candidate) -> int:
    """Sentences a candidate counts for in an answer (a list counts as one)."""
    return 1 if c.unit.kind == "list" else max(1, c.unit.text.count(". ") + 1)


def select(pool: list[Candidate], doc_text: str | None) -> list[Candidate]:
    """The best sentence with its continuation first, then others that say something new."""
    ranked = sorted(pool, key=lambda c: -c.score)
    if not ranked:
        return []
    chosen = [expand(trim_connective(ranked[0]), doc_text)]
    used = sentences_in(chosen[0])
    for c in ranked[1:]:
        if used >= MAX_SENTENCES:
            break
        if c.sim < MIN_FOLLOW_LOGIT or used + sentences_in(c) > MAX_SENTENCES:
            continue
        same_doc = [s for s in chosen if s.hit.source == c.hit.source]
        if any(s.quote in c.quote or c.quote in s.quote for s in same_doc):
            continue  # a list and the sentence that introduces it, or the continuation itself
        if any(_overlap(c, s) > REDUNDANT for s in chosen):
            continue
        chosen.append(trim_connective(c))
        used += sentences_in(c)
    return chosen


def expand(top: Candidate, doc_text: str | None) -> Candidate:
    """The sentence plus up to ``EXPAND_SENTENCES`` that follow it on the same line.

    Read from the document text (a chunk can end right after the sentence); the quote stays
    one verbatim span.
    """
    start = top.hit.start
    if top.unit.kind != "sentence" or doc_text is None or start is None:
        return top
    a, b = start + top.unit.start, start + top.unit.end
    if doc_text[a:b] != top.unit.text:
        return top  # the stored text moved on since the chunk was indexed; quote as is
    line_end = doc_text.find("\n", b)
    line_end = len(doc_text) if line_end < 0 else line_end
    end = b
    for s, e in sentence_spans(doc_text, b, line_end)[:EXPAND_SENTENCES]:
        # "...include:" introduces a list the quote would cut off; stop before it.
        if e - a > MAX_QUOTE_CHARS or doc_text[s:e].rstrip().endswith(":"):
            break
        end = e
    if end == b:
        return top
    u = top.unit
    return replace(top, unit=Unit(u.start, u.start + end - a, doc_text[a:end], u.kind, u.context))


def trim_connective(c: Candidate) -> Candidate:
    """The candidate with its quote starting after a leading "Furthermore, " (if any)."""
    if c.unit.kind != "sentence":
        return c
    m = CONNECTIVE.match(c.unit.text)
    if not m or len(c.unit.text) - m.end() < 20:
        return c
    u = c.unit
    return replace(c, unit=Unit(u.start + m.end(), u.end, u.text[m.end() :], u.kind, u.context))
