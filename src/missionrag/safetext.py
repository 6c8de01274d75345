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


class SafeFormatter(logging.Formatter):
    """Log lines with user input escaped: a URL holding "\\n" cannot write a line of its own.

    The message is escaped after %-formatting (so every argument is); a traceback keeps its
    line breaks, but each of its lines is escaped too.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        record.message = escape_controls(record.getMessage())
        return super().formatMessage(record)

    def formatException(self, ei: object) -> str:  # noqa: N802
        text = super().formatException(ei)  # type: ignore[arg-type]
        return "\n".join(escape_controls(line) for line in text.split("\n"))
