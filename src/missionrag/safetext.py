"""Untrusted text shown to people: file names, log lines, document text.

Names and log lines go through ``escape_controls`` (a newline in a file name used to break
``status`` and forge log lines; U+202E reverses what follows it on screen, so a citation could
show another file name than the real one). Document text keeps its line breaks and tabs; other
control characters become spaces (``clean_text``), which keeps every offset into it valid.
"""

from __future__ import annotations

import logging
import re

# C0 and C1 controls, DEL, the bidirectional controls and the Unicode line separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": "\\0"}
# In document text: controls except tab, line feed and carriage return.
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def escape_controls(text: str) -> str:
    """``text`` with control and bidi characters written as escapes (``\\n``, ``\\u202e``)."""
    return _UNSAFE.sub(_escape, text)


def unsafe_name(name: str) -> bool:
    """True when a file name holds control, bidi-override or line-separator characters."""
    return _UNSAFE.search(name) is not None


def clean_text(text: str) -> str:
    """Control characters (other than tab and line breaks) replaced by spaces, same length."""
    return _TEXT_CONTROLS.sub(" ", text)


class SafeLogFilter(logging.Filter):
    """Escapes control characters and masks secrets in a record before any handler sees it.

    A URL holding "\\n" in ``POST /documents`` used to write a log line of its own. Text and
    exception arguments are escaped one by one; a traceback keeps its line breaks but each of its lines
    is escaped. Attached to loggers (records logged on them directly) and to
    our handler (records of every ``missionrag.*`` logger).
    """

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = list(secrets or [])

    def _clean(self, text: str) -> str:
        from missionrag.redact import scrub

        return scrub(escape_controls(text), self.secrets)

    def _arg(self, value: object) -> object:
        # Numbers stay numbers (%d); text and exceptions (their messages) become clean text.
        if isinstance(value, str | BaseException):
            return self._clean(str(value))
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_missionrag_safe", False):
            return True
        # Each argument is cleaned in place (uvicorn's access formatter reads them one by one),
        # and so is the message template.
        if isinstance(record.msg, str):
            record.msg = self._clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: self._arg(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = "\n".join(self._clean(line) for line in text.split("\n"))
        record._missionrag_safe = True
        return True
