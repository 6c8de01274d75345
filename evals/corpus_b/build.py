#!/usr/bin/env python3
"""Rebuild evals/corpus_b/docs/ from local git mirrors of public repositories.

The documents themselves are not committed (nothing fetched from outside the
project may be committed). manifest.jsonl names, for every document, the
repository, the commit and the path it was read at, and the sha256 of its bytes.
This script reads each one with `git --git-dir <mirror> show <commit>:<path>`
from a mirror under /work/.mirror/ (or --mirrors DIR), checks the sha256 and
writes it to docs/.

A mirror is a bare git directory found by globbing <mirrors>/<owner>+<name>*;
in a developer session the search tool's `fetch` verb brings one
(e.g. fetch github:sieve-data/tubegraph). Standard library only.

Usage:
    python3 evals/corpus_b/build.py            # rebuild docs/ (skips files already correct)
    python3 evals/corpus_b/build.py --clean    # delete docs/ first
    python3 evals/corpus_b/build.py --check    # only verify docs/ against the manifest
Exit codes: 0 ok, 1 a mirror, commit or file is missing or a hash differs.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "manifest.jsonl")
DOCS = os.path.join(HERE, "docs")
DEFAULT_MIRRORS = "/work/.mirror"


def load_manifest(path: str = MANIFEST) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                sys.exit(f"manifest.jsonl line {n}: not JSON ({exc})")
    return rows


def find_git_dir(mirrors: str, repo: str) -> str | None:
    """Return a bare git directory for owner/name under the mirrors folder, or None."""
    base = repo.replace("/", "+")
    for cand in sorted(glob.glob(os.path.join(glob.escape(mirrors), glob.escape(base) + "*"))):
        if not os.path.isdir(cand):
            continue
        # the fetch tool lays the bare repository out as <owner>+<name>/repo
        for gd in (os.path.join(cand, "repo"), cand):
            if os.path.isfile(os.path.join(gd, "HEAD")) and os.path.isdir(os.path.join(gd, "objects")):
                return gd
    return None


def git_show(git_dir: str, commit: str, path: str) -> bytes | None:
    proc = subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
        capture_output=True,
    )
    if proc.returncode != 0:
        return None
    return proc.stdout


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirrors", default=os.environ.get("CORPUS_B_MIRRORS", DEFAULT_MIRRORS),
                    help="folder holding the <owner>+<name> mirrors (default /work/.mirror)")
    ap.add_argument("--clean", action="store_true", help="delete docs/ before rebuilding")
    ap.add_argument("--check", action="store_true", help="only verify the files already in docs/")
    args = ap.parse_args()

    rows = load_manifest()
    if args.clean and not args.check and os.path.isdir(DOCS):
        shutil.rmtree(DOCS)
    os.makedirs(DOCS, exist_ok=True)

    missing_repos: dict[str, int] = {}
    problems: list[str] = []
    written = kept = 0
    git_dirs: dict[str, str | None] = {}

    for row in rows:
        rel = row["file"]
        if not rel.startswith("docs/") or "/" in rel[len("docs/"):] or ".." in rel:
            problems.append(f"{rel}: file must be docs/<name>")
            continue
        dest = os.path.join(HERE, rel)
        if os.path.isfile(dest):
            with open(dest, "rb") as fh:
                if sha256(fh.read()) == row["sha256"]:
                    kept += 1
                    continue
            if args.check:
                problems.append(f"{rel}: sha256 differs from the manifest")
                continue
        elif args.check:
            problems.append(f"{rel}: missing")
            continue

        repo = row["repo"]
        if repo not in git_dirs:
            git_dirs[repo] = find_git_dir(args.mirrors, repo)
        gd = git_dirs[repo]
        if gd is None:
            missing_repos[repo] = missing_repos.get(repo, 0) + 1
            continue
        data = git_show(gd, row["commit"], row["path"])
        if data is None:
            problems.append(
                f"{rel}: {row['path']} at commit {row['commit']} is not in the mirror {gd} "
                f"(the mirror may be an older snapshot; fetch {repo} again)"
            )
            continue
        if sha256(data) != row["sha256"] or len(data) != row["bytes"]:
            problems.append(f"{rel}: sha256/size of {repo}:{row['path']}@{row['commit'][:12]} differs from the manifest")
            continue
        tmp = dest + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)
        written += 1

    # files in docs/ that the manifest does not name
    named = {os.path.basename(r["file"]) for r in rows}
    extra = sorted(f for f in os.listdir(DOCS) if f not in named)

    print(f"corpus_b: {len(rows)} documents in manifest; {written} written, {kept} already correct")
    for repo, n in sorted(missing_repos.items()):
        print(
            f"MISSING MIRROR: {repo} ({n} documents). No git mirror matching "
            f"{os.path.join(args.mirrors, repo.replace('/', '+'))}* was found. "
            f"The search tool's `fetch` verb of a developer session brings it: fetch github:{repo}",
            file=sys.stderr,
        )
    for p in problems:
        print(f"PROBLEM: {p}", file=sys.stderr)
    if extra:
        print(f"note: {len(extra)} file(s) in docs/ not named in the manifest: {', '.join(extra[:10])}",
              file=sys.stderr)
    if missing_repos or problems:
        return 1
    print("corpus_b: docs/ matches manifest.jsonl byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
