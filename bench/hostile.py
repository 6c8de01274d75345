"""Hostile text: how loading + chunking time grows with the input (linear: ~4x for 4x).

    .venv/bin/python bench/hostile.py [--size 100000] [--no-report]

For each pathological input of ``tests/test_ingest_hostile.py`` it times ``load_file`` plus
``chunk_with_tokens`` at ``size`` and ``4 * size`` characters, and the patterns the loader
used before (``OLD_MARKUP``, ``OLD_END``) on the same text at a smaller size, where they still
finish. A ratio near 4 is linear; 16 is quadratic. Replaces ``## Hostile inputs`` in
``bench/REPORT.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import REPO, emit, machine_info, settings_for, shared_onnx, write_section

sys.path.insert(0, str(REPO / "tests"))

CASES = {
    "spaces on a line (md)": lambda n: "# T\n\nx\n" + " " * n + "\nend.\n",
    "spaces inside a line (md)": lambda n: "# T\n\nx" + " " * n + "y end.\n",
    "spaces inside a heading": lambda n: "# T" + " " * n + "x\n\nbody.\n",
    "dots": lambda n: "# T\n\n" + "." * n + "x\n",
    "unclosed [[": lambda n: "# T\n\n" + "[[" * (n // 2) + "\n",
    "unclosed transcript anchors": lambda n: (
        "# T\n\n" + '<a class="yt-timestamp" data-t="00:00:01">' * (n // 42) + "\n"
    ),
    "headings": lambda n: "".join(f"# h{i}\n\ntext {i}.\n" for i in range(n // 14)),
    "front matter of newlines": lambda n: "---" + "\n" * n,
}


def timed(fn: Any, text: str) -> float:
    t0 = time.perf_counter()
    fn(text)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--old-size", type=int, default=5_000)
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()

    from test_ingest_hostile import OLD_END, old_strip_markup

    from missionrag.ingest import chunk_with_tokens, load_file

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="missionrag-hostile-") as tmp:
        data = Path(tmp) / "data"
        shared_onnx(data)
        settings = settings_for(data)

        def new(text: str) -> None:
            path = Path(tmp) / "case.md"
            path.write_text(text, encoding="utf-8")
            chunk_with_tokens(load_file(path, settings), settings)

        def old(text: str) -> None:
            old_strip_markup(text)
            list(OLD_END.finditer(text))

        new("# warm\n\nup the tokenizer.\n")
        for name, make in CASES.items():
            n, o = args.size, args.old_size
            t1, t4 = timed(new, make(n)), timed(new, make(4 * n))
            o1, o4 = timed(old, make(o)), timed(old, make(4 * o))
            rows.append(
                {
                    "case": name,
                    "new_s": round(t1, 3),
                    "new_4x_s": round(t4, 3),
                    "new_ratio": round(t4 / max(t1, 1e-6), 1),
                    "old_s": round(o1, 3),
                    "old_4x_s": round(o4, 3),
                    "old_ratio": round(o4 / max(o1, 1e-6), 1),
                }
            )
            print(rows[-1], file=sys.stderr, flush=True)
    machine = machine_info()
    if not args.no_report:
        table = "\n".join(
            f"| {r['case']} | {r['new_s']:.3f} | {r['new_4x_s']:.3f} | {r['new_ratio']} "
            f"| {r['old_s']:.3f} | {r['old_4x_s']:.3f} | {r['old_ratio']} |"
            for r in rows
        )
        section = f"""## Hostile inputs

`bench/hostile.py` ({machine["date"]}): load + chunk time of pathological Markdown at
{args.size:,} and {4 * args.size:,} characters (now), and the patterns the loader and chunker
used before on {args.old_size:,} and {4 * args.old_size:,} characters (they do not finish at
the larger sizes: a 150 KB run of spaces took 71 s, 1 MB most of an hour). A ratio near 4 is
linear, 16 quadratic. Small times are noisy (tokenizer and Python overheads dominate).

| input | now, n (s) | now, 4n (s) | ratio | before, n (s) | before, 4n (s) | ratio |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{table}
"""
        write_section("Hostile inputs", section)
    emit({"hostile": rows})


if __name__ == "__main__":
    main()
