"""The README documents what exists: its keyboard table and every command it shows."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TOOL = ROOT / "tools" / "update_keyboard_docs.py"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_keyboard_table_is_the_key_table() -> None:
    """The README's keyboard section is generated from qualcode/tui/keys.py."""
    pytest.importorskip("textual")
    spec = importlib.util.spec_from_file_location("update_keyboard_docs", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    block = re.search(r"<!-- keyboard:start[^>]*-->\n(.*?)\n<!-- keyboard:end -->", _readme(),
                      re.S)
    assert block, "the README lost its keyboard block"
    expected = tool.readme_keyboard_block()
    assert block.group(1) == expected, "run: .venv/bin/python tools/update_keyboard_docs.py"


def _documented_commands() -> list[list[str]]:
    """Every `qualcode ...` line inside the README's shell code blocks, as argument lists."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", _readme(), re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("qualcode "):
                commands.append(shlex.split(line)[1:])
    return commands


def _command_path(args: list[str]) -> list[str]:
    """The subcommand words of an argument list (up to the first argument or option)."""
    group = main
    path: list[str] = []
    for word in args:
        commands = getattr(group, "commands", None)
        if not commands or word not in commands:
            break
        path.append(word)
        group = commands[word]
    return path


@pytest.mark.parametrize("args", _documented_commands(), ids=lambda a: " ".join(a[:3]))
def test_every_documented_command_exists_and_parses(args: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Each README command names a real (sub)command whose options parse.

    A command may leave PROJECT out where the README exported QUALCODE_PROJECT before it.
    """
    monkeypatch.setenv("QUALCODE_PROJECT", "exported.qualcode")
    if args[:1] == ["--project"]:  # given before the command: it is the command's option
        args = [*args[2:], *args[:2]]
    if args == ["--help"]:
        assert CliRunner().invoke(main, args).exit_code == 0
        return
    path = _command_path(args)
    assert path, f"unknown command in README: qualcode {' '.join(args)}"
    command = main
    for word in path:
        command = command.commands[word]
    # Strict parsing: an option the command does not have fails here, without running it.
    context = command.make_context(" ".join(path), list(args[len(path):]))
    assert context.params is not None
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
