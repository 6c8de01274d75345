"""Document structure the quiz asks about: the documents themselves, labelled lists
("- Inspirational: Missions should ..."), bare lists under a heading ("The biggest risks of
possibly failing" / "- Effect of silos"), and slide figures (a caption, its note, "54%").

Every structure keeps absolute offsets into ``Document.text`` so quotes stay verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from missionrag.index import Retriever
from missionrag.models import Chunk
from missionrag.quiz.text import split_sentences, starts_dangling, wordset

_LIST_LINE = re.compile(r"^(?P<indent>\s*)(?P<marker>-\s+|\d{1,2}[.)]\s+|❋\s*)(?P<rest>\S.*)$")
LIST_WORDS = re.compile(
    r"\b(?:key |main |core )?(?:lessons|criteria|elements|principles|steps|pillars|factors|recommendations|"
    r"characteristics|features|stages|phases)\b",
    re.I,
)

_CONNECT = wordset("and of to vs. vs the in for on or with")


@dataclass
class DocView:
    source: str
    title: str
    url: str | None
    text: str
    chunks: list[Chunk]


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


def locate(doc: DocView, offset: int) -> tuple[Chunk | None, str | None, str | None, str | None]:
    """The chunk holding ``offset`` and the finest locator, link and section in force there.

    Text between chunks (a heading the splitter trimmed) takes the chunk before it: the
    locator of a passage holds until the next one starts."""
    best: Chunk | None = None
    for c in doc.chunks:
        if c.start <= offset < c.start + len(c.text):
            best = c
            break
        if c.start <= offset:
            best = c
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
            label=label.strip('"“” '),
            label_start=rest_start + (1 if label[:1] in '"“' else 0),
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
        listy = intro.endswith(":") or LIST_WORDS.search(intro)
        if (
            listy
            and 4 <= n_words <= 30
            and len(split_sentences(intro)) == 1
            and not starts_dangling(intro)
            and not _LIST_LINE.match(lines[j])
        ):
            return intro.rstrip(":. ")
        if intro[-1:] not in ".:!?" and 1 <= n_words <= 8:
            return f"section “{intro}”"
    _, _, _, section = locate(doc, offsets[i])
    return f"section “{section}”" if section else None


# --------------------------------------------------------------------------- bare lists

_BARE_ITEM = re.compile(r"^\s*-\s+(?P<text>\S.*?)\s*$")
# A heading names a list when it says what the items are.
_LIST_NOUNS = re.compile(
    r"\b(?:risks|challenges|topics|lessons|criteria|principles|steps|barriers|drivers|needs|"
    r"benefits|examples|elements|factors|priorities|recommendations|strategies|gaps|enablers|"
    r"obstacles|goals|objectives|outcomes|findings|characteristics)\b",
    re.I,
)


@dataclass
class Listed:
    """An item of a bare list ("- Effect of silos") under a heading that names the list."""

    text: str
    start: int  # absolute offset of the item text
    heading: str
    heading_start: int
    group: str


def _bare_text(line: str) -> str | None:
    m = _BARE_ITEM.match(line)
    if not m:
        return None
    text = m.group("text").rstrip(".")
    n = len(text.split())
    if not 2 <= n <= 12 or text.endswith("?") or ":" in text or text[0].isdigit():
        return None
    if _split_label(text, "- "):
        return None  # a labelled item, handled by labelled_items
    return text


def bare_lists(doc: DocView) -> list[Listed]:
    """Items of bare lists under a naming heading, with the heading as their context."""
    lines = doc.text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    out: list[Listed] = []
    for i, line in enumerate(lines):
        heading = line.strip().rstrip(":")
        if (
            not heading
            or _LIST_LINE.match(line)
            or line.strip()[-1:] in ".?!"
            or not 3 <= len(heading.split()) <= 10
            or not _LIST_NOUNS.search(heading)
        ):
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        items: list[tuple[int, str]] = []
        while j < len(lines) and (text := _bare_text(lines[j])) is not None:
            items.append((offsets[j] + lines[j].index(text), text))
            j += 1
        if len(items) < 2:
            continue
        h_start = offsets[i] + line.index(heading)
        group = f"{doc.source}#list{h_start}"
        out += [Listed(text, start, heading, h_start, group) for start, text in items]
    return out


# --------------------------------------------------------------------------- slide figures

_FIGURE_VALUE = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?\s?%)\s*$")


@dataclass
class Figure:
    """A slide figure: a caption line, an optional note in brackets, then the value alone."""

    label: str
    note: str | None
    value: str
    start: int  # absolute offset of the caption
    end: int  # absolute end of the value


def figures(doc: DocView) -> list[Figure]:
    lines = doc.text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    found: list[Figure] = []
    for i, line in enumerate(lines):
        m = _FIGURE_VALUE.match(line)
        if not m:
            continue
        prev = [j for j in range(max(0, i - 5), i) if lines[j].strip()][-2:]
        note = None
        if prev and lines[prev[-1]].strip().startswith("("):
            note = lines[prev[-1]].strip().strip("()").strip()
            prev = prev[:-1]
        if not prev:
            continue
        label = lines[prev[-1]].strip()
        if not 2 <= len(label.split()) <= 8 or label[-1:] in ".:?!" or _LIST_LINE.match(label):
            continue
        start = offsets[prev[-1]] + lines[prev[-1]].index(label)
        end = offsets[i] + m.end(1)
        found.append(Figure(label, note, m.group(1), start, end))
    return found
