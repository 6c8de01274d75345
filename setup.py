"""Packages for setuptools; everything else is in pyproject.toml.

pyproject.toml alone cannot both discover the packages under src/ and add
``missionrag.prompts`` (the top-level prompts/ folder, mapped in its package-dir). Namespace
discovery, as pyproject's default was, so data/ and web/ count as packages too.
"""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages("src", include=["missionrag*"]), "missionrag.prompts"])
