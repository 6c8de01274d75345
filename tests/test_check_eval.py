"""The learned checker: its shipped JSON, numpy scoring against scikit-learn, the eval runner on
any labels file, and the default check path staying free of torch, Chroma and scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO
from missionrag_evals.check_eval import run_check_eval

from missionrag.check.features import NAMES
from missionrag.check.model import HEADS, MODEL_FILE, CheckerModel, load_model
from missionrag.errors import InputError

sys.path.insert(0, str(REPO / "evals"))


def _labels(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _row(i: int, text: str, labels: str, washed: bool, kind: str = "drafted") -> dict:
    b, m, t, c = labels
    return {
        "id": f"T{i:03d}",
        "text": text,
        "lang": "en",
        "as_of": "2026-12-31",
        "kind": kind,
        "bold": b,
        "measurable": m,
        "time_bound": t,
        "cross_sectoral": c,
        "washed": washed,
        "quotes_existing": None,
    }


def test_the_shipped_model_json_matches_the_features_and_records_its_cv() -> None:
    spec = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert spec["feature_names"] == list(NAMES)
    assert spec["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert set(spec["heads"]) == set(HEADS)
    for head in spec["heads"].values():
        assert "rules" in head  # a fallback when no embedding is available
    cv = spec["cv"]["full"]["criteria"]
    # The report of record is cross-validated; training accuracy is never stored.
    assert cv["time_bound"]["accuracy"]["mean"] >= 0.95
    assert all(0.5 < cv[h]["accuracy"]["mean"] <= 1.0 for h in HEADS)
    assert spec["trained_on"]["labels"] == "evals/check/labels_dev.jsonl"


def test_known_statements_score_the_same_with_and_without_the_json_reload() -> None:
    from missionrag.check import check_statement

    strong = "By 2030, halve road deaths in the region, with cities, carmakers and citizens."
    weak = "Promote sustainable mobility."
    washed = "Mission Open Data: the ministry will continue its existing open data portal."
    fresh = CheckerModel(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    a = check_statement(strong)
    assert all(c.passed for c in a.criteria.values()) and a.model == "rules+embedding"
    assert not any(c.passed for c in check_statement(weak).criteria.values())
    assert check_statement(washed).mission_washing.flagged
    again = check_statement(strong, model=fresh)
    assert {k: v.score for k, v in again.criteria.items()} == {
        k: v.score for k, v in a.criteria.items()
    }
    rules_only = check_statement(strong, use_embedding=False)
    assert rules_only.model == "rules" and rules_only.criteria["time_bound"].passed


def test_numpy_scoring_reproduces_scikit_learn_on_real_embeddings() -> None:
    from missionrag_evals.checker_data import embed, labels_matrix, load_labels, rule_matrix
    from missionrag_evals.checker_fit import Data, HeadConfig, fit_head
    from sklearn.linear_model import LogisticRegression

    cases = load_labels()[:80]
    X, sets = rule_matrix(cases)
    E = embed([c.text for c in cases])
    data = Data(cases, X, E, labels_matrix(cases), np.array([s.lang == "en" for s in sets]), sets)
    rows = np.arange(len(cases))
    cfg = HeadConfig(C=0.3, emb_scale=0.5, gate="all")
    # measurable has no rubric guard, so its probability is the logistic's own.
    spec = fit_head(data, rows, "measurable", cfg)
    model = CheckerModel(
        {"feature_names": list(NAMES), "heads": {h: {"rules": spec, "full": spec} for h in HEADS}}
    )
    ours = np.array(
        [model.predict(s, e)["measurable"].probability for s, e in zip(sets, E, strict=True)]
    )
    Z = (X - np.array(spec["mean"])) / np.array(spec["scale"])
    EZ = 0.5 * (E - np.array(spec["embedding"]["mean"])) / np.array(spec["embedding"]["std"])
    ref = LogisticRegression(C=0.3, max_iter=5000).fit(np.hstack([Z, EZ]), data.y["measurable"])
    theirs = ref.predict_proba(np.hstack([Z, EZ]))[:, 1]
    assert np.allclose(ours, theirs, atol=2e-3)


def test_the_eval_runner_scores_any_labels_file_held_out(tmp_path: Path) -> None:
    rows = [
        _row(1, "Halve road deaths by 2030, with cities, carmakers and citizens.", "YYYY", False),
        _row(2, "Promote sustainable mobility.", "NNNN", False),
        _row(
            3,
            "Mission Youth: continue funding the 14 existing youth clubs.",
            "NYNN",
            True,
            "washed",
        ),
        # deliberately mislabelled time_bound: the eval must count it as a false negative
        _row(4, "Eradicate child poverty by 2020.", "YYYY", False),
    ]
    report = tmp_path / "reports" / "check_fixture.md"
    summary, result = run_check_eval(_labels(tmp_path, rows), report)
    assert result["mode"] == "held-out"
    tb = result["full"]["criteria"]["time_bound"]
    assert tb["confusion"] == {"tp": 1.0, "fp": 0.0, "fn": 1.0, "tn": 2.0}
    assert tb["accuracy"]["mean"] == 0.75
    assert result["full"]["washing"]["flagged_on_washed"]["mean"] == 1.0
    md = report.read_text(encoding="utf-8")
    assert "| time_bound | 0.750" in md and "## By language group" in md
    assert str(report) in summary


def test_malformed_labels_are_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "bold": "Y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="lacks"):
        run_check_eval(bad, tmp_path / "r.md")


def test_the_default_check_path_loads_no_torch_store_or_scikit_learn() -> None:
    code = (
        "import sys; from missionrag.check import check_statement; "
        "from missionrag.check.render import render_check; "
        "r = check_statement('Halve road deaths by 2030, with cities and carmakers.'); render_check(r); "
        "assert r.model == 'rules+embedding', r.notes; "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'llama_index', 'sklearn') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr


def test_loading_the_model_twice_returns_the_cached_one() -> None:
    assert load_model() is load_model()


def test_the_stored_library_vectors_and_targets_are_current() -> None:
    # A cold check reads them instead of embedding and parsing the library; after editing
    # data/strong_missions.jsonl or the parsing code, rerun train_checker (write_library_vectors).
    from missionrag.check.existing import _stored, targets_digest, wordings_digest

    stored = _stored()
    assert stored is not None
    assert str(stored["digest"]) == wordings_digest()
    assert str(stored["targets_digest"]) == targets_digest()
