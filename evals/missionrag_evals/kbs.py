"""Knowledge bases the evals run on, built once and cached under evals/.cache/.

``seed``: the five documents of corpus/. ``big``: corpus/ plus corpus B (~100 real
documents, evals/corpus_b/), the size of corpus a user builds. Each is ingested with the
product's own ``KnowledgeBase.ingest``; a later run reuses the store (ingest is incremental).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag_evals import EVALS
from missionrag_evals.data import CORPUS_B, SEED_CORPUS, QCase

if TYPE_CHECKING:
    from missionrag.kb import KnowledgeBase
    from missionrag.models import Hit

CACHE = EVALS / ".cache"


def build(name: str, **overrides: Any) -> KnowledgeBase:
    """The ``seed`` or ``big`` knowledge base, ingested into its cache folder if needed."""
    from missionrag.config import Settings
    from missionrag.kb import KnowledgeBase

    paths = [SEED_CORPUS] if name == "seed" else [SEED_CORPUS, CORPUS_B]
    data_dir = CACHE / name
    models = data_dir / "models"
    data_dir.mkdir(parents=True, exist_ok=True)
    shared = Path(".missionrag/models").resolve()
    if not models.exists() and shared.exists():
        models.symlink_to(shared, target_is_directory=True)
    kb = KnowledgeBase(Settings(data_dir=data_dir, corpus_dir=SEED_CORPUS, **overrides))
    report = kb.ingest(paths)
    if report.failed:
        print(f"{name}: {len(report.failed)} files failed to ingest: {report.failed[:3]}")
    return kb


class Gold:
    """Where each case's answer lies in the stored text, and whether a hit covers it.

    A hit counts when it comes from the right source and covers at least half of the gold
    passage (character overlap in the document's clean text), as the retrieval eval has
    always scored it; for a PDF case labelled by page, a hit on that page holding a keyword.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.starts = {c.id: c.start for c in kb.all_chunks()}
        self._spans: dict[str, tuple[int, int] | None] = {}

    def span(self, case: QCase) -> tuple[int, int] | None:
        if case.id not in self._spans:
            self._spans[case.id] = self._find(case)
        return self._spans[case.id]

    def _find(self, case: QCase) -> tuple[int, int] | None:
        if not case.passage or not case.source:
            return None
        text = self.kb.document_text(case.source)
        i = text.find(case.passage)
        if i >= 0:
            return i, i + len(case.passage)
        # Loaders drop markup (timestamp anchors, ** ...) and re-space lines: match the
        # passage's words with whitespace flattened, then its first words alone.
        flat, where = _flatten(text)
        words = case.passage.split()
        for probe in (" ".join(words), " ".join(words[:6])):
            j = flat.find(probe)
            if j >= 0:
                return where[j], where[j] + len(case.passage)
        return None

    def covers(self, hit: Hit, case: QCase) -> bool:
        if not case.source or hit.source != case.source:
            return False
        if case.page is not None and case.passage is None:
            return hit.page == case.page and any(k in hit.text.lower() for k in case.keywords)
        gold = self.span(case)
        if gold is None:
            return all(k in hit.text.lower() for k in case.keywords)
        start = hit.start if hit.start is not None else self.starts.get(hit.chunk_id, -1)
        if start < 0:
            return False
        overlap = min(start + len(hit.text), gold[1]) - max(start, gold[0])
        return overlap >= 0.5 * (gold[1] - gold[0])


def _flatten(text: str) -> tuple[str, list[int]]:
    """``text`` with every whitespace run as one space, and each character's original offset."""
    out: list[str] = []
    where: list[int] = []
    space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
        else:
            out.append(ch)
            where.append(i)
            space = False
    return "".join(out), where
