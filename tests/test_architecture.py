"""Layering rules of design.md §2, enforced on every run."""

from __future__ import annotations

import ast
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


def _imports_of_test_modules(tests: Path) -> list[str]:
    """Imports, in the test files under ``tests``, of another test file (not helpers/, conftest).

    pytest puts every test folder on the path, so ``import robust_harness`` or
    ``from test_theme_table import X`` would work; shared code belongs in tests/helpers/.
    """
    files = [p for p in tests.rglob("*.py") if "__pycache__" not in p.parts]
    helpers = tests / "helpers"
    private = {p.stem for p in files if helpers not in p.parents and p.stem != "conftest"}
    folders = {p.name for p in tests.iterdir() if p.is_dir() and p != helpers}
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            for name in names:
                first = name.split(".")[0]
                if name.startswith(".") or first in private or first in folders:
                    found.append(f"{path.relative_to(tests)}:{node.lineno} imports {name}")
    return found


def test_tests_import_no_other_test_module(tmp_path: Path) -> None:
    """Shared test code lives in tests/helpers/ (or a conftest), never in a test module."""
    assert _imports_of_test_modules(ROOT / "tests") == []
    # The scan itself catches each kind of cross-test import.
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "shared.py").write_text("X = 1\n")
    (tmp_path / "tui").mkdir()
    (tmp_path / "tui" / "tui_project.py").write_text("Y = 2\n")
    (tmp_path / "test_a.py").write_text("from helpers.shared import X\nimport conftest\n")
    (tmp_path / "test_b.py").write_text(
        "from test_a import X\nimport tui_project\nfrom tui.tui_project import Y\n"
        "from . import test_a\n")
    assert _imports_of_test_modules(tmp_path) == [
        "test_b.py:1 imports test_a", "test_b.py:2 imports tui_project",
        "test_b.py:3 imports tui.tui_project", "test_b.py:4 imports ."]
