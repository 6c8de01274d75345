"""Secrets never shown: passwords in URLs, the LLM key, the API token.

An LLM URL with ``user:password@`` used to appear in the unauthenticated ``/health``
(``"llm": "gpt-x@http://llmuser:llm-s3cret-key@..."``) and in ``/ask`` notes. The root fix is
that names and messages are built from ``redact_url``; ``scrub`` is the net under it, applied
to log lines and to every response body (``api/security.py: SecretMask``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from missionrag.config import Settings

MASK = "***"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_SECRET_KEYS = re.compile(r"(?i)(key|token|secret|passw|auth|sig|credential)")
MIN_SECRET = 4  # shorter values would mask ordinary words


def redact_url(url: str | None) -> str | None:
    """``url`` without its user name and password, and with secret-looking query values masked."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return _USERINFO.sub(rf"\1{MASK}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if _SECRET_KEYS.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# The settings that hold URLs: a password in one is a secret (``missionrag config`` masks it).
URL_SETTINGS = ("llm_url", "chroma_url")


def secrets_of(settings: Settings) -> list[str]:
    """The configured secret values: keys, tokens and the passwords inside configured URLs."""
    found = [settings.llm_api_key, settings.api_token]
    if settings.collection_tokens:
        from missionrag.collections import parse_tokens

        found += parse_tokens(settings.collection_tokens).values()
    for url in (getattr(settings, name) for name in URL_SETTINGS):
        if url:
            try:
                parts = urlsplit(url)
            except ValueError:
                continue
            found += [parts.password, parts.username]
    return sorted({s for s in found if s and len(s) >= MIN_SECRET}, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with URL credentials and every value in ``secrets`` replaced by ``***``."""
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text
