"""The coding screen in a coder's words (issue 17, item 3): what an undo or redo took back
names the code and the unit, and a unit done with no code reads as a decision."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from helpers.tui_project import build_project
from qualcode.storage import Store
from qualcode.tui.app import make_app
from qualcode.tui.widgets.unit_header import UnitHeader


def _plain(widget: Static) -> str:
    return str(widget.render())


def _run(store: Store, keys: list[str], *, size: tuple[int, int] = (120, 30)
         ) -> tuple[list[str], list[str]]:
    """Press ``keys`` one by one; return the text-status line and the header after each."""
    app = make_app(store, "alice")
    lines: list[str] = []
    headers: list[str] = []

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                screen = app.screen
                lines.append(_plain(screen.query_one("#text-status", Static)))
                headers.append(_plain(screen.query_one(UnitHeader)))

    asyncio.run(run())
    return lines, headers


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Store]:
    store = build_project(tmp_path / "study.qualcode")
    yield store
    store.close()


@pytest.mark.parametrize(("keys", "expected"), [
    (["f", "u"], "undid: +Fear on R001 (whole unit)"),
    (["s", "u"], "undid: +Support on R001 (whole unit)"),
    (["f", "u", "r"], "redid: +Fear on R001 (whole unit)"),
    (["alt+down", "f", "u"], "undid: +Fear on R001 (characters 0-35)"),
    (["d", "u"], "undid: done mark on R001"),
])
def test_undo_and_redo_name_the_code_and_the_unit(project: Store, keys: list[str],
                                                  expected: str) -> None:
    lines, _ = _run(project, keys)
    assert lines[-1].startswith(expected), lines[-1]
    assert "coding.add" not in lines[-1] and "coding added" not in lines[-1]


def test_undo_of_a_removal_names_it_with_a_minus(project: Store) -> None:
    lines, _ = _run(project, ["f", "f", "u"])  # the second f takes Fear off again
    assert lines[-1].startswith("undid: -Fear on R001 (whole unit)"), lines[-1]


def test_the_screen_shows_a_unit_done_with_no_code_as_a_decision(project: Store) -> None:
    alice = project.coder("alice")
    done = project.whole_unit(project.source_by_external_id("R002").id).id
    project.mark_done(done, alice.id)
    app = make_app(project, "alice")
    shown: list[str] = []

    async def run() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            shown.append(_plain(app.screen.query_one(UnitHeader)))  # R001, open, no code
            app.screen.open_unit(done)
            await pilot.pause()
            shown.append(_plain(app.screen.query_one(UnitHeader)))

    asyncio.run(run())
    assert "not done  no codes yet" in shown[0]
    assert "✓ done — no code applies" in shown[1] and "no codes yet" not in shown[1]


def test_header_of_a_done_unit_without_codes(project: Store) -> None:
    from qualcode.tui.session import CodingSession
    from qualcode.tui.widgets.unit_header import header_text

    alice = project.coder("alice")
    unit = project.whole_unit(project.source_by_external_id("R002").id)
    project.mark_done(unit.id, alice.id)
    session = CodingSession(project, alice)
    session.open(unit.id)
    done = header_text(session.view, session.codebook, {}).plain
    assert "✓ done — no code applies" in done and "no codes yet" not in done
    other = project.whole_unit(project.source_by_external_id("R003").id)
    session.open(other.id)
    open_unit = header_text(session.view, session.codebook, {}).plain
    assert "○ not done  no codes yet" in open_unit and "no code applies" not in open_unit
