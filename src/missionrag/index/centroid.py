"""The corpus centroid: the mean of the stored chunk vectors, for centring dense queries.

Sentence embeddings of one domain share a common direction (they are anisotropic), so plain
cosine favours "hub" passages near the centre of the corpus, such as a page's generic
introduction, for almost any question. Subtracting part of the mean vector from the query
(``Settings.dense_centering``) scores what is specific to the question instead; on the
retrieval eval that lifted dense MRR at every chunk size tried (the retrieval eval of evals/missionrag_evals). Ranking by
``(q - c*mean) . x`` needs no change to the stored vectors, only the mean.

Like the keyword index, the centroid is derived data: rebuilt from the committed chunks when
the store's generation moves, written to a temporary file and renamed into place, stamped with
the generation it was computed at.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np


class Centroid:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.generation = -1
        self.vector: np.ndarray | None = None

    def load(self, generation: int) -> bool:
        """Load the persisted centroid if its stamp matches ``generation``."""
        if self.generation == generation:
            return True
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if data.get("generation") != generation:
            return False
        vec = data.get("vector")
        self.vector = None if vec is None else np.asarray(vec, dtype=np.float32)
        self.generation = generation
        return True

    def build(self, mean: np.ndarray | None, count: int, generation: int) -> None:
        """Persist ``mean`` (None for an empty store) as the centroid of ``generation``."""
        payload = {
            "generation": generation,
            "count": count,
            "vector": None if mean is None else [round(float(x), 7) for x in mean],
        }
        fd, tmp = tempfile.mkstemp(prefix=".centroid-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh)
        os.replace(tmp, self.path)
        self.vector = None if mean is None else np.asarray(mean, dtype=np.float32)
        self.generation = generation
