"""Helpers shared by test modules: ``from tests.helpers.<module> import ...``.

Test modules import helpers from here and never from each other (see the
docstring of ``tests/conftest.py`` for how ``tests`` is importable).
"""
from pathlib import Path

#: The repository root. Tests build every path to a file of the repository
#: from it, so that they pass from any working directory.
REPO = Path(__file__).resolve().parents[2]
