"""The evaluation runner: labelled cases, metrics and reports, outside the product package.

It calls only the public ``KnowledgeBase`` API (and settings), so what it measures is what a
user gets. Run from a source checkout: ``missionrag eval ...`` (which puts ``evals/`` on the
path) or ``python -m missionrag_evals ...`` with ``evals/`` on ``PYTHONPATH``.
"""

from pathlib import Path

EVALS = Path(__file__).resolve().parents[1]  # the evals/ folder of the repository
REPO = EVALS.parent
REPORTS = EVALS / "reports"
