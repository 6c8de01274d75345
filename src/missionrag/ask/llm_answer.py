"""LLM answers: numbered, fenced passages in; every generated sentence checked against the
passage it cites (embedding similarity) before it reaches the user.

Any failure (timeout, HTTP error, unreachable server, refusal, empty or malformed reply, or
no sentence surviving the check) returns the extractive answer with a note saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from missionrag.ask.extractive import Extraction, locate
from missionrag.ask.text import display, sentence_spans, split_units
from missionrag.errors import LLMError
from missionrag.models import Answer, Citation, Hit

if TYPE_CHECKING:
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder
    from missionrag.llm import LLM

Fallback = Callable[[Extraction, "Retriever", list[str] | None], Answer]

MAX_PASSAGES = 6
# Cosine between an answer sentence and its best sentence in the cited passage. Paraphrases
# of a passage sentence score ~0.6-0.9 with all-MiniLM-L6-v2; unrelated claims ~0.1-0.35.
SUPPORT_MIN = 0.5
NOT_IN_CORPUS = "NOT_IN_CORPUS"
_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry,|i can(no|')t (help|assist|answer)|i cannot|as an ai)", re.I
)
_CITE = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")


@dataclass
class Claim:
    text: str  # the sentence without its [n] markers
    cited: list[int]  # passage numbers, 1-based


def passages(ex: Extraction) -> list[Hit]:
    """The hits shown to the model: those holding the extractive picks first, then by rank."""
    out: list[Hit] = []
    for hit in [*(c.hit for c in ex.chosen), *ex.hits]:
        if all(h.chunk_id != hit.chunk_id or h.text != hit.text for h in out):
            out.append(hit)
        if len(out) >= MAX_PASSAGES:
            break
    return out


def build_user_message(question: str, hits: list[Hit]) -> str:
    from missionrag.llm import fence

    parts = [f"Question: {question}", "", "Passages:"]
    for i, h in enumerate(hits, 1):
        where = ", ".join(p for p in (h.title, h.locator) if p)
        parts += [f"[{i}] {where}", fence(h.text), ""]
    parts.append("Answer the question from these passages, citing them by number.")
    return "\n".join(parts)


def parse_claims(reply: str) -> list[Claim]:
    """Sentences of the reply with the passage numbers each one cites.

    Markers written after the full stop ("... leadership. [2] Next ...") belong to the
    sentence before them.
    """
    raws: list[str] = []
    for line in re.finditer(r"[^\n]+", reply):
        for a, b in sentence_spans(reply, line.start(), line.end(), merge=False):
            piece = reply[a:b]
            lead = re.match(r"(\s*\[\d{1,2}(?:\s*[,;]\s*\d{1,2})*\])+", piece)
            if lead and raws:
                raws[-1] += lead.group(0)
                piece = piece[lead.end() :]
            raws.append(piece)
    claims = []
    for raw in raws:
        cited = [int(n) for g in _CITE.findall(raw) for n in re.split(r"\s*[,;]\s*", g)]
        text = re.sub(r"\s+([.!?,;:])", r"\1", _CITE.sub("", raw)).strip()
        if re.search(r"[^\W\d_]{2,}", text):
            claims.append(Claim(text, list(dict.fromkeys(cited))))
    return claims


def check_claims(
    claims: list[Claim], hits: list[Hit], embedder: Embedder
) -> tuple[list[tuple[Claim, Citation]], list[str]]:
    """Supported claims with the citation (best verbatim sentence of the cited passage)."""
    kept: list[tuple[Claim, Citation]] = []
    notes: list[str] = []
    dropped_uncited = dropped_unsupported = 0
    units = {
        i: [u for u in split_units(h.text, h.section) if u.kind != "heading"]
        for i, h in enumerate(hits, 1)
    }
    for claim in claims:
        cited = [n for n in claim.cited if n in units and units[n]]
        if not cited:
            # No marker at all, or only numbers of passages that do not exist.
            if claim.cited:
                dropped_unsupported += 1
            else:
                dropped_uncited += 1
            continue
        cvec = embedder.embed([claim.text])[0]
        best: tuple[float, int, int] | None = None
        for n in cited:
            uvecs = embedder.embed([display(u.text) for u in units[n]])
            sims = uvecs @ cvec
            j = int(np.argmax(sims))
            if best is None or float(sims[j]) > best[0]:
                best = (float(sims[j]), n, j)
        assert best is not None
        sim, n, j = best
        if sim < SUPPORT_MIN:
            dropped_unsupported += 1
            continue
        hit, unit = hits[n - 1], units[n][j]
        locator, url = locate(hit, unit.start)
        kept.append(
            (
                claim,
                Citation(
                    source=hit.source,
                    title=hit.title,
                    locator=locator,
                    url=url,
                    quote=unit.text,
                    score=round(max(0.0, min(1.0, sim)), 4),
                ),
            )
        )
    if dropped_uncited:
        notes.append(f"dropped {dropped_uncited} generated sentence(s) that cited no passage")
    if dropped_unsupported:
        notes.append(
            f"dropped {dropped_unsupported} generated sentence(s) that the cited passage does not support"
        )
    return kept, notes


def finish(
    reply: str,
    ex: Extraction,
    hits: list[Hit],
    retriever: Retriever,
    embedder: Embedder,
    fallback: Fallback,
) -> Answer:
    """Turn a raw reply into a checked answer, or fall back with a note."""
    from missionrag.ask import abstained_answer, verify_quotes

    text = reply.strip()
    if not text:
        return fallback(
            ex, retriever, ["the LLM returned an empty answer; showing the extractive answer"]
        )
    if _REFUSAL.search(text):
        return fallback(
            ex, retriever, ["the LLM declined to answer; showing the extractive answer"]
        )
    if text.strip("`'\" .") == NOT_IN_CORPUS:
        ex.reasons = ["the LLM found no answer in the retrieved passages"]
        return abstained_answer(ex, mode="llm")
    kept, notes = check_claims(parse_claims(text), hits, embedder)
    bad, vnotes = verify_quotes([c for _, c in kept], retriever)
    kept = [k for i, k in enumerate(kept) if i not in bad]
    if not kept:
        why = "no generated sentence was supported by the passage it cites"
        return fallback(ex, retriever, [*notes, *vnotes, f"{why}; showing the extractive answer"])
    citations: list[Citation] = []
    parts: list[str] = []
    for claim, cit in kept:
        same = [
            i for i, c in enumerate(citations) if c.source == cit.source and c.quote == cit.quote
        ]
        if same:
            k = same[0] + 1
        else:
            citations.append(cit)
            k = len(citations)
        parts.append(f"{claim.text} [{k}]")
    return Answer(
        question=ex.question,
        answer=" ".join(parts),
        abstained=False,
        citations=citations,
        mode="llm",
        notes=[*notes, *vnotes],
    )


def llm_answer(
    ex: Extraction, retriever: Retriever, embedder: Embedder, llm: LLM, *, fallback: Fallback
) -> Answer:
    from missionrag.llm import load_prompt

    hits = passages(ex)
    try:
        reply = llm.complete(load_prompt("ask"), build_user_message(ex.question, hits))
    except LLMError as exc:
        return fallback(ex, retriever, [f"{exc}; showing the extractive answer"])
    return finish(reply, ex, hits, retriever, embedder, fallback)


def stream_llm_answer(
    ex: Extraction, retriever: Retriever, embedder: Embedder, llm: LLM, *, fallback: Fallback
) -> Iterator[str | Answer]:
    """Token deltas as the model writes, then the checked ``Answer`` (always last)."""
    from missionrag.llm import load_prompt

    hits = passages(ex)
    pieces: list[str] = []
    try:
        for delta in llm.stream(load_prompt("ask"), build_user_message(ex.question, hits)):
            pieces.append(delta)
            yield delta
    except LLMError as exc:
        yield fallback(ex, retriever, [f"{exc}; showing the extractive answer"])
        return
    yield finish("".join(pieces), ex, hits, retriever, embedder, fallback)
