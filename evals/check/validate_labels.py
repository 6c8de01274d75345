#!/usr/bin/env python3
"""Validate evals/check/labels_dev.jsonl and labels_test.jsonl (stdlib only).

Checks the schema, Y/N values, id uniqueness across both files, reasons, kind rules and minimum
counts, then prints counts by kind, language, country and label balance per criterion and split.
Exit code 0 if everything passes, 1 otherwise.

Usage: python3 evals/check/validate_labels.py [--quiet]
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = {"dev": HERE / "labels_dev.jsonl", "test": HERE / "labels_test.jsonl"}
KEYS = ["id", "text", "lang", "country", "issuer", "year", "as_of", "kind", "source",
        "bold", "measurable", "time_bound", "cross_sectoral", "washed", "quotes_existing", "reasons"]
CRITERIA = ["bold", "measurable", "time_bound", "cross_sectoral"]
REASON_KEYS = CRITERIA + ["washed"]
KINDS = {"real", "drafted", "washed", "quoted"}
MINIMUM = {"total": 320, "real": 170, "drafted": 80, "washed": 50, "quoted": 15,
           "real_countries": 14, "real_non_en": 60}
REQUIRED_REAL_LANGS = ["da", "de", "sv", "nl", "pt", "fr", "es"]  # each >= 5 real statements


def main(quiet=False):
    errors = []
    rows = []
    for split, path in FILES.items():
        if not path.exists():
            errors.append(f"missing file {path}")
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{n}"
            if not line.strip():
                errors.append(f"{where}: blank line")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"{where}: invalid JSON ({e})")
                continue
            row["_split"], row["_where"] = split, where
            rows.append(row)
            check_row(row, where, errors)

    ids = Counter(r.get("id") for r in rows)
    errors += [f"duplicate id {i} ({c} times)" for i, c in ids.items() if c > 1]
    texts = Counter(" ".join(str(r.get("text", "")).lower().split()) for r in rows)
    errors += [f"duplicate text: {t[:60]}" for t, c in texts.items() if c > 1]

    kinds = Counter(r.get("kind") for r in rows)
    real = [r for r in rows if r.get("kind") == "real"]
    real_langs = Counter(r.get("lang") for r in real)
    real_countries = Counter(country_root(r.get("country", "")) for r in real)
    checks = {
        "total": len(rows), "real": kinds["real"], "drafted": kinds["drafted"],
        "washed": kinds["washed"], "quoted": kinds["quoted"],
        "real_countries": len(real_countries),
        "real_non_en": sum(c for lang, c in real_langs.items() if lang != "en"),
    }
    for name, minimum in MINIMUM.items():
        if checks[name] < minimum:
            errors.append(f"count {name} = {checks[name]} < {minimum}")
    for lang in REQUIRED_REAL_LANGS:
        if real_langs[lang] < 5:
            errors.append(f"real statements in {lang} = {real_langs[lang]} < 5")
    for c in CRITERIA:
        vals = Counter(r.get(c) for r in real)
        if vals["Y"] == 0 or vals["N"] == 0:
            errors.append(f"real statements do not cover both labels of {c}: {dict(vals)}")
    # stratified 25% split per kind: ids were assigned in shuffled order (random.Random(20261129)),
    # and the first round(25%) ids of each kind went to test, so the split is checkable from ids.
    for k in KINDS:
        of_kind = sorted((r for r in rows if r.get("kind") == k), key=lambda r: str(r.get("id")))
        n_test = round(len(of_kind) * 0.25)
        want = {r["id"] for r in of_kind[:n_test]}
        got = {r["id"] for r in of_kind if r["_split"] == "test"}
        if want != got:
            errors.append(f"split for kind {k}: test ids are not the first {n_test} ids of that kind")

    if not quiet:
        report(rows, real_langs, real_countries)
    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  -", e)
        return 1
    print(f"\nOK: {len(rows)} labelled statements, schema and counts valid.")
    return 0


def country_root(c):
    return c.split(" (")[0]


def check_row(row, where, errors):
    keys = [k for k in row if not k.startswith("_")]
    if keys != KEYS:
        errors.append(f"{where}: keys {keys} != schema {KEYS}")
        return
    if not re.fullmatch(r"L\d{4}", str(row["id"])):
        errors.append(f"{where}: bad id {row['id']!r}")
    for k in ["text", "lang", "country", "issuer", "source"]:
        if not isinstance(row[k], str) or not row[k].strip():
            errors.append(f"{where}: {k} must be a non-empty string")
    if not isinstance(row["year"], int) or not 1900 <= row["year"] <= 2100:
        errors.append(f"{where}: bad year {row['year']!r}")
    elif row["as_of"] != f"{row['year']}-12-31":
        errors.append(f"{where}: as_of {row['as_of']!r} != {row['year']}-12-31")
    if row["kind"] not in KINDS:
        errors.append(f"{where}: bad kind {row['kind']!r}")
    for c in CRITERIA:
        if row[c] not in ("Y", "N"):
            errors.append(f"{where}: {c} must be 'Y' or 'N', got {row[c]!r}")
    if not isinstance(row["washed"], bool):
        errors.append(f"{where}: washed must be true/false")
    q = row["quotes_existing"]
    if q is not None and (not isinstance(q, str) or not q.strip()):
        errors.append(f"{where}: quotes_existing must be null or a non-empty string")
    if row["kind"] == "washed" and row["washed"] is not True:
        errors.append(f"{where}: kind washed must have washed true")
    if row["kind"] == "quoted":
        if not q:
            errors.append(f"{where}: kind quoted needs quotes_existing")
        if row["washed"]:
            errors.append(f"{where}: kind quoted must have washed false")
    elif q is not None:
        errors.append(f"{where}: quotes_existing set on kind {row['kind']}")
    if row["kind"] in ("drafted", "washed", "quoted") and (row["issuer"] != "drafted" or row["source"] != "drafted"):
        errors.append(f"{where}: drafted kinds must have issuer and source 'drafted'")
    reasons = row["reasons"]
    if not isinstance(reasons, dict) or sorted(reasons) != sorted(REASON_KEYS):
        errors.append(f"{where}: reasons must have exactly {REASON_KEYS}")
        return
    for k, v in reasons.items():
        if not isinstance(v, str) or not v.strip() or "\n" in v:
            errors.append(f"{where}: reason {k} must be one non-empty line")


def table(title, counter):
    print(f"\n{title}")
    for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        print(f"  {k}: {v}")


def report(rows, real_langs, real_countries):
    splits = Counter(r["_split"] for r in rows)
    print(f"total {len(rows)}  (dev {splits['dev']}, test {splits['test']})")
    print("\nby kind (all / dev / test)")
    for k in ["real", "drafted", "washed", "quoted"]:
        a = sum(r["kind"] == k for r in rows)
        d = sum(r["kind"] == k and r["_split"] == "dev" for r in rows)
        t = sum(r["kind"] == k and r["_split"] == "test" for r in rows)
        print(f"  {k}: {a} / {d} / {t}")
    table("language (all statements)", Counter(r["lang"] for r in rows))
    table("language (real statements)", real_langs)
    table("country (all statements, sub-national folded into country)",
          Counter(country_root(r["country"]) for r in rows))
    print(f"\nreal statements come from {len(real_countries)} countries/bodies")
    print("\nlabel balance Y/N (all | dev | test | real)")
    for c in CRITERIA:
        parts = []
        for name, sub in [("all", rows), ("dev", [r for r in rows if r["_split"] == "dev"]),
                          ("test", [r for r in rows if r["_split"] == "test"]),
                          ("real", [r for r in rows if r["kind"] == "real"])]:
            cnt = Counter(r[c] for r in sub)
            parts.append(f"{name} {cnt['Y']}/{cnt['N']}")
        print(f"  {c}: " + " | ".join(parts))
    for name, sub in [("all", rows), ("dev", [r for r in rows if r["_split"] == "dev"]),
                      ("test", [r for r in rows if r["_split"] == "test"])]:
        w = Counter(r["washed"] for r in sub)
        qn = sum(r["quotes_existing"] is not None for r in sub)
        print(f"  washed true/false {name}: {w[True]}/{w[False]}; quotes_existing set: {qn}")
    allY = sum(all(r[c] == "Y" for c in CRITERIA) for r in rows)
    print(f"\nstatements passing all four criteria: {allY}; failing all four: "
          f"{sum(all(r[c] == 'N' for c in CRITERIA) for r in rows)}")


if __name__ == "__main__":
    sys.exit(main(quiet="--quiet" in sys.argv))
