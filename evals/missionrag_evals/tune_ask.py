"""Choose answer selection and fit the abstention model on the DEV questions only.

    python -m missionrag_evals.tune_ask

For every dev question (seed qa.jsonl and corpus B's dev split, each asked of the corpus it
was written for and of the big corpus) it records the reranked passages and the
cross-encoder's score of every candidate sentence once (cached in evals/.cache), then:
  1. sweeps the selection constants of ``ask/relevance.py`` offline, scoring the answer that
     would be given without abstention (all keywords present and the expected document cited);
  2. fits the abstention model (logistic regression, balanced classes) on the features of
     ``relevance.evidence`` and scores it by grouped, stratified 5-fold cross-validation,
     repeated 10 times: the same question asked of both corpora stays in one fold.
It prints the constants to paste into relevance.py and writes evals/reports/ask_calibration.md.
"""

from __future__ import annotations

import itertools
import pickle
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from missionrag_evals import REPORTS, data
from missionrag_evals.kbs import CACHE, build

FEATURE_SETS = {
    "score": ("best",),
    "score+passage": ("best", "passage"),
    "score+untyped": ("best", "untyped"),
    "passage+untyped": ("passage", "untyped"),
    "score+passage+untyped": ("best", "passage", "untyped"),
    "+unknown-word shares": ("best", "passage", "untyped", "oov_proper", "oov_common"),
}
SHIPPED = "passage+untyped"


@dataclass
class Row:
    case: data.QCase
    kb: str
    cands: list[Any] = field(default_factory=list)  # Candidate, with .sim_ctx
    oov: tuple[float, float] = (0.0, 0.0)


def dev_cases() -> list[tuple[str, data.QCase]]:
    seed = data.seed_qa()
    b = [c for c in data.corpus_b_qa() if c.split == "dev"]
    return [("seed", c) for c in seed] + [("big", c) for c in seed + b]


def record() -> list[Row]:
    from missionrag.ask.extractive import collect, corpus_stats, oov_terms
    from missionrag.ask.relevance import unit_context

    path = CACHE / "tune_ask.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    kbs = {name: build(name) for name in ("seed", "big")}
    rows = []
    for name, case in dev_cases():
        kb = kbs[name]
        hits = kb.search(case.question, 20)
        cands = collect(hits[:8])
        ctx = kb.reranker.score(case.question, [unit_context(c) for c in cands])
        for c, a in zip(cands, ctx, strict=True):
            c.sim_ctx = float(a)
        proper, common, _ = oov_terms(case.question, corpus_stats(kb, hits))
        rows.append(Row(case, name, cands, (proper, common)))
    path.write_bytes(pickle.dumps(rows))
    return rows


class Offline:
    """Runs the product's selection on recorded candidates with swept constants."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.kbs = {n: build(n) for n in ("seed", "big")}
        self.starts = {n: {c.id: c.start for c in kb.all_chunks()} for n, kb in self.kbs.items()}
        self.texts: dict[tuple[str, str], str] = {}

    def doc(self, kb: str, source: str) -> str:
        if (kb, source) not in self.texts:
            self.texts[(kb, source)] = self.kbs[kb].document_text(source)
        return self.texts[(kb, source)]

    def answer(self, r: Row, **consts: float) -> tuple[bool, dict[str, float]]:
        from missionrag.ask import relevance
        from missionrag.ask.citations import compose

        for k, v in consts.items():
            setattr(relevance, k, v)
        pool = [c for c in r.cands if c.rank < relevance.SENTENCE_CHUNKS]
        for c in pool:
            c.hit.start = self.starts[r.kb].get(c.hit.chunk_id)
            c.sim = c.sim_ctx
            c.score = c.sim + relevance.CHUNK_WEIGHT * float(c.hit.rerank_score or 0.0)
        passage = max((float(c.hit.rerank_score or -30) for c in r.cands), default=-30.0)
        ev = relevance.evidence(r.case.question, pool, passage)
        feats = {
            "best": ev.best,
            "passage": ev.passage,
            "untyped": float(ev.untyped),
            "oov_proper": r.oov[0],
            "oov_common": r.oov[1],
        }
        if not pool or not r.case.answerable:
            return False, feats
        best = max(pool, key=lambda c: c.score)
        chosen = relevance.select(pool, self.doc(r.kb, best.hit.source))
        text, cites = compose(chosen)
        text = text.lower()
        ok = all(k in text for k in r.case.keywords) and r.case.source in {c.source for c in cites}
        return ok, feats


def grouped_cv(rows: list[Row], feats: list[dict[str, float]], cols: tuple[str, ...]) -> dict:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[f[c] for c in cols] for f in feats])
    y = np.array([r.case.answerable for r in rows])
    questions = sorted({r.case.question for r in rows})
    answerable = {r.case.question: r.case.answerable for r in rows}
    out = []
    for rep in range(10):
        qs = questions[:]
        random.Random(rep).shuffle(qs)
        qs.sort(key=lambda q: answerable[q])  # stratified: each class spread over the folds
        fold = {q: i % 5 for i, q in enumerate(qs)}
        for f in range(5):
            tr = [i for i, r in enumerate(rows) if fold[r.case.question] != f]
            te = [i for i, r in enumerate(rows) if fold[r.case.question] == f]
            model = LogisticRegression(class_weight="balanced", max_iter=5000).fit(x[tr], y[tr])
            p = model.predict_proba(x[te])[:, 1]
            out += [(rows[i].kb, bool(y[i]), bool(p[j] >= 0.5)) for j, i in enumerate(te)]
    return {kb: _rates([o for o in out if kb in ("all", o[0])]) for kb in ("all", "seed", "big")}


def _rates(outcomes: list[tuple[str, bool, bool]]) -> dict[str, float]:
    ans = [answered for _, a, answered in outcomes if a]
    una = [answered for _, a, answered in outcomes if not a]
    return {
        "wrongly_abstained": round(1 - sum(ans) / max(1, len(ans)), 3),
        "unanswerable_abstained": round(1 - sum(una) / max(1, len(una)), 3),
    }


def fit(rows: list[Row], feats: list[dict[str, float]], cols: tuple[str, ...]) -> list[float]:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[f[c] for c in cols] for f in feats])
    y = np.array([r.case.answerable for r in rows])
    m = LogisticRegression(class_weight="balanced", max_iter=5000).fit(x, y)
    return [round(float(w), 4) for w in m.coef_[0]] + [round(float(m.intercept_[0]), 4)]


def main() -> None:
    rows = record()
    off = Offline(rows)
    grid = {
        "SENTENCE_CHUNKS": (3, 4, 6),
        "CHUNK_WEIGHT": (0.5, 1.0),
        "EXPAND_SENTENCES": (0, 1, 2),
        "MAX_SENTENCES": (3, 4),
    }
    sweep = []
    for values in itertools.product(*grid.values()):
        consts = dict(zip(grid, values, strict=True))
        oks = [off.answer(r, **consts)[0] for r in rows if r.case.answerable]
        by = {
            kb: round(
                float(
                    np.mean(
                        [
                            ok
                            for ok, r in zip(
                                oks, [r for r in rows if r.case.answerable], strict=True
                            )
                            if r.kb == kb
                        ]
                    )
                ),
                3,
            )
            for kb in ("seed", "big")
        }
        sweep.append((round(float(np.mean(oks)), 3), by, consts))
    sweep.sort(key=lambda s: -s[0])
    best = sweep[0][2]
    feats = [off.answer(r, **best)[1] for r in rows]
    cv = {name: grouped_cv(rows, feats, cols) for name, cols in FEATURE_SETS.items()}
    coef = fit(rows, feats, FEATURE_SETS[SHIPPED])
    lines = [
        "# Ask calibration (dev questions only)",
        "",
        "Generated by `python -m missionrag_evals.tune_ask`. Rows: seed qa.jsonl asked of the",
        "seed and the big corpus, corpus B's dev split asked of the big corpus "
        f"({len(rows)} rows, {sum(not r.case.answerable for r in rows)} unanswerable).",
        "",
        "## Selection sweep (answers with abstention off: all keywords + the expected document)",
        "",
        "| correct | seed | big | constants |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {by['seed']} | {by['big']} | {c} |" for a, by, c in sweep[:12]]
    lines += [
        "",
        "## Abstention model, grouped 5-fold cross-validation x 10 (threshold P >= 0.5)",
        "",
        "| features | wrongly abstained (all / seed / big) | unanswerable abstained (all / seed / big) |",
        "| --- | --- | --- |",
    ]
    for name, res in cv.items():
        w = " / ".join(str(res[k]["wrongly_abstained"]) for k in ("all", "seed", "big"))
        u = " / ".join(str(res[k]["unanswerable_abstained"]) for k in ("all", "seed", "big"))
        lines.append(f"| {name} | {w} | {u} |")
    lines += [
        "",
        f"Shipped coefficients (fit on all dev rows): {coef} for {FEATURE_SETS[SHIPPED]} + bias.",
    ]
    (REPORTS / "ask_calibration.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print("constants:", best)


if __name__ == "__main__":
    main()
