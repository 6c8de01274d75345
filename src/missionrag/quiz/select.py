"""From the knowledge base to *facts*: a verbatim sentence, the key term to ask about, and
everything needed to cite it.

Sentences come from ``Retriever.document_text`` (chunks can cut sentences, documents do not);
the chunk that holds a sentence gives its locator, so citations come from the loader's marks.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from missionrag.quiz.lists import (
    LIST_WORDS,
    DocView,
    Labelled,
    bare_lists,
    figures,
    labelled_items,
    locate,
)
from missionrag.quiz.terms import (
    EntityIndex,
    Term,
    defined_term,
    enumeration_term,
    numbers,
    quoted_terms,
    runs,
)
from missionrag.quiz.text import (
    Span,
    clean_markup,
    contains,
    content_words,
    split_sentences,
    starts_dangling,
    strip_connective,
    words,
    wordset,
)

BASE_SCORE = {
    "percent": 3.0, "year": 2.7, "person": 2.4, "organisation": 2.2, "number": 2.3,
    "place": 1.4, "term": 2.4,
}  # fmt: skip
LABELLED_SCORE = 3.2
# Words of the course's subject; a sentence with none of them is usually an aside.
DOMAIN = wordset(
    """mission missions innovation government governments policy policies stakeholders
    stakeholder governance public challenge challenges criteria lessons design societal systemic
    transition sector sectors evaluation monitoring impact target targets funding portfolio
    portfolios risk risks coordination ecosystem leadership"""
)
_THIS_NOUN = re.compile(
    r"^(?:This|That) (project|programme|program|initiative|mission|survey|report|event|workshop|"
    r"network|tool|strategy|plan)\b"
)
_TRUNCATED_END = re.compile(r"\b(?:and|or|the|a|an|of|to|with|within|for|in|on|by|from|our)$", re.I)
# Page furniture that is not course material.
_BOILERPLATE = re.compile(
    r"\t|@|https?:|www\.|\.dk\b|licen[cs]ed|Creative Commons|\blogo\b|\bicons?\b|sign up|"
    r"subscribe|cookie|click|check out|keep in touch|masterclass|learn more|^contact\b|"
    r"reach out|^work with",
    re.I,
)


@dataclass
class Fact:
    """One question-worthy claim: ``quote`` proves that ``key`` belongs in ``statement``."""

    source: str
    title: str
    url: str | None
    locator: str | None
    quote: str
    quote_start: int
    statement: str  # the sentence as a question may show it (pronoun resolved, markup gone)
    key: Term  # offsets relative to ``statement``
    score: float
    doc_index: int
    sentence_id: str
    group: str | None = None  # labelled-list items: siblings are the best distractors
    context: str | None = None  # what the list is about (intro line or section heading)
    body: str | None = None  # labelled items: the description, without the label
    section: str | None = None


def _resolve(
    statement: str, prev: list[Span], index: EntityIndex, label: Labelled | None
) -> str | None:
    """Replace a leading pronoun with what it points to, or ``None`` when that is unclear."""
    if not starts_dangling(statement):
        return statement
    first = statement.split(" ", 1)
    word = first[0]
    rest = first[1] if len(first) > 1 else ""
    # Inside a labelled item, "They"/"It" point at an organisation label, "This" at a concept.
    if (
        label
        and rest
        and (
            (word in {"They", "It"} and label.kind == "organisation")
            or (word == "This" and label.kind == "term")
        )
    ):
        return f"{label.label} {rest}"
    m = _THIS_NOUN.match(statement)
    if m and prev:
        # "This project currently works with ..." -> "The project (Mission for ...) currently ..."
        names = [
            seq
            for _, seq in runs(prev[-1].text)
            if len(seq.split()) >= 2 and seq not in index.people
        ]
        if names:
            return f"The {m.group(1)} ({names[-1]}){statement[m.end() :]}"
    if word in {"He", "She", "His", "Her"} and rest:
        for span in reversed(prev[-3:]):
            people = [t for t in index.tag(span.text) if t.kind == "person"]
            if people:
                name = people[-1].text
                return f"{name}{'’s' if word in {'His', 'Her'} else ''} {rest}"
    return None


def facts_for_doc(doc: DocView, doc_index: int, index: EntityIndex, corpus: str = "") -> list[Fact]:
    """Candidate facts of one document; ``corpus`` (all text, lower-cased) vets quoted terms."""
    labels = labelled_items(doc)
    line_starts = sorted(labels)
    spans = split_sentences(doc.text)
    out: list[Fact] = []
    for si, span in enumerate(spans):
        text = span.text
        if not _quotable(text):
            continue
        chunk, locator, url, section = locate(doc, span.start)
        if chunk is None:
            continue
        label = _label_at(doc, labels, line_starts, span.start)
        is_first = label is not None and label.label_start >= span.start - 3
        base = dict(
            source=doc.source, title=doc.title, url=url or doc.url, locator=locator,
            doc_index=doc_index, sentence_id=f"{doc.source}@{span.start}", section=section,
        )  # fmt: skip
        if is_first and label is not None:
            quote_start = min(span.start, label.label_start)
            quote = doc.text[quote_start : span.end]
            text_for_terms = _labelled_fact(doc, span, label, quote, quote_start, base, out)
        else:
            if text.rstrip().endswith("?"):
                continue
            resolved = _resolve(
                strip_connective(clean_markup(text)), spans[max(0, si - 3) : si], index, label
            )
            if resolved is None:
                continue
            text_for_terms = resolved
            quote_start, quote = span.start, text
        first_label = label if is_first else None
        for key, score in _scored_terms(text_for_terms, first_label, index, corpus):
            out.append(
                Fact(quote=quote, quote_start=quote_start, statement=text_for_terms, key=key,
                     score=score, context=label.context if label else None, **base)  # type: ignore[arg-type]
            )  # fmt: skip
    return out


def _quotable(text: str) -> bool:
    """A whole sentence of course material: not furniture, a slide title or a quotation piece."""
    n_words = len(text.split())
    if n_words < 6 or n_words > 60 or _BOILERPLATE.search(text):
        return False
    if text[-1] not in '.!?:"”’)' and (_TRUNCATED_END.search(text) or n_words < 12):
        return False  # a slide line cut mid-sentence, or a slide title
    # Unbalanced quotation marks: a piece of a longer quotation.
    return text.count("“") == text.count("”") and not text.count('"') % 2


def _label_at(
    doc: DocView, labels: dict[int, Labelled], line_starts: list[int], start: int
) -> Labelled | None:
    """The labelled list item the sentence at ``start`` belongs to, if any."""
    line_start = doc.text.rfind("\n", 0, start) + 1
    label = labels.get(line_start)
    if label is None and line_starts:
        # A later sentence of a labelled item ("- OPSI: ... They have developed ...").
        prior = [s for s in line_starts if s <= start and "\n" not in doc.text[s:start]]
        label = labels[prior[-1]] if prior else None
    return label


def _labelled_fact(
    doc: DocView,
    span: Span,
    label: Labelled,
    quote: str,
    quote_start: int,
    base: dict[str, Any],
    out: list[Fact],
) -> str:
    """Append the fact that asks for the label itself; return the text to look for terms in."""
    body = clean_markup(doc.text[label.body_start : span.end])
    if len(body.split()) < 3:
        return clean_markup(span.text)
    statement = f"{label.label}: {body}"
    key = Term(label.label, label.kind, 0, len(label.label))
    out.append(
        Fact(quote=quote, quote_start=quote_start, statement=statement, key=key,
             score=LABELLED_SCORE + _bonus(body), group=label.group,
             context=label.context, body=body, **base)
    )  # fmt: skip
    return statement


def _scored_terms(
    text: str, first_label: Labelled | None, index: EntityIndex, corpus: str
) -> list[tuple[Term, float]]:
    """The terms of ``text`` worth blanking out, each with its score, in the order found.

    ``first_label``: the labelled item the sentence opens, whose label is asked about
    through the labelled fact instead.
    """
    # A quoted phrase is vocabulary only when the corpus uses it more than once.
    quoted = [t for t in quoted_terms(text) if corpus.count(t.text.lower()) >= 2]
    terms = [*numbers(text), *index.tag(text), *quoted]
    dt = defined_term(text)
    if dt:
        terms.append(dt)
    enum = enumeration_term(text)
    if enum:
        terms.append(enum)
    seen: list[str] = []
    out: list[tuple[Term, float]] = []
    for term in terms:
        if first_label is not None and term.start < len(first_label.label) + 2:
            continue  # the label itself is asked about through the labelled fact
        if term.text in seen or _count(text, term.text) != 1:
            continue
        if any(contains(text, a) for a in term.aliases):
            continue  # "Danish Design Center (DDC)": the blank would spell its own answer
        seen.append(term.text)
        score = BASE_SCORE[term.kind] + _bonus(text, who=term.kind in _WHO)
        if term is dt:
            score += 0.8
        if term.kind == "number" and LIST_WORDS.match(text[term.end :].strip()):
            score += 0.8  # "five criteria", "six key lessons": the shape of a course
        if term.kind in _WHO and corpus.count(term.text.lower()) >= 5:
            continue  # the protagonist ("Bason", "OECD") is no test of anything
        out.append((term, score))
    return out


def _count(text: str, term: str) -> int:
    return len(re.findall(r"(?<![\w])" + re.escape(term) + r"(?![\w])", text, re.I))


_WHO = frozenset({"person", "organisation", "place"})


def _domain(text: str) -> float:
    hits = sum(1 for w in words(text) if w in DOMAIN)
    return min(0.6, 0.2 * hits) if hits else -0.4


def _bonus(text: str, who: bool = False) -> float:
    ws = words(text)
    n = len(ws)
    hits = sum(1 for w in ws if w in DOMAIN)
    # Who did what stands on its own; other facts with no word of the subject are asides.
    bonus = min(0.6, 0.2 * hits) if hits or who else -0.4
    if text.rstrip()[-1:] not in '.!?"”’)':
        bonus -= 0.3  # slide fragments read worse than sentences
    if n < 9:
        bonus -= 0.4
    if n > 40:
        bonus -= 0.5
    return bonus


LISTED_SCORE = 2.8


def structure_facts(doc: DocView, doc_index: int) -> list[Fact]:
    """Facts that live in a document's layout rather than in one sentence: bare-list items
    under a naming heading, and slide figures (caption, note, value)."""
    out: list[Fact] = []
    for item in bare_lists(doc):
        _, locator, url, section = locate(doc, item.start)
        end = item.start + len(item.text)
        out.append(
            Fact(
                source=doc.source, title=doc.title, url=url or doc.url, locator=locator,
                quote=doc.text[item.heading_start : end], quote_start=item.heading_start,
                statement=item.text, key=Term(item.text, "term", 0, len(item.text), role="listed"),
                score=LISTED_SCORE + _domain(f"{item.heading} {item.text}"), doc_index=doc_index,
                sentence_id=f"{doc.source}@{item.start}", group=item.group,
                context=item.heading, section=section,
            )
        )  # fmt: skip
    for fig in figures(doc):
        _, locator, url, section = locate(doc, fig.start)
        head = f"{fig.label} ({fig.note})" if fig.note else fig.label
        statement = f"{head}: {fig.value}"
        key = Term(fig.value, "percent", len(head) + 2, len(statement))
        out.append(
            Fact(
                source=doc.source, title=doc.title, url=url or doc.url, locator=locator,
                quote=doc.text[fig.start : fig.end], quote_start=fig.start, statement=statement,
                key=key, score=BASE_SCORE["percent"] + _bonus(statement), doc_index=doc_index,
                sentence_id=f"{doc.source}@{fig.start}", section=section,
            )
        )  # fmt: skip
    return out


def collect_facts(docs: list[DocView]) -> tuple[list[Fact], EntityIndex]:
    """Every candidate fact in the corpus, in document order (deterministic)."""
    index = EntityIndex()
    for doc in docs:
        for span in split_sentences(doc.text):
            index.learn(span.text)
    corpus = "\n".join(d.text for d in docs).lower()
    facts: list[Fact] = []
    for i, doc in enumerate(docs):
        facts.extend(facts_for_doc(doc, i, index, corpus))
        facts.extend(structure_facts(doc, i))
    labels_kind(facts, index)
    add_centrality(facts)
    return facts, index


CENTRALITY_WEIGHT = 2.0


def add_centrality(facts: list[Fact]) -> None:
    """Favour sentences close to what their document is about (LexRank-style centroid).

    A course tests the main line of a reading, not its asides; tf-idf over the candidate
    sentences is enough to tell the two apart and needs no model.
    """
    sentences: dict[str, list[str]] = {}
    for f in facts:
        sentences.setdefault(f.sentence_id, content_words(f.statement))
    df: Counter[str] = Counter()
    for ws in sentences.values():
        df.update(set(ws))
    total = len(sentences) or 1
    idf = {w: math.log(1 + total / c) for w, c in df.items()}

    def vec(ws: list[str]) -> dict[str, float]:
        tf = Counter(ws)
        v = {w: c * idf[w] for w, c in tf.items()}
        norm_ = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm_ for w, x in v.items()}

    vectors = {sid: vec(ws) for sid, ws in sentences.items()}
    # One centroid per document: the sum of its distinct sentences' vectors.
    members: dict[int, dict[str, None]] = {}
    for f in facts:
        members.setdefault(f.doc_index, {})[f.sentence_id] = None
    centroids: dict[int, dict[str, float]] = {}
    for doc_index, sids in members.items():
        total_vec: dict[str, float] = {}
        for sid in sids:
            for w, x in vectors[sid].items():
                total_vec[w] = total_vec.get(w, 0.0) + x
        length = math.sqrt(sum(x * x for x in total_vec.values())) or 1.0
        centroids[doc_index] = {w: x / length for w, x in total_vec.items()}
    for f in facts:
        c = centroids[f.doc_index]
        f.score += CENTRALITY_WEIGHT * sum(
            x * c.get(w, 0.0) for w, x in vectors[f.sentence_id].items()
        )


def labels_kind(facts: list[Fact], index: EntityIndex) -> None:
    """A list of organisations ("Vinnova (Sweden): ...") asks for organisations, not terms."""
    groups: dict[str, list[Fact]] = {}
    for f in facts:
        if f.group and f.body is not None:
            groups.setdefault(f.group, []).append(f)
    for members in groups.values():
        orgish = sum(1 for f in members if _label_is_org(f.key.text, index))
        if orgish * 2 > len(members):
            for f in members:
                f.key = Term(f.key.text, "organisation", f.key.start, f.key.end)


def _label_is_org(label: str, index: EntityIndex) -> bool:
    if re.search(r"\([A-Z][\w ]+\)$", label):
        return True
    tags = index.tag(label)
    return any(t.kind == "organisation" and len(t.text) >= len(label) // 2 for t in tags)
