#!/usr/bin/env python3
"""Check evals/corpus_b/qa.jsonl against manifest.jsonl and the rebuilt docs/.

Standard library only. Checks:
  * every line is a JSON object; ids are unique and well formed (b001..., bu01...);
  * answerable items: source is evals/corpus_b/docs/<file> and named in manifest.jsonl;
    text sources: passage_start/passage_end slice the file's text (bytes decoded as UTF-8,
    no newline translation) to a span of at most 300 characters on one line whose sha1
    (of its UTF-8 bytes) equals passage_sha1, and every keyword occurs in that span
    (case-insensitive);
    PDF sources: "page" is a positive integer and there are no offsets; if pypdf happens
    to be importable, the page exists and every keyword occurs in its extracted text
    (whitespace-normalised, case-insensitive), otherwise that part is skipped with a note;
  * keywords: 1-3 non-empty lowercase strings; lang in {en, da, de}; style in the
    allowed set;
  * unanswerable items: answerable false, a non-empty "why", no source/passage fields;
  * split is "dev" or "test" and equals the recipe: random.Random(20261129); for the
    answerable ids (sorted) and then the unanswerable ids (sorted), shuffle with that one
    generator and take round(0.35 * n) of each as dev;
  * at most 3 answerable items per source; counts are printed.
If docs/ is missing, run build.py first (text checks need the documents).
Exit code 0 when everything passes, 1 otherwise.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QA = os.path.join(HERE, "qa.jsonl")
MANIFEST = os.path.join(HERE, "manifest.jsonl")
SOURCE_PREFIX = "evals/corpus_b/"
STYLES = {"paraphrase", "spelling", "word-order", "short", "foreign", "multi-hop"}
LANGS = {"en", "da", "de"}
SPLIT_SEED = 20261129
DEV_SHARE = 0.35
MAX_PER_SOURCE = 3


def expected_split(items: list[dict]) -> dict[str, str]:
    rng = random.Random(SPLIT_SEED)
    dev: set[str] = set()
    for stratum in (
        sorted(i["id"] for i in items if i.get("answerable") is True),
        sorted(i["id"] for i in items if i.get("answerable") is False),
    ):
        ids = list(stratum)
        rng.shuffle(ids)
        dev.update(ids[: round(DEV_SHARE * len(ids))])
    return {i["id"]: ("dev" if i["id"] in dev else "test") for i in items if "id" in i}


def pdf_pages(path: str):
    try:
        import pypdf  # type: ignore
    except Exception:
        return None
    reader = pypdf.PdfReader(path)
    return [re.sub(r"\s+", " ", (p.extract_text() or "")).lower() for p in reader.pages]


def main() -> int:
    errors: list[str] = []
    notes: list[str] = []

    manifest = {}
    with open(MANIFEST, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                manifest[row["file"]] = row

    items: list[dict] = []
    with open(QA, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {n}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {n}: not a JSON object")
                continue
            obj["_line"] = n
            items.append(obj)

    ids = [i.get("id") for i in items]
    for dup, c in collections.Counter(ids).items():
        if c > 1:
            errors.append(f"duplicate id {dup!r} ({c} times)")

    texts: dict[str, str] = {}
    pages_cache: dict[str, list[str] | None] = {}
    per_source: collections.Counter = collections.Counter()

    for it in items:
        where = f"line {it['_line']} ({it.get('id')})"
        iid = it.get("id")
        q = it.get("question")
        if not isinstance(q, str) or not q.strip():
            errors.append(f"{where}: empty question")
        if it.get("lang") not in LANGS:
            errors.append(f"{where}: lang {it.get('lang')!r} not in {sorted(LANGS)}")
        if it.get("split") not in ("dev", "test"):
            errors.append(f"{where}: split missing or not dev/test")

        if it.get("answerable") is True:
            if not (isinstance(iid, str) and re.fullmatch(r"b\d{3}", iid)):
                errors.append(f"{where}: answerable id should look like b001")
            if it.get("style") not in STYLES:
                errors.append(f"{where}: style {it.get('style')!r} not allowed")
            if (it.get("lang") != "en") != (it.get("style") == "foreign"):
                errors.append(f"{where}: style 'foreign' iff lang is not en")
            kws = it.get("keywords")
            if not (isinstance(kws, list) and 1 <= len(kws) <= 3
                    and all(isinstance(k, str) and k.strip() and k == k.lower() for k in kws)):
                errors.append(f"{where}: keywords must be 1-3 non-empty lowercase strings")
                kws = [k for k in (kws or []) if isinstance(k, str)]
            src = it.get("source", "")
            rel = src[len(SOURCE_PREFIX):] if src.startswith(SOURCE_PREFIX) else None
            if rel is None or rel not in manifest:
                errors.append(f"{where}: source {src!r} is not a manifest document")
                continue
            per_source[rel] += 1
            path = os.path.join(HERE, rel)
            if not os.path.isfile(path):
                errors.append(f"{where}: {rel} missing in docs/ (run build.py)")
                continue
            if rel.endswith(".pdf"):
                page = it.get("page")
                if not (isinstance(page, int) and page >= 1):
                    errors.append(f"{where}: PDF source needs a 1-based integer 'page'")
                    continue
                if any(k in it for k in ("passage_start", "passage_end", "passage_sha1")):
                    errors.append(f"{where}: PDF items give a page, not offsets")
                if rel not in pages_cache:
                    pages_cache[rel] = pdf_pages(path)
                pages = pages_cache[rel]
                if pages is None:
                    notes.append(f"{iid}: pypdf not importable, page text of {rel} not checked")
                    continue
                if page > len(pages):
                    errors.append(f"{where}: page {page} > {len(pages)} pages in {rel}")
                    continue
                for k in kws:
                    if re.sub(r"\s+", " ", k) not in pages[page - 1]:
                        errors.append(f"{where}: keyword {k!r} not on page {page} of {rel}")
                continue
            # text source
            if rel not in texts:
                with open(path, "rb") as fh:
                    texts[rel] = fh.read().decode("utf-8")
            text = texts[rel]
            s, e = it.get("passage_start"), it.get("passage_end")
            if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
                errors.append(f"{where}: bad passage offsets {s!r}..{e!r}")
                continue
            span = text[s:e]
            if hashlib.sha1(span.encode("utf-8")).hexdigest() != it.get("passage_sha1"):
                errors.append(f"{where}: sha1 of text[{s}:{e}] does not match passage_sha1")
            if len(span) > 300:
                errors.append(f"{where}: passage is {len(span)} chars (> 300)")
            if "\n" in span or "\r" in span:
                errors.append(f"{where}: passage spans more than one line")
            low = span.lower()
            for k in kws:
                if k.lower() not in low:
                    errors.append(f"{where}: keyword {k!r} not in passage")
        elif it.get("answerable") is False:
            if not (isinstance(iid, str) and re.fullmatch(r"bu\d{2}", iid)):
                errors.append(f"{where}: unanswerable id should look like bu01")
            if not (isinstance(it.get("why"), str) and it["why"].strip()):
                errors.append(f"{where}: unanswerable item needs a 'why'")
            for k in ("source", "passage_start", "passage_end", "passage_sha1", "keywords", "page"):
                if k in it:
                    errors.append(f"{where}: unanswerable item must not have {k!r}")
        else:
            errors.append(f"{where}: 'answerable' must be true or false")

    for rel, c in per_source.items():
        if c > MAX_PER_SOURCE:
            errors.append(f"{rel}: {c} answerable items (max {MAX_PER_SOURCE})")

    want = expected_split(items)
    for it in items:
        if it.get("id") in want and it.get("split") != want[it["id"]]:
            errors.append(f"{it['id']}: split {it.get('split')!r}, recipe gives {want[it['id']]!r}")

    ans = [i for i in items if i.get("answerable") is True]
    una = [i for i in items if i.get("answerable") is False]
    print(f"items: {len(items)} ({len(ans)} answerable over {len(per_source)} documents, {len(una)} unanswerable)")
    print("style:", dict(collections.Counter(i.get("style") for i in ans)))
    print("lang:", dict(collections.Counter(i.get("lang") for i in items)))
    print("split:", dict(collections.Counter((i.get("split"), i.get("answerable")) for i in items)))
    print("pdf items:", sum(1 for i in ans if "page" in i))
    for n in notes[:5]:
        print("note:", n)
    if len(notes) > 5:
        print(f"note: ... {len(notes) - 5} more")
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    if errors:
        print(f"FAILED: {len(errors)} problem(s)")
        return 1
    print("OK: all labels check out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
