"""Which language a statement is in: function-word counts, plus the script for CJK.

The checker's embedding model (all-MiniLM-L6-v2) reads English; ``features.py`` asks this
module whether to trust its vector. Word lists live in ``data/check_languages.json``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

LANGUAGES_FILE = Path(__file__).resolve().parents[1] / "data" / "check_languages.json"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_FOREIGN_LETTERS = re.compile(r"[æøåäöüßéèêàáâãõóôúíçñ]", re.I)


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    data = json.loads(LANGUAGES_FILE.read_text(encoding="utf-8"))["languages"]
    return {lang: frozenset(w.lower() for w in words) for lang, words in data.items()}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the likeliest language; "en" when nothing tells (a bare headline)."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh"
    tokens = [w.lower() for w in _WORD.findall(text)]
    if not tokens:
        return "en"
    scores = {lang: sum(t in ws for t in tokens) for lang, ws in _words().items()}
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    if scores[best] > 0:
        return best
    # No function word at all (a headline): letters English does not use say "not English".
    return "und" if _FOREIGN_LETTERS.search(text) else "en"
