"""``python -m missionrag_evals WHAT [--split dev|test|all] [--kb seed|big|both]``.

``missionrag eval`` calls ``main`` with the same arguments. ``--split test`` reads the
questions kept untouched while settings were chosen; run it once the settings are final.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from missionrag_evals import data

WHAT = ("retrieval", "ask", "check", "quiz", "followups", "language", "all")


def run(what: str, split: str = "all", kb: str = "both", labels: Path | None = None) -> str:
    splits = {"dev", "test"} if split == "all" else {split}
    kbs = ("seed", "big") if kb == "both" else (kb,)
    names = ["retrieval", "ask", "check", "quiz"] if what == "all" else [what]
    out = []
    for name in names:
        if name == "retrieval":
            from missionrag_evals import retrieval

            path = retrieval.write_report(retrieval.run(splits, kbs), splits)
        elif name == "ask":
            from missionrag_evals import ask

            path = ask.write_report(ask.run(splits, kbs), splits)
        elif name in ("followups", "language"):
            # Their own splits: follow-ups choose on odd ids; language reads dev rows only.
            import importlib

            importlib.import_module(f"missionrag_evals.{name}").main()
            path = f"evals/reports/{name}.md"
        else:
            path = _seed_eval(name, labels)
        out.append(f"{name}: report in {path}")
    if "big" in kbs and not data.corpus_b_available():
        out.append("corpus B is not built: run `python evals/corpus_b/build.py` (see its README)")
    return "\n".join(out)


def _seed_eval(name: str, labels: Path | None = None) -> str:
    """The check and quiz evals, on the seed corpus."""
    from missionrag_evals.kbs import build

    kb = build("seed")
    if name == "check":
        from missionrag_evals.check_eval import DEV_LABELS, run_check_eval

        summary, _ = run_check_eval(labels or DEV_LABELS, settings=kb.settings)
    else:
        from missionrag_evals.quiz_eval import run_quiz_eval

        summary, _ = run_quiz_eval(kb)
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="missionrag eval")
    ap.add_argument("what", choices=WHAT, nargs="?", default="all")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    ap.add_argument("--kb", choices=("seed", "big", "both"), default="both")
    ap.add_argument("--labels", type=Path, default=None)
    args = ap.parse_args(argv)
    print(run(args.what, args.split, args.kb, args.labels))


if __name__ == "__main__":
    main()


def run_llm(names: list[str], every: int = 1, **overrides: object) -> str:
    """``--llm``: the ask and check evals through the configured LLM, beside the offline ones."""
    from missionrag.errors import InputError
    from missionrag_evals.kbs import build

    names = [n for n in names if n in ("ask", "check")]
    if not names:
        raise InputError("--llm applies to the ask and check evals")
    kb = build("seed", **overrides)
    if kb.llm is None:
        raise InputError(
            "--llm needs an LLM: set MISSIONRAG_LLM_URL (e.g. `missionrag llm serve` in another "
            "shell, then MISSIONRAG_LLM_URL=http://127.0.0.1:8080/v1)"
        )
    out = []
    for name in names:
        if name == "ask":
            from missionrag_evals.ask_llm import run_ask_llm_eval

            summary, _ = run_ask_llm_eval(kb, kb.embedder, kb.settings, kb.llm, every=every)
        else:
            from missionrag_evals.check_llm import run_check_llm_eval

            summary, _ = run_check_llm_eval(kb.settings, kb.llm, every=every)
        out.append(summary)
    return "\n".join(out)
