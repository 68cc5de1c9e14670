"""Layering rules of design.md §2, enforced on every run."""

from __future__ import annotations

import ast
import re
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
    assert "Contracts: 6 kept, 0 broken" in result.stdout


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


SQL_STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|PRAGMA|WITH|BEGIN|COMMIT|"
    r"ROLLBACK|SAVEPOINT)\b")
"""A string that starts as an SQL statement does (keywords in capitals, as qualcode writes SQL)."""
SQL_FRAGMENT = re.compile(r"\b(FROM|JOIN|INTO)\s+[a-z_]+\b"
                          r"|\bWHERE\s+[\w.\"]+\s*(=|!=|<|>|IN\b|IS\b)"
                          r"|\bIS (NOT )?NULL\b|\bsubstr\(")
"""A piece of a query meant to be pasted into one (a table after FROM, a WHERE test, ...)."""
RAW_CONNECTION = {"db", "conn"}
"""Attributes that hold the SQLite connection (``store.db``, ``db.conn``)."""
RAW_HELPERS = {"write_transaction", "sqlite_db", "connect", "connect_readonly"}
"""Storage helpers that hand out or drive the SQLite connection itself."""


def _is_sql(text: str) -> bool:
    return bool(SQL_STATEMENT.search(text) or SQL_FRAGMENT.search(text))


def _sql_outside_storage(package: Path) -> list[str]:
    """Where a module outside ``storage/`` touches the connection or holds or imports SQL."""
    import importlib

    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "storage":
            continue
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in RAW_CONNECTION:
                found.append(f"{where}:{node.lineno} uses .{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and _is_sql(node.value):
                found.append(f"{where}:{node.lineno} holds SQL {node.value.strip()[:40]!r}")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 \
                    and (node.module or "").startswith("qualcode.storage"):
                module = importlib.import_module(node.module or "")
                for alias in node.names:
                    value = getattr(module, alias.name, None)
                    if alias.name in RAW_HELPERS or (isinstance(value, str) and _is_sql(value)):
                        found.append(f"{where}:{node.lineno} imports {alias.name}")
    return found


def test_sql_and_the_connection_stay_in_storage() -> None:
    """Only qualcode/storage/ runs SQL: every other layer asks the store by name (Part 11)."""
    found = _sql_outside_storage(ROOT / "qualcode")
    assert not found, ("SQL or the raw connection outside qualcode/storage/ (add a named "
                       "Store method or storage function instead):\n" + "\n".join(found))


def test_the_sql_scan_finds_each_kind_of_leak(tmp_path: Path) -> None:
    package = tmp_path / "qualcode"
    (package / "storage").mkdir(parents=True)
    (package / "storage" / "inside.py").write_text('X = store.db.execute("SELECT 1")\n')
    (package / "tui").mkdir()
    (package / "tui" / "leaks.py").write_text(
        'rows = store.db.execute("SELECT id FROM codes")\n'
        "conn = store.db.conn\n"
        'clause = f"WHERE r.layer = ? AND {x}"\n'
        "pragma = ' PRAGMA wal_checkpoint(TRUNCATE)'\n"
        "from qualcode.storage.queue import LIVE\n"
        "from qualcode.storage.connection import write_transaction\n"
        'help_text = "Select by character or line; delete the code"\n'
        "from qualcode.storage.queue import QueueFilter\n")
    leaks = "qualcode/tui/leaks.py"
    assert sorted(_sql_outside_storage(package)) == sorted([
        f"{leaks}:1 uses .db", f"{leaks}:1 holds SQL 'SELECT id FROM codes'",
        f"{leaks}:2 uses .conn", f"{leaks}:2 uses .db",
        f"{leaks}:3 holds SQL 'WHERE r.layer = ? AND'",
        f"{leaks}:4 holds SQL 'PRAGMA wal_checkpoint(TRUNCATE)'",
        f"{leaks}:5 imports LIVE", f"{leaks}:6 imports write_transaction"])
