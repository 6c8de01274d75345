"""The statement's embedding for the learned heads, from the product's embedder.

The heads were trained on all-MiniLM-L6-v2 vectors (``get_embedder``). A check uses the
embedder only when it is ready to load without work: the ONNX export already made by
``missionrag warmup`` (or the torch backend, when configured). An embedder whose vector of a
probe sentence differs from the one recorded at training is another model: its vectors would
mean nothing to the weights, so the rules-only heads judge instead, with a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionrag.check.model import PROBE_TEXT, CheckerModel
from missionrag.errors import MissionRagError

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index.embed import Embedder

_VERIFIED: dict[str, bool] = {}  # embedder name -> its probe vector matched the model's


def default_embedder(settings: Settings | None) -> Embedder | None:
    """The configured embedder if it loads without an export; None otherwise."""
    from missionrag.config import Settings

    s = settings if settings is not None else Settings()
    if s.embed_backend == "onnx":
        from missionrag.index.onnx_embed import META_FILE, ONNX_FILE, onnx_model_dir

        folder = onnx_model_dir(s)
        if not ((folder / ONNX_FILE).is_file() and (folder / META_FILE).is_file()):
            return None
    from missionrag.index.embed import get_embedder

    return get_embedder(s)


def statement_vector(
    statement: str,
    model: CheckerModel,
    settings: Settings | None,
    embedder: Embedder | None,
    notes: list[str],
) -> tuple[np.ndarray | None, Embedder | None]:
    """(vector, embedder), or (None, None) with a note saying why the rules judged alone."""
    try:
        embedder = embedder if embedder is not None else default_embedder(settings)
    except MissionRagError as exc:
        notes.append(f"Embedding model unavailable ({exc}); judged by the rule features alone.")
        return None, None
    if embedder is None:
        notes.append(
            "The embedding model is not prepared; judged by the rule features alone "
            "(run `missionrag warmup` once for the full model)."
        )
        return None, None
    try:
        if embedder.name not in _VERIFIED:
            _VERIFIED[embedder.name] = model.embedding_matches(embedder.embed([PROBE_TEXT])[0])
        if not _VERIFIED[embedder.name]:
            notes.append(
                f"The embedding model ({embedder.name}) is not the one the checker was trained "
                f"with ({model.embedding_model}); judged by the rule features alone."
            )
            return None, None
        return embedder.embed([statement])[0], embedder
    except MissionRagError as exc:
        notes.append(f"Embedding failed ({exc}); judged by the rule features alone.")
        return None, None
