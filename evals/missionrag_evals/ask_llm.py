"""``missionrag eval ask --llm``: the ask eval through the configured LLM, beside extractive.

Every case of evals/qa.jsonl is answered both ways from the same retrieval. The report
(evals/reports/ask_llm.md) gives, for each mode, the answers holding the expected keywords and
citing the expected source, what the checks did to the model's sentences (dropped as uncited
or unsupported), how often and why the extractive answer was shown instead, and the latency.
It also re-scores the run at other ``KEEP_MIN`` values, the share of key words a generated
answer must keep (ask/llm_answer.py).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag_evals import EVALS, REPORTS

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder
    from missionrag.llm import LLM
    from missionrag.models import Answer

KEEP_SWEEP = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _same_source(cited: str, expected: str | None) -> bool:
    return bool(expected) and (cited == expected or Path(cited).name == Path(str(expected)).name)


def _has(text: str, keywords: list[str]) -> bool:
    low = text.lower()
    return all(k in low for k in keywords)


def _kind(why: str | None) -> str:
    """The fallback reason, grouped for the report."""
    if why is None:
        return "none"
    for key, label in (
        ("failed", "endpoint error or timeout"),
        ("empty", "empty reply"),
        ("declined", "refusal"),
        ("no generated sentence", "no sentence supported"),
        ("found no answer", "model said not in corpus"),
    ):
        if key in why:
            return label
    return "lost the extractive answer's content"


def _case(
    case: dict[str, Any], retriever: Retriever, embedder: Embedder, settings: Settings, llm: LLM
) -> dict[str, Any]:
    from missionrag.ask import extractive_answer, retrieve_and_extract, verify_quotes
    from missionrag.ask.llm_answer import llm_answer

    t0 = time.perf_counter()
    reranker = getattr(retriever, "reranker", None)  # the shipped path: reranked when it can be
    ex = retrieve_and_extract(
        case["question"], retriever, embedder, settings, None, reranker=reranker
    )
    offline = extractive_answer(ex, retriever)
    t1 = time.perf_counter()
    trace: dict[str, Any] = {}
    ans: Answer = (
        offline
        if ex.abstain
        else llm_answer(ex, retriever, embedder, llm, fallback=extractive_answer, trace=trace)
    )
    t2 = time.perf_counter()
    keywords = [k.lower() for k in case.get("keywords") or []]

    def score(a: Answer) -> dict[str, bool]:
        kw = not a.abstained and _has(a.answer, keywords)
        src = any(_same_source(c.source, case.get("source")) for c in a.citations)
        return {"keywords": kw, "correct": kw and src, "abstained": a.abstained}

    bad, _ = verify_quotes(ans.citations, retriever)
    return {
        "id": case.get("id"),
        "answerable": bool(case.get("answerable")),
        "extractive": score(offline),
        "llm": score(ans),
        "mode": ans.mode,
        "called": not ex.abstain,
        "fallback": trace.get("fallback"),
        "checked": trace.get("checked"),
        "keep_share": trace.get("keep_share"),
        "checked_keywords": bool(trace.get("checked")) and _has(trace["checked"], keywords),
        "sentences": trace.get("sentences", 0),
        "dropped_uncited": trace.get("dropped_uncited", 0),
        "dropped_unsupported": trace.get("dropped_unsupported", 0),
        "quotes": len(ans.citations),
        "verbatim": len(ans.citations) - len(bad),
        "extractive_ms": (t1 - t0) * 1000,
        "llm_ms": (t2 - t0) * 1000,
        "reply": trace.get("reply", ""),
        "answer": ans.answer,
    }


def run_ask_llm_eval(
    retriever: Retriever,
    embedder: Embedder,
    settings: Settings,
    llm: LLM,
    cases: Path = EVALS / "qa.jsonl",
    report: Path = REPORTS / "ask_llm.md",
    every: int = 1,
) -> tuple[str, dict[str, Any]]:
    """Answer every case (or every ``every``-th: a small local model on two cores needs
    minutes per question) extractively and through ``llm``; write the report; return
    (summary, metrics)."""
    picked = load_cases(cases)[::every]
    rows = [_case(c, retriever, embedder, settings, llm) for c in picked]
    metrics = _metrics(rows, llm.name)
    metrics["every"] = every
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(_markdown(rows, metrics), encoding="utf-8")
    return _summary(metrics, report), metrics


def _rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 0) if s else 0.0


def _metrics(rows: list[dict[str, Any]], model: str) -> dict[str, Any]:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    called = [r for r in rows if r["called"]]
    sweep = []
    for t in KEEP_SWEEP:
        # The generated answer is shown when it passed every check and keeps >= t of the key
        # words; otherwise the extractive one (rows without a checked answer never change).
        def at(r: dict[str, Any], t: float = t) -> bool:
            share = r["keep_share"]
            if r["checked"] is not None and share is not None and share >= t:
                return bool(r["checked_keywords"])
            return bool(r["extractive"]["keywords"])

        sweep.append({"keep_min": t, "keywords": _rate([at(r) for r in ans])})
    return {
        "model": model,
        "answerable": len(ans),
        "unanswerable": len(una),
        "llm_called": len(called),
        **{
            f"{mode}_{m}": _rate([r[mode][m] for r in ans])
            for mode in ("extractive", "llm")
            for m in ("keywords", "correct")
        },
        "extractive_abstained_unanswerable": _rate([r["extractive"]["abstained"] for r in una]),
        "llm_abstained_unanswerable": _rate([r["llm"]["abstained"] for r in una]),
        "llm_wrongly_abstained": _rate([r["llm"]["abstained"] for r in ans]),
        "checked_keywords": _rate([r["checked_keywords"] for r in ans if r["called"]]),
        "llm_mode": sum(r["mode"] == "llm" for r in called),
        "fallbacks": dict(Counter(_kind(r["fallback"]) for r in called if r["mode"] != "llm")),
        "sentences": sum(r["sentences"] for r in called),
        "dropped_uncited": sum(r["dropped_uncited"] for r in called),
        "dropped_unsupported": sum(r["dropped_unsupported"] for r in called),
        "quotes": sum(r["quotes"] for r in rows),
        "quotes_verbatim": sum(r["verbatim"] for r in rows),
        "extractive_ms_median": _pct([r["extractive_ms"] for r in called], 0.5),
        "llm_ms_median": _pct([r["llm_ms"] for r in called], 0.5),
        "llm_ms_p95": _pct([r["llm_ms"] for r in called], 0.95),
        "sweep": sweep,
    }


def _summary(m: dict[str, Any], report: Path) -> str:
    fb = ", ".join(f"{k} {v}" for k, v in sorted(m["fallbacks"].items())) or "none"
    return "\n".join(
        [
            f"ask eval, LLM mode ({m['model']}): {m['answerable']} answerable, "
            f"{m['unanswerable']} unanswerable, {m['llm_called']} sent to the LLM",
            "                                          extractive    llm mode",
            f"  answers containing the expected keywords   {m['extractive_keywords']:.3f}      {m['llm_keywords']:.3f}",
            f"  ... and citing the right source (correct)  {m['extractive_correct']:.3f}      {m['llm_correct']:.3f}",
            f"  unanswerable questions abstained           {m['extractive_abstained_unanswerable']:.3f}      {m['llm_abstained_unanswerable']:.3f}",
            f"  answers shown as generated: {m['llm_mode']} of {m['llm_called']}; extractive shown instead: {fb}",
            f"  generated sentences {m['sentences']}: dropped uncited {m['dropped_uncited']}, "
            f"unsupported {m['dropped_unsupported']}; quotes verbatim {m['quotes_verbatim']}/{m['quotes']}",
            f"  latency per question (ms, median / p95): extractive {m['extractive_ms_median']:.0f}, "
            f"llm mode {m['llm_ms_median']:.0f} / {m['llm_ms_p95']:.0f}",
            f"  report: {report}",
        ]
    )


def _cell(text: str, n: int = 140) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= n else text[: n - 3] + "..."


def _markdown(rows: list[dict[str, Any]], m: dict[str, Any]) -> str:
    fb = m["fallbacks"]
    out = [
        "# Ask eval: LLM mode beside extractive",
        "",
        f"Model: `{m['model']}`. Cases: `evals/qa.jsonl` ({m['answerable']} answerable, "
        f"{m['unanswerable']} unanswerable"
        + (f"; every {m['every']}th line" if m["every"] > 1 else "")
        + f"); {m['llm_called']} questions passed the abstention "
        "check and went to the LLM. A correct answer contains every expected keyword and cites "
        "the expected source. Generated by `missionrag eval ask --llm`.",
        "",
        "| metric | extractive | LLM mode |",
        "| --- | --- | --- |",
        f"| answerable: contain the expected keywords | {m['extractive_keywords']:.3f} | {m['llm_keywords']:.3f} |",
        f"| answerable: correct (keywords and source) | {m['extractive_correct']:.3f} | {m['llm_correct']:.3f} |",
        f"| unanswerable: abstained | {m['extractive_abstained_unanswerable']:.3f} | {m['llm_abstained_unanswerable']:.3f} |",
        f"| answerable: wrongly abstained | | {m['llm_wrongly_abstained']:.3f} |",
        f"| median latency per question (ms) | {m['extractive_ms_median']:.0f} | {m['llm_ms_median']:.0f} (p95 {m['llm_ms_p95']:.0f}) |",
        "",
        "## What the checks did",
        "",
        f"- generated answers shown: {m['llm_mode']} of {m['llm_called']}",
        "- extractive answer shown instead: "
        + (", ".join(f"{k} {v}" for k, v in sorted(fb.items())) or "never"),
        f"- generated sentences: {m['sentences']}; dropped as citing no passage: "
        f"{m['dropped_uncited']}; dropped as unsupported by the passage they cite: "
        f"{m['dropped_unsupported']}",
        f"- quotes verbatim in their source: {m['quotes_verbatim']} of {m['quotes']}",
        f"- checked generated answers holding the expected keywords (before the keep-content "
        f"check): {m['checked_keywords']:.3f}",
        "",
        "## Keep-content threshold sweep",
        "",
        "Same run, re-scored as if `KEEP_MIN` (share of the key words of the answering passage "
        "sentence a generated answer must keep) were each value; below it the extractive answer "
        "is shown.",
        "",
        "| KEEP_MIN | answerable: contain the expected keywords |",
        "| --- | --- |",
        *[f"| {s['keep_min']:.1f} | {s['keywords']:.3f} |" for s in m["sweep"]],
        "",
        "## Cases sent to the LLM",
        "",
        "| id | keywords: extractive / llm | shown | why not the generated answer | model reply |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if not r["called"]:
            continue
        kw = f"{'yes' if r['extractive']['keywords'] else 'no'} / {'yes' if r['llm']['keywords'] else 'no'}"
        if not r["answerable"]:
            kw = "(unanswerable)"
        out.append(
            f"| {r['id']} | {kw} | {r['mode']} | {_cell(r['fallback'] or '', 90)} | {_cell(r['reply'])} |"
        )
    return "\n".join(out) + "\n"
