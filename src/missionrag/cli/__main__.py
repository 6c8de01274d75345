"""``python -m missionrag.cli``: the same as the ``missionrag`` command."""

from missionrag.cli import main

main()
