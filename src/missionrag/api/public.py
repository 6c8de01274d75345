"""What unauthenticated readers see of a source: never the server's absolute paths.

A file ingested from the command line outside the working directory is stored under its
absolute path (``/home/alice/reports/x.pdf``), which ``--prune`` needs. Over HTTP it is shown
relative to the allowed folder it lies in (``reports/x.pdf``) or by its file name alone.
Every JSON response passes through ``public_response_class``; the answer stream and quiz
downloads call ``publicize`` themselves.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi.responses import JSONResponse

from missionrag.config import Settings

_SOURCE_KEYS = frozenset({"source"})
_SOURCE_LISTS = frozenset({"added", "updated", "unchanged", "removed"})


def public_source(source: str, roots: list[PurePosixPath]) -> str:
    """``source`` as a reader may see it (URLs and relative paths unchanged)."""
    if not source.startswith("/"):
        return source
    path = PurePosixPath(source)
    for root in roots:
        if root in path.parents:
            return f"{root.name}/{path.relative_to(root)}"
    return path.name


def publicize(value: Any, roots: list[PurePosixPath]) -> Any:
    """A copy of JSON-ready ``value`` with every source path made public."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if key in _SOURCE_KEYS and isinstance(item, str):
                out[key] = public_source(item, roots)
            elif key in _SOURCE_LISTS and isinstance(item, list):
                out[key] = [public_source(s, roots) if isinstance(s, str) else s for s in item]
            else:
                out[key] = publicize(item, roots)
        return out
    if isinstance(value, list):
        return [publicize(item, roots) for item in value]
    return value


def roots_of(settings: Settings) -> list[PurePosixPath]:
    # Deepest first, so a file in a nested allowed folder is named from the nearest one.
    roots = [PurePosixPath(r.as_posix()) for r in settings.allowed_roots()]
    return sorted(roots, key=lambda r: -len(r.parts))


def public_response_class(settings: Settings) -> type[JSONResponse]:
    roots = roots_of(settings)

    class PublicJSONResponse(JSONResponse):
        def render(self, content: Any) -> bytes:
            return super().render(publicize(content, roots))

    return PublicJSONResponse
