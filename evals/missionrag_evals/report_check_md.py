"""The markdown of evals/reports/check.md (and check_<labels>.md for a held-out file)."""

from __future__ import annotations

from typing import Any

from missionrag_evals.checker_metrics import STRONG_MAX, TARGETS, WASHED_MIN

ORDER = ("time_bound", "measurable", "bold", "cross_sectoral")
HEADS = (*ORDER, "washed")


def _f(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, dict):
        return f"{x['mean']:.3f} ± {x['sd']:.3f}" if x.get("sd") else f"{x['mean']:.3f}"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _criteria(r: dict[str, Any]) -> list[str]:
    m, rules, nested = r["full"], r.get("rules_only"), r.get("nested")
    head = "| criterion | accuracy | precision | recall | target |"
    sep = "| --- | --- | --- | --- | --- |"
    if r["mode"] == "cv":
        head = "| criterion | CV accuracy (mean ± sd over repeats) | precision | recall | rules only (no embedding) | nested CV | target |"
        sep = "| --- | --- | --- | --- | --- | --- | --- |"
    out = [head, sep]
    for h in HEADS:
        c = m["criteria"][h]
        target = f">= {TARGETS[h]:.2f}" if h in TARGETS else "-"
        if r["mode"] == "cv":
            ra = rules["criteria"][h]["accuracy"] if rules else None
            nn = nested.get(h) if nested else None
            out.append(
                f"| {h} | {_f(c['accuracy'])} | {_f(c['precision'])} | {_f(c['recall'])} | {_f(ra)} | {_f(nn)} | {target} |"
            )
        else:
            out.append(
                f"| {h} | {_f(c['accuracy'])} | {_f(c['precision'])} | {_f(c['recall'])} | {target} |"
            )
    return out


def _washing(m: dict[str, Any]) -> list[str]:
    w = m["washing"]
    return [
        f"- flagged on {_f(w['flagged_on_washed'])} of {w['washed']} statements labelled washed (target >= {WASHED_MIN})",
        f"- flagged on {_f(w['flagged_on_strong'])} of {w['strong']} statements labelled Y on all four criteria and not washed (target <= {STRONG_MAX})",
        f"- flagged on {_f(w['flagged_on_not_washed'])} of all {w['not_washed']} statements labelled not washed",
    ]


def _table(title: str, rows: dict[str, Any]) -> list[str]:
    out = [
        f"| {title} | n | " + " | ".join(HEADS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in HEADS) + " |",
    ]
    for k, v in rows.items():
        out.append(f"| {k} | {v['n']} | " + " | ".join(f"{v[h]:.3f}" for h in HEADS) + " |")
    return out


def _quotes(q: dict[str, Any]) -> list[str]:
    out = [
        f"- quoted drafts reported as the existing mission: {q['found_on_quoted']} of {q['quoted']}",
        f"- drafted and washed statements wrongly reported as an existing mission: {q['found_on_drafts']} of {q['drafts']}",
        f"- real missions matched to a library entry (their own original; counted as correct): {q['found_on_real']} of {q['real']}",
    ]
    out += [f"  - missed: {t}" for t in q["missed"]]
    out += [f"  - false: {t}" for t in q["false_on_drafts"]]
    out.append(
        "- The library (src/missionrag/data/strong_missions.jsonl) holds well-known published missions, "
        "among them the ones evals/check/README.md names as quoted; this number is therefore not an "
        "untuned one."
    )
    return out


def _checkdoc(cd: dict[str, Any] | None) -> list[str]:
    if not cd:
        return ["Not run: the documents are not built (`python evals/checkdoc/build.py`)."]
    out = [
        "Candidates are whole sentences, list items or table cells (`check/units.py`), scored by "
        "hand-set goal cues with a threshold chosen on the dev documents (`data/checkdoc_model.json`). "
        "A candidate matches a labelled goal when it overlaps the labelled span by at least half of "
        "the shorter of the two (evals/missionrag_evals/checkdoc_eval.py).",
        "",
        "| documents | n | labels | candidates | matched | precision | recall |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k, label in (
        ("dev", "dev (6 first by file name; designed on)"),
        ("untouched", "untouched (7)"),
        ("all", "all 13"),
    ):
        v = cd[k]
        out.append(
            f"| {label} | {v['documents']} | {v['labels']} | {v['candidates']} | {v['matched']} | {_f(v['precision'])} | {_f(v['recall'])} |"
        )
    out += [
        "",
        "| file | split | labels | candidates | matched |",
        "| --- | --- | --- | --- | --- |",
    ]
    for d in cd["documents"]:
        out.append(
            f"| {d['file']} | {d['split']} | {d['labels']} | {d['candidates']} | {d['matched']} |"
        )
    out.append("\nTarget: precision >= 0.8 at recall >= 0.7.")
    return out


def _disagreements(r: dict[str, Any]) -> list[str]:
    out = ["| id | criterion | label | p | statement |", "| --- | --- | --- | --- | --- |"]
    for d in r["disagreements"]:
        text = d["text"].replace("|", "/")
        text = text if len(text) <= 110 else text[:107] + "..."
        out.append(
            f"| {d['id']} | {d['head']} | {'Y' if d['label'] else 'N'} | {d['p']:.2f} | {text} |"
        )
    return out


def markdown(r: dict[str, Any]) -> str:
    m = r["full"]
    if r["mode"] == "cv":
        intro = (
            f"Statements: `{r['labels']}` ({m['n']}, labelled against docs/rubric.md). Every number is "
            f"cross-validated: {r['repeats']} repeats of stratified 5-fold CV (strata: kind), each fold "
            "refitted with the shipped settings and judged by the product's own scorer "
            "(`missionrag.check.model.CheckerModel`), never training accuracy. `nested CV` chooses the "
            "settings inside each training fold as well (from data/checker_model.json, written by "
            "evals/missionrag_evals/train_checker.py). `rules only` is the same CV without the embedding "
            "(what a check gets before `missionrag warmup`)."
        )
    else:
        intro = f"Statements: `{r['labels']}` ({m['n']}), judged once by the shipped model through `check_statement` (held out)."
    out = ["# Mission checker evaluation", "", f"Run {r['date']}. {intro}", "", "## Criteria", ""]
    out += _criteria(r)
    out += ["", "## Mission washing", ""] + _washing(m)
    if r["mode"] == "cv":
        out += [
            "",
            "## Untouched test quarter",
            "",
            "Not run here. The integrator runs it once: `missionrag eval check --labels evals/check/labels_test.jsonl` "
            "(report: evals/reports/check_labels_test.md).",
        ]
    out += ["", "## By language group", ""] + _table("language group", m["by_language_group"])
    out += ["", "## By language", ""] + _table("language", m["by_language"])
    out += ["", "## By kind", ""] + _table("kind", m["by_kind"])
    out += ["", "## Quoting an existing mission", ""] + _quotes(r["quotes"])
    if r["mode"] == "cv":
        out += ["", "## check-doc: finding the goal sentences of real documents", ""] + _checkdoc(
            r.get("checkdoc")
        )
    out += [
        "",
        "## Disagreements (one CV repeat)" if r["mode"] == "cv" else "## Disagreements",
        "",
    ] + _disagreements(r)
    return "\n".join(out) + "\n"
