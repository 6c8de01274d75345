"""Command line: a thin edge over ``KnowledgeBase``. Parse, call, format; nothing else.

``app.py`` holds the ``main`` group and the helpers every command shares; each module beside
it holds a few commands, and this file registers them on ``main`` (no command module imports
this one). Heavy modules are imported inside the commands that need them, so ``--help``
stays instant. The console script is ``missionrag = "missionrag.cli:main"`` (pyproject.toml).
"""

from __future__ import annotations

from missionrag.cli.admin import collections, config, serve, warmup
from missionrag.cli.app import main
from missionrag.cli.ask import ask, search
from missionrag.cli.chat import chat
from missionrag.cli.check import check, check_doc
from missionrag.cli.evals import eval_
from missionrag.cli.ingest import ingest, status
from missionrag.cli.llm import llm_group
from missionrag.cli.quiz import quiz

for command in (ingest, status, search, ask, chat, check, check_doc, quiz, eval_):
    main.add_command(command)
for command in (serve, config, warmup, collections, llm_group):
    main.add_command(command)

__all__ = ["main"]
