"""Questions in Danish and German over English documents: does the English reranker help?

``missionrag eval language`` (from the repository root) writes ``evals/reports/language.md``.

Dev questions only: the five Danish/German dev rows of corpus B's ``qa.jsonl`` and 24 dev
questions translated into Danish and German (``corpus_b/foreign_dev.jsonl``; each names the
English row it translates, whose gold passage it shares). The ``test`` rows are never read.
Each question is retrieved on the big knowledge base (corpus/ + corpus B) three ways: hybrid
scores alone (no reranker), hybrid + cross-encoder at the default weight (the default), and
``MISSIONRAG_RERANK_FOREIGN=skip`` (the cross-encoder's weight dropped for a question
detected as not English).
The English originals of the translated questions are scored the same way for comparison.
Also: language detection on every eval question and document.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from missionrag_evals import EVALS

REPORT = EVALS / "reports" / "language.md"
FOREIGN = EVALS / "corpus_b" / "foreign_dev.jsonl"


def foreign_cases() -> tuple[list[Any], list[Any]]:
    """(foreign dev cases, the English dev cases they translate)."""
    from dataclasses import replace

    from missionrag_evals import data

    dev = {c.id: c for c in data.corpus_b_qa() if c.split == "dev" and c.answerable}
    native = [c for c in dev.values() if c.lang != "en"]
    rows = [json.loads(x) for x in FOREIGN.read_text().splitlines() if x.strip()]
    translated = [
        replace(dev[r["from"]], id=r["id"], question=r["question"], lang=r["lang"]) for r in rows
    ]
    originals = [dev[k] for k in dict.fromkeys(r["from"] for r in rows)]
    return native + translated, originals


def score(kb: Any, cases: list[Any], **search: Any) -> dict[str, float]:
    from missionrag_evals.kbs import Gold
    from missionrag_evals.retrieval import metrics, rank_of

    gold = Gold(kb)
    ranks = [rank_of(kb.search(c.question, 10, **search), c, gold) for c in cases]
    docs = []
    for c in cases:
        names = [h.source for h in kb.search(c.question, 5, **search)]
        docs.append(next((i + 1 for i, n in enumerate(names) if n == c.source), None))
    out = metrics(ranks)
    out["doc@1"] = round(sum(r == 1 for r in docs) / len(docs), 3)
    out["doc@5"] = round(sum(r is not None for r in docs) / len(docs), 3)
    return out


def detection() -> list[str]:
    from missionrag import language
    from missionrag_evals import data

    qs = [(c.question, c.lang) for c in data.seed_retrieval() + data.seed_qa()]
    qs = [(q, "da" if q.startswith("Hvor mange penge") else lang) for q, lang in qs]
    qs += [
        (json.loads(x)["question"], "en")
        for x in (EVALS / "followups.jsonl").read_text().splitlines()
    ]
    qs += [(c.question, c.lang) for c in data.corpus_b_qa() if c.split == "dev"]
    qs += [
        (json.loads(x)["question"], json.loads(x)["lang"]) for x in FOREIGN.read_text().splitlines()
    ]
    t0 = time.perf_counter()
    got = [(q, lang, language.detect(q)) for q, lang in qs]
    took = time.perf_counter() - t0
    wrong = [g for g in got if g[2] not in (g[1], None)]
    unsure = [g for g in got if g[2] is None]
    fast = sum(language.plainly_english(q) for q, lang in qs if lang == "en")
    docs = sorted(data.SEED_CORPUS.glob("*.[mt]*")) + sorted(data.CORPUS_B.glob("*.md"))
    doc_langs = [language.document_language(p.read_text(encoding="utf-8")) for p in docs]
    return [
        f"- {len(qs)} questions ({sum(lang == 'en' for _, lang in qs)} English): {len(wrong)} "
        f"detected wrong, {len(unsure)} unsure (read as English): {[g[0] for g in unsure]}; "
        f"{took * 1000:.0f} ms in all (the model was loaded before).",
        f"- English questions that skip the model (plainly English): {fast} of "
        f"{sum(lang == 'en' for _, lang in qs)}; foreign ones that would: "
        f"{sum(language.plainly_english(q) for q, lang in qs if lang != 'en')}.",
        f"- {len(docs)} documents: {dict((x, doc_langs.count(x)) for x in sorted(set(doc_langs)))}.",
    ]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from missionrag_evals.kbs import build

    foreign, english = foreign_cases()
    variants = (
        ("hybrid alone (MISSIONRAG_RERANK=off)", {"rerank": "off"}),
        ("hybrid + cross-encoder for every question (default)", {}),
        (
            "cross-encoder weight 0 for non-English questions (MISSIONRAG_RERANK_FOREIGN=skip)",
            {"rerank_foreign": "skip"},
        ),
    )
    lines = [
        "# Language",
        "",
        __doc__ or "",
        "## Cross-encoder on Danish and German questions (big KB, dev only)",
        "",
        "| variant | questions | passage hit@1 | hit@5 | MRR | doc@1 | doc@5 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, overrides in variants:
        kb = build("big", **overrides)
        for label, cases in (("da/de", foreign), ("English originals", english)):
            m = score(kb, cases)
            lines.append(
                f"| {name} | {label} ({m['n']}) | {m['hit@1']:.3f} | {m['hit@5']:.3f} | "
                f"{m['mrr']:.3f} | {m['doc@1']:.3f} | {m['doc@5']:.3f} |"
            )
    lines += ["", "## Detection", "", *detection(), ""]
    REPORT.write_text("\n".join(lines))
    print(f"report in {REPORT}")


if __name__ == "__main__":
    main()
