"""Quiz builder on the real corpus: validity, spread, determinism, distractor kinds.

``CorpusRetriever`` wraps the real loader and chunker output (no store, no model) so these
tests stay fast; ``test_quiz_kb.py`` runs the same builder through a real KnowledgeBase.
"""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from missionrag.config import Settings
from missionrag.errors import InputError, NotFoundError
from missionrag.ingest import chunk_document, discover, load_file
from missionrag.models import Chunk, Document, Hit, QuizItem
from missionrag.quiz import build_quiz, plan_types
from missionrag.quiz.distractors import Pools, pick
from missionrag.quiz.gates import (
    BLANK,
    balanced,
    item_problems,
    near_equal,
    number_of,
    position_counts,
    quiz_problems,
    run_gates,
)
from missionrag.quiz.lists import load_docs
from missionrag.quiz.select import collect_facts
from missionrag.quiz.text import contains, starts_dangling, statement_split

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


class CorpusRetriever:
    """The Retriever protocol over real documents and chunks; search is a word-overlap ranking."""

    def __init__(self, docs: list[Document], chunks: list[Chunk]) -> None:
        self.docs = {d.source: d for d in docs}
        self.chunks = chunks
        self.searches: list[str] = []

    def all_chunks(self) -> list[Chunk]:
        return list(self.chunks)

    def document_text(self, source: str) -> str:
        if source not in self.docs:
            raise NotFoundError(source)
        return self.docs[source].text

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        """Rare query words count more (idf), as in the keyword half of the real search."""
        self.searches.append(query)
        bags = [set(re.findall(r"[a-z]{3,}", c.text.lower())) for c in self.chunks]
        q = set(re.findall(r"[a-z]{3,}", query.lower()))
        idf = {w: math.log(1 + len(bags) / (1 + sum(w in b for b in bags))) for w in q}
        scored = []
        for bag, c in zip(bags, self.chunks, strict=True):
            weight = sum(idf[w] for w in q & bag)
            if weight:
                scored.append((weight, c))
        scored.sort(key=lambda sc: (-sc[0], sc[1].source, sc[1].position))
        return [
            Hit(source=c.source, title=c.title, text=c.text, score=float(s), chunk_id=c.id)
            for s, c in scored[: top_k or 5]
        ]


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Document, ...], tuple[Chunk, ...]]:
    settings = Settings(data_dir=ROOT / ".missionrag-unused")
    files, _ = discover([CORPUS])
    docs, chunks = [], []
    for f in files:
        if f.name == "SOURCES.md":
            continue
        doc = load_file(f, settings, source=f"corpus/{f.name}")
        docs.append(doc)
        chunks.extend(chunk_document(doc, settings))
    return tuple(docs), tuple(chunks)


def corpus_retriever() -> CorpusRetriever:
    docs, chunks = _load()
    return CorpusRetriever(list(docs), list(chunks))


@pytest.fixture(scope="module")
def retriever() -> CorpusRetriever:
    return corpus_retriever()


@pytest.fixture(scope="module")
def quiz20(retriever: CorpusRetriever) -> list[QuizItem]:
    return build_quiz(retriever, n=20, seed=7)


def texts_of(r: CorpusRetriever) -> dict[str, str]:
    return {s: d.text for s, d in r.docs.items()}


# --------------------------------------------------------------------------- the 20-item quiz


def test_twenty_item_quiz_passes_every_gate(quiz20, retriever):
    assert len(quiz20) == 20
    assert run_gates(quiz20, texts_of(retriever)) == {}
    assert len({i.type for i in quiz20}) >= 2
    assert len({i.id for i in quiz20}) == 20
    assert len({i.quote for i in quiz20}) == 20, "one question per source sentence"


def test_every_item_is_proved_by_a_verbatim_quote(quiz20, retriever):
    for item in quiz20:
        text = retriever.document_text(item.source)
        assert item.quote in text, item.quote
        assert contains(item.quote, item.key or item.answer)
        assert item.title and item.explanation and item.source.startswith("corpus/")
        if item.type == "mcq":
            assert len(item.options) == 4 and item.answer in item.options
            assert not any(contains(item.quote, o) for o in item.options if o != item.answer)
        elif item.type == "true_false":
            assert item.options == ["True", "False"]
        else:
            assert item.question.count(BLANK) == 1 and not item.options


def test_transcript_items_carry_timestamps_and_video_links(retriever):
    items = build_quiz(retriever, n=40, seed=3)
    video = [i for i in items if i.source.endswith("implementing-missions.md")]
    assert video
    for item in video:
        assert re.fullmatch(r"\d\d:\d\d:\d\d", item.locator or ""), item.locator
        assert item.url and "youtube.com/watch" in item.url and "&t=" in item.url


def test_quiz_spreads_over_documents_and_types(retriever):
    items = build_quiz(retriever, n=30, seed=7)
    per_doc = Counter(i.source for i in items)
    assert len(per_doc) == 5 and max(per_doc.values()) <= 10
    types = Counter(i.type for i in items)
    assert types == Counter(plan_types(30, ["mcq", "true_false", "cloze"]))
    assert balanced(position_counts(items))
    tf = Counter(i.answer for i in items if i.type == "true_false")
    assert abs(tf["True"] - tf["False"]) <= 1


def test_questions_read_on_their_own(retriever):
    items = build_quiz(retriever, n=60, seed=11)
    for item in items:
        _, statement = statement_split(item.question)
        assert not starts_dangling(statement), item.question
        assert not re.search(r"\b(?:all|none) of the above\b", " ".join(item.options), re.I)


def test_distractors_are_of_the_answers_kind(retriever):
    docs = load_docs(retriever)
    _, index = collect_facts(docs)
    items = build_quiz(retriever, n=80, seed=5, types=["mcq"])
    assert len(items) >= 40
    kinds = Counter(i.kind for i in items)
    assert {"percent", "term"} <= set(kinds), kinds
    for item in items:
        wrong = [o for o in item.options if o != item.answer]
        assert not any(near_equal(o, item.answer) for o in wrong), item.options
        if item.kind in ("percent", "year", "number"):
            parsed = [number_of(o) for o in item.options]
            assert all(parsed), item.options
            if item.kind == "percent":
                assert all(p and p[1] == "%" for p in parsed)
                values = sorted(p[0] for p in parsed if p)
                assert min(b - a for a, b in zip(values, values[1:], strict=False)) >= 3
        elif item.kind == "person":
            known = set(index.people) | set(index.people.values())
            assert all(o in known for o in item.options), item.options


def test_true_false_statements_are_false_by_a_swapped_term(retriever):
    items = build_quiz(retriever, n=40, seed=2, types=["true_false"])
    false = [i for i in items if i.answer == "False"]
    true = [i for i in items if i.answer == "True"]
    assert false and true
    for item in false:
        assert item.claim and item.key and item.claim != item.key
        assert contains(item.question, item.claim) and not contains(item.quote, item.claim)
        assert contains(item.quote, item.key)
    for item in true:
        assert item.claim == item.key and contains(item.question, item.key)


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_quiz_different_seed_different_quiz(retriever):
    a = build_quiz(retriever, n=15, seed=42)
    b = build_quiz(corpus_retriever(), n=15, seed=42)
    c = build_quiz(retriever, n=15, seed=43)
    assert [i.model_dump() for i in a] == [i.model_dump() for i in b]
    assert [i.id for i in a] != [i.id for i in c]


def test_determinism_does_not_depend_on_hash_seed(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; the quiz must not. The child process
    imports only the quiz package, so it also shows offline generation never loads torch."""
    docs, chunks = _load()
    corpus = tmp_path / "corpus.json"
    corpus.write_text(
        json.dumps(
            {
                "texts": {d.source: d.text for d in docs},
                "chunks": [c.model_dump(mode="json") for c in chunks],
            }
        ),
        encoding="utf-8",
    )
    script = (
        "import json, sys\n"
        "from missionrag.models import Chunk\n"
        "from missionrag.quiz import build_quiz\n"
        f"data = json.load(open({str(corpus)!r}, encoding='utf-8'))\n"
        "class R:\n"
        "    def all_chunks(self): return [Chunk(**c) for c in data['chunks']]\n"
        "    def document_text(self, source): return data['texts'][source]\n"
        "    def search(self, query, top_k=None): return []\n"
        "items = build_quiz(R(), n=12, seed=9)\n"
        "print(json.dumps([i.model_dump() for i in items]))\n"
        "print('torch' in sys.modules)\n"
    )
    outs = []
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        res = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr[-2000:]
        quiz, torch_loaded = res.stdout.strip().splitlines()[-2:]
        assert torch_loaded == "False", "offline quiz generation must not import torch"
        outs.append(json.loads(quiz))
    assert outs[0] == outs[1] and len(outs[0]) == 12
    expected = [i.model_dump() for i in build_quiz(corpus_retriever(), n=12, seed=9)]
    assert outs[0] == json.loads(json.dumps(expected))


# --------------------------------------------------------------------------- topic and input errors


def test_topic_draws_from_passages_near_it(retriever):
    items = build_quiz(
        retriever, n=6, topic="European Commission criteria for effective missions", seed=1
    )
    assert retriever.searches[-1].startswith("European Commission")
    assert items and all(i.topic for i in items)
    near = [
        i for i in items if i.source.endswith("roles-and-challenges-public-sector-innovation.md")
    ]
    assert len(near) >= len(items) // 2


@pytest.mark.parametrize("n", [0, -1, 201])
def test_n_out_of_range_is_an_input_error(retriever, n):
    with pytest.raises(InputError, match="--n must be between 1 and 200"):
        build_quiz(retriever, n=n)


def test_unknown_type_is_an_input_error(retriever):
    with pytest.raises(InputError, match="unknown question type 'essay'"):
        build_quiz(retriever, n=3, types=["mcq", "essay"])


def test_single_type_quiz(retriever):
    items = build_quiz(retriever, n=8, types=["cloze"], seed=1)
    assert len(items) == 8 and {i.type for i in items} == {"cloze"}


def test_empty_corpus_asks_to_ingest():
    with pytest.raises(InputError, match="ingest documents first: missionrag ingest corpus/"):
        build_quiz(CorpusRetriever([], []), n=5)


def test_quiz_level_gates_catch_duplicates_and_unbalanced_positions(quiz20):
    mcqs = [i for i in quiz20 if i.type == "mcq"]
    skewed = [
        m.model_copy(update={"options": [m.answer] + [o for o in m.options if o != m.answer]})
        for m in mcqs
    ]
    assert "positions-unbalanced" in quiz_problems(skewed)
    twin = quiz20[0].model_copy(update={"id": "twin"})
    assert any(p.startswith("duplicate:twin") for p in quiz_problems([*quiz20, twin]))
    assert item_problems(quiz20[0]) == []


# --------------------------------------------------------------------------- slide-deck structures


def test_bare_list_items_take_wrong_options_from_other_lists(retriever):
    facts, index = collect_facts(load_docs(retriever))
    pools = Pools(facts, index)
    listed = [f for f in facts if f.key.role == "listed"]
    headings = {f.context for f in listed}
    assert {
        "The biggest risks of possibly failing",
        "Challenges in current mission work",
    } <= headings
    for fact in listed:
        own = {f.key.text for f in listed if f.group == fact.group}
        assert contains(fact.quote, fact.context) and contains(fact.quote, fact.key.text)
        wrong = pick(fact, pools, random.Random(1))
        assert wrong and not set(wrong) & own, (fact.key.text, wrong)
    items = build_quiz(retriever, n=200, seed=4, types=["mcq", "true_false"])
    asked = [i for i in items if "is listed under" in i.question]
    assert asked
    for item in asked:
        heading = next(h for h in headings if f"“{h}”" in item.question)
        own = {f.key.text for f in listed if f.context == heading}
        if item.type == "mcq":
            assert item.answer in own and not set(item.options) - {item.answer} & own
        else:
            assert (item.claim in own) == (item.answer == "True")


def test_slide_figure_becomes_a_fact(retriever):
    facts, _ = collect_facts(load_docs(retriever))
    figure = [f for f in facts if f.quote.startswith("Bottom-up driven")]
    assert len(figure) == 1 and figure[0].key.text == "54%" and figure[0].key.kind == "percent"
    assert figure[0].quote.endswith("54%") and figure[0].quote in retriever.document_text(
        figure[0].source
    )
    assert figure[0].statement.startswith("Bottom-up driven (the mission was set primarily by")
