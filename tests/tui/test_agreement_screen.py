"""Agreement and frequency screens: blind-mode confirmation, sorting, counts, pictures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from helpers.disputed_project import build_disputed
from helpers.tui_project import code_id
from qualcode.analysis.agreement_report import AgreementRow
from qualcode.storage import Store
from qualcode.tui.adjudication_app import make_adjudication_app
from qualcode.tui.app import CodingApp, make_app
from qualcode.tui.dialogs.confirm import ConfirmDialog
from qualcode.tui.screens.agreement import AgreementScreen, sort_rows
from qualcode.tui.screens.frequencies import FrequenciesScreen, frequencies


@pytest.fixture
def disputed(tmp_path: Path) -> Iterator[Store]:
    """The project of disputed_project.py."""
    store = build_disputed(tmp_path / "study.qualcode")
    yield store
    store.close()


def row(level: str, path: str, kappa: float | None, n: int = 10) -> AgreementRow:
    return AgreementRow(level, 0, path, "a", "b", n, None, kappa, None, None, None, None,
                        None, None, None, None, None, None, None, None, "", "", 0, 0, 0)


def test_sorting_keeps_codes_under_their_theme_and_undefined_last() -> None:
    rows = [row("theme", "T1", 0.2), row("code", "T1/x", 0.9), row("code", "T1/y", None),
            row("code", "T1/z", 0.5), row("theme", "T2", 0.7), row("code", "T2/S/w", 0.1)]
    kappa = 3  # SORTS[3] is kappa
    assert [r.path for r in sort_rows(rows, kappa, descending=True)] == [
        "T2", "T2/S/w", "T1", "T1/x", "T1/z", "T1/y"]
    assert [r.path for r in sort_rows(rows, kappa, descending=False)] == [
        "T1", "T1/z", "T1/x", "T1/y", "T2", "T2/S/w"]
    assert sort_rows(rows, 0, descending=True) == rows
    codes = [r for r in rows if r.level == "code"]
    assert [r.path for r in sort_rows(codes, 1, True)] == [r.path for r in codes]  # n ties
    assert [r.path for r in sort_rows([replace(codes[0], n_units=1), *codes[1:]], 1, True)][-1] \
        == "T1/x"


def run(app: CodingApp, keys: list[str]) -> list[type]:
    """Press keys in the app; return the type of the screen after each key."""
    seen: list[type] = []

    async def go() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                seen.append(type(pilot.app.screen))

    asyncio.run(go())
    return seen


def test_blind_coder_is_asked_once_before_seeing_agreement(disputed: Store) -> None:
    seen = run(make_app(disputed, "alice"),
               ["ctrl+k", "n", "ctrl+k", "y", "q", "ctrl+k", "q", "ctrl+t"])
    names = [t.__name__ for t in seen]
    assert names == ["ConfirmDialog", "CodingScreen", "ConfirmDialog", "AgreementScreen",
                     "CodingScreen", "AgreementScreen", "CodingScreen", "FrequenciesScreen"]


def test_revealed_coder_is_not_asked(disputed: Store) -> None:
    seen = run(make_app(disputed, "alice", reveal=True), ["ctrl+t"])
    assert seen == [FrequenciesScreen]
    assert ConfirmDialog not in seen


def test_agreement_screen_lists_themes_then_codes_and_cycles_sort_and_level(
        disputed: Store) -> None:
    found: dict[str, object] = {}

    async def go() -> None:
        app = make_app(disputed, "alice", reveal=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+k")
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, AgreementScreen)
            table = screen.query_one(DataTable)
            found["first"] = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            found["header"] = str(screen.query_one("#agr-header").render())
            await pilot.press("l")  # themes only
            found["themes"] = table.row_count
            await pilot.press("s", "s", "s")  # kappa
            found["status"] = str(screen.query_one("#agr-status").render())

    asyncio.run(go())
    # Codebook order: each theme, then its codes indented; Insight is a code at top level.
    assert found["first"][:3] == ["Emotions", "\u00a0\u00a0Fear", "\u00a0\u00a0Relief"]
    assert "4 units counted" in str(found["header"])
    assert "excluded: 2 not done by any compared coder" in str(found["header"])
    assert found["themes"] == 4  # Emotions, Group process, Barriers, Insight (a root)
    assert "sorted by kappa ↓" in str(found["status"])


def test_frequencies_count_sources_per_code_and_theme(disputed: Store) -> None:
    names, counts = frequencies(disputed)
    assert names == ["alice", "bob"]
    book = disputed.codebook()
    emotions = book.find("Emotions")[0].id
    # By hand from disputed_project.py: bob has Fear and Relief on R001 only, so the
    # theme Emotions counts one source for him; Support twice (R002, R003).
    assert counts["bob"][emotions] == 1
    assert counts["bob"][code_id(disputed, "Support")] == 2
    assert counts["alice"][code_id(disputed, "Workload")] == 1
    assert code_id(disputed, "Relief") not in counts["alice"]


# -- pictures --------------------------------------------------------------------------------
def test_agreement_screen_at_80x24(disputed: Store, snap_compare) -> None:
    """The agreement screen of alice vs bob at 80x24: the status line 'Agreement: alice vs
    bob · both · unit source · sorted by codebook order'; the header '4 units counted
    (whole sources); excluded: 2 not done by any compared coder', pooled κ lines and the
    small-sample warning; the table has 'Emotions' in bold, then '  Fear' and '  Relief'
    indented, and for each row n = 4, %, κ and a CI bar made of '├', '─', '●', '┤' (or
    '◂'/'▸' at the scale's ends) on dots; undefined values show '–'."""
    async def open_it(pilot: Pilot) -> None:
        await pilot.pause()
        pilot.app.push_screen(AgreementScreen(disputed, ("alice", "bob")))
        await pilot.pause()

    assert snap_compare(make_app(disputed, "alice", reveal=True), terminal_size=(80, 24),
                        run_before=open_it)


def test_adjudication_screen_at_80x24(disputed: Store, snap_compare) -> None:
    """The adjudication screen on R001 at 80x24: status 'carol: alice vs bob · 0 of 2
    units settled · 3 code disagreements'; the unit line 'R001 · 1 of 2 · site.name north
    · study Jones2020'; left pane 'A: alice' lists '= [f] Fear (unit)', right pane 'B:
    bob' lists '≠ [e] Relief (unit)' first, then '= [f] Fear (unit)'; both show R001's
    text under a rule; the line above the footer reads '○ not settled · a / b / o (both)
    / n (neither) / e (edit)'; the footer lists a A, b B, o Both, n Neither, e Edit, u
    Undo, s Skip, c Report, ? Help, q Quit."""
    assert snap_compare(make_adjudication_app(disputed, "carol", "alice", "bob"),
                        terminal_size=(80, 24))
