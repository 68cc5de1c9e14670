"""The coding screen's pin key (ctrl+x), driven by Pilot; assertions are on the store."""

from __future__ import annotations

from textual.pilot import Pilot

from helpers.pilot import drive
from helpers.tui_project import code_id
from qualcode.storage import Store
from qualcode.storage.pins import pinned_quotes
from qualcode.tui.app import CodingApp
from qualcode.tui.keys import KEYS
from qualcode.tui.widgets.codebook_pane import CodebookPane


def pins(store: Store) -> list[tuple[str, str, str]]:
    """(code, source, pinned text) of every live pin."""
    return [(store.code(p.code_id).name, store.source(p.source_id).external_id,
             store.source(p.source_id).text[p.start:p.end]) for p in pinned_quotes(store)]


def test_the_key_is_in_the_table_and_free() -> None:
    bound = [k.binding for k in KEYS if k.binding]
    assert "ctrl+x" in bound and bound.count("ctrl+x") == 1
    assert any(k.action == "pin_quote" for k in KEYS)


def test_pin_selection_to_the_code_on_it_then_undo(project: Store) -> None:
    messages: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+down", "f")  # first sentence coded Fear
        await pilot.press("ctrl+x")  # the selection is still the sentence
        await pilot.pause()
        messages.append(str(app.screen.query_one("#text-status").render()))

    drive(project, scenario)
    assert pins(project) == [("Fear", "R001", "I was afraid of presenting my case.")]
    assert "pinned" in messages[0] and "Fear" in messages[0]
    # The pin is alice's action: u undoes it.
    drive(project, lambda pilot, app: pilot.press("u"))
    assert pins(project) == []


def test_pin_whole_unit_uses_the_only_code_there(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("s", "ctrl+x")  # Support on the whole unit, then pin the unit

    drive(project, scenario)
    text = project.source_by_external_id("R001").text
    assert pins(project) == [("Support", "R001", text)]


def test_several_codes_ask_for_the_highlighted_one(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("f", "s")  # two codes on the unit, none highlighted among them
        tree = app.screen.query_one(CodebookPane)
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert pins(project) == []  # asked which: nothing pinned
        # Highlight Support in the codebook tree, then pin again.
        code = code_id(project, "Support")
        node = next(n for n in tree.query_one("CodeTree")._tree_nodes.values()
                    if n.data == code)
        tree.query_one("CodeTree").move_cursor(node)
        await pilot.pause()
        await pilot.press("ctrl+x")

    drive(project, scenario)
    assert [(c, s) for c, s, _ in pins(project)] == [("Support", "R001")]


def test_an_uncoded_unit_pins_to_the_highlighted_code_or_says_why(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("ctrl+x")  # nothing coded; the tree's cursor is on a theme

    drive(project, scenario)
    assert pins(project) == []


def test_pin_here_says_why_nothing_was_pinned(project: Store) -> None:
    from qualcode.tui.pinning import pin_here
    from qualcode.tui.session import CodingSession

    session = CodingSession(project, project.coder("alice"))
    assert not pin_here(session, None, None, None).ok  # no unit open
    session.open(project.whole_unit(project.source_by_external_id("R001").id).id)
    theme = code_id(project, "Emotions")
    said = pin_here(session, None, None, theme)
    assert not said.ok and "Emotions is a theme" in said.message
    said = pin_here(session, None, None, None)
    assert not said.ok and "highlight a code" in said.message
    session.toggle(code_id(project, "Fear"))
    session.toggle(code_id(project, "Support"))
    said = pin_here(session, None, None, code_id(project, "Relief"))
    assert not said.ok and "Fear, Support" in said.message
    assert pin_here(session, 2, 30, code_id(project, "Support")).ok
    said = pin_here(session, 2, 30, code_id(project, "Support"))  # twice: refused, one line
    assert not said.ok and "already pinned" in said.message
    assert pins(project) == [("Support", "R001", project.source_by_external_id("R001").text[2:30])]
