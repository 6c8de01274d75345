"""Re-choose the checker's literature passages after a write, off the request's path.

``KnowledgeBase.refresh_literature`` costs ~10 s of cross-encoder time on the seed corpus in
a process that has not scored those passages before (a server started on a store the CLI
ingested): done inside the upload request it made a one-paragraph upload take 17 s and the
page's upload tests time out (tests/test_web.py). Until the new choice is saved, ``check``
cites through its keyword fallback (``check/literature.py``: a stale file is never used), so
nothing wrong is shown meanwhile.

One worker thread per process, single-flight per collection: writes that arrive while a
refresh runs leave one more refresh queued, not one per write.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missionrag.kb import KnowledgeBase

logger = logging.getLogger("missionrag.api")

_guard = threading.Lock()
_pending: dict[str, KnowledgeBase] = {}
_worker: threading.Thread | None = None
_idle = threading.Event()
_idle.set()


def refresh_later(kb: KnowledgeBase) -> None:
    """Queue ``kb.refresh_literature()`` on the worker thread (started when needed)."""
    global _worker
    with _guard:
        _pending[kb.settings.collection] = kb
        _idle.clear()
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="missionrag-literature", daemon=True)
            _worker.start()


def wait_idle(timeout: float | None = None) -> bool:
    """Block until no refresh is queued or running (tests, orderly shutdown)."""
    return _idle.wait(timeout)


def _run() -> None:
    global _worker
    while True:
        with _guard:
            if not _pending:
                _worker = None
                _idle.set()
                return
            _, kb = _pending.popitem()
        try:
            kb.refresh_literature()
        except Exception as exc:  # a failed refresh leaves check on its keyword fallback
            logger.warning("literature refresh failed: %s", exc)
