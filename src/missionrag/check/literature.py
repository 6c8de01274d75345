"""The literature behind each criterion: the corpus sentence that best explains it, reranked.

A failed criterion is shown with a cited passage of the knowledge base. The passages do not
depend on the draft, only on the store, so they are chosen once per store write, when the
models are loaded anyway (``KnowledgeBase`` after an ingest or delete): the criterion's
question retrieves hybrid candidates, the cross-encoder reads (question, sentence) for their
sentences, and the best few per criterion are saved beside the keyword index, stamped with
the store's generation. A cold ``missionrag check`` reads that file and loads no model; when
it is missing or stale, ``sources.cite_criteria`` (keyword search) answers instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from missionrag.models import SourceRef

if TYPE_CHECKING:
    from missionrag.index import Retriever
    from missionrag.index.rerank import Reranker

# The criteria as a drafter would ask about them (docs/rubric.md).
QUESTIONS = {
    "bold": "Why should a mission be bold and inspirational rather than too broad or too narrow?",
    "measurable": "Why does a mission need a clear, measurable target?",
    "time_bound": "Why should a mission be time-bound, with a deadline?",
    "cross_sectoral": "Why does a mission need collaboration across sectors, actors and disciplines?",
}
CANDIDATE_PASSAGES = 10  # hybrid hits whose sentences compete
KEEP = 3  # sentences saved per criterion
MIN_LOGIT = 0.0  # below this the cross-encoder judges the sentence off the question


def choose(retriever: Retriever, reranker: Reranker) -> dict[str, list[SourceRef]]:
    """The best-explaining sentences per criterion, best first."""
    from missionrag.ask.citations import cite
    from missionrag.ask.extractive import collect

    out: dict[str, list[SourceRef]] = {}
    for name, question in QUESTIONS.items():
        cands = collect(retriever.search(question, CANDIDATE_PASSAGES))
        if not cands:
            continue
        logits = reranker.score(question, [c.quote for c in cands])
        ranked = sorted(zip(logits, cands, strict=True), key=lambda t: -float(t[0]))
        refs = []
        for logit, c in ranked[:KEEP]:
            if float(logit) < MIN_LOGIT:
                break
            cit = cite(c)
            refs.append(
                SourceRef(
                    source=cit.source,
                    locator=cit.locator,
                    quote=cit.quote,
                    title=cit.title,
                    url=cit.url,
                    criterion=name,
                )
            )
        out[name] = refs
    return out


def save(path: Path, generation: int, refs: dict[str, list[SourceRef]]) -> None:
    data = {
        "generation": generation,
        "criteria": {k: [r.model_dump(mode="json") for r in v] for k, v in refs.items()},
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def load(path: Path, generation: int) -> dict[str, list[SourceRef]] | None:
    """The saved passages when they were chosen for this generation of the store."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("generation") != generation:
        return None
    return {
        k: [SourceRef.model_validate(r) for r in v] for k, v in data.get("criteria", {}).items()
    }


def cite(failed: list[str], chosen: dict[str, list[SourceRef]]) -> list[SourceRef]:
    """One passage per failed criterion, never the same quote twice.

    Criteria with fewer good passages pick first, so one sentence that explains two criteria
    ("bold ... and time-bound") goes to the one that has nothing else.
    """
    picked: dict[str, SourceRef] = {}
    used: set[str] = set()
    for name in sorted(failed, key=lambda n: len(chosen.get(n, []))):
        ref = next((r for r in chosen.get(name, []) if r.quote not in used), None)
        if ref is not None:
            used.add(ref.quote)
            picked[name] = ref
    return [picked[n] for n in failed if n in picked]
