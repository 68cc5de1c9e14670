"""One key table for every screen: bindings, help and palette entries come from keys.py."""

from __future__ import annotations

import asyncio

import pytest
from textual.binding import Binding

from qualcode.storage import Store
from qualcode.tui.app import CodingApp, make_app
from qualcode.tui.keys import (
    ADJUDICATION,
    AGREEMENT,
    APP,
    CODING,
    FREQUENCIES,
    KEYS,
    bindings,
    help_rows,
    palette_entries,
)
from qualcode.tui.screens.adjudication import AdjudicationScreen
from qualcode.tui.screens.agreement import AgreementScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.frequencies import FrequenciesScreen

SCREENS = {CODING: CodingScreen, APP: CodingApp, AGREEMENT: AgreementScreen,
           FREQUENCIES: FrequenciesScreen, ADJUDICATION: AdjudicationScreen}


def _bound(owner: type) -> list[tuple[str, str, str, bool]]:
    return [(b.key, b.action, b.description, b.show) for b in owner.BINDINGS
            if isinstance(b, Binding)]


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_screens_bindings_are_the_tables_rows(screen: str) -> None:
    assert _bound(SCREENS[screen]) == bindings(screen=screen)
    assert bindings(screen=screen), "a screen with no rows in the table"


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_no_key_is_bound_twice_on_one_screen(screen: str) -> None:
    keys = [k for keys, *_ in bindings(screen=screen) for k in keys.split(",")]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_bound_action_exists_on_its_screen(screen: str) -> None:
    for _, action, *_ in bindings(screen=screen):
        name = action.split("(")[0]
        assert hasattr(SCREENS[screen], f"action_{name}"), (screen, action)


def test_help_rows_name_every_shown_key_of_their_screen() -> None:
    assert ("→", "Next disputed unit (settled or not)") in help_rows(ADJUDICATION)
    assert [k for k, _ in help_rows(FREQUENCIES)] == ["p", "?", "q", "escape"]
    assert all(key.screen in SCREENS for key in KEYS)


def test_palette_entries_carry_the_first_key() -> None:
    titles = [title for title, _, _ in palette_entries(CODING)]
    assert "Search units (/)" in titles and "Help (?)" in titles
    assert "Next unit (ctrl+down)" in titles and "Mark not done" in titles
    assert "Remove coding under cursor (delete)" in titles
    assert [t for t, _, _ in palette_entries(APP)] == [
        "Agreement with other coders (ctrl+k)", "Code frequencies (ctrl+t)"]
    for _, _, action in palette_entries(CODING):
        assert hasattr(CodingScreen, f"action_{action}"), action



def test_the_palettes_statistics_entries_open_their_screens(project: Store) -> None:
    opened: list[str] = []

    async def run() -> None:
        app = make_app(project, "alice", reveal=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            for title in ("Code frequencies (ctrl+t)", "Agreement with other coders (ctrl+k)"):
                app.call_later(commands[title].callback)
                await pilot.pause()
                await pilot.pause()
                opened.append(type(app.screen).__name__)
                app.pop_screen()
                await pilot.pause()

    asyncio.run(run())
    assert opened == ["FrequenciesScreen", "AgreementScreen"]
