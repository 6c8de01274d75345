"""The data dir is private: folders 0700, files 0600, and no file in it is reached through a
symbolic link someone planted there.

The data dir holds the store, the uploads and the keyword index, i.e. every document the
server was given; other users of the machine must not read it (it used to be 755/644). Chroma
writes its own files from its own threads, so the file mode comes from the process umask,
which ``restrict_new_files`` sets in every process that owns a data dir.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import uuid
from pathlib import Path

from missionrag.errors import BackendUnavailableError

DIR_MODE = 0o700
FILE_MODE = 0o600
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def restrict_new_files() -> None:
    """Files and folders this process creates from now on are private to the user.

    Process-wide on purpose: Chroma and bm25s create files we never open ourselves.
    """
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create ``path`` (0700), or tighten it if it is ours (a link to a folder is left as is)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=DIR_MODE, parents=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(os.stat(path).st_mode):
        raise FileExistsError(errno.EEXIST, "exists and is not a folder", str(path))
    if not stat.S_ISLNK(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077:
        os.chmod(path, DIR_MODE)
    return path


def open_private(path: Path, flags: int = os.O_RDWR | os.O_CREAT) -> int:
    """A descriptor of the regular file ``path`` (created 0600), never through a symlink.

    A planted ``store.lock -> victim`` used to be truncated and overwritten; with
    ``O_NOFOLLOW`` the open fails instead, and the error says which file to remove.
    """
    try:
        fd = os.open(path, flags | _OPEN_FLAGS, FILE_MODE)
    except OSError as exc:
        if os.path.islink(path):
            raise BackendUnavailableError(
                f"{path} is a symbolic link; the data dir must hold plain files: remove it"
            ) from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BackendUnavailableError(f"{path} is not a regular file; remove it")
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: a new 0600 file, then a rename.

    The temporary name is new (``O_EXCL``), and a rename replaces a link itself, never the
    file it points to.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
