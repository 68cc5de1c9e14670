"""The coding screen at 80x24: panes that give their rows back, and the whole metadata.

Driven by Pilot at the size of a plain SSH terminal; each key is pressed twice to check
it also brings back what it hid.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from helpers.tui_project import code_id, unit_of
from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store
from qualcode.tui.app import CodingApp, make_app
from qualcode.tui.dialogs.unit_details import UnitDetails
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.unit_header import MAX_METADATA

SMALL = (80, 24)
Scenario = Callable[[Pilot, CodingApp], Awaitable[None]]


class OneSuggestion:
    """A stand-in model: Fear for every unit (the real one is tested in tests/nlp)."""

    def __init__(self, store: Store) -> None:
        self.fear = code_id(store, "Fear")

    def suggest(self, source_text: str, top: int) -> list[Any]:
        from qualcode.model import Suggestion

        return [Suggestion(self.fear, 0.9, ("afraid",))][:top]

    def uncertainty(self, texts: list[str]) -> list[float]:
        return [0.0 for _ in texts]


def drive(store: Store, scenario: Scenario, *, size: tuple[int, int] = SMALL,
          **options: Any) -> CodingApp:
    """Run the app headless at ``size`` through a scenario."""
    app = make_app(store, "alice", **options)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            for _ in range(2):
                await pilot.pause()
                await app.workers.wait_for_complete()
            await scenario(pilot, app)
            await pilot.pause()

    asyncio.run(run())
    return app


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys and let the layout settle."""
    await pilot.press(*keys)
    await pilot.pause()


def status_line(app: CodingApp) -> str:
    return str(app.screen.query_one("#text-status").content)


def many_codes(store: Store, count: int = 20) -> None:
    """A codebook taller than the side pane of an 80x24 screen."""
    theme = store.add_code("More", kind=CodeKind.THEME)
    for number in range(count):
        store.add_code(f"Extra code {number:02d}", parent_id=theme.id)


def test_ctrl_l_shows_the_queue_in_the_codebooks_place_and_back(project: Store) -> None:
    seen: list[tuple[bool, bool]] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        queue, side = app.screen.query_one("#queue-pane"), app.screen.query_one("#side-pane")
        for _ in range(3):
            seen.append((queue.display, side.display))
            await press(pilot, "ctrl+l")

    drive(project, scenario)
    # Hidden at 80 columns; shown in the codebook's place (three panes would leave the
    # text a dozen columns); hidden again with the codebook back.
    assert seen == [(False, True), (True, False), (False, True)]


def test_ctrl_l_on_a_wide_screen_hides_only_the_queue(project: Store) -> None:
    seen: list[tuple[bool, bool]] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        queue, side = app.screen.query_one("#queue-pane"), app.screen.query_one("#side-pane")
        for _ in range(2):
            seen.append((queue.display, side.display))
            await press(pilot, "ctrl+l")

    drive(project, scenario, size=(130, 30))
    assert seen == [(True, True), (False, True)]


def test_ctrl_s_hides_the_suggestions_and_gives_the_codebook_their_rows(project: Store
                                                                        ) -> None:
    many_codes(project)
    seen: list[tuple[bool, int, str]] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        pane, tree = app.screen.query_one("#suggestions"), app.screen.query_one("#code-tree")
        for _ in range(3):
            seen.append((pane.display, tree.region.height, status_line(app)))
            await press(pilot, "ctrl+s")

    drive(project, scenario, suggester=OneSuggestion(project))
    (shown, rows, _), (hidden, more_rows, said), (again, rows_again, said_again) = seen
    assert shown and not hidden and again
    assert more_rows > rows and rows_again == rows
    assert said.startswith("suggestions hidden (ctrl+s") and said_again.startswith(
        "suggestions shown")


def test_ctrl_s_without_suggestions_says_how_to_turn_them_on(project: Store) -> None:
    said: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        assert not app.screen.query("#suggestions")
        await press(pilot, "ctrl+s")
        said.append(status_line(app))

    drive(project, scenario)
    assert said[0].startswith("suggestions are off (qualcode code --suggest on")


@pytest.mark.parametrize("suggest", [True, False])
def test_ctrl_y_hides_the_definitions_and_the_tree_takes_the_pane(project: Store,
                                                                 suggest: bool) -> None:
    many_codes(project)
    seen: list[tuple[bool, int]] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        box, tree = (app.screen.query_one("#code-details-scroll"),
                     app.screen.query_one("#code-tree"))
        for _ in range(3):
            seen.append((box.display, tree.region.height))
            await press(pilot, "ctrl+y")

    options = {"suggester": OneSuggestion(project)} if suggest else {}
    drive(project, scenario, **options)
    (box, rows), (hidden, more_rows), (again, rows_again) = seen
    assert box and not hidden and again
    assert more_rows >= rows + 3 and rows_again == rows  # the box had at least 3 rows


def test_both_keys_together_show_most_of_a_long_codebook_at_80x24(project: Store) -> None:
    many_codes(project)
    rows: list[int] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        tree = app.screen.query_one("#code-tree")
        rows.append(tree.region.height)
        await press(pilot, "ctrl+s", "ctrl+y")
        rows.append(tree.region.height)

    drive(project, scenario, suggester=OneSuggestion(project))
    # 24 rows less status, footer, borders and the filter box: 18 rows of codes.
    assert rows[0] < 12 and rows[1] >= 18


def _long_metadata(store: Store) -> dict[str, object]:
    """A unit with more fields than the header shows, long and awkward values."""
    metadata: dict[str, object] = {
        f"field {number:02d}": f"value {number} " + "word " * (number * 7)
        for number in range(12)}
    metadata.update({"note [bold]": "[/] not markup :warning: ✓ ünïcode",
                     "age": 42, "tags": ["a", "b"], "empty": ""})
    store.import_sources([SourceRecord(external_id="AAA-long", text="A long one.",
                                       metadata=metadata)])
    return metadata


def test_header_says_which_key_shows_the_rest_of_the_metadata(project: Store) -> None:
    _long_metadata(project)
    lines: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        for external_id in ("R001", "AAA-long"):
            source = project.source_by_external_id(external_id)
            screen.open_unit(project.whole_unit(source.id).id)
            await pilot.pause()
            header = str(screen.query_one("#unit-header").content)
            lines.append(header.splitlines()[0])

    drive(project, scenario)
    short, long = lines
    assert short.endswith("… ctrl+d")  # two short fields, but cut at 80 columns
    assert long.endswith("… ctrl+d") and len(long) <= 80


def test_header_counts_fields_left_out_when_the_line_has_room(project: Store) -> None:
    project.import_sources([SourceRecord(
        external_id="S1", text="Short.", metadata={f"k{n}": "v" for n in range(7)})])
    lines: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        app.screen.open_unit(unit_of(project, "S1"))
        await pilot.pause()
        lines.append(str(app.screen.query_one("#unit-header").content).splitlines()[0])

    drive(project, scenario, size=(130, 30))
    assert lines[0].endswith(f"+{7 - MAX_METADATA} more: ctrl+d")


def test_ctrl_d_shows_every_metadata_field_whole_and_scrolls(project: Store) -> None:
    metadata = _long_metadata(project)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        app.screen.open_unit(unit_of(project, "AAA-long"))
        await press(pilot, "ctrl+d")
        dialog = app.screen
        assert isinstance(dialog, UnitDetails)
        body = dialog.query_one("#unit-details-body")
        seen["text"] = str(dialog.query_one("#unit-details").content)
        seen["height"] = dialog.region.height
        seen["scrollable"] = body.max_scroll_y
        await press(pilot, "pagedown")
        seen["scrolled"] = body.scroll_y
        await press(pilot, "escape")
        seen["back"] = isinstance(app.screen, CodingScreen)

    drive(project, scenario)
    text = seen["text"]
    for key, value in metadata.items():
        shown = value if isinstance(value, str) else ("42" if value == 42 else '["a", "b"]')
        assert f"{key}: {shown}" in text, key
    assert text.startswith("AAA-long")
    assert seen["scrollable"] > 0 and seen["scrolled"] > 0 and seen["back"]


def test_ctrl_d_on_a_source_without_metadata_says_so(project: Store) -> None:
    project.import_sources([SourceRecord(external_id="bare", text="No fields.")])
    texts: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        app.screen.open_unit(unit_of(project, "bare"))
        await press(pilot, "ctrl+d")
        texts.append(str(app.screen.query_one("#unit-details").content))
        await press(pilot, "q")
        texts.append(type(app.screen).__name__)

    drive(project, scenario)
    assert "This source has no metadata." in texts[0] and texts[1] == "CodingScreen"


def test_hidden_suggestions_are_neither_logged_nor_accepted_until_shown(project: Store
                                                                        ) -> None:
    from qualcode.storage.suggestion_log import logged

    fear = code_id(project, "Fear")
    alice = project.coder("alice")
    seen: dict[str, Any] = {}

    async def settle(pilot: Pilot) -> None:
        for _ in range(2):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        seen["first"] = len(logged(project))  # R001 ranked and shown at start
        await press(pilot, "ctrl+s")
        app.screen.open_unit(unit_of(project, "R002"))
        await settle(pilot)
        await press(pilot, "alt+1")
        seen["hidden_logged"] = len(logged(project))
        seen["hidden_said"] = status_line(app)
        seen["hidden_codings"] = len(project.codings(coder_id=alice.id))
        await press(pilot, "ctrl+s")
        await settle(pilot)
        seen["shown_logged"] = [row.unit_id for row in logged(project)]
        await press(pilot, "alt+1")
        seen["accepted"] = [(c.code_id, c.source_id) for c in project.codings(coder_id=alice.id)]

    drive(project, scenario, suggester=OneSuggestion(project))
    r002 = project.source_by_external_id("R002")
    assert seen["first"] == 1 and seen["hidden_logged"] == 1
    assert seen["hidden_said"].startswith("suggestions are hidden (ctrl+s shows them)")
    assert seen["hidden_codings"] == 0
    assert seen["shown_logged"][1:] == [unit_of(project, "R002")]
    assert seen["accepted"] == [(fear, r002.id)]
