"""The coding screen driven by Textual's Pilot, as a coder would; assertions are on the store."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from helpers.pilot import drive
from helpers.tui_project import code_id, unit_of
from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.storage.queue import QueueFilter, Status
from qualcode.tui.app import CodingApp, screen_commands
from qualcode.tui.keys import KEYS, keyboard_markdown
from qualcode.tui.widgets.coded_text import CodedText
from qualcode.tui.widgets.others_pane import OthersPane
from qualcode.tui.widgets.queue_list import QueueList


def alice_codings(store: Store) -> list[tuple[str, str, int, int]]:
    alice = store.coder("alice")
    return [(store.source(c.source_id).external_id, store.code(c.code_id).name, c.start, c.end)
            for c in store.codings(coder_id=alice.id)]


def text_of(store: Store, external_id: str) -> str:
    return store.source_by_external_id(external_id).text


def test_code_key_codes_the_whole_unit(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("f")

    drive(project, scenario)
    assert alice_codings(project) == [("R001", "Fear", 0, len(text_of(project, "R001")))]


def test_sentence_and_word_selection_code_a_span(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+down", "f")  # first sentence
        await pilot.press("escape", "right", "alt+right", "alt+right", "s")  # two words

    drive(project, scenario)
    text = text_of(project, "R001")
    spans = {(name, text[start:end]) for _, name, start, end in alice_codings(project)}
    assert spans == {("Fear", "I was afraid of presenting my case."), ("Support", "The group")}


def test_extending_by_sentence_twice_selects_two_sentences(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+down", "alt+down", "e")

    drive(project, scenario)
    [(_, _, start, end)] = alice_codings(project)
    assert text_of(project, "R001")[start:end] == (
        "I was afraid of presenting my case. The group listened without judging, which "
        "helped a lot.")


def test_shift_arrows_select_characters(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press(*["right"] * 2, *["shift+right"] * 3, "t")

    drive(project, scenario)
    assert alice_codings(project) == [("R001", "Structure", 2, 5)]


def test_mouse_drag_selects_a_span(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        text = app.screen.query_one(CodedText)
        await pilot.mouse_down(text, offset=(4 + 2, 0))  # the margin is four cells wide
        await pilot.hover(text, offset=(4 + 12, 0))
        await pilot.mouse_up(text, offset=(4 + 12, 0))
        await pilot.press("w")

    drive(project, scenario)
    assert alice_codings(project) == [("R001", "Workload", 2, 12)]


def test_undo_and_redo_keys(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("f", "s", "u")
        assert [c[1] for c in alice_codings(project)] == ["Fear"]
        await pilot.press("u")
        assert alice_codings(project) == []
        await pilot.press("r")

    drive(project, scenario)
    assert [c[1] for c in alice_codings(project)] == ["Fear"]


def test_d_marks_done_with_or_without_codes_and_moves_on(project: Store) -> None:
    alice = project.coder("alice")
    project.mark_done(unit_of(project, "R003"), alice.id)

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("f", "d")  # R001 with a code
        assert app.session.view.source.external_id == "R002"
        await pilot.press("d")  # R002 with none: "no code applies"
        assert app.session.view.source.external_id == "R004"  # R003 was done already

    drive(project, scenario)
    done = {project.unit(r.unit_id).source_id for r in project.reviews(coder_id=alice.id)}
    assert {project.source(s).external_id for s in done} == {"R001", "R002", "R003"}


def test_undoing_done_goes_back_to_that_unit(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("d")
        assert app.session.view.source.external_id == "R002"
        await pilot.press("u")
        assert app.session.view.source.external_id == "R001"

    drive(project, scenario)
    assert project.reviews() == []


def test_memo_on_the_unit(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("m")
        await pilot.press(*"revisit")
        await pilot.press("ctrl+s")

    drive(project, scenario)
    unit = project.unit(unit_of(project, "R001"))
    assert [(m.text, m.coder_id) for m in project.memos("unit", unit.guid)] == [
        ("revisit", project.coder("alice").id)]


def test_memo_on_the_coding_under_the_cursor(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+down", "f", "escape", "left", "m", *"why", "ctrl+s")

    drive(project, scenario)
    [coding] = project.codings()
    assert [m.text for m in project.memos("coding", coding.guid)] == ["why"]


def test_escape_cancels_a_memo(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("m", *"draft", "escape")

    drive(project, scenario)
    assert project.db.execute("SELECT count(*) FROM memos").fetchone()[0] == 0


def test_blind_mode_never_shows_the_other_coder(project: Store) -> None:
    bob = project.coder("bob")
    r1 = project.source_by_external_id("R001")
    project.add_coding(bob.id, r1.id, code_id(project, "Support"), 0, 20)
    project.mark_done(unit_of(project, "R001"), bob.id)

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        screen = app.screen
        assert screen.query_one(CodedText)._runs.marks == []
        assert not screen.query(OthersPane)
        assert "Support" not in str(screen.query_one("#unit-header").render())
        assert "done (0%)" in str(screen.query_one("#status").render())
        assert screen.query_one(QueueList).row(0).codings == 0

    drive(project, scenario)


def test_reveal_shows_the_other_coder(project: Store) -> None:
    bob = project.coder("bob")
    project.add_coding(bob.id, project.source_by_external_id("R001").id,
                       code_id(project, "Support"), 0, 20)

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        pane = app.screen.query_one(OthersPane)
        shown = str(pane.render())
        assert "bob" in shown and "Support" in shown

    drive(project, scenario, reveal=True)


def test_add_code_dialog_adds_to_the_shared_codebook(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("ctrl+n", *"Shame", "tab", "tab", "tab", "h", "enter")
        await pilot.pause()
        await pilot.press("h")  # the new key codes at once

    drive(project, scenario)
    code = project.codebook().by_shortcut("h")
    assert code is not None and code.name == "Shame"
    assert [c[1] for c in alice_codings(project)] == ["Shame"]
    assert any(e.action == "code.add" and e.coder_id == project.coder("alice").id
               for e in project.events())


def test_add_code_dialog_explains_a_taken_key(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("ctrl+n", *"Other", "tab", "tab", "tab", "f", "enter")
        await pilot.pause()
        assert "already taken" in str(app.screen.query_one("#add-code-error").render())
        await pilot.press("escape")

    drive(project, scenario)
    assert project.codebook().find("Other") == []


def test_search_dialog_filters_the_queue(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("slash", *"patient", "enter")
        await pilot.pause()
        assert app.session.queue.filter == QueueFilter(text="patient")
        assert app.session.queue.count() == 2
        assert app.session.view.source.external_id == "R003"
        await pilot.press("ctrl+down")
        assert app.session.view.source.external_id == "R005"

    drive(project, scenario)


def test_palette_filter_shortcuts_not_done(project: Store) -> None:
    project.mark_done(unit_of(project, "R001"), project.coder("alice").id)

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        app.screen.apply_filter(QueueFilter(status=Status.NOT_DONE))
        await pilot.pause()
        assert app.screen.query_one(QueueList).count == 5

    drive(project, scenario)


def test_codebook_filter_then_enter_applies_the_first_match(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("ctrl+f", *"insi", "enter")
        assert isinstance(app.focused, CodedText)

    drive(project, scenario)
    assert [c[1] for c in alice_codings(project)] == ["Insight"]


def test_typing_in_a_text_box_never_codes(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("ctrl+f", *"fest", "escape")

    drive(project, scenario)
    assert alice_codings(project) == []


def test_tree_enter_applies_the_highlighted_code(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        app.screen.query_one("#code-tree").focus()
        await pilot.press("down", "enter")  # Emotions (a theme) > Fear

    drive(project, scenario)
    assert [c[1] for c in alice_codings(project)] == ["Fear"]


def test_delete_removes_the_coding_under_the_cursor(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+down", "f", "escape", "left", "delete")

    drive(project, scenario)
    assert alice_codings(project) == []
    assert [e.action for e in project.events(coder_id=project.coder("alice").id)] == [
        "coding.add", "coding.remove"]


def test_queue_pane_opens_a_unit_on_a_narrow_terminal(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        assert not app.screen.query_one("#queue-pane").display  # hidden at 80 columns
        await pilot.press("ctrl+l", "down", "down", "enter")
        assert app.session.view.source.external_id == "R003"

    drive(project, scenario, size=(80, 24))


def test_help_opens_and_closes(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "CodingScreen"

    drive(project, scenario)


def test_q_quits(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    drive(project, scenario)


def test_every_bound_action_is_in_the_command_palette(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        commands = list(screen_commands(app.screen))
        callbacks = {getattr(c.callback, "__name__", "") for c in commands}
        for key in KEYS:
            if key.screen == "coding" and key.action and key.action != "quit":
                assert f"action_{key.action}" in callbacks, key.action
        applies = [c.title for c in commands if c.title.startswith("Apply code")]
        assert "Apply code: Insight" in applies and len(applies) == 6
        app_commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Quit" in app_commands and "Undo (u)" in app_commands

    drive(project, scenario)


def test_palette_command_applies_a_code(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        [command] = [c for c in screen_commands(app.screen) if c.title.startswith(
            "Apply code: Insight")]
        command.callback()

    drive(project, scenario)
    assert [c[1] for c in alice_codings(project)] == ["Insight"]


def test_a_long_transcript_scrolls_and_codes_at_its_end(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "long.qualcode")
    sentence = "We talked about the patient for a long while and nobody hurried. "
    text = sentence * (300_000 // len(sentence)) + "Last words here."
    store.import_sources([SourceRecord("T1", text)])
    store.add_code("Ending", shortcut="x")

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("ctrl+end", "alt+up", "x", "pagedown", "pageup")

    drive(store, scenario)
    [coding] = store.codings()
    assert text[coding.start:coding.end] == "Last words here."
    store.close()


def test_keyboard_doc_matches_the_key_table() -> None:
    doc = Path(__file__).parents[2] / "docs" / "keyboard.md"
    assert doc.read_text(encoding="utf-8") == keyboard_markdown() + "\n"
