"""Prompt templates, one Markdown file per LLM call; installed as ``missionrag.prompts``.

A package (not a bare folder) so that editable installs find it too: setuptools maps
``missionrag.prompts`` to this folder (pyproject.toml, package-dir).
"""
