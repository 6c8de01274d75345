"""Shared fixtures: real settings in temporary folders, a real store with the real corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tests never read the developer's .env or environment settings by accident.
for _k in [k for k in os.environ if k.startswith("MISSIONRAG_")]:
    del os.environ[_k]

from missionrag.config import Settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# The eval runner lives beside the product (evals/missionrag_evals); tests import it from there.
sys.path.insert(0, str(REPO / "evals"))
CORPUS = REPO / "corpus"
DATA = Path(__file__).parent / "data"
# One ONNX export for the whole run (and across runs): the export is what's slow.
MODEL_CACHE = REPO / ".missionrag" / "models"


def make_settings(data_dir: Path, **kw: object) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    models = data_dir / "models"
    if not models.exists() and MODEL_CACHE.exists():
        models.symlink_to(MODEL_CACHE, target_is_directory=True)
    return Settings(data_dir=data_dir, corpus_dir=CORPUS, **kw)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def corpus_kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A KnowledgeBase with the five corpus documents ingested once per test session."""
    from missionrag.kb import KnowledgeBase

    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("corpus-kb")))
    report = kb.ingest([CORPUS])
    assert len(report.added) == 5, report
    return kb


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the corpus (tests edit and delete files in it)."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MISSIONRAG_")}
    env.update({"MISSIONRAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"})
    env.update(extra)
    data_dir.mkdir(parents=True, exist_ok=True)
    models = data_dir / "models"
    if not models.exists() and MODEL_CACHE.exists():
        models.symlink_to(MODEL_CACHE, target_is_directory=True)
    return env


def run_cli(
    args: list[str], data_dir: Path, *, cwd: Path = REPO, timeout: float = 300, **extra: str
) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "missionrag"
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        env=cli_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "cli-data"

    def _run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return run_cli(list(args), data_dir, **extra)

    _run.data_dir = data_dir  # type: ignore[attr-defined]
    return _run


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free loopback port; yields its URL."""
    import time

    import httpx

    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(
            f"chroma server did not start: {(path / 'server.log').read_text()[-2000:]}"
        )
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def real_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's llama-server with SmolLM2-135M on a free loopback port; yields its /v1 URL.

    The binary is built once into ``$XDG_CACHE_HOME/missionrag`` (``~/.cache`` by default) and
    the model fetched there; later sessions reuse both (src/missionrag/llm_local.py).
    """
    from missionrag.llm_local import LocalServer

    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with LocalServer(Settings(), log=log) as server:
        yield server.url


# The fast lane (`pytest -m "not slow"`, CONTRIBUTING.md): a test is slow when it loads the
# real model or a store, starts a server or a browser, or runs the CLI in a subprocess. It is
# marked here from the fixtures it uses, so a new test lands in the right lane by itself.
SLOW_FIXTURES = frozenset(
    {
        "corpus_kb", "cli", "chroma_server", "real_llm", "corpus_copy", "settings", "kb",
        "server", "retriever", "corpus_items", "quiz20", "quiz30", "injected_kb", "data_dir",
    }
)  # fmt: skip


# Modules whose tests build stores, servers or subprocesses in the test body (measured with
# `pytest -m "not slow" --durations=0`: each cost the fast lane 2-30 s).
SLOW_MODULES = frozenset(
    {
        "test_api", "test_api_documents", "test_api_security", "test_check_eval",
        "test_check_fastpath", "test_check_literature", "test_dense_repeatable",
        "test_hostile_files", "test_ingest_hostile", "test_ingest_url", "test_pdf_ingest",
        "test_pipeline", "test_reader_process", "test_search", "test_store",
    }
)  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        module = item.path.stem if item.path else ""
        if uses & SLOW_FIXTURES or module in SLOW_MODULES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
