"""Cold start: wall time of fresh processes, ours against `import sentence_transformers`.

"Cold" means a new Python process each time (imports, model and store loading all paid
again); the OS file cache is warmed by one untimed run of each command first, so we measure
our start-up work, not the disk. Commands run round-robin so that load from other users on
the machine spreads over all of them alike; the median of the runs is reported.

Usage: python bench/coldstart.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import MISSIONRAG, PYTHON, REPO, bench_env, emit, shared_onnx

STATEMENT = "By 2030, cut child poverty in half in every region through housing, health and jobs."
QUESTION = "How should a mission be measured?"
QUERY = "cross-sectoral collaboration on missions"
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "llama_index",
    "chromadb",
    "onnxruntime",
    "sklearn",
)

# What a command imports, recorded in an untimed run: the reason behind each number.
PROBE = """
import json, sys
sys.argv = ["missionrag", *json.loads(sys.argv[1])]
from missionrag.cli import main
try:
    main()
except SystemExit:
    pass
finally:
    sys.stderr.write("\\nHEAVY " + json.dumps([m for m in %r if m in sys.modules]) + "\\n")
"""


def commands() -> dict[str, list[str]]:
    return {
        "import sentence_transformers (baseline)": [
            str(PYTHON),
            "-c",
            "import sentence_transformers",
        ],
        "python -c pass": [str(PYTHON), "-c", "pass"],
        "missionrag --help": [str(MISSIONRAG), "--help"],
        "missionrag check --json": [str(MISSIONRAG), "check", STATEMENT, "--json"],
        "missionrag search --json": [str(MISSIONRAG), "search", QUERY, "--json"],
        "missionrag ask --json": [str(MISSIONRAG), "ask", QUESTION, "--json"],
    }


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return time.perf_counter() - t0, proc.returncode, proc.stderr.strip()[-300:]


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str] | None:
    code = PROBE % (list(HEAVY),)
    proc = subprocess.run(
        [str(PYTHON), "-c", code, json.dumps(args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    for line in proc.stderr.splitlines():
        if line.startswith("HEAVY "):
            found: list[str] = json.loads(line[6:])
            return found
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    opts = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mr-bench-cold-"))
    try:
        data = tmp / "data"
        shared_onnx(data)
        env = bench_env(data)
        ingest = subprocess.run(
            [str(MISSIONRAG), "ingest", "corpus/", "--json"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if ingest.returncode != 0:
            raise SystemExit(f"ingest failed: {ingest.stderr.strip()[-500:]}")
        chunks = json.loads(ingest.stdout.strip().splitlines()[-1]).get("chunks_total")

        cmds = commands()
        times: dict[str, list[float]] = {name: [] for name in cmds}
        errors: dict[str, str] = {}
        for name, cmd in cmds.items():  # warm the file cache, untimed
            _, code, err = timed(cmd, env)
            if code != 0:
                errors[name] = f"exit {code}: {err}"
        for _ in range(opts.runs):
            for name, cmd in cmds.items():
                dt, code, err = timed(cmd, env)
                times[name].append(dt)
                if code != 0:
                    errors[name] = f"exit {code}: {err}"
        imports = {
            name: heavy_imports(cmd[1:], env)
            for name, cmd in cmds.items()
            if name.startswith("missionrag")
        }
        base = statistics.median(times["import sentence_transformers (baseline)"])
        rows = []
        for name, ts in times.items():
            med = statistics.median(ts)
            rows.append(
                {
                    "command": name,
                    "median_s": round(med, 3),
                    "min_s": round(min(ts), 3),
                    "max_s": round(max(ts), 3),
                    "ratio": round(med / base, 3),
                    "heavy_imports": imports.get(name),
                    "error": errors.get(name),
                }
            )
        emit(
            {"runs": opts.runs, "corpus_chunks": chunks, "baseline_s": round(base, 3), "rows": rows}
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
