"""A store or analysis failure inside a screen is one notification, never Textual's traceback.

Metadata SQLite's JSON functions cannot read (written with raw SQL, as an older qualcode or
another tool could have left it) makes every query that groups or filters by metadata
fail. The screens that run such queries (the coding screen's search dialog, the
adjudication screen grouped by a field) must say so in one line and keep running; the
CLI's ``adjudicate --group-by`` must print one line. A failure of the database itself
(``database is locked``, raised by SQLite) goes the same way, through
:func:`qualcode.storage.failures.explain`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from helpers.robust_harness import digest, make_project, run_cli
from qualcode.storage import Store

BAD_METADATA = {  # what is written over source r2's metadata
    "nan": '{"study": NaN}',
    "nan-elsewhere": '{"a": NaN}',
    "overflow": '{"study": 1e999}',
    "truncated": '{"study": "S01"',
    "not-an-object": "[1, 2]",
    "infinity-nested": '{"study": "S01", "x": [1, {"y": -Infinity}]}',
}


def coded_project(path: Path, bad: str) -> Path:
    """Sources r1..r6 coded by alice and bob (they disagree on even rows); r2's metadata bad."""
    make_project(path, units=6)
    with Store.open(path) as store:
        codes = {c.name: c for c in store.codebook()}
        for name in ("alice", "bob"):
            coder = store.coder(name)
            for source in store.iter_sources():
                code = codes["Time pressure"] if name == "bob" and source.id % 2 == 0 \
                    else codes["Listening"]
                store.add_coding(coder.id, source.id, code.id)
                store.mark_done(store.whole_unit(source.id).id, coder.id)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("UPDATE sources SET metadata = ? WHERE external_id = 'r2'", (bad,))
    finally:
        conn.close()
    return path


def errors(app: object) -> list[str]:
    """The error notifications the app has shown, one line each."""
    shown = [n for n in app._notifications if n.severity == "error"]  # type: ignore[attr-defined]
    for notification in shown:
        assert notification.markup is False, notification.message
        assert "\n" not in notification.message and "Traceback" not in notification.message
    return [n.message for n in shown]


@pytest.mark.parametrize("bad", sorted(BAD_METADATA), ids=str)
def test_search_dialog_on_unreadable_metadata_notifies_and_keeps_coding(tmp_path: Path,
                                                                       bad: str) -> None:
    from textual.widgets import Input, Select

    from qualcode.tui.app import make_app
    from qualcode.tui.dialogs.search import SearchDialog
    from qualcode.tui.screens.coding import CodingScreen

    project = coded_project(tmp_path / "study.qualcode", BAD_METADATA[bad])

    async def search() -> list[str]:
        with Store.open(project) as store:
            app = make_app(store, "alice")
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                await pilot.press("slash")
                await pilot.pause()
                if isinstance(app.screen, SearchDialog):  # the fields could be listed
                    dialog = app.screen
                    dialog.query_one("#field", Select).value = "study"
                    dialog.query_one("#value", Input).value = "S01"
                    dialog.action_apply()
                    await pilot.pause()
                assert isinstance(app.screen, CodingScreen) and app.is_running
                await pilot.press("ctrl+g")  # the screen still answers keys
                await pilot.pause()
                assert app.is_running
                shown = errors(app)
            return shown

    shown = asyncio.run(search())
    if bad != "overflow":  # SQLite reads 1e999 (as infinity): the filter works
        assert shown, "no notification"
        assert any("source 'r2'" in line and "qualcode check" in line for line in shown), shown


def damage(project: Path, bad: str) -> None:
    """Write ``bad`` over source r2's metadata with raw SQL (another program's write)."""
    conn = sqlite3.connect(project, isolation_level=None)
    try:
        conn.execute("UPDATE sources SET metadata = ? WHERE external_id = 'r2'", (bad,))
    finally:
        conn.close()


@pytest.mark.parametrize("bad", sorted(BAD_METADATA), ids=str)
def test_adjudication_grouped_by_a_field_refuses_in_one_line(tmp_path: Path, bad: str) -> None:
    from qualcode.errors import QualcodeError
    from qualcode.tui.adjudication_app import make_adjudication_app

    project = coded_project(tmp_path / "study.qualcode", BAD_METADATA[bad])
    with Store.open(project) as store:
        if bad == "overflow":  # SQLite reads 1e999, as infinity: the screen can open
            make_adjudication_app(store, "carol", "alice", "bob", group_by="study")
            return
        with pytest.raises(QualcodeError, match="source 'r2'"):
            make_adjudication_app(store, "carol", "alice", "bob", group_by="study")


@pytest.mark.parametrize("bad", sorted(BAD_METADATA), ids=str)
def test_adjudication_grouped_by_a_field_notifies_and_keeps_running(tmp_path: Path,
                                                                   bad: str) -> None:
    """Metadata damaged while the screen is open: each grouped query says one line."""
    from qualcode.tui.adjudication_app import make_adjudication_app
    from qualcode.tui.screens.adjudication import AdjudicationScreen

    project = coded_project(tmp_path / "study.qualcode", '{"study": "S01"}')

    async def adjudicate() -> list[str]:
        with Store.open(project) as store:
            app = make_adjudication_app(store, "carol", "alice", "bob", group_by="study")
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                damage(project, BAD_METADATA[bad])
                for key in ("a", "c", "g", "c", "u"):
                    await pilot.press(key)
                    await pilot.pause()
                    assert app.is_running
                    while not isinstance(app.screen, AdjudicationScreen):  # a report shown
                        app.pop_screen()
                        await pilot.pause()
                await pilot.press("n")  # the screen still answers keys
                await pilot.pause()
                assert app.is_running
                return errors(app)

    shown = asyncio.run(adjudicate())
    if bad != "overflow":
        assert shown, "no notification"
        assert all("qualcode check" in line for line in shown), shown


@pytest.mark.parametrize("bad", sorted(BAD_METADATA), ids=str)
def test_cli_adjudicate_group_by_on_unreadable_metadata_is_one_line(tmp_path: Path,
                                                                   bad: str) -> None:
    project = coded_project(tmp_path / "study.qualcode", BAD_METADATA[bad])
    if bad == "overflow":
        pytest.skip("SQLite reads 1e999 as infinity: the screen opens (covered above)")
    before = digest(project)
    run = run_cli(["adjudicate", str(project), "--coders", "alice", "bob", "--as", "alice",
                   "--group-by", "study"])
    assert run.exception is None, f"{type(run.exception).__name__}: {run.exception}"
    assert run.exit_code == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert "source 'r2'" in lines[0] and f"qualcode check {project}" in lines[0], lines[0]
    assert digest(project) == before


def test_a_locked_project_in_a_screen_action_is_one_notification(tmp_path: Path) -> None:
    """SQLite's own error (not a QualcodeError) goes through explain(), in one line."""
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.coding import CodingScreen

    project = make_project(tmp_path / "study.qualcode")

    async def code_while_locked() -> list[str]:
        with Store.open(project) as store:
            app = make_app(store, "alice")
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, CodingScreen)
                original = screen.session.mark_done

                def locked(*args: object, **kwargs: object) -> object:
                    raise sqlite3.OperationalError("database is locked")

                screen.session.mark_done = locked  # type: ignore[method-assign]
                await pilot.press("d")
                await pilot.pause()
                screen.session.mark_done = original  # type: ignore[method-assign]
                assert app.is_running and app.screen is screen
                return errors(app)

    shown = asyncio.run(code_while_locked())
    assert any("locked" in line and str(project) in line for line in shown), shown


@pytest.mark.parametrize("bad", ["nan", "truncated", "infinity-nested"])  # SQLite fails
def test_queue_pages_read_under_a_metadata_filter_notify_once(tmp_path: Path, bad: str) -> None:
    """Metadata damaged while a metadata filter is in force: the queue draws blank rows and
    says so in one notification; keys still work (the queue is read while drawing)."""
    from qualcode.storage.queue import QueueFilter
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.widgets.queue_list import QueueList

    project = coded_project(tmp_path / "study.qualcode", '{"study": "S01"}')

    async def scroll_after_damage() -> list[str]:
        with Store.open(project) as store:
            app = make_app(store, "alice")
            async with app.run_test(size=(140, 36)) as pilot:
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, CodingScreen)
                screen.apply_filter(QueueFilter(field="study", value="S01"))
                await pilot.pause()
                damage(project, BAD_METADATA[bad])
                queue = screen.query_one(QueueList)
                queue._pages.clear()  # as scrolling to a page not read yet
                queue.refresh()
                await pilot.pause()
                assert app.is_running
                shown = errors(app)
                await pilot.press("ctrl+g")
                await pilot.pause()
                assert app.is_running and app.screen is screen
                return shown

    shown = asyncio.run(scroll_after_damage())
    assert len(shown) == 1 and "qualcode check" in shown[0], shown


@pytest.mark.parametrize("failure", ["qualcode", "sqlite"])
def test_opening_a_statistics_screen_that_fails_is_one_notification(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    """The app's own actions (ctrl+k, ctrl+t) are guarded like the screens'."""
    import qualcode.tui.screens.agreement as agreement_screen
    import qualcode.tui.screens.frequencies as frequencies_screen
    from qualcode.errors import StoreError
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.coding import CodingScreen

    def fails(*args: object) -> object:
        if failure == "qualcode":
            raise StoreError("coders cannot be listed [/] (test)")
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(agreement_screen, "coder_pairs", fails)
    monkeypatch.setattr(frequencies_screen, "coder_pairs", fails)
    project = make_project(tmp_path / "study.qualcode")

    async def open_statistics() -> list[str]:
        with Store.open(project) as store:
            app = make_app(store, "alice", reveal=True)
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                for key in ("ctrl+k", "ctrl+t"):
                    await pilot.press(key)
                    await pilot.pause()
                    assert app.is_running and isinstance(app.screen, CodingScreen)
                return errors(app)

    shown = asyncio.run(open_statistics())
    assert len(shown) == 2, shown
    needle = "[/] (test)" if failure == "qualcode" else "locked"
    assert all(needle in line for line in shown), shown
