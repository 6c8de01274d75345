"""ONNX Runtime backend: the same sentence-transformers model, without importing torch.

``import sentence_transformers`` costs ~7 s on our 2-core machines while ``onnxruntime`` and
``tokenizers`` import in ~0.2 s, and the fp32 export gives the same vectors (bench/embedding.py). So the
model is exported once from the local weights, cached under
``<data_dir>/models/onnx-<fingerprint>/``, and every later process only loads that file.

Only ``_export`` and the helpers it calls import torch/transformers; building an
``OnnxEmbedder`` over a cached export never does (``tests/test_onnx_embed.py`` checks
``sys.modules`` in a subprocess).

Pooling and normalisation follow sentence-transformers: mean of the token embeddings over the
attention mask (or CLS / max if the model's ``1_Pooling/config.json`` says so), then L2.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from missionrag.errors import BackendUnavailableError

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

    from missionrag.config import Settings

# Bump when the exported graph or its inputs change, so old caches are not reused.
EXPORT_VERSION = 1
OPSET = 17
ONNX_FILE = "model.onnx"
META_FILE = "meta.json"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")

# Files whose change means a different model; their sizes and mtimes go into the fingerprint
# (hashing 90 MB of weights on every start would cost more than the export saves).
_FINGERPRINT_FILES = (
    "model.safetensors",
    "pytorch_model.bin",
    "config.json",
    "tokenizer.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "modules.json",
)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def model_fingerprint(model_path: str | Path) -> str:
    """Short hash of the model path and its weight/config files' sizes and mtimes."""
    root = Path(model_path).expanduser().resolve()
    h = hashlib.sha256()
    h.update(f"v{EXPORT_VERSION}:opset{OPSET}:{root}".encode())
    for rel in _FINGERPRINT_FILES:
        p = root / rel
        if p.exists():
            st = p.stat()
            h.update(f"|{rel}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def onnx_model_dir(settings: Settings) -> Path:
    """Where the export for ``settings.model_path`` lives (it may not exist yet)."""
    models = settings.resolved_data_dir() / "models"
    return models / f"onnx-{model_fingerprint(settings.model_path)}"


def _is_complete(out_dir: Path) -> bool:
    return (out_dir / ONNX_FILE).is_file() and (out_dir / META_FILE).is_file()


def ensure_onnx_model(settings: Settings) -> Path:
    """Export the model to ONNX unless a matching export is cached; return its directory.

    Safe to call from several processes: a file lock serialises exports, and the export is
    written to a temporary directory and renamed into place, so a reader sees all or nothing.
    """
    out_dir = onnx_model_dir(settings)
    if _is_complete(out_dir):
        return out_dir
    model_path = Path(settings.model_path).expanduser().resolve()
    if not (model_path / "config.json").is_file():
        raise BackendUnavailableError(
            f"No model found at {model_path}; set MISSIONRAG_MODEL_PATH to a "
            "sentence-transformers model directory."
        )
    from filelock import FileLock

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out_dir.parent / f".{out_dir.name}.lock"), timeout=900):
        if _is_complete(out_dir):  # another process exported while we waited
            return out_dir
        # Leftovers of an export that was killed midway; we hold the lock, so none is live.
        for stale in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is as readable as the data dir
        try:
            meta = _export(model_path, tmp / ONNX_FILE)
            (tmp / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            if out_dir.exists():  # a half-written dir from a build without the rename step
                shutil.rmtree(out_dir)
            os.replace(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return out_dir


def _export(model_path: Path, onnx_path: Path) -> dict[str, Any]:
    """Trace the transformer (token embeddings out) to ONNX and check it against torch."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the export is a one-off step, not worth a progress bar
    # Eager attention traces to plain MatMul/Softmax, which ONNX Runtime ran ~12% faster
    # than the SDPA trace (72.7 vs 82.8 ms for 10 x 100 tokens); the vectors are the same.
    model = AutoModel.from_pretrained(str(model_path), attn_implementation="eager").eval()
    wrapper = _token_embeddings(model).eval()
    # The example batch has a padded row: traced with an all-ones mask, transformers may drop
    # the mask from the graph and padded batches would come out wrong.
    sample = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0]])
    mask = (sample != 0).long()
    # Ids inside the model's vocabulary: a small or non-BERT one (tests/test_language.py makes
    # a 19-word model) would fail on BERT's ids.
    ids = sample % int(getattr(model.config, "vocab_size", 30522))
    types = torch.zeros_like(ids)
    reference = _trace(wrapper, (ids, mask, types), onnx_path)
    err = _max_difference(onnx_path, (ids, mask, types), reference)
    if err > 1e-3:
        raise BackendUnavailableError(
            f"the ONNX export of {model_path} disagrees with torch (max difference {err:.2e}); "
            "set MISSIONRAG_EMBED_BACKEND=torch and report the model"
        )
    return {
        "model_path": str(model_path),
        "export_version": EXPORT_VERSION,
        "opset": OPSET,
        "torch": torch.__version__,
        "max_abs_diff": err,
    }


def _token_embeddings(model: Any) -> Any:
    """``model`` wrapped to take the three inputs by position and return its last hidden state."""
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    return TokenEmbeddings(model)


def _trace(wrapper: Any, inputs: tuple[Any, Any, Any], onnx_path: Path) -> np.ndarray:
    """Export ``wrapper`` to ``onnx_path``; return its torch output on ``inputs`` from before."""
    import warnings

    import torch

    # TracerWarnings about Python branches on shapes are expected: the only such branch
    # (padding beyond the mask) never runs for our inputs, and _max_difference would catch it.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Reference before export: tracing can leave the module in a state whose outputs differ.
        reference: np.ndarray = wrapper(*inputs).numpy()
        dynamic = {"batch": 0, "seq": 1}
        torch.onnx.export(
            wrapper,
            inputs,
            str(onnx_path),
            input_names=list(INPUT_NAMES),
            output_names=["token_embeddings"],
            dynamic_axes={
                n: {v: k for k, v in dynamic.items()} for n in (*INPUT_NAMES, "token_embeddings")
            },
            opset_version=OPSET,
            do_constant_folding=True,
            # The TorchScript exporter does this in ~2 s with what is installed; the dynamo
            # one buys nothing for a plain BERT and brings more moving parts.
            dynamo=False,
        )
    return reference


def _max_difference(onnx_path: Path, inputs: tuple[Any, Any, Any], reference: np.ndarray) -> float:
    """Largest gap between the exported graph and torch over the unpadded tokens."""
    import onnxruntime as ort

    ids, mask, types = inputs
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
    feeds["token_type_ids"] = types.numpy()
    # A graph may leave an input out (a model without attention layers has no use for the mask).
    declared = {i.name for i in session.get_inputs()}
    got = session.run(None, {k: v for k, v in feeds.items() if k in declared})[0]
    valid = mask.numpy()[..., None].astype(bool)
    return float(np.abs((got - reference) * valid).max())


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _pooling(config: dict[str, Any]) -> str:
    """sentence-transformers' pooling mode from ``1_Pooling/config.json``: cls, max or mean."""
    if config.get("pooling_mode_cls_token"):
        return "cls"
    if config.get("pooling_mode_max_tokens"):
        return "max"
    return "mean"


def _tokenizer(root: Path, max_seq_length: int) -> Tokenizer:
    from tokenizers import Tokenizer

    tok_file = root / "tokenizer.json"
    if not tok_file.is_file():
        raise BackendUnavailableError(
            f"{root} has no tokenizer.json, which the onnx backend reads; "
            "set MISSIONRAG_EMBED_BACKEND=torch to use sentence-transformers instead"
        )
    tok = Tokenizer.from_file(str(tok_file))
    # tokenizer.json ships with fixed padding to 128 and truncation at 128; sentence-
    # transformers truncates at max_seq_length and pads per batch, which we do by hand.
    tok.no_padding()
    tok.enable_truncation(max_length=max_seq_length)
    return tok


def _session(onnx_dir: Path, threads: int | None) -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or _cores()
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning worker threads busy-wait between ops. On an idle machine that is 5-8%
    # faster (a query: 1.9 vs 2.7 ms), but on our shared 2-core machines, with other
    # processes or the ingest writer thread wanting a core, it starved them and made small
    # batches up to 2.7x slower. We take the steady behaviour.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(
            str(onnx_dir / ONNX_FILE), opts, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # a truncated or foreign file: say which and how to redo it
        raise BackendUnavailableError(
            f"cannot load the ONNX model in {onnx_dir} ({exc}); delete that folder to "
            "export it again, or set MISSIONRAG_EMBED_BACKEND=torch"
        ) from exc


class OnnxEmbedder:
    """sentence-transformers' encode, reimplemented on onnxruntime + tokenizers."""

    def __init__(
        self,
        model_path: str | Path,
        onnx_dir: Path,
        batch_size: int = 64,
        threads: int | None = None,
        max_batch_tokens: int = 1024,
        max_pad: int = 40,
    ) -> None:
        root = Path(model_path).expanduser().resolve()
        st_config = _read_json(root / "sentence_bert_config.json")
        hf_config = _read_json(root / "config.json")
        self.max_seq_length = int(st_config.get("max_seq_length") or 512)
        self.do_lower_case = bool(st_config.get("do_lower_case", False))
        self.pooling = _pooling(_read_json(root / "1_Pooling" / "config.json"))
        self.tokenizer = tok = _tokenizer(root, self.max_seq_length)
        self.pad_id = int(hf_config.get("pad_token_id") or 0)
        # The special tokens the tokenizer puts around one text ([CLS] ... [SEP] here), for
        # rows that arrive already tokenised (embed_ids).
        framed = tok.encode("a", add_special_tokens=True).ids
        bare = tok.encode("a", add_special_tokens=False).ids
        at = next(i for i in range(len(framed)) if framed[i : i + len(bare)] == bare)
        self._prefix, self._suffix = framed[:at], framed[at + len(bare) :]
        # Ids from the chunker are of the text as written; a model that lowercases before
        # its tokenizer must tokenise the text itself.
        self.takes_token_ids = not self.do_lower_case
        self.session: onnxruntime.InferenceSession = _session(onnx_dir, threads)
        self._input_names = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.max_pad = max_pad
        self.dim = int(hf_config.get("hidden_size") or self.session.get_outputs()[0].shape[-1])
        self.name = f"onnx:{model_path}"

    @classmethod
    def from_settings(cls, settings: Settings) -> OnnxEmbedder:
        return cls(settings.model_path, ensure_onnx_model(settings), settings.embed_batch_size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = [t.lower() for t in texts] if self.do_lower_case else list(texts)
        # Tokenise once, then sort by token count so each batch pads to similar lengths.
        encodings = self.tokenizer.encode_batch(batch, add_special_tokens=True)
        return self._run([e.ids for e in encodings])

    def embed_ids(self, token_ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Texts this model's tokenizer already split (no special tokens): the ingest
        pipeline's chunks, whose tokens the chunker counted. Same vectors as ``embed``."""
        if not token_ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        keep = self.max_seq_length - len(self._prefix) - len(self._suffix)
        return self._run([[*self._prefix, *ids[:keep], *self._suffix] for ids in token_ids])

    def _run(self, rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Vectors of tokenised rows (special tokens included), in length-sorted batches."""
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        for idx in self._batches(lengths):
            width = int(lengths[idx].max())
            ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            # One sequence per row, so every token type id is 0 (as the tokenizer gives).
            types = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(rows[i])
                ids[row, :n] = rows[i]
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            feeds = {k: v for k, v in feeds.items() if k in self._input_names}
            tokens = self.session.run(None, feeds)[0]
            out[idx] = self._pool(tokens, mask)
        # Same as sentence-transformers' Normalize module (torch.nn.functional.normalize).
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _batches(self, lengths: np.ndarray) -> list[np.ndarray]:
        """Row indices per model call: longest first, similar lengths together.

        Measured on our 2-core machines, ONNX Runtime runs this model fastest at about 1,000
        tokens per call (64 rows of 100 tokens: 11.4k tokens/s, 10 rows: 13.1k; 64 rows of
        256: 9.2k, 4 rows: 11.6k), and each call costs ~3 ms on top, about what 40 padding
        tokens cost. So a batch holds at most ``max_batch_tokens`` padded tokens and
        ``batch_size`` rows, and a text joins it only if it is at most ``max_pad`` tokens
        shorter than the batch's longest: more padding than that costs more than a new call.
        """
        order = np.argsort(-lengths, kind="stable")
        batches: list[np.ndarray] = []
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            rows = max(1, min(self.batch_size, self.max_batch_tokens // width))
            end = start + 1
            while (
                end < len(order)
                and end - start < rows
                and width - lengths[order[end]] <= self.max_pad
            ):
                end += 1
            batches.append(order[start:end])
            start = end
        return batches

    def _pool(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            return tokens[:, 0, :].astype(np.float32)
        m = mask[..., None].astype(np.float32)
        if self.pooling == "max":
            return np.where(m > 0, tokens, -1e9).max(axis=1).astype(np.float32)
        summed = (tokens * m).sum(axis=1)
        counts = np.clip(m.sum(axis=1), 1e-9, None)
        return (summed / counts).astype(np.float32)
