"""Errors shown to the user. Each message says what happened and what to do next.

    MissionRagError                 base; exit code 2 unless a child says otherwise
    ├── InputError                  bad argument, file, URL or text from the user (exit 2, HTTP 422)
    │   ├── UnsupportedFileError    a file type no loader reads
    │   ├── FileTooLargeError       over MISSIONRAG_MAX_FILE_MB (HTTP 413)
    │   ├── MalformedRequestError   a request body that is not what it says (HTTP 400)
    │   └── PathNotAllowedError     outside MISSIONRAG_ALLOWED_DIRS (HTTP 403)
    ├── NotFoundError               unknown document id (HTTP 404)
    └── BackendUnavailableError     the store, model or LLM cannot be reached (exit 3, HTTP 503)
        └── LLMError                the LLM answered with an error, nothing, or garbage

The CLI and the API translate these once, at their edge.
"""

from __future__ import annotations


class MissionRagError(Exception):
    exit_code = 2
    http_status = 400


class InputError(MissionRagError):
    exit_code = 2
    http_status = 422


def bounded(text: str | None, limit: int, *, noun: str, empty: str, advice: str = "") -> str:
    """``text`` stripped; ``InputError`` with ``empty`` when nothing is left, or when it is over
    ``limit`` characters (MISSIONRAG_MAX_QUERY_CHARS for questions and queries)."""
    q = (text or "").strip()
    if not q:
        raise InputError(empty)
    if len(q) > limit:
        raise InputError(
            f"the {noun} is {len(q)} characters; the limit is {limit} "
            f"(MISSIONRAG_MAX_QUERY_CHARS){advice}"
        )
    return q


class UnsupportedFileError(InputError):
    pass


class FileTooLargeError(InputError):
    http_status = 413


class MalformedRequestError(InputError):
    http_status = 400


class PathNotAllowedError(InputError):
    http_status = 403


class NotFoundError(MissionRagError):
    exit_code = 2
    http_status = 404


class BackendUnavailableError(MissionRagError):
    exit_code = 3
    http_status = 503


class LLMError(BackendUnavailableError):
    pass
