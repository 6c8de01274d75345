"""``check_statement``: the deterministic check, then what a knowledge base and an LLM add.

Offline it needs nothing but regular expressions (no model, no store, well under 20 ms). A
retriever adds cited guidance and the relabelling test; an LLM adds the judge and the rewrite.
Either one failing leaves the offline result standing, with a note saying what happened.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from missionrag.check import criteria as crit
from missionrag.check.analysis import analyse
from missionrag.check.findings import build_findings
from missionrag.check.rewrite import llm_rewrite, template_rewrite
from missionrag.check.similar import similar_missions
from missionrag.check.washing import combine, washing_signals
from missionrag.errors import InputError, MissionRagError
from missionrag.models import CheckResult, CriterionResult, Finding, SourceRef

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index import Retriever
    from missionrag.llm import LLM

CRITERIA = ("bold", "measurable", "time_bound", "cross_sectoral")
RELABEL_WEIGHT = 0.6
DEFAULT_MAX_CHARS = 5000


def _validate(statement: str, settings: Settings | None) -> None:
    if not isinstance(statement, str) or not statement.strip():
        raise InputError(
            "The mission statement is empty; pass the statement text (or --file FILE, one per line)."
        )
    limit = settings.max_statement_chars if settings is not None else DEFAULT_MAX_CHARS
    if len(statement) > limit:
        raise InputError(
            f"The statement is {len(statement):,} characters long; the limit is {limit:,} "
            "(MISSIONRAG_MAX_STATEMENT_CHARS). For a whole strategy document use "
            "`missionrag check-doc FILE`, which finds the mission statements in it."
        )


def _overall(criteria: dict[str, CriterionResult], risk: float) -> float:
    mean = sum(c.score for c in criteria.values()) / len(criteria)
    # Washing pulls the overall down: a well-scored relabelled policy is still not a mission.
    return round(max(0.0, min(1.0, mean * (1.0 - 0.3 * risk))), 3)


def check_statement(
    statement: str,
    settings: Settings | None = None,
    *,
    retriever: Retriever | None = None,
    llm: LLM | None = None,
    today: dt.date | None = None,
) -> CheckResult:
    """Check one mission statement against the four criteria and for mission washing.

    Raises ``InputError`` for an empty statement or one longer than ``max_statement_chars``.
    With ``settings`` that configure an LLM and no ``llm`` given, the LLM is built from them.
    """
    _validate(statement, settings)
    today = today or dt.date.today()
    a = analyse(statement, today)
    criteria = {
        "bold": crit.bold(a),
        "measurable": crit.measurable(a),
        "time_bound": crit.time_bound(a),
        "cross_sectoral": crit.cross_sectoral(a),
    }
    signals = washing_signals(a)
    findings = build_findings(a, criteria)
    sources: list[SourceRef] = []
    notes: list[str] = []

    if retriever is not None:
        try:
            from missionrag.check.sources import cite_criteria, find_relabelling

            relabel = find_relabelling(a, retriever)
            if relabel:
                signals.append((RELABEL_WEIGHT, relabel.message))
                sources.append(relabel.ref)
                findings += _relabel_findings(statement, relabel.matched, relabel.ref.source)
            failed = [name for name in CRITERIA if not criteria[name].passed]
            sources += cite_criteria(failed, retriever)
        except MissionRagError as exc:
            notes.append(f"Knowledge base unavailable, checked without it: {exc}")

    if llm is None and settings is not None and settings.llm_enabled:
        from missionrag.llm import get_llm

        try:
            llm = get_llm(settings)
        except MissionRagError as exc:
            notes.append(f"LLM not used: {exc}")
    mode: Literal["offline", "llm"] = "offline"
    rewrite = template_rewrite(a, criteria)
    if llm is not None:
        from missionrag.check.judge import ask_judge, merge_verdict

        try:
            verdict = ask_judge(llm, statement, criteria)
            criteria, judge_notes = merge_verdict(statement, criteria, verdict)
            notes += judge_notes
            mode = "llm"
        except MissionRagError as exc:
            notes.append(f"LLM judge failed, offline result shown: {exc}")
        if mode == "llm" and rewrite is not None:
            try:
                advice = {k: v.advice for k, v in criteria.items() if v.advice}
                rewrite = llm_rewrite(llm, statement, advice)
            except MissionRagError as exc:
                notes.append(f"LLM rewrite not used, template shown: {exc}")

    washing = combine(signals)
    return CheckResult(
        statement=statement,
        criteria=criteria,
        mission_washing=washing,
        overall=_overall(criteria, washing.risk),
        findings=sorted(findings, key=lambda f: (f.start, f.end, f.rule)),
        suggested_rewrite=rewrite,
        sources=sources,
        similar_missions=similar_missions(statement),
        mode=mode,
        notes=notes,
    )


def _relabel_findings(statement: str, matched: list[str], source: str) -> list[Finding]:
    out = []
    low = statement.lower()
    for m in matched:
        i = low.find(m.lower())
        if i >= 0 and m:
            out.append(
                Finding(
                    start=i,
                    end=i + len(m),
                    rule="existing-target",
                    severity="warning",
                    message=f"'{statement[i : i + len(m)]}' already appears in {source}.",
                    suggestion="If this restates an existing commitment, raise the ambition or say what is new.",
                )
            )
    return out
