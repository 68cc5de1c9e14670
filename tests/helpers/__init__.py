"""Helpers shared by several test modules (project builders, the CLI harness, file layouts).

Test modules import from here (``from helpers.tui_project import build_project``; pytest puts
``tests/`` on the path, see ``pythonpath`` in pyproject.toml), never from one another:
tests/test_architecture.py checks it.
"""
