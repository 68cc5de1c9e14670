"""qualcode log on a narrow terminal: id, time, coder and action whole, details folded below."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.tui_project import build_project, code_id, unit_of
from qualcode.cli import main

CODERS = ("alexandra_long_name", "bo", "Zoë Ångström-Øster")


def _project(tmp_path: Path) -> Path:
    """A project where each coder codes a span and marks a unit done (long payloads)."""
    path = tmp_path / "p.qualcode"
    with build_project(path) as store:
        for number, name in enumerate(CODERS, start=1):
            coder = store.coder(name)
            source = store.source_by_external_id(f"R00{number}")
            store.add_coding(coder.id, source.id, code_id(store, "Fear"), 0, 10)
            store.mark_done(unit_of(store, f"R00{number}"), coder.id)
    return path


def _log(path: Path, columns: int, *args: str) -> str:
    result = CliRunner().invoke(main, ["log", str(path), "--last", "6", *args],
                                env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("columns", [72, 80, 90])
def test_narrow_log_keeps_each_event_line_whole_and_folds_details(tmp_path: Path,
                                                                   columns: int) -> None:
    path = _project(tmp_path)
    output = _log(path, columns)
    lines = output.splitlines()
    assert all(len(line) <= columns for line in lines)
    assert "…" not in output  # nothing cut: the payloads here are short of PAYLOAD_WIDTH
    events = [k for k, line in enumerate(lines) if line[:1].isdigit()]
    assert len(events) == 6
    for name in CODERS:
        shown = [lines[k] for k in events if name in lines[k]]
        assert len(shown) == 2, (name, output)  # its coding and its done mark, name whole
        assert any("coding.add" in line for line in shown)
        assert any("review.done" in line for line in shown)
    for k in events:
        assert lines[k].split()[1].count("-") == 2  # the date, whole
        assert lines[k + 1].startswith("      {")  # the payload, on the next line
    assert '"layer": "coder"' in output


def test_wide_log_is_still_one_table_row_per_event(tmp_path: Path) -> None:
    output = _log(_project(tmp_path), 200)
    rows = [line for line in output.splitlines() if "review.done" in line]
    assert len(rows) == 3 and all('"unit_id"' in row and "│" in row for row in rows)


def test_narrow_log_of_one_coder_and_of_an_undo(tmp_path: Path) -> None:
    path = _project(tmp_path)
    assert CliRunner().invoke(main, ["undo", str(path), "--coder", "bo"]).exit_code == 0
    output = _log(path, 80, "--coder", "bo")
    lines = output.splitlines()
    undo = next(k for k, line in enumerate(lines) if " undo" in line)
    assert "bo" in lines[undo] and lines[undo + 1].strip().startswith("event ")
