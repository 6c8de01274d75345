"""Quiz builder: questions proved by the corpus, exported to the tools trainers use.

    build_quiz(retriever, n=10, topic=None, types=None, seed=None, llm=None) -> list[QuizItem]

Data flow: ``select`` turns documents into facts (a verbatim sentence plus the key term to
ask about), ``distractors`` finds wrong options of the same kind, ``generate`` writes the
items, ``gates`` rejects anything that does not hold up, ``llm_items`` (optional) rewrites
stems and distractors under the same gates. Exports live in ``missionrag.quiz.export``.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

from missionrag.errors import InputError
from missionrag.models import Chunk, QuizItem
from missionrag.quiz.distractors import Pools, pick
from missionrag.quiz.gates import duplicate_of, item_problems
from missionrag.quiz.generate import (
    arrange,
    make_cloze,
    make_mcq,
    make_true_false,
    mcq_question,
)
from missionrag.quiz.lists import load_docs
from missionrag.quiz.select import Fact, collect_facts
from missionrag.quiz.text import contains, content_words, norm

if TYPE_CHECKING:
    from missionrag.index import Retriever
    from missionrag.llm import LLM

TYPES = ("mcq", "true_false", "cloze")
MAX_ITEMS = 200
# Share of each type when several are asked for: MCQs carry most of a course quiz.
WEIGHTS = {"mcq": 2, "true_false": 1, "cloze": 1}
JITTER = 0.5  # how far a seed may reorder facts of similar value
# Diminishing returns per item already taken from the same document / kind / list.
DOC_STEP, CAT_STEP, DOC_CAT_STEP, GROUP_STEP = 0.25, 0.25, 0.3, 0.8


def check_args(n: int, types: list[str] | None) -> list[str]:
    if not isinstance(n, int) or n < 1 or n > MAX_ITEMS:
        raise InputError(f"--n must be between 1 and {MAX_ITEMS} (got {n})")
    if not types:
        return list(TYPES)
    cleaned: list[str] = []
    for t in types:
        t = t.strip().lower().replace("-", "_")
        if t not in TYPES:
            raise InputError(f"unknown question type '{t}'; choose from {', '.join(TYPES)}")
        if t not in cleaned:
            cleaned.append(t)
    return cleaned


def plan_types(n: int, types: list[str]) -> dict[str, int]:
    """How many items of each type (largest remainder, deterministic)."""
    total = sum(WEIGHTS[t] for t in types)
    exact = {t: n * WEIGHTS[t] / total for t in types}
    plan = {t: int(exact[t]) for t in types}
    for t in sorted(types, key=lambda t: (-(exact[t] - plan[t]), TYPES.index(t))):
        if sum(plan.values()) >= n:
            break
        plan[t] += 1
    return plan


def build_quiz(
    retriever: Retriever,
    *,
    n: int = 10,
    topic: str | None = None,
    types: list[str] | None = None,
    seed: int | None = None,
    llm: LLM | None = None,
) -> list[QuizItem]:
    """``n`` items from the corpus behind ``retriever``; the same seed gives the same quiz.

    ``seed=None`` means seed 0, so a quiz is reproducible unless a seed asks otherwise.
    Fewer than ``n`` items come back only when the corpus (or the topic) holds fewer facts
    that pass the gates.
    """
    wanted = check_args(n, types)
    chunks = retriever.all_chunks()
    if not chunks:
        raise InputError("ingest documents first: missionrag ingest corpus/")
    rng = random.Random(0 if seed is None else seed)
    docs = load_docs(retriever)
    facts, index = collect_facts(docs)
    pools = Pools(facts, index)
    texts = {d.source: d.text for d in docs}
    if topic and topic.strip():
        facts = near_topic(facts, retriever, topic.strip(), chunks, n)
        if not facts:
            raise InputError(
                f"nothing testable found near the topic '{topic}'; try a broader topic"
            )
    # Near a topic, relevance decides; spreading over documents would pull in off-topic facts.
    spread = 0.3 if topic and topic.strip() else 1.0
    items, used = assemble(facts, pools, n, wanted, rng, texts, spread=spread)
    if llm is not None:
        from missionrag.quiz.llm_items import improve

        items = improve(items, used, llm, texts)
    items = arrange(items, rng)
    if topic:
        items = [i.model_copy(update={"topic": topic}) for i in items]
    return items


def near_topic(
    facts: list[Fact], retriever: Retriever, topic: str, chunks: list[Chunk], n: int
) -> list[Fact]:
    """Facts inside the passages the retriever ranks for ``topic``, boosted by relevance.

    A hit on one item of a list (or on its intro line) brings in the whole list: the topic
    "criteria for effective missions" finds the intro sentence, the criteria follow it.
    """
    hits = retriever.search(topic, top_k=min(100, max(10, 2 * n)))
    spans = {c.id: (c.source, c.start, c.start + len(c.text)) for c in chunks}
    top = max((h.score for h in hits), default=0.0)
    topic_words = set(content_words(topic))
    relevance: dict[int, float] = {}
    for k, fact in enumerate(facts):
        lo, hi = fact.quote_start, fact.quote_start + len(fact.quote)
        for r, hit in enumerate(hits):
            src, a, b = spans.get(hit.chunk_id, (hit.source, -1, -1))
            if src != fact.source:
                continue
            if (a < hi and lo < b) or (
                a < 0 and (fact.quote in hit.text or hit.text in fact.quote)
            ):
                by_rank = 1 - r / len(hits)
                by_score = hit.score / top if top > 0 else by_rank
                relevance[k] = max(relevance.get(k, 0.0), (by_rank + by_score) / 2)
                break
        if topic_words and topic_words <= set(content_words(fact.statement)):
            relevance[k] = max(relevance.get(k, 0.0), 0.75)
    intros = {f.group: f.context for f in facts if f.group and f.context and f.body is not None}
    group_best: dict[str, float] = {}
    for k, value in relevance.items():
        fact = facts[k]
        groups = [fact.group] if fact.group else []
        # The list's intro line ("... outlines five criteria ...:") leads to the list.
        groups += [
            g for g, ctx in intros.items() if g.startswith(fact.source) and ctx in fact.quote
        ]
        for group in groups:
            group_best[group] = max(group_best.get(group, 0.0), value)
    out: list[Fact] = []
    for k, fact in enumerate(facts):
        value = relevance.get(k, 0.0)
        if fact.group:
            value = max(value, 0.9 * group_best.get(fact.group, 0.0))
        if value <= 0:
            continue
        fact.score += 4.0 * value
        out.append(fact)
    return out


def category(fact: Fact) -> str:
    """The four kinds of testable sentence: numbers, definitions, lists, who."""
    if fact.body is not None or fact.key.role in ("enumeration", "listed"):
        return "list"
    if fact.key.kind in ("percent", "year", "number"):
        return "number"
    if fact.key.kind == "term":
        return "definition"
    return "who"


def assemble(
    facts: list[Fact],
    pools: Pools,
    n: int,
    types: list[str],
    rng: random.Random,
    texts: dict[str, str],
    spread: float = 1.0,
) -> tuple[list[QuizItem], dict[str, Fact]]:
    """Greedy selection with diminishing returns: the best fact next, discounted by how much
    of the quiz its document, its kind of sentence and its list already have; then build the
    type the plan needs most and keep it only if it passes every gate."""
    plan = plan_types(n, types)
    # One draw per fact, in corpus order, so a seed reorders facts of similar value only.
    pending = [(f.score + JITTER * rng.random(), i, f) for i, f in enumerate(facts)]
    items: list[QuizItem] = []
    used: dict[str, Fact] = {}
    sentences: set[str] = set()
    taken: Counter[str] = Counter()
    truth: Counter[bool] = Counter()
    max_answer = 1 + n // 40
    for strict in (True, False):
        queue = list(pending)
        pending = []
        while queue and len(items) < n:
            best = max(
                range(len(queue)), key=lambda j: (_value(queue[j], taken, spread), -queue[j][1])
            )
            entry = queue.pop(best)
            fact = entry[2]
            if (
                fact.sentence_id in sentences
                or taken["answer:" + norm(fact.key.text)] >= max_answer
            ):
                continue
            order = sorted(types, key=lambda t: (-plan[t], TYPES.index(t)))
            if strict:
                order = [t for t in order if plan[t] > 0]
            for qtype in order:
                item = _build(fact, qtype, pools, rng, truth)
                if item is None or item_problems(item, texts.get(fact.source)):
                    continue
                if duplicate_of(item, items) is not None:
                    break
                items.append(item)
                used[item.id] = fact
                sentences.add(fact.sentence_id)
                for key in _keys(fact):
                    taken[key] += 1
                plan[qtype] -= 1
                if qtype == "true_false":
                    truth[item.answer == "True"] += 1
                break
            else:
                pending.append(entry)
        if len(items) >= n:
            break
    return items, used


def _keys(fact: Fact) -> list[str]:
    cat = category(fact)
    keys = [f"doc:{fact.doc_index}", f"cat:{cat}", f"doccat:{fact.doc_index}:{cat}"]
    keys.append("answer:" + norm(fact.key.text))
    return keys + ([f"group:{fact.group}"] if fact.group else [])


def _value(entry: tuple[float, int, Fact], taken: Counter[str], spread: float = 1.0) -> float:
    score, _, fact = entry
    cat = category(fact)
    penalty = spread * DOC_STEP * taken[f"doc:{fact.doc_index}"] + CAT_STEP * taken[f"cat:{cat}"]
    penalty += spread * DOC_CAT_STEP * taken[f"doccat:{fact.doc_index}:{cat}"]
    if fact.group:
        penalty += GROUP_STEP * taken[f"group:{fact.group}"]
    return score - penalty


def _build(
    fact: Fact, qtype: str, pools: Pools, rng: random.Random, truth: Counter[bool]
) -> QuizItem | None:
    if fact.body is not None and contains(fact.body, fact.key.text):
        return None  # "Systemic Change: Achieving systemic change ..." gives itself away
    if qtype == "mcq":
        if fact.key.role == "enumeration":
            return None  # the other items are in the sentence; no fair distractors exist
        distractors = pick(fact, pools, rng, avoid=mcq_question(fact))
        return make_mcq(fact, distractors) if distractors else None
    if qtype == "cloze":
        if fact.key.role == "listed" or len(fact.key.text.split()) > 6:
            return None  # a blank as long as a list item tests spelling, not understanding
        return make_cloze(fact)
    # A swapped concept ("engage in mission managers") makes nonsense, not a plausible error.
    swappable = fact.key.kind != "term" or fact.body is not None or fact.key.role == "listed"
    swappable = swappable and fact.key.role != "enumeration"
    if swappable and truth[False] <= truth[True]:
        claim = pick(fact, pools, rng, k=1, avoid=fact.body or "")
        if claim:
            return make_true_false(fact, claim[0])
    return make_true_false(fact, None)


__all__ = ["MAX_ITEMS", "TYPES", "build_quiz", "check_args", "plan_types"]
