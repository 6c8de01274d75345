"""Who is writing the store right now, so recovery never sweeps a live writer's chunks.

A run (an ingest, a delete) writes its chunks before it commits their document, so until the
commit they look exactly like the leftovers of a killed run. With one process per store
(embedded Chroma) that is unambiguous; with a Chroma server, several workers or machines can
write at once, and a second writer's recovery used to delete the first one's uncommitted
chunks (the first then committed documents with none: tests/test_server_mode.py).

So each run registers itself with a record of its own in the documents collection (its own id,
so two writers never overwrite each other's), kept fresh by a heartbeat while it runs and
removed when it ends. A record that stays behind is the sign of a killed run. Recovery sweeps
only when no other writer is alive; otherwise the next run does it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

RUN_PREFIX = "__run__"
HEARTBEAT_S = 10.0
# A writer not heard from for this long is taken for dead (a paused or starved process too:
# its uncommitted chunks may then be swept, and its commits find them gone).
STALE_S = 120.0


@dataclass
class Run:
    run_id: str
    host: str
    pid: int
    heartbeat: float

    def alive(self, now: float, single_process: bool) -> bool:
        if single_process:  # the store's lock file says no other process can be writing
            return False
        if self.host == socket.gethostname() and not _pid_running(self.pid):
            return False
        return now - self.heartbeat < STALE_S


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class Writers:
    """The run records in a store's documents collection (a Chroma collection)."""

    def __init__(self, docs: Any, single_process: bool) -> None:
        self.docs = docs
        self.single_process = single_process
        self.run_id: str | None = None
        self._depth = 0  # a delete inside an ingest (--prune) is part of the same run
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _write(self) -> None:
        meta = {"host": socket.gethostname(), "pid": os.getpid(), "heartbeat": time.time()}
        self.docs.upsert(ids=[self.run_id], embeddings=[[0.0]], metadatas=[meta], documents=[""])

    def start(self) -> None:
        """Register this run (a nested start is part of the same run)."""
        self._depth += 1
        if self.run_id is not None:
            return
        self.run_id = f"{RUN_PREFIX}{uuid.uuid4().hex}"
        self._write()
        if not self.single_process:
            self._stop.clear()
            self._beat = threading.Thread(target=self._heartbeat, name="run-heartbeat", daemon=True)
            self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                self._write()
            except Exception:  # noqa: S112 - a missed beat is retried; the run goes on
                continue

    def stop(self) -> None:
        self._depth = max(0, self._depth - 1)
        if self.run_id is None or self._depth:
            return
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        self.docs.delete(ids=[self.run_id])
        self.run_id = None

    def others(self) -> tuple[list[Run], list[Run]]:
        """(live, dead) run records of other runs."""
        got = self.docs.get(where={"pid": {"$gte": 0}}, include=["metadatas"])
        now = time.time()
        live: list[Run] = []
        dead: list[Run] = []
        for rid, meta in zip(got["ids"], got["metadatas"], strict=True):
            if not rid.startswith(RUN_PREFIX) or rid == self.run_id or not meta:
                continue
            run = Run(rid, str(meta.get("host", "")), int(meta["pid"]), float(meta["heartbeat"]))
            (live if run.alive(now, self.single_process) else dead).append(run)
        return live, dead

    def forget(self, runs: list[Run]) -> None:
        if runs:
            self.docs.delete(ids=[r.run_id for r in runs])
