"""The coding screen: unit queue, text pane and codebook, driven by the keyboard.

Every action goes through the :class:`~qualcode.tui.session.CodingSession`, which
commits it before the screen redraws: what the coder sees as saved is on disk.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea

from qualcode.model import CodeKind, Event
from qualcode.storage.queue import QueueFilter
from qualcode.tui.colours import badge, code_colours
from qualcode.tui.dialogs.add_code import AddCodeDialog
from qualcode.tui.dialogs.memo import MemoDialog
from qualcode.tui.dialogs.search import SearchDialog
from qualcode.tui.guard import guard_actions
from qualcode.tui.keys import ANYWHERE, bindings
from qualcode.tui.marks import Mark
from qualcode.tui.screens.coding_layout import LayoutMixin
from qualcode.tui.screens.coding_suggestions import SuggestionsMixin
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.session import CodingSession
from qualcode.tui.status import describe_event, status_text
from qualcode.tui.suggesting import SuggestMode
from qualcode.tui.widgets.codebook_pane import CodebookPane, CodeChosen
from qualcode.tui.widgets.coded_text import CodedText
from qualcode.tui.widgets.others_pane import OthersPane
from qualcode.tui.widgets.queue_list import QueueList
from qualcode.tui.widgets.suggestion_pane import SuggestionPane
from qualcode.tui.widgets.unit_header import UnitHeader

WIDE = 110
"""From this many columns the unit queue is shown beside the text; below, on demand."""


@guard_actions
class CodingScreen(LayoutMixin, SuggestionsMixin, Screen[None]):
    """Where a coder works through the units: one screen, three panes."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    BINDINGS = [Binding(keys, action, description, show=show)
                for keys, action, description, show in bindings(ANYWHERE)]

    def __init__(self, session: CodingSession) -> None:
        super().__init__()
        self.session = session
        self.colours = code_colours(session.codebook)
        self._queue_toggled = False
        self._feedback = ""
        self._status_line = ""

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Status line, the three panes, the key footer."""
        yield Static("", id="status")
        with Horizontal(id="body"):
            with Vertical(id="queue-pane"):
                yield QueueList(self.session.queue, id="queue")
            with Vertical(id="text-pane"):
                yield UnitHeader("", id="unit-header")
                yield CodedText(id="text", on_move=self._subtitle)
                yield Static("", id="text-status")
            with Vertical(id="side-pane"):
                yield CodebookPane(self.session.codebook, self.colours, id="codebook")
                if self.session.suggesting.enabled:
                    yield SuggestionPane("", id="suggestions")
                if self.session.reveal:
                    yield OthersPane("", id="others")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Open the first unit not done yet and start watching the shared codebook."""
        self.query_one("#queue-pane").border_title = "Units"
        self.query_one("#text-pane").border_title = "Text"
        self.query_one("#side-pane").border_title = "Codebook"
        if self.session.suggesting.enabled:
            self.query_one("#suggestions").border_title = (
                "Suggestions" if self.session.suggesting.mode is SuggestMode.ON
                else "Suggestions after done")
        if self.session.reveal:
            self.query_one("#others").border_title = "Other coders"
        self.start_suggestions()
        self.query_one(QueueList).reload()
        start = self.session.start_unit()
        if start is not None:
            self.open_unit(start)
        else:
            self.query_one(UnitHeader).update("This project has no units yet: import a corpus "
                                              "with `qualcode import`.")
        self.query_one(CodedText).focus()
        self.set_interval(3.0, self._poll_codebook)

    def on_resize(self, event: events.Resize) -> None:
        """Hide the queue on narrow terminals unless the coder asked for it."""
        wide = event.size.width >= WIDE
        if not self._queue_toggled:
            self.query_one("#queue-pane").display = wide
        if wide:
            self.query_one("#side-pane").display = True

    # -- showing -----------------------------------------------------------------------
    def open_unit(self, unit_id: int) -> None:
        """Show a unit: its text, this coder's codings, the queue cursor on it."""
        view = self.session.open(unit_id)
        text = self.query_one(CodedText)
        text.load(view.text, self._marks(), self.colours, search=self.session.queue.filter.text)
        self.query_one(QueueList).show_unit(unit_id)
        self._redraw(new_unit=True)
        self.refresh_suggestions()

    def _marks(self) -> list[Mark]:
        view = self.session.view
        if view is None:
            return []
        marks = []
        for coding in view.spans():
            start, end = view.relative(coding)
            try:
                key = badge(self.session.codebook.by_id(coding.code_id))
            except KeyError:
                key = "?"
            marks.append(Mark(start, end, coding.code_id, key, coding.id))
        return marks

    def _redraw(self, *, new_unit: bool = False) -> None:
        """Redraw everything that depends on the unit in view (not the text itself)."""
        view = self.session.view
        if view is None:
            return
        queue = self.query_one(QueueList)
        position = queue.current_position
        # In the header, not the pane's border title: changing that repaints the pane.
        where = f"{position + 1} of {queue.count}" if position is not None \
            else "outside the filter"
        self.query_one(UnitHeader).show(view, self.session.codebook, self.colours,
                                        new_unit=new_unit, where=where)
        self._status()
        if self.session.reveal:
            self.query_one(OthersPane).show(self.session.others(), view, self.session.codebook)

    def _status(self) -> None:
        # One line, always: no layout pass needed.
        self.query_one("#status", Static).update(status_text(self.session, self.app.title),
                                                 layout=False)

    def _after_change(self, unit_id: int, count_before: int, message: str) -> None:
        """Bring marks, header, queue row and status up to date after an action."""
        self.query_one(CodedText).set_marks(self._marks(), self.colours)
        queue = self.query_one(QueueList)
        if self.session.queue.count() != count_before:
            queue.reload()
            queue.show_unit(self.session.view.unit.id if self.session.view else unit_id)
        else:
            queue.update_unit(unit_id)
        self._redraw()
        self._say(message)
        self.follow_done()
        self.codings_changed()

    def _say(self, message: str) -> None:
        """Report what the last action saved, beside what a code key would code now."""
        self._feedback = message
        self._subtitle()

    def _subtitle(self) -> None:
        """Write the line under the text: last action saved, and what a code key codes."""
        selection = self.query_one(CodedText).selection
        scope = ("code key → whole unit" if selection is None
                 else f"code key → {selection.end - selection.start} selected chars")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(self._feedback, style="bold" if self._feedback.startswith("saved") else "")
        line.append(f"{' · ' if self._feedback else ''}{scope}", style="dim")
        if line.plain == self._status_line:
            return  # an unchanged line would still cost a frame
        self._status_line = line.plain
        # One line, always: a layout pass (and a redraw of the whole pane) is not needed.
        self.query_one("#text-status", Static).update(line, layout=False)

    # -- coding ------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """A code's shortcut key toggles that code (unless a text box has the keyboard)."""
        if not event.character or not event.is_printable:
            return
        if event.key.startswith(("alt+", "ctrl+")):
            return  # alt+1 accepts a suggestion; it must not also toggle a code keyed "1"
        if isinstance(self.focused, (Input, TextArea)):
            return
        code = self.session.codebook.by_shortcut(event.character)
        if code is None:
            return
        event.stop()
        event.prevent_default()
        self.toggle_code(code.id)

    def toggle_code(self, code_id: int) -> None:
        """Toggle a code on the selection, or on the whole unit when nothing is selected."""
        view = self.session.view
        if view is None:
            self.notify("Open a unit first.", severity="warning")
            return
        code = self.session.codebook.by_id(code_id)
        if not code.codable:
            self._say(f"{code.name} is a {code.kind.value}, not a codable code")
            return
        selection = self.query_one(CodedText).selection
        before = self.session.queue.count()
        if selection is None:
            outcome, _ = self.session.toggle(code_id)
            extent = "whole unit"
        else:
            outcome, _ = self.session.toggle(code_id, selection.start, selection.end)
            extent = f"characters {selection.start}-{selection.end}"
        sign = "+" if outcome == "added" else "−"
        self._after_change(view.unit.id, before, f"saved: {sign}{code.name} ({extent})")

    @on(CodeChosen)
    def _code_chosen(self, event: CodeChosen) -> None:
        box = self.query_one("#code-filter", Input)
        from_box = box.has_focus
        self.toggle_code(event.code_id)
        if from_box:
            box.value = ""
            self.query_one(CodedText).focus()

    @on(CodebookPane.Leave)
    def _leave_codebook(self) -> None:
        self.query_one(CodedText).focus()

    @on(CodedText.RemoveRequested)
    def _remove(self, event: CodedText.RemoveRequested) -> None:
        view = self.session.view
        if view is None:
            return
        under = view.at(event.offset)
        if not under:
            self._say("none of your codings is under the cursor")
            return
        before = self.session.queue.count()
        name = self.session.code_name(under[0].code_id)
        self.session.remove(under[0].id)
        self._after_change(view.unit.id, before, f"saved: −{name} (span removed)")

    @on(QueueList.Chosen)
    def _chosen(self, event: QueueList.Chosen) -> None:
        self.open_unit(event.unit_id)

    # -- actions (keys and command palette) --------------------------------------------
    def action_done_next(self) -> None:
        """Mark the unit done and go to the next not-done unit."""
        view = self.session.view
        if view is None:
            return
        before = self.session.queue.count()
        was_done = view.done
        self.session.mark_done()
        self._after_change(view.unit.id, before, f"saved: {view.source.external_id} done")
        state = self.session.suggesting
        if state.mode is SuggestMode.AFTER and state.suggester is not None and not was_done:
            # Suggestions appear only now: stay so the coder can see them; d again moves on.
            self._say(f"saved: {view.source.external_id} done · d again: next unit")
            return
        following = self.session.next_not_done()
        if following is None:
            done, total = self.session.progress()
            self.notify(f"Every unit in this queue is done ({done} of {total} overall).",
                        title="All done")
            return
        self.open_unit(following)
        self._say(f"saved: {view.source.external_id} done")

    def action_mark_not_done(self) -> None:
        """Take back the done mark of the unit in view."""
        view = self.session.view
        if view is None:
            return
        before = self.session.queue.count()
        self.session.mark_not_done()
        self._after_change(view.unit.id, before, f"saved: {view.source.external_id} not done")

    def action_undo(self) -> None:
        """Undo this coder's last action (repeatable)."""
        self._step(redo=False)

    def action_redo(self) -> None:
        """Redo what was undone."""
        self._step(redo=True)

    def _step(self, *, redo: bool) -> None:
        before = self.session.queue.count()
        event, unit_id = self.session.redo() if redo else self.session.undo()
        note = None if redo else self.session.merge_note(event)
        if note is not None:
            self.notify(note, severity="warning", timeout=10, markup=False)
        if event is None:
            self._say("nothing to redo" if redo else "nothing to undo")
            return
        self._codebook_changed(event)
        view = self.session.view
        word = "redid" if redo else "undid"
        if unit_id is not None and (view is None or view.unit.id != unit_id):
            self.query_one(QueueList).reload()
            self.open_unit(unit_id)
            self._say(f"{word}: {describe_event(self.session, event)}")
        elif view is not None:
            self._after_change(view.unit.id, before,
                               f"{word}: {describe_event(self.session, event)}")

    def _codebook_changed(self, event: Event | None = None) -> None:
        if event is not None and not event.action.startswith("code"):
            return
        self.colours = code_colours(self.session.codebook)
        self.query_one(CodebookPane).set_codebook(self.session.codebook, self.colours)

    def action_memo(self) -> None:
        """Write a memo on the coding under the cursor, or on the unit."""
        if self.session.view is None:
            return
        kind, guid, label = self.session.memo_target(self.query_one(CodedText).cursor)
        unit_id = self.session.view.unit.id

        def save(text: str | None) -> None:
            if text is None or self.session.view is None or self.session.view.unit.id != unit_id:
                return
            before = self.session.queue.count()
            had = self.session.memo_text(kind, guid)
            self.session.set_memo(kind, guid, text)
            if text.strip():
                message = f"saved: memo on {label}"
            else:
                message = f"saved: memo removed from {label}" if had else "no memo written"
            self._after_change(unit_id, before, message)

        self.app.push_screen(MemoDialog(label, self.session.memo_text(kind, guid)), save)

    def action_search(self) -> None:
        """Search and filter the unit queue."""
        def apply(queue_filter: QueueFilter | None) -> None:
            if queue_filter is not None:
                self.apply_filter(queue_filter)

        self.app.push_screen(SearchDialog(self.session.queue.filter, self.session.codebook,
                                          self.session.metadata_fields()), apply)

    def apply_filter(self, queue_filter: QueueFilter) -> None:
        """Show another selection of units; stay on the unit in view if the filter keeps it."""
        if self.session.set_filter(queue_filter):
            self.order_requested()
        self._order_title()
        queue = self.query_one(QueueList)
        queue.reload()
        view = self.session.view
        if view is not None and self.session.queue.contains(view.unit.id):
            self.open_unit(view.unit.id)
        elif (first := self.session.queue.first()) is not None:
            self.open_unit(first)
        else:
            self._redraw()
            self._say("no unit matches this filter (/ to change it)")
        if self.session.queue.count():
            self._say(f"{self.session.queue.count()} units match")

    def action_clear_filter(self) -> None:
        """Show every unit again."""
        self.apply_filter(QueueFilter())

    def action_help(self) -> None:
        """Show the keyboard help."""
        self.app.push_screen(HelpScreen(self.session.codebook))

    def action_quit(self) -> None:
        """Leave (everything is saved already)."""
        self.app.exit()

    def action_next_unit(self) -> None:
        """Open the next unit of the queue."""
        self._neighbour(1)

    def action_previous_unit(self) -> None:
        """Open the previous unit of the queue."""
        self._neighbour(-1)

    def _neighbour(self, step: int) -> None:
        view = self.session.view
        target = (self.session.queue.neighbour(view.unit.id, step) if view is not None
                  else self.session.queue.first())
        if target is None:
            self._say("no more units this way")
            return
        self.open_unit(target)

    def action_next_not_done(self) -> None:
        """Open the next unit not done yet, without marking this one."""
        target = self.session.next_not_done()
        if target is None:
            self._say("every unit in this queue is done")
            return
        self.open_unit(target)

    def action_add_code(self) -> None:
        """Add a code to the shared codebook."""
        pane = self.query_one(CodebookPane)
        highlighted = pane.highlighted_code()
        parent = None
        if highlighted is not None:
            node = self.session.codebook.by_id(highlighted)
            parent = node.parent_id if node.kind == CodeKind.CODE else node.id

        def added(code: object) -> None:
            if code is not None:
                self._codebook_changed()
                self._say(f"saved: new code {getattr(code, 'name', '')}")

        self.app.push_screen(AddCodeDialog(self.session.codebook, self.session.add_code,
                                           parent_id=parent), added)

    def action_pin_quote(self) -> None:
        """Pin the selection (or the unit) as an exemplar quote of its code."""
        from qualcode.tui.pinning import pin_here

        selection = self.query_one(CodedText).selection
        done = pin_here(self.session, selection.start if selection else None,
                        selection.end if selection else None,
                        self.query_one(CodebookPane).highlighted_code())
        if done.ok:
            self._say(done.message)
        else:
            self.notify(done.message, severity="warning", markup=False)

    def action_filter_codes(self) -> None:
        """Type to filter the codebook."""
        self.query_one(CodebookPane).focus_filter()

    def action_toggle_queue(self) -> None:
        """Show or hide the unit queue; on a narrow terminal it takes the codebook's place."""
        pane = self.query_one("#queue-pane")
        pane.display = not pane.display
        self._queue_toggled = True
        if self.size.width < WIDE:
            # Three panes in 80 columns would leave the text a dozen columns.
            self.query_one("#side-pane").display = not pane.display
        if pane.display:
            self.query_one(QueueList).focus()
        else:
            self.query_one(CodedText).focus()

    def action_focus_text(self) -> None:
        """Put the keyboard back on the text."""
        self.query_one(CodedText).focus()

    def action_apply_code(self, code_id: int) -> None:
        """Toggle a code by id (the command palette's "Apply code ...")."""
        self.toggle_code(code_id)

    def action_remove_under_cursor(self) -> None:
        """Remove this coder's coding under the cursor."""
        text = self.query_one(CodedText)
        self._remove(CodedText.RemoveRequested(text.cursor))

    def _poll_codebook(self) -> None:
        """Pick up codes another coder added to the shared codebook."""
        if self.session.refresh_codebook():
            self._codebook_changed()
            self.session.queue.invalidate()  # a deleted code can change "has code" filters
            self.query_one(QueueList).reload()
            self.query_one(CodedText).set_marks(self._marks(), self.colours)
            self._redraw()
