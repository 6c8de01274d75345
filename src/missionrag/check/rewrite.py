"""Suggested rewrite: the drafter's own words plus visible placeholders for what is missing.

Offline, a template: vague words become "[x%]", a past or missing deadline becomes "by [year]",
missing actors become "[who: ...]". With an LLM, ``prompts/rewrite.md``; its answer is kept only
if it invents no number or year the drafter did not write (placeholders in brackets are fine).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from missionrag.check.analysis import Analysis
from missionrag.errors import LLMError
from missionrag.models import CriterionResult

if TYPE_CHECKING:
    from missionrag.llm import LLM

WHO = "[who: public, private, research, civil society]"
_NUM = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]{4,}")
# Share of the draft's longer words a rewrite must keep (prompts/rewrite.md: "keep the
# drafter's topic, place and own words"). SmolLM2-135M often answered with the prompt's own
# placeholder, "The rewritten mission statement", which keeps none
# (evals/reports/check_llm.md); a real rewrite of a draft keeps its topic words.
KEEP_WORDS_MIN = 0.3


def template_rewrite(a: Analysis, criteria: dict[str, CriterionResult]) -> str | None:
    """None when every criterion passed and there is nothing to add."""
    if all(c.passed for c in criteria.values()) and not a.intensifiers and not a.jargon:
        return None
    first = a.sentences[0] if a.sentences else None
    body_end = first.end if first else len(a.text)
    while body_end > 0 and (a.text[body_end - 1] in ".!?;" or a.text[body_end - 1].isspace()):
        body_end -= 1
    edits = _removals(a, criteria)
    insert = _insertion(a, criteria, body_end)
    if insert is not None:
        edits.append(insert)
    out = a.text
    for s, e, rep in sorted(edits, key=lambda x: (-x[0], -x[1])):
        out = out[:s] + rep + out[e:]
    out = re.sub(r"\s+([,.;!?])(?=\s|$)", r"\1", re.sub(r"\s{2,}", " ", out)).strip(" ,")
    if out and out[0].islower() and a.text.strip()[:1].isupper():
        out = out[0].upper() + out[1:]
    if not criteria["cross_sectoral"].passed:
        out = f"{out.rstrip('.!;')}, with {WHO}."
    if a.n_words > 40:
        out = f"[Shorten to one sentence under 25 words:] {out}"
    return out if out != a.text.strip() else None


def _removals(a: Analysis, criteria: dict[str, CriterionResult]) -> list[tuple[int, int, str]]:
    """Edits (start, end, replacement) for a past year, a vague time phrase, a size-less adverb."""
    edits: list[tuple[int, int, str]] = []
    for t in a.times:
        if t.kind == "past_deadline" and t.year is not None:
            ys = t.start + t.text.rfind(str(t.year))
            edits.append((ys, ys + 4, "[year]"))
    if not criteria["time_bound"].passed:
        for t in a.times:  # "in the coming years" gives way to "by [year]"
            if t.kind == "vague":
                edits.append((t.start, t.end, ""))
    for sp in a.intensifiers:
        # Only adverbs can go without breaking the sentence ("significantly reduce").
        if not re.search(r"(?:ly|mente|ment)$", sp.text, re.I):
            continue
        if not any(sp.start < e and s < sp.end for s, e, _ in edits):
            # Drop the size-less word (and one following space); the placeholder carries the size.
            end = sp.end + 1 if a.text[sp.end : sp.end + 1] == " " else sp.end
            edits.append((sp.start, end, ""))
    return edits


def _insertion(
    a: Analysis, criteria: dict[str, CriterionResult], body_end: int
) -> tuple[int, int, str] | None:
    """The placeholders for a missing target, outcome or deadline, as one insertion edit."""
    # Placeholders go before the first time phrase of the first sentence ("... by [x%] by 2030"),
    # or at its end; edits are applied right to left so offsets stay valid.
    anchor = next(
        (
            t.start
            for t in a.times
            if t.start < body_end
            and t.kind in ("deadline", "past_deadline", "baseline", "relative", "vague")
        ),
        body_end,
    )
    if not a.text[:anchor].strip(" ,;:"):
        anchor = body_end  # a leading time phrase ("In the long term, ..."): add at the end
    inserts: list[str] = []
    if not criteria["measurable"].passed:
        sized_verb = a.unsized or any(
            re.search(r"(?:ly|mente|ment)$", i.text) for i in a.intensifiers
        )
        inserts.append("by [x%]" if sized_verb else ", reaching [target: x% / zero / every ...]")
    elif a.outputs_only:
        inserts.append(", so that [outcome people notice: x% fewer / every ...]")
    if not criteria["time_bound"].passed and not any(t.kind == "past_deadline" for t in a.times):
        inserts.append("by [year]")
    if not inserts:
        return None
    text_ins = " ".join(inserts).replace(" ,", ",")
    return (
        anchor,
        anchor,
        ("" if text_ins.startswith(",") else " ") + text_ins + (" " if anchor < body_end else ""),
    )


class _RewriteReply(BaseModel):
    rewrite: str


def llm_rewrite(llm: LLM, statement: str, advice: dict[str, str]) -> str:
    """Rewrite with ``prompts/rewrite.md``; raises ``LLMError`` when the answer is unusable."""
    import json

    from missionrag.llm import fence, load_prompt

    user = f"{fence(statement)}\n\nWhat the checker found (JSON):\n{json.dumps(advice, ensure_ascii=False)}"
    # One sentence of JSON; the length check below rejects anything near this budget anyway.
    raw = llm.complete_json(
        load_prompt("rewrite"), user, _RewriteReply.model_json_schema(), max_tokens=200
    )
    try:
        reply = _RewriteReply.model_validate(raw)
    except ValidationError as exc:
        raise LLMError(f"rewrite reply did not match the schema: {exc.errors()[0]['msg']}") from exc
    text = reply.rewrite.strip()
    if not text or len(text) > 2 * len(statement) + 300:
        raise LLMError("rewrite reply was empty or far too long")
    draft = {w.lower() for w in _WORD.findall(statement)}
    kept = draft & {w.lower() for w in _WORD.findall(text)}
    if draft and len(kept) < KEEP_WORDS_MIN * len(draft):
        raise LLMError(
            f"rewrite kept {len(kept)} of the draft's {len(draft)} words; it is not a rewrite "
            "of this draft"
        )
    outside = re.sub(r"\[[^\]]*\]", " ", text)
    have = set(_NUM.findall(statement))
    invented = [n for n in _NUM.findall(outside) if n not in have]
    if invented:
        raise LLMError(
            f"rewrite invented numbers the drafter did not write: {', '.join(invented[:3])}"
        )
    return text
