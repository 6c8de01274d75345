"""``missionrag eval ask``: extractive answers on evals/qa.jsonl, scored, with a threshold sweep.

A correct answer contains every expected keyword (case-insensitive) and cites the expected
source (evals/README.md). The sweep re-scores the same runs at other abstention thresholds,
so the choice of ``MIN_CONFIDENCE`` can be checked against the numbers it was made from.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionrag.ask import extractive as ext
from missionrag.errors import InputError

if TYPE_CHECKING:
    from missionrag.config import Settings
    from missionrag.index import Retriever
    from missionrag.index.embed import Embedder

SWEEP = [0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65]


def load_cases(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise InputError(f"{path} not found; the ask eval reads evals/qa.jsonl")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


def _same_source(cited: str, expected: str | None) -> bool:
    return bool(expected) and (cited == expected or Path(cited).name == Path(str(expected)).name)


def run_ask_eval(
    retriever: Retriever,
    embedder: Embedder,
    settings: Settings,
    cases: Path = Path("evals/qa.jsonl"),
    report: Path = Path("evals/reports/ask.md"),
) -> tuple[str, dict[str, Any]]:
    """Answer every case extractively; write the markdown report; return (summary, metrics)."""
    from missionrag.ask import extractive_answer, retrieve_and_extract, verify_quotes

    rows: list[dict[str, Any]] = []
    quotes = verbatim = 0
    for case in load_cases(cases):
        t0 = time.perf_counter()
        ex = retrieve_and_extract(case["question"], retriever, embedder, settings, None, force=True)
        ans = extractive_answer(ex, retriever)
        ms = (time.perf_counter() - t0) * 1000
        keywords = [k.lower() for k in case.get("keywords") or []]
        # What the answer would be without abstention, for the threshold sweep.
        forced_text = " ".join(ext.display(c.quote) for c in ex.chosen).lower()
        forced_ok = (
            bool(ex.chosen)
            and all(k in forced_text for k in keywords)
            and any(_same_source(c.hit.source, case.get("source")) for c in ex.chosen)
        )
        text = ans.answer.lower()
        has_kw = not ans.abstained and all(k in text for k in keywords)
        right_src = any(_same_source(c.source, case.get("source")) for c in ans.citations)
        bad, _ = verify_quotes(ans.citations, retriever)
        quotes += len(ans.citations)
        verbatim += len(ans.citations) - len(bad)
        rows.append(
            {
                "id": case.get("id"),
                "question": case["question"],
                "answerable": bool(case.get("answerable")),
                "abstained": ans.abstained,
                "keywords": has_kw,
                "source": right_src,
                "correct": has_kw and right_src,
                "forced_ok": forced_ok,
                # Abstention by the answer type (no figure/date/...) does not depend on the threshold.
                "confidence": ex.confidence
                if any(c.typed for c in ex.candidates)
                else float("-inf"),
                "foreign": bool(ex.language),
                "answer": ans.answer,
                "ms": ms,
            }
        )
    metrics = _metrics(rows, quotes, verbatim)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(_markdown(rows, metrics), encoding="utf-8")
    return _summary(metrics, report), metrics


def _rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def _at(rows: list[dict[str, Any]], threshold: float) -> dict[str, float]:
    def answered(r: dict[str, Any]) -> bool:
        need = threshold + (ext.FOREIGN_MIN_CONFIDENCE - ext.MIN_CONFIDENCE) * r["foreign"]
        return bool(r["confidence"] >= need)

    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    return {
        "threshold": threshold,
        "answerable_correct": _rate([answered(r) and r["forced_ok"] for r in ans]),
        "answerable_wrongly_abstained": _rate([not answered(r) for r in ans]),
        "unanswerable_abstained": _rate([not answered(r) for r in una]),
    }


def _metrics(rows: list[dict[str, Any]], quotes: int, verbatim: int) -> dict[str, Any]:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    times = sorted(r["ms"] for r in rows)
    return {
        "answerable": len(ans),
        "unanswerable": len(una),
        "answerable_keywords": _rate([r["keywords"] for r in ans]),
        "answerable_right_source": _rate([r["source"] for r in ans]),
        "answerable_correct": _rate([r["correct"] for r in ans]),
        "unanswerable_abstained": _rate([r["abstained"] for r in una]),
        "answerable_wrongly_abstained": _rate([r["abstained"] for r in ans]),
        "quotes": quotes,
        "quotes_verbatim": round(verbatim / quotes, 3) if quotes else 1.0,
        "min_confidence": ext.MIN_CONFIDENCE,
        "median_ms": round(times[len(times) // 2], 1) if times else 0.0,
        "sweep": [_at(rows, t) for t in SWEEP],
        "failures": [r["id"] for r in ans if not r["correct"]]
        + [r["id"] for r in una if not r["abstained"]],
    }


def _summary(m: dict[str, Any], report: Path) -> str:
    return "\n".join(
        [
            f"ask eval (extractive): {m['answerable']} answerable, {m['unanswerable']} unanswerable",
            f"  answers containing the expected keywords   {m['answerable_keywords']:.3f}",
            f"  answers citing the right source             {m['answerable_right_source']:.3f}",
            f"  both (correct)                              {m['answerable_correct']:.3f}  (target >= 0.9)",
            f"  unanswerable questions abstained            {m['unanswerable_abstained']:.3f}  (target >= 0.75)",
            f"  answerable questions wrongly abstained      {m['answerable_wrongly_abstained']:.3f}  (target <= 0.1)",
            f"  quotes verbatim in their source             {m['quotes_verbatim']:.3f}  ({m['quotes']} quotes)",
            f"  report: {report}",
        ]
    )


def _markdown(rows: list[dict[str, Any]], m: dict[str, Any]) -> str:
    out = [
        "# Ask eval (extractive mode)",
        "",
        "Cases: `evals/qa.jsonl`. A correct answer contains every expected keyword",
        "(case-insensitive) and cites the expected source. Generated by `missionrag eval ask`.",
        "",
        "| metric | value | target |",
        "| --- | --- | --- |",
        f"| answerable: contain the expected keywords | {m['answerable_keywords']:.3f} | |",
        f"| answerable: cite the right source | {m['answerable_right_source']:.3f} | |",
        f"| answerable: both (correct) | {m['answerable_correct']:.3f} | >= 0.9 |",
        f"| unanswerable: abstained | {m['unanswerable_abstained']:.3f} | >= 0.75 |",
        f"| answerable: wrongly abstained | {m['answerable_wrongly_abstained']:.3f} | <= 0.1 |",
        f"| quotes verbatim in the source text | {m['quotes_verbatim']:.3f} ({m['quotes']}) | 1.0 |",
        f"| median time per question (ms, incl. retrieval) | {m['median_ms']} | |",
        "",
        f"## Abstention threshold sweep (in use: {m['min_confidence']})",
        "",
        "Same runs, re-scored as if `MIN_CONFIDENCE` were each value. Answer-type abstentions",
        "(a date or figure no passage gives) hold at every threshold.",
        "",
        "| threshold | answerable correct | wrongly abstained | unanswerable abstained |",
        "| --- | --- | --- | --- |",
    ]
    for s in m["sweep"]:
        out.append(
            f"| {s['threshold']:.2f} | {s['answerable_correct']:.3f} | "
            f"{s['answerable_wrongly_abstained']:.3f} | {s['unanswerable_abstained']:.3f} |"
        )
    out += [
        "",
        "## Cases",
        "",
        "| id | ok | abstained | confidence | answer |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ok = r["correct"] if r["answerable"] else r["abstained"]
        conf = "type" if r["confidence"] == float("-inf") else f"{r['confidence']:.3f}"
        answer = r["answer"].replace("|", "\\|").replace("\n", " ")
        answer = answer if len(answer) <= 160 else answer[:157] + "..."
        out.append(
            f"| {r['id']} | {'yes' if ok else '**no**'} | {r['abstained']} | {conf} | {answer} |"
        )
    return "\n".join(out) + "\n"
