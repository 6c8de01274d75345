"""Follow-up resolution on ``evals/followups.jsonl`` (50 conversations over corpus/).

``missionrag eval followups`` (from the repository root: the cached knowledge base names its
files from there) writes ``evals/reports/followups.md``.

Each conversation is played as a client would: every earlier question is resolved with the
turns before it, then the last question. Scored on the document that answers it (doc@1,
doc@5 of the query retrieval reads) for four readings: the follow-up alone, always glued to the
previous turn, the resolver (``missionrag.ask.followup``), and the labelled standalone
question (the ceiling). Also: how often the resolver's decision (combine or not) matches the
label, whether it names the right earlier question, and whether the answer cites the right
document. The margins are chosen on the dev half (odd ids) and reported on both halves.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionrag_evals import EVALS

DATA = EVALS / "followups.jsonl"
REPORT = EVALS / "reports" / "followups.md"
LOGIT_MARGINS = (-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
COSINE_MARGINS = (-0.05, 0.0, 0.02, 0.05, 0.1, 0.15)


@dataclass
class Conv:
    id: str
    history: list[str]
    question: str
    followup: bool
    standalone: str
    context_from: str | None
    sources: list[str]

    @property
    def split(self) -> str:
        return "dev" if int(self.id[1:]) % 2 else "test"


def load() -> list[Conv]:
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    return [
        Conv(
            r["id"],
            r["history"],
            r["question"],
            r["followup"],
            r["standalone"],
            r["context_from"],
            r["sources"],
        )
        for r in rows
    ]


class Memo:
    """kb.search with results kept per query (the sweep repeats the same queries)."""

    def __init__(self, kb: Any) -> None:
        self.kb = kb
        self.cache: dict[str, list[Any]] = {}

    def __call__(self, query: str) -> list[Any]:
        if query not in self.cache:
            self.cache[query] = self.kb.search(query, 5)
        return self.cache[query]


def play(conv: Conv, search: Memo, limit: int, **margins: float) -> Any:
    """The resolution of the last question, after resolving each earlier one in turn."""
    from missionrag.ask.followup import Turn, resolve_offline

    turns: list[Turn] = []
    for q in conv.history:
        res = resolve_offline(q, turns, search, limit=limit, **margins)
        turns.append(Turn(q, res.query if res.query != q else None))
    res = resolve_offline(conv.question, turns, search, limit=limit, **margins)
    res.previous = turns[-1].reading  # type: ignore[attr-defined]
    return res


def same_doc(source: str, sources: list[str]) -> bool:
    """The eval store names files from where it was built; compare file names."""
    return Path(source).name in {Path(s).name for s in sources}


def doc_ranks(hits: list[Any], sources: list[str]) -> tuple[bool, bool]:
    names = [h.source for h in hits]
    return (
        bool(names) and same_doc(names[0], sources),
        any(same_doc(n, sources) for n in names[:5]),
    )


def score(convs: list[Conv], search: Memo, limit: int, **margins: float) -> dict[str, Any]:
    from missionrag.ask.followup import combine

    rows: list[dict[str, Any]] = []
    for c in convs:
        res = play(c, search, limit, **margins)
        readings = {
            "alone": c.question,
            "always": combine(res.previous, c.question, limit),
            "resolved": res.query,
            "labelled": c.standalone,
        }
        row: dict[str, Any] = {"id": c.id, "split": c.split, "res": res, "conv": c}
        for name, q in readings.items():
            row[name] = doc_ranks(search(q), c.sources)
        row["decision_ok"] = (res.how == "combined") == c.followup or (
            c.followup and res.how == "alone" and row["resolved"][0]
        )
        row["context_ok"] = res.context_from == c.context_from if res.how == "combined" else None
        rows.append(row)
    return {"rows": rows}


def summary(rows: list[dict[str, Any]], split: str | None) -> dict[str, float]:
    sel = [r for r in rows if split is None or r["split"] == split]
    fu = [r for r in sel if r["conv"].followup]
    out: dict[str, float] = {"n": len(sel), "followups": len(fu)}
    for name in ("alone", "always", "resolved", "labelled"):
        out[f"{name}@1"] = sum(r[name][0] for r in sel) / len(sel)
        out[f"{name}@5"] = sum(r[name][1] for r in sel) / len(sel)
        out[f"{name}@1 fu"] = sum(r[name][0] for r in fu) / max(1, len(fu))
    sw = [r for r in sel if not r["conv"].followup]
    out["switch read alone"] = sum(r["res"].how == "alone" for r in sw) / max(1, len(sw))
    out["followup combined"] = sum(r["res"].how == "combined" for r in fu) / max(1, len(fu))
    ctx = [r for r in sel if r["context_ok"] is not None and r["conv"].followup]
    out["right context"] = sum(r["context_ok"] for r in ctx) / max(1, len(ctx))
    return out


def sweep(convs: list[Conv], search: Memo, limit: int, key: str, values: tuple[float, ...]):
    found = []
    for v in values:
        rows = score(convs, search, limit, **{key: v})["rows"]
        found.append((v, summary(rows, "dev"), summary(rows, "test"), rows))
    return found


def answers(kb: Any, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Ask with the resolved query: answered, citing the right document first."""
    from missionrag.ask.followup import Turn

    ok = answered = 0
    for r in rows:
        c: Conv = r["conv"]
        hist = [Turn(q) for q in c.history]
        a = kb.ask(c.question, history=hist)
        answered += not a.abstained
        ok += (not a.abstained) and bool(a.citations) and same_doc(a.citations[0].source, c.sources)
    return {"answered": answered / len(rows), "right source": ok / len(rows)}


def _table(results: list[tuple[float, dict[str, float], dict[str, float], Any]], key: str) -> str:
    lines = [
        f"| {key} | dev resolved@1 | dev alone@1 | dev switches read alone | test resolved@1 |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for v, dev, test, _ in results:
        lines.append(
            f"| {v:g} | {dev['resolved@1']:.2f} | {dev['alone@1']:.2f} | "
            f"{dev['switch read alone']:.2f} | {test['resolved@1']:.2f} |"
        )
    return "\n".join(lines)


def _summary_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| split | n (follow-ups) | alone @1/@5 | always glued @1/@5 | resolver @1/@5 | labelled @1/@5 | follow-ups combined | switches read alone | right earlier question |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for split in ("dev", "test", None):
        s = summary(rows, split)
        cells = " | ".join(
            f"{s[f'{n}@1']:.2f} / {s[f'{n}@5']:.2f}"
            for n in ("alone", "always", "resolved", "labelled")
        )
        lines.append(
            f"| {split or 'all'} | {s['n']:.0f} ({s['followups']:.0f}) | {cells} | "
            f"{s['followup combined']:.2f} | {s['switch read alone']:.2f} | {s['right context']:.2f} |"
        )
    return "\n".join(lines)


def choose(results: list[Any]) -> tuple[float, Any]:
    """The margin with the best dev resolved@1; ties go to the larger (more conservative)."""
    best = max(results, key=lambda t: (round(t[1]["resolved@1"], 6), t[0]))
    return best[0], best[3]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from missionrag_evals.kbs import build

    convs = load()
    parts = ["# Follow-up questions", "", __doc__ or "", ""]
    chosen: dict[str, float] = {}
    for name, overrides, key, values in (
        ("reranked (default)", {}, "margin_logit", LOGIT_MARGINS),
        ("no reranker (MISSIONRAG_RERANK=off)", {"rerank": "off"}, "margin_cosine", COSINE_MARGINS),
    ):
        kb = build("seed", **overrides)
        search = Memo(kb)
        limit = kb.settings.max_query_chars
        results = sweep(convs, search, limit, key, values)
        margin, rows = choose(results)
        chosen[key] = margin
        parts += [
            f"## {name}",
            "",
            _table(results, key),
            "",
            f"Chosen on dev: {key} = {margin:g}.",
            "",
        ]
        parts += [_summary_table(rows), ""]
        if not overrides:
            a = answers(kb, [r for r in rows])
            parts += [
                f"Answers with the conversation (POST /ask with history, margin {margin:g}): "
                f"{a['answered']:.2f} answered, {a['right source']:.2f} answered citing the "
                "right document first.",
                "",
            ]
            wrong = [r for r in rows if not r["resolved"][0]]
            parts += ["Misses at rank 1 (resolver):", ""]
            for r in wrong:
                res = r["res"]
                parts.append(
                    f"- {r['id']} ({r['split']}): {r['conv'].question!r} read as {res.query!r} "
                    f"(alone {res.alone}, combined {res.combined})"
                )
            parts.append("")
    REPORT.write_text("\n".join(parts))
    print(f"report in {REPORT}; chosen {chosen}")


if __name__ == "__main__":
    main()
