"""From the knowledge base to *facts*: a verbatim sentence, the key term to ask about, and
everything needed to cite it.

Sentences come from ``Retriever.document_text`` (chunks can cut sentences, documents do not);
the chunk that holds a sentence gives its locator, so citations come from the loader's marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from missionrag.index import Retriever
from missionrag.models import Chunk
from missionrag.quiz.terms import EntityIndex, Term, defined_term, numbers, quoted_terms
from missionrag.quiz.text import (
    Span,
    clean_markup,
    contains,
    split_sentences,
    starts_dangling,
    strip_connective,
    words,
)

BASE_SCORE = {
    "percent": 2.6, "year": 2.4, "person": 2.4, "organisation": 2.2, "number": 2.2,
    "place": 1.4, "term": 2.4,
}  # fmt: skip
LABELLED_SCORE = 3.2
DOMAIN = frozenset(
    """mission missions innovation government governments policy stakeholders governance public
    challenge challenges criteria lessons design""".split()
)
_LIST_LINE = re.compile(r"^(?P<indent>\s*)(?P<marker>-\s+|\d{1,2}[.)]\s+|❋\s*)(?P<rest>\S.*)$")
# Page furniture that is not course material.
_BOILERPLATE = re.compile(
    r"\t|@|https?:|www\.|\.dk\b|licen[cs]ed|Creative Commons|\blogo\b|\bicons?\b|sign up|"
    r"subscribe|cookie|click|check out|keep in touch|masterclass",
    re.I,
)
_CONNECT = frozenset("and of to vs. vs the in for on or with".split())


@dataclass
class DocView:
    source: str
    title: str
    url: str | None
    text: str
    chunks: list[Chunk]


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


@dataclass
class Labelled:
    label: str
    label_start: int  # absolute
    body_start: int  # absolute
    group: str
    context: str | None
    kind: str = "term"
    siblings: list[str] = field(default_factory=list)


def load_docs(retriever: Retriever) -> list[DocView]:
    """Documents in the order their chunks are stored, each with its chunks."""
    by_source: dict[str, list[Chunk]] = {}
    for chunk in retriever.all_chunks():
        by_source.setdefault(chunk.source, []).append(chunk)
    docs = []
    for source, chunks in by_source.items():
        chunks.sort(key=lambda c: (c.start, c.position))
        text = retriever.document_text(source)
        docs.append(DocView(source, chunks[0].title, chunks[0].url, text, chunks))
    return docs


def _locate(doc: DocView, offset: int) -> tuple[Chunk | None, str | None, str | None, str | None]:
    """The chunk holding ``offset`` and the finest locator, link and section in force there."""
    best: Chunk | None = None
    for c in doc.chunks:
        if c.start <= offset < c.start + len(c.text):
            best = c
            break
    if best is None:
        return None, None, None, None
    locator, url, section = best.locator, best.url, best.section
    for m in best.marks:
        if m.start <= offset - best.start:
            locator = m.locator or locator
            url = m.url or url
            section = m.section or section
    return best, locator, url, section


def _split_label(rest: str, marker: str) -> tuple[str, int] | None:
    """(label, offset of the body in ``rest``) for "Label: body", "LabelBody" and "Title Case Body"."""
    m = re.match(r"([\"“]?[A-Z][^:]{1,60}?):\s+(?=\S)", rest)
    if m and len(m.group(1).split()) <= 7 and not m.group(1)[0].isdigit():
        return m.group(1), m.end()
    if marker.startswith("❋"):
        m = re.match(r"(.{3,60}?[a-z])(?=[A-Z][a-z])", rest)
        if m and len(m.group(1).split()) <= 8:
            return m.group(1).strip(), m.end()
    if marker.startswith("-") and ":" not in rest[:60]:
        toks = list(re.finditer(r"\S+", rest))
        last_cap = None
        for i, t in enumerate(toks[:10]):
            w = t.group(0)
            if w[0].isupper():
                last_cap = i
            elif w.lower() not in _CONNECT:
                break
        if last_cap and last_cap <= 7 and len(toks) - last_cap >= 5:
            label = rest[: toks[last_cap].start()].strip()
            if len(label.split()) >= 2 or label[0].isupper():
                return label, toks[last_cap].start()
    return None


def labelled_items(doc: DocView) -> dict[int, Labelled]:
    """Labelled list items ("- Inspirational: Missions should ...") keyed by line start."""
    items: dict[int, Labelled] = {}
    lines = doc.text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    group_key: str | None = None
    context: str | None = None
    last_line = -100
    last_marker = ""
    prose_since = False  # a heading or paragraph since the last item ends the list
    for i, line in enumerate(lines):
        m = _LIST_LINE.match(line)
        found = _split_label(m.group("rest"), m.group("marker")) if m else None
        if not m or not found:
            if line.strip() and not m:
                prose_since = True
            continue
        marker = m.group("marker").strip()[:1]
        marker = "#" if marker.isdigit() else marker
        label, body_off = found
        # ❋ lessons carry their own sub-lists and paragraphs between items.
        broken = prose_since and marker != "❋"
        if group_key is None or broken or i - last_line > 8 or marker != last_marker:
            group_key = f"{doc.source}#{offsets[i]}"
            context = _context(doc, lines, offsets, i)
        last_line, last_marker, prose_since = i, marker, False
        rest_start = offsets[i] + m.start("rest")
        items[offsets[i]] = Labelled(
            label=label.strip("\"“” "),
            label_start=rest_start + (1 if label[:1] in "\"“" else 0),
            body_start=rest_start + body_off,
            group=group_key,
            context=context,
        )
    groups: dict[str, list[Labelled]] = {}
    for item in items.values():
        groups.setdefault(item.group, []).append(item)
    for members in groups.values():
        labels = [it.label for it in members]
        for it in members:
            it.siblings = [lb for lb in labels if lb != it.label]
    return items


def _context(doc: DocView, lines: list[str], offsets: list[int], i: int) -> str | None:
    """What a list is about: a one-sentence intro line above it, else the section heading."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0:
        intro = lines[j].strip()
        n_words = len(intro.split())
        if (
            intro[-1:] in ":."
            and 4 <= n_words <= 30
            and len(split_sentences(intro)) == 1
            and not starts_dangling(intro)
            and not _LIST_LINE.match(lines[j])
        ):
            return intro.rstrip(":. ")
        if intro[-1:] not in ".:!?" and 1 <= n_words <= 8:
            return f"section “{intro}”"
    _, _, _, section = _locate(doc, offsets[i])
    return f"section “{section}”" if section else None


def _resolve(statement: str, prev: list[Span], index: EntityIndex, label: Labelled | None) -> str | None:
    """Replace a leading pronoun with what it points to, or ``None`` when that is unclear."""
    if not starts_dangling(statement):
        return statement
    first = statement.split(" ", 1)
    word = first[0]
    rest = first[1] if len(first) > 1 else ""
    # Inside a labelled item, "They"/"It" point at an organisation label, "This" at a concept.
    if label and rest and (
        (word in {"They", "It"} and label.kind == "organisation")
        or (word == "This" and label.kind == "term")
    ):
        return f"{label.label} {rest}"
    if word in {"He", "She", "His", "Her"} and rest:
        for span in reversed(prev[-3:]):
            people = [t for t in index.tag(span.text) if t.kind == "person"]
            if people:
                name = people[-1].text
                return f"{name}{'’s' if word in {'His', 'Her'} else ''} {rest}"
    return None


def facts_for_doc(doc: DocView, doc_index: int, index: EntityIndex) -> list[Fact]:
    labels = labelled_items(doc)
    line_starts = sorted(labels)
    spans = split_sentences(doc.text)
    out: list[Fact] = []
    for si, span in enumerate(spans):
        text = span.text
        n_words = len(text.split())
        if n_words < 6 or n_words > 60 or _BOILERPLATE.search(text):
            continue
        chunk, locator, url, section = _locate(doc, span.start)
        if chunk is None:
            continue
        line_start = doc.text.rfind("\n", 0, span.start) + 1
        label = labels.get(line_start)
        if label is None and line_starts:
            # A later sentence of a labelled item ("- OPSI: ... They have developed ...").
            prior = [s for s in line_starts if s <= span.start and "\n" not in doc.text[s : span.start]]
            label = labels[prior[-1]] if prior else None
        is_first = label is not None and label.label_start >= span.start - 3
        base = dict(
            source=doc.source, title=doc.title, url=url or doc.url, locator=locator,
            doc_index=doc_index, sentence_id=f"{doc.source}@{span.start}", section=section,
        )  # fmt: skip
        if is_first and label is not None:
            quote_start = min(span.start, label.label_start)
            quote = doc.text[quote_start : span.end]
            body = clean_markup(doc.text[label.body_start : span.end])
            if len(body.split()) >= 3:
                statement = f"{label.label}: {body}"
                key = Term(label.label, label.kind, 0, len(label.label))
                out.append(
                    Fact(quote=quote, quote_start=quote_start, statement=statement, key=key,
                         score=LABELLED_SCORE + _bonus(body), group=label.group,
                         context=label.context, body=body, **base)  # type: ignore[arg-type]
                )  # fmt: skip
            text_for_terms = statement if len(body.split()) >= 3 else clean_markup(text)
        else:
            if text.rstrip().endswith("?"):
                continue
            resolved = _resolve(strip_connective(clean_markup(text)), spans[max(0, si - 3) : si], index, label)
            if resolved is None:
                continue
            text_for_terms = resolved
            quote_start, quote = span.start, text
        terms = [*numbers(text_for_terms), *index.tag(text_for_terms), *quoted_terms(text_for_terms)]
        dt = defined_term(text_for_terms)
        if dt:
            terms.append(dt)
        seen: list[str] = []
        for term in terms:
            if is_first and label is not None and term.start < len(label.label) + 2:
                continue  # the label itself is asked about through the labelled fact
            if term.text in seen or _count(text_for_terms, term.text) != 1:
                continue
            seen.append(term.text)
            score = BASE_SCORE[term.kind] + _bonus(text_for_terms)
            if term is dt:
                score += 0.8
            out.append(
                Fact(quote=quote, quote_start=quote_start, statement=text_for_terms, key=term,
                     score=score, context=label.context if label else None, **base)  # type: ignore[arg-type]
            )  # fmt: skip
    return out


def _count(text: str, term: str) -> int:
    return len(re.findall(r"(?<![\w])" + re.escape(term) + r"(?![\w])", text, re.I))


def _bonus(text: str) -> float:
    ws = words(text)
    n = len(ws)
    bonus = min(0.6, 0.2 * sum(1 for w in ws if w in DOMAIN))
    if n < 9:
        bonus -= 0.4
    if n > 40:
        bonus -= 0.5
    return bonus


def collect_facts(docs: list[DocView]) -> tuple[list[Fact], EntityIndex]:
    """Every candidate fact in the corpus, in document order (deterministic)."""
    index = EntityIndex()
    for doc in docs:
        for span in split_sentences(doc.text):
            index.learn(span.text)
    facts: list[Fact] = []
    for i, doc in enumerate(docs):
        facts.extend(facts_for_doc(doc, i, index))
    labels_kind(facts, index)
    return facts, index


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


def sibling_labels(facts: list[Fact]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in facts:
        if f.group and f.body is not None and f.key.text not in out.setdefault(f.group, []):
            out[f.group].append(f.key.text)
    return out


def mentions(fact: Fact, text: str) -> bool:
    return contains(text, fact.key.text)
