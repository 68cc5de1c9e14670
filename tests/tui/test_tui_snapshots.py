"""Pictures of the coding screen (pytest-textual-snapshot); each docstring says what to see.

Update after a deliberate change with ``pytest tests/tui --snapshot-update`` and look at
the pictures before committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from helpers.tui_project import build_project, code_id, unit_of
from qualcode.storage import Store
from qualcode.tui.app import make_app


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Store]:
    """The test project with alice's work on R001 and R002, and bob's on R001."""
    store = build_project(tmp_path / "study.qualcode")
    alice, bob = store.coder("alice"), store.coder("bob")
    r1 = store.source_by_external_id("R001")
    store.add_coding(alice.id, r1.id, code_id(store, "Fear"), 0, 35)
    store.add_coding(alice.id, r1.id, code_id(store, "Support"), 36, 91)
    store.add_coding(alice.id, r1.id, code_id(store, "Relief"), 80, 119)
    store.add_coding(alice.id, r1.id, code_id(store, "Insight"))
    store.set_memo("unit", store.unit(unit_of(store, "R001")).guid, "fear vs relief",
                   coder_id=alice.id)
    r2 = store.source_by_external_id("R002")
    store.add_coding(alice.id, r2.id, code_id(store, "Workload"))
    store.mark_done(unit_of(store, "R002"), alice.id)
    store.add_coding(bob.id, r1.id, code_id(store, "Structure"))
    store.mark_done(unit_of(store, "R001"), bob.id)
    yield store
    store.close()


async def open_first(pilot: Pilot) -> None:
    """Show R001 (the app starts on the first not-done unit, which is R001 here)."""
    await pilot.pause()


def test_coding_screen_at_80x24(coded: Store, snap_compare) -> None:
    """At 80x24: status line 'alice 1/6 done (17%)'; the queue is hidden (narrow); the
    text pane's header starts 'R001 · 1 of 6', then reads '✎ memo' and lists
    'I:Insight (unit)' (no key, so its margin letter I), then '[f]Fear', '[s]Support',
    '[e]Relief' underlined like their spans; the first sentence is tinted orange-red and
    underlined with 'f' in the margin; 'The group ... a lot.' is blue with 's'; where
    Support and Relief overlap ('lped a lot.') the text is bold and the margin shows
    'se'; bob's Structure coding and done mark appear nowhere. The codebook tree shows
    [f] Fear, [e] Relief, [s] Support, [t] Structure, [w] Workload and Insight."""
    assert snap_compare(make_app(coded, "alice"), terminal_size=(80, 24),
                        run_before=open_first)


def test_wide_screen_shows_the_queue(coded: Store, snap_compare) -> None:
    """At 130x30 the unit queue is shown on the left: six rows R001-R006 with R001
    marked '▶' (in view), R002 with a green '✓' and a coding count of 1, R001 with 4;
    excerpts of each answer follow the ids. The codebook pane is wider (40 columns)."""
    assert snap_compare(make_app(coded, "alice"), terminal_size=(130, 30),
                        run_before=open_first)


def test_selection_and_code_details(coded: Store, snap_compare) -> None:
    """After alt+down on R003 the first sentence 'The leader was supportive.' is shown
    selected (accent background), the line under the text says 'code key → 26 selected
    chars'; the
    codebook details box shows Fear's definition, Include, Exclude and Example lines."""
    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app = pilot.app
        app.screen.open_unit(unit_of(coded, "R003"))
        tree = app.screen.query_one("#code-tree")
        tree.move_cursor(tree.get_node_at_line(1))
        await pilot.press("alt+down")

    assert snap_compare(make_app(coded, "alice"), terminal_size=(100, 30),
                        run_before=run_before)


def test_reveal_shows_other_coders(coded: Store, snap_compare) -> None:
    """With --reveal the status line ends 'REVEALED: other coders visible' and a pane
    'Other coders' lists 'bob ✓ done' and 'Structure: whole unit' for R001."""
    assert snap_compare(make_app(coded, "alice", reveal=True), terminal_size=(100, 30),
                        run_before=open_first)


def test_help_screen(coded: Store, snap_compare) -> None:
    """'?' opens the help over the coding screen: first a table 'This codebook's keys'
    (Key/Code: f Emotions/Fear, e Emotions/Relief, s, t, w), then 'Anywhere' with
    "a code's key", d, u, r, m."""
    assert snap_compare(make_app(coded, "alice"), terminal_size=(80, 24),
                        press=["question_mark"])


def test_search_dialog(coded: Store, snap_compare) -> None:
    """'/' opens 'Search and filter units': a 'Text' box holding 'pati', then 'Show: all
    units', 'You coded: (any)', 'Metadata: (any)' with a '= value' box, the hint 'enter
    applies · escape cancels' and the buttons Apply, Clear and Cancel."""
    assert snap_compare(make_app(coded, "alice"), terminal_size=(80, 24),
                        press=["slash", "p", "a", "t", "i"])
