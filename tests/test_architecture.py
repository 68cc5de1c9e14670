"""Layering rules of design.md §2, enforced on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    """The contracts in pyproject.toml: layers, and who may import Textual, spaCy, scikit-learn."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken" in result.stdout


def test_importing_the_cli_loads_neither_textual_nor_spacy() -> None:
    code = ("import sys, qualcode.cli; "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'textual', 'spacy', 'sklearn', 'thinc'}); print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


def test_every_command_has_help() -> None:
    runner = CliRunner()
    seen = 0
    for path, command in _commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert (command.help or "").strip(), f"qualcode {' '.join(path)} has no help text"
        assert "Usage:" in result.output
        seen += 1
    assert seen >= 2
