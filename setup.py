"""Packages for setuptools; everything else is in pyproject.toml.

pyproject.toml alone cannot both discover the packages under src/ and add
``missionrag.prompts`` (the top-level prompts/ folder, mapped in its package-dir).
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages("src"), "missionrag.prompts"])
