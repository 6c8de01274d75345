"""The ONNX backend gives sentence-transformers' vectors, caches its export, and skips torch.

Real model, real export, real onnxruntime: the export takes a few seconds, so it is built
once per session in a temporary data dir and shared by the tests below.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from missionrag.config import REPO_ROOT, Settings
from missionrag.index.embed import TorchEmbedder
from missionrag.index.onnx_embed import (
    ONNX_FILE,
    OnnxEmbedder,
    ensure_onnx_model,
    model_fingerprint,
    onnx_model_dir,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUERIES = [
    "What makes a mission statement bold but achievable?",
    "How do governments measure progress on missions?",
    "cross-sectoral collaboration between ministries",
    "Who wrote the Apollo guidance software?",
]
# Non-English text and odd input go through the same tokenizer paths (accents, CJK, emoji).
OTHER = [
    "Wie misst man den Erfolg einer missionsorientierten Innovationspolitik?",
    "Les missions exigent une collaboration entre les secteurs public et privé.",
    "ミッション志向のイノベーション政策とは何か",
    "以任务为导向的创新政策",
    "Missions 🚀 need clear targets — by 2030!",
    "   padded with spaces   ",
    "x",
    "",
]


def corpus_texts() -> list[str]:
    paras = []
    for path in sorted((REPO_ROOT / "corpus").glob("*")):
        if path.suffix in {".md", ".txt"}:
            text = path.read_text(encoding="utf-8")
            paras += [p.strip() for p in text.split("\n\n") if p.strip()]
    return paras


def eval_questions() -> list[str]:
    path = REPO_ROOT / "evals" / "retrieval.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["question"] for r in rows if "question" in r]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("onnx-data"), embed_batch_size=16)


@pytest.fixture(scope="module")
def onnx(settings: Settings) -> OnnxEmbedder:
    return OnnxEmbedder.from_settings(settings)


def test_matches_sentence_transformers(settings: Settings, onnx: OnnxEmbedder) -> None:
    paras = corpus_texts()
    long_texts = [" ".join(paras[i : i + 12]) for i in range(0, 36, 12)]
    # The long texts must really hit the 256-token truncation, or the test proves nothing there.
    assert min(len(e.ids) for e in onnx.tokenizer.encode_batch(long_texts)) == 256
    texts = paras + QUERIES + eval_questions() + OTHER + long_texts
    torch_vecs = TorchEmbedder(settings.model_path, settings.embed_batch_size).embed(texts)
    onnx_vecs = onnx.embed(texts)
    assert onnx_vecs.shape == (len(texts), 384) == torch_vecs.shape
    assert onnx_vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx_vecs, axis=1), 1.0, atol=1e-5)
    cos = (onnx_vecs * torch_vecs).sum(axis=1)
    worst = int(cos.argmin())
    assert cos.min() >= 0.999, f"cosine {cos.min():.5f} for {texts[worst][:80]!r}"


def test_order_and_batching_do_not_change_vectors(onnx: OnnxEmbedder) -> None:
    texts = QUERIES + OTHER[:3] + corpus_texts()[:5]
    together = onnx.embed(texts)
    one_by_one = np.vstack([onnx.embed([t]) for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)
    assert onnx.embed([]).shape == (0, onnx.dim)


def test_batches_cover_every_text_once_within_limits(onnx: OnnxEmbedder) -> None:
    rng = np.random.default_rng(0)
    lengths = np.concatenate([rng.integers(3, 257, 300), [256] * 20, [5] * 100])
    batches = onnx._batches(lengths)
    seen = np.concatenate(batches)
    assert sorted(seen.tolist()) == list(range(len(lengths)))
    for b in batches:
        width = int(lengths[b].max())
        assert len(b) <= onnx.batch_size
        assert len(b) == 1 or len(b) * width <= onnx.max_batch_tokens
        assert width - int(lengths[b].min()) <= onnx.max_pad


def test_second_construction_reuses_export(settings: Settings, onnx: OnnxEmbedder) -> None:
    path = onnx_model_dir(settings) / ONNX_FILE
    before = path.stat().st_mtime_ns
    again = OnnxEmbedder.from_settings(settings)
    assert ensure_onnx_model(settings) == path.parent
    assert path.stat().st_mtime_ns == before
    np.testing.assert_allclose(again.embed(QUERIES), onnx.embed(QUERIES), atol=1e-6)
    leftovers = [p.name for p in path.parent.parent.iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_no_torch_import_when_cached(settings: Settings, onnx: OnnxEmbedder) -> None:
    code = (
        "import sys\n"
        "from missionrag.config import Settings\n"
        "from missionrag.index.embed import get_embedder\n"
        "s = Settings()\n"
        "assert s.embed_backend == 'onnx'\n"
        "v = get_embedder(s).embed(['does this import torch?'])\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "print(v.shape[1], heavy)\n"
    )
    env = {
        **os.environ,
        "MISSIONRAG_DATA_DIR": str(settings.data_dir),
        "MISSIONRAG_EMBED_BACKEND": "onnx",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["384", "[]"]


def test_rebuilds_for_another_model_path_once(settings: Settings, tmp_path: Path) -> None:
    copy = tmp_path / "model-copy"
    shutil.copytree(settings.model_path, copy)
    other = Settings(data_dir=settings.data_dir, model_path=str(copy))
    assert onnx_model_dir(other) != onnx_model_dir(settings)
    assert not onnx_model_dir(other).exists()

    # Two processes ask for the new export at once: the lock lets exactly one of them export
    # (only the exporter imports torch), and both get the same finished directory.
    code = (
        "import sys\n"
        "from missionrag.config import Settings\n"
        "from missionrag.index.onnx_embed import ensure_onnx_model\n"
        "print(ensure_onnx_model(Settings()), 'torch' in sys.modules)\n"
    )
    env = {
        **os.environ,
        "MISSIONRAG_DATA_DIR": str(settings.data_dir),
        "MISSIONRAG_MODEL_PATH": str(copy),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=180)
        assert p.returncode == 0, stderr.decode()
        results.append(stdout.decode().split())
    assert {r[0] for r in results} == {str(onnx_model_dir(other))}
    assert sorted(r[1] for r in results) == ["False", "True"]
    assert (onnx_model_dir(other) / ONNX_FILE).is_file()
    assert (onnx_model_dir(settings) / ONNX_FILE).is_file()  # the first export is kept
    leftovers = [
        p.name for p in settings.data_dir.joinpath("models").iterdir() if ".tmp-" in p.name
    ]
    assert leftovers == []

    # New weights (same path, new mtime) mean a new fingerprint, hence a new export.
    before = model_fingerprint(copy)
    weights = copy / "model.safetensors"
    st = weights.stat()
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert model_fingerprint(copy) != before


def test_chunker_token_ids_give_the_same_ids_and_vectors(
    settings: Settings, onnx: OnnxEmbedder, tmp_path: Path
) -> None:
    # The ingest pipeline hands the chunker's token ids to the model instead of the text: they
    # must be the ids the text gets on its own, on every corpus chunk and on odd text.
    from missionrag.ingest import chunk_with_tokens, discover, load_file

    odd = tmp_path / "odd.md"
    odd.write_text("# Odd\n\n" + "\n\n".join(OTHER[:5]) + "\n\n" + "word " * 400, "utf-8")
    pairs = []
    for f in [*discover([REPO_ROOT / "corpus"])[0], odd]:
        pairs += chunk_with_tokens(load_file(f, settings), settings)
    texts = [c.text for c, _ in pairs]
    ids = [i for _, i in pairs]
    assert all(i is not None for i in ids)
    own = [e.ids for e in onnx.tokenizer.encode_batch(texts, add_special_tokens=False)]
    own = [i[: onnx.max_seq_length - 2] for i in own]  # the embedder truncates at 256
    assert [i[: onnx.max_seq_length - 2] for i in ids] == own  # type: ignore[index]
    assert onnx.takes_token_ids
    got = onnx.embed_ids(ids)  # type: ignore[arg-type]
    ref = onnx.embed(texts)
    assert got.shape == ref.shape and float(np.abs(got - ref).max()) < 1e-5
