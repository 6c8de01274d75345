"""``check_statement``: rules and the learned heads, then what a knowledge base and an LLM add.

1. ``analyse`` finds deadlines, targets and word-list matches, each with its span;
   ``features.rule_features`` turns them into the model's rule features.
2. The statement's all-MiniLM-L6-v2 vector (when the embedding model is prepared) and the rule
   features go through the learned heads (``model.py``, numpy only): each criterion's
   probability, decision and the features that moved it; ``criteria.judge`` adds evidence spans
   and rubric advice; ``washing.assess`` the washing risk and its cues.
3. The mission library says whether the draft is an existing published mission; a retriever
   adds cited guidance and the relabelling test; an LLM adds the judge and the rewrite.
   Either one failing leaves the offline result standing, with a note saying what happened.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import missionrag.check.criteria as crit
from missionrag.check.analysis import Analysis, analyse
from missionrag.check.existing import find_existing
from missionrag.check.features import rule_features
from missionrag.check.findings import build_findings
from missionrag.check.model import CheckerModel, load_model
from missionrag.check.rewrite import llm_rewrite, template_rewrite
from missionrag.check.similar import similar_missions
from missionrag.check.vectors import statement_vector
from missionrag.check.washing import add_relabelling, assess, quoted
from missionrag.errors import InputError, MissionRagError
from missionrag.models import (
    CheckResult,
    CriterionResult,
    ExistingMission,
    Finding,
    MissionWashing,
    Relabelling,
    SourceRef,
)

if TYPE_CHECKING:
    import numpy as np

    from missionrag.config import Settings
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder
    from missionrag.llm import LLM

CRITERIA = ("bold", "measurable", "time_bound", "cross_sectoral")
DEFAULT_MAX_CHARS = 5000
# Washing pulls the overall score down: a well-scored relabelled policy is still not a mission.
WASHING_PENALTY = 0.3


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
    return round(max(0.0, min(1.0, mean * (1.0 - WASHING_PENALTY * risk))), 3)


def check_statement(
    statement: str,
    settings: Settings | None = None,
    *,
    retriever: Retriever | None = None,
    llm: LLM | None = None,
    today: dt.date | None = None,
    embedder: Embedder | None = None,
    use_embedding: bool = True,
    model: CheckerModel | None = None,
    literature: dict[str, list[SourceRef]] | None = None,
) -> CheckResult:
    """Check one mission statement against the four criteria and for mission washing.

    Raises ``InputError`` for an empty statement or one longer than ``max_statement_chars``.
    With ``settings`` that configure an LLM and no ``llm`` given, the LLM is built from them.
    Without ``embedder``, the configured embedding model is used if it is already prepared
    (``missionrag warmup``); ``use_embedding=False`` judges with the rule features alone.
    ``literature``: the reranked passages per criterion (``check/literature.py``); without
    them a failed criterion is explained by keyword search.
    """
    _validate(statement, settings)
    today = today or dt.date.today()
    a = analyse(statement, today)
    fs = rule_features(a)
    model = model or load_model()
    notes: list[str] = []
    vector, embedder = _vector(statement, model, settings, embedder, use_embedding, notes)
    preds = model.predict(fs, vector)
    criteria = crit.judge(a, fs, preds)
    washing = assess(fs, preds["washed"])
    existing = find_existing(a, embedder, vector)
    if existing is not None:
        washing = quoted(washing, existing.name)
    findings = build_findings(a, criteria)
    sources, relabelling, kb_existing = _knowledge_base(a, retriever, criteria, notes, literature)
    if kb_existing is not None and existing is None:
        existing = kb_existing
        washing = quoted(washing, "in your knowledge base")
    if relabelling is not None and existing is None:
        washing = add_relabelling(washing, relabelling[1])
        findings += _relabel_findings(statement, relabelling[0])
    criteria, rewrite, mode = _with_llm(a, statement, settings, llm, criteria, notes)
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
        relabelling=relabelling[0] if relabelling and existing is None else None,
        existing_mission=existing,
        model="rules+embedding" if vector is not None else "rules",
    )


def _vector(
    statement: str,
    model: CheckerModel,
    settings: Settings | None,
    embedder: Embedder | None,
    use_embedding: bool,
    notes: list[str],
) -> tuple[np.ndarray | None, Embedder | None]:
    """The statement's vector and the embedder that made it; (None, None) to judge by rules."""
    if settings is not None and not settings.check_embedding:
        use_embedding = False
    if not use_embedding:
        return None, None
    return statement_vector(statement, model, settings, embedder, notes)


def _knowledge_base(
    a: Analysis,
    retriever: Retriever | None,
    criteria: dict[str, CriterionResult],
    notes: list[str],
    literature: dict[str, list[SourceRef]] | None = None,
) -> tuple[list[SourceRef], tuple[Relabelling, str] | None, ExistingMission | None]:
    """Cited guidance for failed criteria, and the draft's target found in the corpus."""
    if retriever is None:
        return [], None, None
    sources: list[SourceRef] = []
    relabelling = None
    existing = None
    try:
        from missionrag.check.sources import cite_criteria, find_relabelling

        match = find_relabelling(a, retriever)
        if match is not None:
            sources.append(match.ref)
            if match.is_mission:
                existing = match.existing()
            else:
                relabelling = (match.relabelling(), match.message())
        failed = [name for name in CRITERIA if not criteria[name].passed]
        if literature is not None:
            from missionrag.check.literature import cite

            sources += cite(failed, literature)
        else:
            sources += cite_criteria(failed, retriever)
    except MissionRagError as exc:
        notes.append(f"Knowledge base unavailable, checked without it: {exc}")
    return sources, relabelling, existing


def _with_llm(
    a: Analysis,
    statement: str,
    settings: Settings | None,
    llm: LLM | None,
    criteria: dict[str, CriterionResult],
    notes: list[str],
) -> tuple[dict[str, CriterionResult], str | None, Literal["offline", "llm"]]:
    """The LLM judge (bold and cross_sectoral only) and rewrite, when an LLM is configured."""
    if llm is None and settings is not None and settings.llm_enabled:
        from missionrag.llm import get_llm

        try:
            llm = get_llm(settings)
        except MissionRagError as exc:
            notes.append(f"LLM not used: {exc}")
    mode: Literal["offline", "llm"] = "offline"
    rewrite = template_rewrite(a, criteria)
    if llm is None:
        return criteria, rewrite, mode
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
    return criteria, rewrite, mode


def _relabel_findings(statement: str, r: Relabelling) -> list[Finding]:
    if not (0 <= r.draft_start < r.draft_end <= len(statement)):
        return []
    where = r.title or r.source
    return [
        Finding(
            start=r.draft_start,
            end=r.draft_end,
            rule="existing-target",
            severity="warning",
            message=f"This target already stands in {where}"
            + (f" ({r.locator})" if r.locator else "")
            + f': "{r.existing[:160]}".',
            suggestion="If the mission restates that commitment, say what it adds or raise the ambition.",
        )
    ]


__all__ = ["CRITERIA", "MissionWashing", "check_statement"]
