"""LLM judge: a rubric prompt that may raise or lower bold and cross_sectoral, nothing else.

The reply must be strict JSON matching ``JudgeVerdict``. Deadlines and numbers stay with the
deterministic checker: a quote the judge gives is used only if it is a verbatim part of the
statement, and even then it never changes time_bound or measurable; invented ones become notes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from missionrag.errors import LLMError
from missionrag.models import CriterionResult

if TYPE_CHECKING:
    from missionrag.llm import LLM

LLM_WEIGHT = 0.6  # the judge reads meaning the lexicons cannot; the rules keep it anchored
VERDICT_TOKENS = 400  # the JSON of prompts/check_judge.md with short reasons is ~150 tokens


class JudgeScore(BaseModel):
    model_config = ConfigDict(extra="ignore")
    score: float = Field(ge=0.0, le=1.0)
    reason: str = Field(min_length=1, max_length=600)
    actors: list[str] = Field(default_factory=list)


class JudgeVerdict(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bold: JudgeScore
    cross_sectoral: JudgeScore
    deadline_quote: str | None = None
    target_quote: str | None = None
    advice: str | None = None


def ask_judge(llm: LLM, statement: str, criteria: dict[str, CriterionResult]) -> JudgeVerdict:
    """One judge call; raises ``LLMError`` on transport failure or a reply off the schema."""
    from missionrag.llm import fence, load_prompt

    found = {
        name: {"passed": c.passed, "score": c.score, "evidence": c.evidence}
        for name, c in criteria.items()
    }
    user = f"{fence(statement)}\n\nDeterministic checker (JSON):\n{json.dumps(found, ensure_ascii=False)}"
    raw = llm.complete_json(
        load_prompt("check_judge"),
        user,
        JudgeVerdict.model_json_schema(),
        max_tokens=VERDICT_TOKENS,
    )
    try:
        return JudgeVerdict.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise LLMError(
            f"judge reply did not match the schema at {err['loc']}: {err['msg']}"
        ) from exc


def _in_statement(quote: str | None, statement: str) -> bool:
    return bool(
        quote
        and quote.strip()
        and " ".join(quote.lower().split()) in " ".join(statement.lower().split())
    )


def merge_verdict(
    statement: str, criteria: dict[str, CriterionResult], verdict: JudgeVerdict
) -> tuple[dict[str, CriterionResult], list[str]]:
    """New criteria (bold, cross_sectoral blended with the judge) and notes for the user."""
    notes: list[str] = []
    merged = dict(criteria)
    for name in ("bold", "cross_sectoral"):
        offline = criteria[name]
        judged: JudgeScore = getattr(verdict, name)
        score = round(
            min(1.0, max(0.0, (1 - LLM_WEIGHT) * offline.score + LLM_WEIGHT * judged.score)), 3
        )
        evidence = list(offline.evidence)
        if name == "cross_sectoral":
            evidence += [
                a for a in judged.actors if _in_statement(a, statement) and a not in evidence
            ]
        passed = score >= 0.5
        advice = offline.advice if not passed else ""
        advice = f"{advice} LLM judge: {judged.reason}".strip()
        merged[name] = offline.model_copy(
            update={"score": score, "passed": passed, "evidence": evidence, "advice": advice}
        )
        if passed != offline.passed:
            notes.append(
                f"LLM judge changed {name} from {'pass' if offline.passed else 'fail'} to {'pass' if passed else 'fail'}."
            )
    for field, crit in (("deadline_quote", "time_bound"), ("target_quote", "measurable")):
        quote = getattr(verdict, field)
        if quote and quote.strip().lower() not in ("null", "none", ""):
            if not _in_statement(quote, statement):
                notes.append(
                    f"LLM judge cited '{quote}' for {crit}, which the statement does not contain; ignored."
                )
            elif not criteria[crit].passed:
                notes.append(
                    f"LLM judge read '{quote}' as meeting {crit}; the deterministic check disagrees and decides."
                )
    return merged, notes
