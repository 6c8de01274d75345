"""``python -m missionrag_evals WHAT [--split dev|test|all] [--kb seed|big|both]``.

``missionrag eval`` calls ``main`` with the same arguments. ``--split test`` reads the
questions kept untouched while settings were chosen; run it once the settings are final.
"""

from __future__ import annotations

import argparse

from missionrag_evals import data

WHAT = ("retrieval", "ask", "check", "quiz", "followups", "language", "all")


def run(what: str, split: str = "all", kb: str = "both") -> str:
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
            path = _legacy(name)
        out.append(f"{name}: report in {path}")
    if "big" in kbs and not data.corpus_b_available():
        out.append("corpus B is not built: run `python evals/corpus_b/build.py` (see its README)")
    return "\n".join(out)


def _legacy(name: str) -> str:
    """The check and quiz evals still run inside the product package."""
    from missionrag_evals.kbs import build

    kb = build("seed")
    if name == "check":
        from missionrag.check.evaluate import run_check_eval

        summary, _ = run_check_eval(settings=kb.settings)
    else:
        from missionrag.quiz.evaluate import run_quiz_eval

        summary, _ = run_quiz_eval(kb)
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="missionrag eval")
    ap.add_argument("what", choices=WHAT, nargs="?", default="all")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    ap.add_argument("--kb", choices=("seed", "big", "both"), default="both")
    args = ap.parse_args(argv)
    print(run(args.what, args.split, args.kb))


if __name__ == "__main__":
    main()
