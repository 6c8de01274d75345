#!/usr/bin/env python3
"""Rebuild evals/checkdoc/docs/ from local git mirrors (stdlib only).

The documents are third-party files and are not committed (docs/ is in
.gitignore). Each line of manifest.jsonl names the repository, commit and path
of one document and its sha256. This script finds the repository's mirror under
the mirror root (default /work/.mirror; a repository owner/name lives in a
folder named owner+name, possibly with a suffix), runs

    git --git-dir <mirror> show <commit>:<path>

checks the sha256 and byte count, and writes docs/<name>. It names every
repository whose mirror is missing, or that lacks the commit, and exits non-zero.

Usage: python3 evals/checkdoc/build.py [--mirrors DIR] [--out DIR] [--force]
  --mirrors DIR  where the mirrors are (default: $CHECKDOC_MIRRORS or /work/.mirror)
  --out DIR      folder that receives docs/ (default: this folder)
  --force        rewrite files that already exist with the right sha256
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def git_dirs(mirror_root: Path, repo: str):
    """Candidate git directories for owner/name under the mirror root."""
    prefix = repo.replace("/", "+")
    found = []
    if not mirror_root.is_dir():
        return found
    for entry in sorted(mirror_root.iterdir()):
        rest = entry.name[len(prefix):]
        # owner+name itself, or owner+name followed by a suffix that cannot be part of a repo name
        if not entry.name.startswith(prefix) or (rest and re.match(r"[A-Za-z0-9._-]", rest)):
            continue
        for cand in (entry / "repo" / ".git", entry / "repo", entry / ".git", entry):
            if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
                found.append(cand)
                break
    return found


def read_blob(git_dir: Path, commit: str, path: str):
    proc = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                          capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def main() -> int:
    ap = argparse.ArgumentParser(description="Rebuild docs/ from local git mirrors.")
    ap.add_argument("--mirrors", default=os.environ.get("CHECKDOC_MIRRORS", "/work/.mirror"))
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    mirror_root, out = Path(args.mirrors), Path(args.out)

    manifest = [json.loads(line) for line in (HERE / "manifest.jsonl").read_text().splitlines() if line.strip()]
    missing_repos, bad = {}, []
    written = kept = 0
    for doc in manifest:
        target = out / doc["file"]
        if target.is_file() and not args.force:
            if hashlib.sha256(target.read_bytes()).hexdigest() == doc["sha256"]:
                kept += 1
                continue
        dirs = git_dirs(mirror_root, doc["repo"])
        if not dirs:
            missing_repos.setdefault(doc["repo"], []).append(doc["file"])
            continue
        data = None
        for git_dir in dirs:
            data = read_blob(git_dir, doc["commit"], doc["path"])
            if data is not None:
                break
        if data is None:
            bad.append(f"{doc['file']}: mirror of {doc['repo']} ({', '.join(map(str, dirs))}) "
                       f"has no {doc['commit']}:{doc['path']}; fetch a newer snapshot of the repository")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != doc["sha256"] or len(data) != doc["bytes"]:
            bad.append(f"{doc['file']}: sha256 {digest} / {len(data)} bytes, "
                       f"manifest says {doc['sha256']} / {doc['bytes']} bytes")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1

    for repo, files in sorted(missing_repos.items()):
        print(f"MISSING REPOSITORY {repo}: no mirror under {mirror_root}/{repo.replace('/', '+')}*/ "
              f"(needed for {', '.join(files)})", file=sys.stderr)
    for line in bad:
        print(f"ERROR {line}", file=sys.stderr)
    print(f"build.py: {written} written, {kept} already up to date, "
          f"{sum(len(f) for f in missing_repos.values()) + len(bad)} failed, out of {len(manifest)}")
    return 1 if (missing_repos or bad) else 0


if __name__ == "__main__":
    sys.exit(main())
