"""Shared helpers for the benchmarks: paths, environment, machine info, synthetic text.

Every benchmark script runs as its own process (so one's imports and memory never leak into
another's numbers), prints one JSON object as its last stdout line, and is driven by
``bench/run.py``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache"
PYTHON = Path(sys.executable)
MISSIONRAG = PYTHON.parent / "missionrag"

# One ONNX export shared by every temporary data dir in the benchmarks (each data dir gets a
# ``models`` symlink to it), so no benchmark pays for, or times, a second export.
ONNX_HOME = CACHE / "onnx-home"

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def bench_env(data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """Offline, no LLM, default settings: what a user gets from a fresh `make run`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MISSIONRAG_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    if data_dir is not None:
        env["MISSIONRAG_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def settings_for(data_dir: Path, **overrides: Any) -> Any:
    """Settings for a bench data dir, ignoring the developer's own MISSIONRAG_* variables."""
    for key in [k for k in os.environ if k.startswith("MISSIONRAG_")]:
        del os.environ[key]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from missionrag.config import Settings

    return Settings(data_dir=data_dir, _env_file=None, **overrides)  # type: ignore[call-arg]


def shared_onnx(data_dir: Path) -> None:
    """Point ``data_dir/models`` at the shared export, exporting it once if needed."""
    from missionrag.index.onnx_embed import ensure_onnx_model

    ensure_onnx_model(settings_for(ONNX_HOME))
    data_dir.mkdir(parents=True, exist_ok=True)
    link = data_dir / "models"
    if not link.exists():
        link.symlink_to(ONNX_HOME / "models", target_is_directory=True)


def dir_size(path: Path, skip: Sequence[str] = ("models",)) -> int:
    """Bytes on disk under ``path`` (allocated blocks; symlinks and ``skip`` not followed)."""
    total = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in skip]
        for f in files:
            p = Path(root) / f
            if not p.is_symlink():
                total += p.stat().st_blocks * 512
    return total


def emit(result: dict[str, Any]) -> None:
    """The one line ``run.py`` reads back from a benchmark process."""
    print(json.dumps(result), flush=True)


def run_json(args: list[str], timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a benchmark script; return its JSON result (or the error it died with)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        args, cwd=REPO, env=env or bench_env(), capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        return {"error": "\n".join(tail), "seconds": round(time.perf_counter() - t0, 1)}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    out: dict[str, Any] = json.loads(lines[-1])
    out.setdefault("seconds", round(time.perf_counter() - t0, 1))
    return out


def machine_info() -> dict[str, Any]:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    versions = {}
    for mod in ("onnxruntime", "torch", "sentence_transformers", "chromadb", "bm25s", "tokenizers"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod.replace("_", "-"))
        except Exception:
            versions[mod] = "?"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": cores,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


# --------------------------------------------------------------------------- synthetic text


def corpus_words() -> list[str]:
    """The corpus as a word stream (front matter and markup dropped): the generator's source."""
    words: list[str] = []
    for path in sorted((REPO / "corpus").glob("*")):
        if path.name == "SOURCES.md" or path.suffix not in {".md", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            text = text.split("---", 2)[-1]
        text = re.sub(r"<[^>]+>", " ", text)
        words += re.findall(r"[A-Za-z][A-Za-z'-]*|[0-9]+|[.,;:?!]", text)
    return words


class TextGenerator:
    """A word-bigram model of the corpus: fluent-looking, on-topic, never copied text.

    Keyword search and the embedding model see the corpus's vocabulary and word statistics,
    which is what a larger collection of mission literature would look like to them.
    """

    def __init__(self, seed: int = 7) -> None:
        words = corpus_words()
        self.rng = random.Random(seed)
        self.next: dict[str, list[str]] = defaultdict(list)
        for a, b in zip(words, words[1:], strict=False):
            self.next[a.lower()].append(b)
        self.starts = [
            b for a, b in zip(words, words[1:], strict=False) if a == "." and b[0].isupper()
        ]
        counts = Counter(w.lower() for w in words if _WORD.fullmatch(w) and len(w) > 3)
        self.vocab = [w for w, _ in counts.most_common()]

    def sentence(self, max_words: int = 28) -> str:
        w = self.rng.choice(self.starts)
        out = [w]
        for _ in range(max_words):
            options = self.next.get(w.lower())
            if not options:
                break
            w = self.rng.choice(options)
            if w == ".":
                break
            out.append(w)
        text = " ".join(out)
        text = re.sub(r" ([.,;:?!])", r"\1", text).rstrip(",;:")
        return text + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def words_text(self, n: int) -> str:
        """About ``n`` words of sentences."""
        parts: list[str] = []
        count = 0
        while count < n:
            s = self.sentence()
            parts.append(s)
            count += len(s.split())
        return " ".join(parts)

    def title(self) -> str:
        picks = self.rng.sample(self.vocab[:400], 4)
        return " ".join(w.capitalize() for w in picks)

    def query(self) -> str:
        """A short question-like query from the corpus vocabulary."""
        n = self.rng.randint(3, 8)
        words = self.rng.sample(self.vocab[:1500], n)
        stem = self.rng.choice(["How do", "What are", "Why do", "Which", "How can", ""])
        return (stem + " " + " ".join(words)).strip() + "?"


def write_section(title: str, section: str) -> Path:
    """Replace the ``## <title>`` section of ``bench/REPORT.md`` (or append it), keep the rest."""
    path = BENCH / "REPORT.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")
    return path
