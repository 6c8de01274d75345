"""Where the Chroma store lives: embedded in the data dir, or a ``chroma run`` server.

The one place that tells the two apart. ``backend_for(settings)`` picks once from
``MISSIONRAG_CHROMA_URL`` (unset: embedded); the store, the collections and the edges ask the
backend instead of looking at the setting.

    embedded  ``PersistentClient`` on <data dir>/chroma, owned by one process (a file lock,
              ``store.lock``); files beside the store mirror it exactly (``state.json``, the
              BM25 folder's chunk records), so ``check`` may read them without opening Chroma
    server    ``HttpClient`` on the URL; any number of processes and machines write it, so
              nothing beside it is authoritative and each keeps its own keyword index copy

Clients are cached one per location per process (a ``PersistentClient`` must not be opened
twice). ``tests/test_server_mode.py`` and ``tests/test_collections.py`` run both.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from missionrag.errors import BackendUnavailableError

if TYPE_CHECKING:
    from missionrag.config import Settings

_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()
_PROCESS_LOCKS: dict[str, Any] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


class StoreBackend(Protocol):
    """What differs between an embedded store and a server."""

    # One process owns the store: writers need no heartbeat, and the files beside it
    # (state.json, BM25 records) are exact mirrors that readers may trust.
    single_owner: bool

    def own(self) -> None:
        """Take ownership of the store for this process (embedded), or nothing (server)."""
        ...

    def client(self) -> Any:
        """The Chroma client, opened once per location per process."""
        ...

    def location(self) -> str:
        """``embedded:<path>`` or ``server:<url>`` (the store's own record of where it is)."""
        ...

    def describe(self) -> str:
        """The location for people (``status``): a URL without its credentials."""
        ...

    def keyword_base(self, collection: str) -> Path:
        """Where a collection's BM25 index (and the other derived files) live."""
        ...

    def may_hold_collections(self) -> bool:
        """False when the store certainly holds nothing (its folder was never made)."""
        ...

    def collection_names(self) -> set[str]:
        """The Chroma collections in the store (opens the client)."""
        ...

    def delete_collection(self, name: str) -> None:
        """Remove one Chroma collection, if it is there."""
        ...


def backend_for(settings: Settings) -> StoreBackend:
    """The backend ``settings`` choose: a server when MISSIONRAG_CHROMA_URL is set."""
    if settings.chroma_url:
        return ServerBackend(settings, settings.chroma_url)
    return EmbeddedBackend(settings)


class _ChromaBackend:
    """The parts both backends share: the client cache and the collection calls."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def client(self) -> Any:
        raise NotImplementedError

    def _cached(self, key: str, make: Callable[[Any], Any], where: str, hint: str) -> Any:
        import chromadb  # noqa: F401  (the import is part of opening; its errors too)
        from chromadb.config import Settings as ChromaSettings

        with _CLIENTS_LOCK:
            if key in _CLIENTS:
                return _CLIENTS[key]
            try:
                client = make(ChromaSettings(anonymized_telemetry=False))
            except Exception as exc:
                raise BackendUnavailableError(
                    f"the Chroma store at {where} is unavailable ({type(exc).__name__}: {exc}); "
                    + hint
                ) from exc
            _CLIENTS[key] = client
            return client

    def collection_names(self) -> set[str]:
        listed = self.client().list_collections()
        return {c if isinstance(c, str) else c.name for c in listed}

    def delete_collection(self, name: str) -> None:
        if name in self.collection_names():
            self.client().delete_collection(name)


class EmbeddedBackend(_ChromaBackend):
    single_owner = True

    def _chroma_dir(self) -> Path:
        return self.settings.resolved_data_dir() / "chroma"

    def own(self) -> None:
        own_data_dir(self.settings.resolved_data_dir())

    def client(self) -> Any:
        def make(chroma_settings: Any) -> Any:
            import chromadb

            from missionrag.private import private_dir

            path = private_dir(self._chroma_dir())
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)

        where = str(self.settings.resolved_data_dir())
        return self._cached(str(self._chroma_dir()), make, where, "check MISSIONRAG_DATA_DIR")

    def location(self) -> str:
        return f"embedded:{self._chroma_dir()}"

    def describe(self) -> str:
        return self.location()

    def keyword_base(self, collection: str) -> Path:
        return self.settings.resolved_data_dir() / "keyword" / collection

    def may_hold_collections(self) -> bool:
        return self._chroma_dir().exists()


class ServerBackend(_ChromaBackend):
    single_owner = False

    def __init__(self, settings: Settings, url: str) -> None:
        super().__init__(settings)
        self.url = url

    def own(self) -> None:
        """Nothing to own: a server takes any number of writers (index/writers.py)."""

    def client(self) -> Any:
        from urllib.parse import urlparse

        def make(chroma_settings: Any) -> Any:
            import chromadb

            u = urlparse(self.url)
            client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1",
                port=u.port or (443 if u.scheme == "https" else 8000),
                ssl=u.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
            return client

        return self._cached(self.url, make, self.url, "is `chroma run` up?")

    def location(self) -> str:
        return f"server:{self.url}"

    def describe(self) -> str:
        from missionrag.redact import redact_url

        return f"server:{redact_url(self.url)}"

    def keyword_base(self, collection: str) -> Path:
        # Each machine or worker keeps its own copy, one per server it talks to.
        suffix = hashlib.sha256(self.url.encode()).hexdigest()[:8]
        return self.settings.resolved_data_dir() / "keyword" / f"{collection}-{suffix}"

    def may_hold_collections(self) -> bool:
        return True


def forget_clients() -> None:
    """Drop cached clients (tests that remove data dirs)."""
    with _CLIENTS_LOCK:
        _CLIENTS.clear()


def own_data_dir(data_dir: Path) -> None:
    """Hold an exclusive lock on the embedded store for this process's lifetime.

    Two processes writing one ``PersistentClient`` directory corrupt it; a clear error beats
    that. The kernel drops the lock when the process dies, even by ``kill -9``.
    """
    import fcntl
    import os

    from missionrag.private import open_private, private_dir, restrict_new_files

    key = str(data_dir)
    with _PROCESS_LOCKS_GUARD:
        if key in _PROCESS_LOCKS:
            return
        restrict_new_files()
        private_dir(data_dir)
        # O_NOFOLLOW: a planted store.lock -> victim must not be truncated below.
        fh = os.fdopen(open_private(data_dir / "store.lock"), "r+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise BackendUnavailableError(
                f"the store in {data_dir} is in use by {holder}. One process owns an embedded "
                "store: stop it, use its HTTP API (e.g. POST /documents), point this command at "
                "another MISSIONRAG_DATA_DIR, or run a Chroma server (MISSIONRAG_CHROMA_URL)"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        _PROCESS_LOCKS[key] = fh
