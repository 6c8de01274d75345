"""Original files behind stored documents, and links that open a PDF at the cited page.

``GET /documents/{id}/file`` serves a document's original file only when it lies under a
folder this server may read (``Settings.allowed_roots``: corpus/, uploads/, and
MISSIONRAG_ALLOWED_DIRS), checked after resolving symlinks and ``..``: the path comes from
the stored source name, never from the request, and a file ingested from elsewhere with the
CLI is not served.

Citations, hits and check sources from a PDF without a URL of their own get
``<server>/documents/<id>/file#page=N``: PDF viewers (Chromium's, Firefox's pdf.js, Acrobat)
open the file at page N.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.collections import uploads_path
from missionrag.ingest import make_doc_id
from missionrag.models import Answer

if TYPE_CHECKING:
    from missionrag.config import Settings

# What a browser may do with each file type. HTML and text are shown as plain text inside a
# sandbox (an uploaded page must not run script on this origin, where the write token lives);
# Word files are downloaded.
MEDIA_TYPES = {
    ".pdf": ("application/pdf", "inline"),
    ".md": ("text/plain; charset=utf-8", "inline"),
    ".markdown": ("text/plain; charset=utf-8", "inline"),
    ".txt": ("text/plain; charset=utf-8", "inline"),
    ".html": ("text/plain; charset=utf-8", "inline"),
    ".htm": ("text/plain; charset=utf-8", "inline"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "attachment",
    ),
}
_PAGE = re.compile(r"^page (\d+)\b")


def original_file(settings: Settings, source: str) -> Path | None:
    """The file a stored document was read from, if it exists under an allowed folder."""
    if source.startswith(("http://", "https://")):
        return None
    if source.startswith("uploads/"):
        path = uploads_path(settings) / source.removeprefix("uploads/")
    else:
        path = Path(source)
    try:
        resolved = path.expanduser().resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if resolved.suffix.lower() not in MEDIA_TYPES or not resolved.is_file():
        return None
    roots = settings.allowed_roots()
    return resolved if any(r == resolved or r in resolved.parents for r in roots) else None


def page_link(
    base_url: str, source: str, locator: str | None, settings: Settings, query: str = ""
) -> str | None:
    """``<base>/documents/<id>/file#page=N`` for a servable PDF, else None.

    ``query``: ``?collection=NAME`` when the document is not in the server's default collection
    (the browser opens the link itself, without the page's collection header).
    """
    if not source.lower().endswith(".pdf"):
        return None
    if original_file(settings, source) is None:
        return None
    link = f"{base_url.rstrip('/')}/documents/{make_doc_id(source)}/file{query}"
    m = _PAGE.match(locator or "")
    return f"{link}#page={m.group(1)}" if m else link


def add_page_links(refs: list[Any], base_url: str, settings: Settings, query: str = "") -> None:
    """Fill ``url`` of citations, hits or check sources that have none and come from a PDF."""
    links: dict[tuple[str, str | None], str | None] = {}
    for ref in refs:
        if ref.url:
            continue
        key = (ref.source, ref.locator)
        if key not in links:
            links[key] = page_link(base_url, ref.source, ref.locator, settings, query)
        ref.url = links[key]


def linked_answer(answer: Answer, base_url: str, settings: Settings, query: str = "") -> Answer:
    """A copy of ``answer`` whose PDF citations and closest passages link to their page."""
    out = answer.model_copy(deep=True)
    add_page_links([*out.citations, *out.closest], base_url, settings, query)
    return out
