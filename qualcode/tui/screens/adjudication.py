"""The adjudication screen: two coders' disagreements, unit by unit, settled into consensus.

Every decision goes through the :class:`~qualcode.tui.adjudication_session.AdjudicationSession`,
which commits it as one event before the screen redraws. Both coders' layers are only read.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from qualcode.errors import QualcodeError
from qualcode.interchange.literal import literal
from qualcode.storage.event_words import describe_event
from qualcode.tui.adjudication_session import AdjudicationSession, DisputedUnit
from qualcode.tui.colours import code_colours
from qualcode.tui.dialogs.code_picker import CodePicker
from qualcode.tui.dialogs.consensus_report import ConsensusReport, consensus_renderable
from qualcode.tui.dialogs.key_help import KeyHelp
from qualcode.tui.guard import guard_actions
from qualcode.tui.keys import ADJUDICATION, bindings, help_rows
from qualcode.tui.widgets.coder_column import CoderColumn

HELP_NOTES = (
    "\nEach decision replaces the unit's consensus codings (codes both coders agreed on "
    "are included) and marks its sources done in the consensus layer; both coders' own "
    "codings are never changed. Codes marked ≠ are in dispute, = agreed. Underlined "
    "text is a span coding, with the code's key in [brackets] in the list. "
    "pageup/pagedown and the arrows scroll the texts.")


@guard_actions
class AdjudicationScreen(Screen[None]):
    """Settle one pair of coders' disagreements into the consensus layer."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"

    BINDINGS = [Binding(keys, action, label, show=show)
                for keys, action, label, show in bindings(screen=ADJUDICATION)]

    def __init__(self, session: AdjudicationSession) -> None:
        super().__init__()
        self.session = session
        self.colours = code_colours(session.codebook)
        self._message = ""
        self._reported = False

    def compose(self) -> ComposeResult:
        """Status, the two coders side by side, the consensus line, the key footer."""
        yield Static("", id="adj-status")
        yield Static("", id="adj-unit")
        with Horizontal(id="adj-body"):
            with VerticalScroll(id="adj-a", classes="adj-side"):
                yield CoderColumn("", id="adj-a-col")
            with VerticalScroll(id="adj-b", classes="adj-side"):
                yield CoderColumn("", id="adj-b-col")
        yield Static("", id="adj-consensus")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start on the first unsettled unit."""
        session = self.session
        # Text, not str: a border title string is read as markup.
        self.query_one("#adj-a").border_title = literal(f"A: {session.coder_a.name}")
        self.query_one("#adj-b").border_title = literal(f"B: {session.coder_b.name}")
        if session.units and session.is_settled(session.current):
            session.next_unsettled()
        self.redraw()

    # -- drawing -----------------------------------------------------------------------
    def redraw(self) -> None:
        """Show the unit in view, both sides, the consensus and the progress."""
        session = self.session
        settled, total, items = session.progress()
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append(f"{session.adjudicator.name}: ", style="bold")
        status.append(f"{session.coder_a.name} vs {session.coder_b.name} · {settled} of "
                      f"{total} units settled · {items} {session.level} disagreements")
        self.query_one("#adj-status", Static).update(status)
        if not session.units:
            counted = len(session.counted_units())
            self.query_one("#adj-a-col", CoderColumn).update(
                f"No disagreements: the two coders agree on all {counted} units both "
                "finished. Press g to copy them into the consensus, c for the report."
                if counted else "No unit was finished by both coders at this unit of "
                "analysis (with --group-by, every source of a group must be done by both).")
            self.query_one("#adj-b-col", CoderColumn).update("")
            self.query_one("#adj-consensus", Static).update(literal(self._message))
            return
        unit = session.current
        disputed = session.disputed_codes(unit)
        texts = {sid: session.store.source(sid).text for sid in unit.source_ids}
        mine = session.codings_of(session.coder_a, unit)
        theirs = session.codings_of(session.coder_b, unit)
        common = {"codebook": session.codebook, "colours": self.colours,
                  "disputed": disputed, "spans": unit.unit.spans, "texts": texts,
                  "list_height": max(len({c.code_id for c in mine}),
                                     len({c.code_id for c in theirs}), 1)}
        self.query_one("#adj-a-col", CoderColumn).show(mine, **common)
        self.query_one("#adj-b-col", CoderColumn).show(theirs, **common)
        self.query_one("#adj-unit", Static).update(self._unit_line(unit, total))
        self.query_one("#adj-consensus", Static).update(self._consensus_line(unit))

    def _unit_line(self, unit: DisputedUnit, total: int) -> Text:
        """'F001 · 1 of 46 · study_id S03 · ...': where the unit is and what it is."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(unit.key, style="bold")
        line.append(f" · {self.session.index + 1} of {total}")
        if len(unit.source_ids) == 1:
            metadata = self.session.store.source(unit.source_ids[0]).metadata
            for key, value in metadata.items():
                line.append(f" · {key} ", style="dim")
                line.append(str(value))
        else:
            line.append(f" · {len(unit.source_ids)} sources", style="dim")
        return line

    def _consensus_line(self, unit: DisputedUnit) -> Text:
        session = self.session
        line = Text(no_wrap=True, overflow="ellipsis")
        if session.is_settled(session.current):
            names = sorted({session.codebook.path(session.codebook.by_id(c.code_id))
                            .split("/")[-1] for c in session.consensus_of(session.current)})
            line.append("✓ settled · consensus: ", style="bold")
            line.append(", ".join(names) or "(no code)")
        else:
            line.append("○ not settled · ", style="bold")
            line.append("a / b / o (both) / n (neither) / e (edit)")
        if self._message:
            line.append(f" · {self._message}", style="italic")
        return line

    def say(self, message: str) -> None:
        """Show what the last key did, beside the consensus line."""
        self._message = message
        self.redraw()

    # -- actions -----------------------------------------------------------------------
    def action_decide(self, choice: str, picked: set[int] | None = None) -> None:
        """Settle the unit in view and move to the next unsettled one."""
        if not self.session.units:
            return
        key = self.session.current.key
        try:
            self.session.decide(choice, picked)
        except QualcodeError as error:
            self.say(f"not saved: {error}")
            return
        message = f"saved: {key} {self.session.describe(choice)}"
        if not self.session.next_unsettled():
            message += " · every disputed unit is settled"
            self.say(message)
            self.action_report()
            return
        self.say(message)

    def action_edit(self) -> None:
        """Tick the consensus codes of the unit by hand."""
        session = self.session
        if not session.units:
            return
        unit = session.current
        used: dict[int, str] = {}
        for tag, coder in (("A", session.coder_a), ("B", session.coder_b)):
            for coding in session.codings_of(coder, unit):
                used[coding.code_id] = (used.get(coding.code_id, "") + " " + tag).strip()
        chosen = {c.code_id for c in session.consensus_of(unit)} if session.is_settled(unit) \
            else {cid for cid, who in used.items() if who == "A B"}
        title = f"Consensus codes for {unit.key}"

        def done(picked: set[int] | None) -> None:
            if picked is not None:
                self.action_decide("edit", picked)

        self.app.push_screen(CodePicker(session.codebook, chosen, used, title), done)

    def action_undo(self) -> None:
        """Undo the adjudicator's last decision."""
        event = self.session.undo()
        self.say("nothing to undo" if event is None
                 else f"undone: {describe_event(self.session.store, event)}")

    def action_redo(self) -> None:
        """Redo the last undone decision."""
        event = self.session.redo()
        self.say("nothing to redo" if event is None
                 else f"redone: {describe_event(self.session.store, event)}")

    def action_go(self, step: int) -> None:
        """Previous or next disputed unit."""
        self.session.go(step)
        self.say("")

    def action_skip(self) -> None:
        """Next unsettled unit."""
        self.say("" if self.session.next_unsettled() else "every disputed unit is settled")

    def action_copy_agreed(self) -> None:
        """Copy the fully agreed units into the consensus (one event, undoable)."""
        event = self.session.copy_agreed()
        self.say("no agreed unit left to copy" if event is None else
                 f"saved: copied {event.payload.get('copied_agreed', 0)} agreed units")

    def action_report(self) -> None:
        """Each coder's agreement with the consensus."""
        session = self.session
        settled, total, _ = session.progress()
        try:
            reports = session.consensus_reports()
        except QualcodeError as error:
            self.say(str(error))
            return
        body = consensus_renderable(reports, settled=settled, total=total,
                                    agreed_left=len(session.agreed_units()))
        self.app.push_screen(ConsensusReport(body))

    def action_help(self) -> None:
        """The keys of this screen."""
        self.app.push_screen(KeyHelp("Adjudication", help_rows(ADJUDICATION), HELP_NOTES))

    def action_leave(self) -> None:
        """Back to where the screen was opened from, or quit when it is the only one."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
