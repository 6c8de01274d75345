"""Word lists behind the checker, read from ``data/check_lexicon.json`` and compiled once.

The lists are data (a reviewer extends them without touching code); what each list is for is
written beside it in the JSON. Matching is whole-word and case-insensitive, and a space in an
entry matches any run of whitespace.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

LEXICON_FILE = Path(__file__).resolve().parents[1] / "data" / "check_lexicon.json"


def compile_entries(entries: list[str], flags: int = re.I) -> re.Pattern[str]:
    """One pattern from alternatives; a literal space matches any whitespace."""
    alternatives = [e.replace(" ", r"\s+") for e in entries]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", flags)


@lru_cache(maxsize=1)
def _lists() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))["lists"]
    return data


def entries(name: str) -> Any:
    """The raw entries of one list (a list, or a dict of lists for ``ACTORS``)."""
    return _lists()[name]["entries"]


def _rx(name: str, flags: int = re.I) -> re.Pattern[str]:
    return compile_entries(entries(name), flags)


DIRECTIONAL = _rx("DIRECTIONAL")
UNSIZED_CHANGE = _rx("UNSIZED_CHANGE")
VAGUE_INTENSIFIER = _rx("VAGUE_INTENSIFIER")
RELABEL = _rx("RELABEL")
EXISTING_TARGET = _rx("EXISTING_TARGET")
OUTPUT_NOUN = _rx("OUTPUT_NOUN")
OUTPUT_VERB = _rx("OUTPUT_VERB")
INPUT_WORDS = _rx("INPUT_WORDS")
JARGON = _rx("JARGON")
AMBITION = _rx("AMBITION")
SCOPE = _rx("SCOPE")
DOMAIN = _rx("DOMAIN")
ECONOMIC = _rx("ECONOMIC")
ACTORS: dict[str, re.Pattern[str]] = {k: compile_entries(v) for k, v in entries("ACTORS").items()}
TOGETHER = _rx("TOGETHER")
INTERNAL = _rx("INTERNAL")
NARROW = _rx("NARROW")
TECH = _rx("TECH")
SECTOR_SUBJECT = _rx("SECTOR_SUBJECT")
VAGUE_STATE = _rx("VAGUE_STATE")
MISSION_WORDS = _rx("MISSION_WORDS")
ORG_SUBJECT = _rx("ORG_SUBJECT")
ROUTINE = _rx("ROUTINE")
LEADER = _rx("LEADER")
SERVICE_STANDARD = _rx("SERVICE_STANDARD")
INFRASTRUCTURE = _rx("INFRASTRUCTURE")
COST = _rx("COST")
TERRITORY = _rx("TERRITORY", flags=0)
PARTIAL_SCOPE = _rx("PARTIAL_SCOPE")
