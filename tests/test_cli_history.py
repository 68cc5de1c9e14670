"""qualcode log / undo / redo: the event log and each coder's undo stack from the shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.store_engines import ENGINES, engine_location
from qualcode.cli import main
from qualcode.model import CodeKind
from qualcode.storage import Store


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(params=ENGINES)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """An empty project: a file, and a server project (helpers.store_engines)."""
    yield from engine_location(request, tmp_path)


def _project(path: Path) -> Path:
    with Store.open(path) as store:
        store.add_code("Communication", kind=CodeKind.THEME)
    return path


def _names(path: Path) -> list[str]:
    with Store.open(path) as store:
        return [code.name for code in store.codebook()]


def test_undo_and_redo_a_codebook_edit_from_the_shell(where: Path) -> None:
    path = _project(where)
    assert _run("codebook", "add", path, "Listening", "--parent", "Communication",
                "--coder", "alice").exit_code == 0
    assert "Listening" in _names(path)
    undone = _run("undo", path, "--coder", "alice")
    assert undone.exit_code == 0 and "new code Listening" in undone.output
    assert "Listening" not in _names(path)
    assert _run("redo", path, "--coder", "alice").exit_code == 0
    assert "Listening" in _names(path)
    nothing = _run("redo", path, "--coder", "alice")
    assert nothing.exit_code == 0 and "Nothing more to redo for alice" in nothing.output


def test_undo_steps_stop_at_the_bottom_of_the_stack(where: Path) -> None:
    path = _project(where)
    for name in ("A", "B"):
        assert _run("codebook", "add", path, name, "--coder", "bob").exit_code == 0
    result = _run("undo", path, "--coder", "bob", "--steps", "5")
    assert result.output.count("Undid event") == 2
    assert "Nothing more to undo for bob" in result.output
    assert _names(path) == ["Communication"]


def test_log_lists_events_with_their_coder_and_undo_links(where: Path) -> None:
    path = _project(where)
    assert _run("codebook", "add", path, "Listening", "--coder", "alice").exit_code == 0
    assert _run("undo", path, "--coder", "alice").exit_code == 0
    lines = _run("log", path, "--coder", "alice", "--format", "jsonl").output.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["action"] for e in events] == ["code.add", "undo"]
    assert events[1]["undoes"] == events[0]["id"] and {e["coder"] for e in events} == {"alice"}
    table = _run("log", path, "--last", "1")
    assert table.exit_code == 0 and "undo" in table.output and "code.add" not in table.output


def test_unknown_coder_is_one_clear_line(where: Path) -> None:
    result = _run("undo", _project(where), "--coder", "zed")
    assert result.exit_code == 1
    assert result.output.strip().endswith("no coder named 'zed' (coders: none yet)")
