"""The coding screen on a PostgreSQL server project, driven by Textual's Pilot.

A coder's session dropped mid-work (the server restarted, the network cut: here the
backend is ended with ``pg_terminate_backend``) costs exactly one key: it is said in one
line and not stored, the next key reconnects and is stored. Another coder's work, made
from another connection, shows in the "Other coders" pane when the screen redraws with
``--reveal``, and never while coding blind.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest
from textual.pilot import Pilot

from helpers.pilot import drive
from helpers.store_engines import drop_project
from helpers.tui_project import build_project, code_id
from qualcode.storage import Store
from qualcode.tui.app import CodingApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.others_pane import OthersPane

_names = itertools.count()


@pytest.fixture
def on_server(pg_server_url: str) -> Iterator[tuple[Store, str]]:
    """The coding-screen test project as a server project: (its store, its URL)."""
    name = f"tui{os.getpid()}_{next(_names)}"
    url = f"{pg_server_url}{'&' if '?' in pg_server_url else '?'}project={name}"
    store = build_project(url)
    yield store, url
    store.close()
    drop_project(pg_server_url, name)


@pytest.fixture
def no_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """No timed codebook poll: the key after the drop is the first to meet it."""
    monkeypatch.setattr(CodingScreen, "_poll_codebook", lambda self: None)


def codes_of(url: str, coder: str) -> list[str]:
    """The code names a coder's live codings carry, read on a new connection."""
    with Store.open(url) as store:
        who = store.coder(coder)
        return sorted(store.code(c.code_id).name for c in store.codings(coder_id=who.id))


def messages(app: CodingApp) -> list[str]:
    return [notification.message for notification in app._notifications]


@pytest.mark.usefixtures("no_polling")
def test_a_dropped_session_costs_one_key_said_in_one_line(
        on_server: tuple[Store, str], pg_server_url: str) -> None:
    store, url = on_server
    said: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("f")
        await pilot.pause()
        assert codes_of(url, "alice") == ["Fear"]
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [store.db.conn.info.backend_pid])
        await pilot.press("s")  # meets the dropped session
        await pilot.pause()
        said.extend(messages(app))
        assert codes_of(url, "alice") == ["Fear"]
        await pilot.press("s")  # a new session
        await pilot.pause()

    app = drive(store, scenario)
    assert len(said) == 1 and "nothing of it was saved" in said[0], said
    assert "run the action again" in said[0] and "\n" not in said[0]
    assert codes_of(url, "alice") == ["Fear", "Support"]
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("reveal", [True, False])
def test_another_coders_work_shows_on_redraw_only_when_revealed(
        on_server: tuple[Store, str], reveal: bool) -> None:
    store, url = on_server
    shown: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        with Store.open(url) as bob_machine:  # bob, from his own connection
            bob = bob_machine.coder("bob")
            source = bob_machine.source_by_external_id("R001")
            bob_machine.add_coding(bob.id, source.id, code_id(bob_machine, "Workload"))
        await pilot.press("f")  # alice's next action redraws the screen
        await pilot.pause()
        panes = app.screen.query(OthersPane)
        shown.extend(str(pane.render()) for pane in panes)

    drive(store, scenario, reveal=reveal)
    if reveal:
        assert len(shown) == 1 and "bob" in shown[0] and "Workload" in shown[0], shown
    else:
        assert shown == []  # blind: the pane is never mounted
    assert codes_of(url, "alice") == ["Fear"]
