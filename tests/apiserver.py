"""Real ``missionrag`` HTTP servers on loopback, for the API, browser and load tests.

Each server is a separate uvicorn process (``missionrag.api:create_app --factory``) that owns
its own data dir, exactly like ``missionrag serve``. The socket is bound here, on a port the
kernel picks, and handed to uvicorn with ``--fd``: no window in which another process could
take the port between choosing it and listening on it.

The corpus is ingested once per test session (by the real CLI) into a pristine data dir;
every server gets a copy, so tests that upload or delete never disturb each other.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import CORPUS, REPO, cli_env, run_cli

_pristine: Path | None = None


def ingested_data_dir(base: Path) -> Path:
    """A fresh copy of a data dir holding the five corpus documents."""
    global _pristine
    if _pristine is None:
        source = base / "pristine-corpus"
        result = run_cli(["ingest", str(CORPUS), "--json"], source)
        assert result.returncode == 0, result.stderr[-3000:]
        _pristine = source
    target = base / f"data-{time.monotonic_ns()}"
    # symlinks=True keeps the shared ONNX model cache a link instead of copying it.
    shutil.copytree(_pristine, target, symlinks=True, ignore=shutil.ignore_patterns("store.lock"))
    return target


class ApiServer:
    """``with ApiServer(data_dir, MISSIONRAG_API_TOKEN="t") as srv: httpx.get(srv.url + ...)``"""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = env
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 180) -> ApiServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(512)
        port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = cli_env(self.data_dir, **{"MISSIONRAG_HOST": "127.0.0.1", **self.env})
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "missionrag.api:create_app",
                    "--factory",
                    "--fd",
                    str(sock.fileno()),
                    "--timeout-graceful-shutdown",
                    "5",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[sock.fileno()],
            )
        sock.close()  # the child holds its own copy of the listening socket
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log()[-4000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not become healthy:\n{self.log()[-4000:]}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# What the web page sends with every request; writes without a token need it (a cross-site
# form cannot send it).
PAGE = {"X-Requested-With": "missionrag"}
