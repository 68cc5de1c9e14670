"""Candidate themes among the units nobody has coded yet; one can become a new code.

Grouping runs on a worker thread with its own connection to the project. Making a code
goes through :meth:`CodingSession.add_code`, the add-code path of the coding screen: one
logged event that ``u`` undoes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from qualcode.codebook_shape import CodebookShape
from qualcode.errors import QualcodeError
from qualcode.interchange.literal import literal
from qualcode.model import Code, CodeKind
from qualcode.storage.failures import one_line_failures
from qualcode.tui.guard import guard_actions

if TYPE_CHECKING:
    from qualcode.analysis.theme_discovery import ProjectCandidate, ProjectDiscovery
    from qualcode.tui.session import CodingSession

TOP = -1
HINT = "enter: edit the name below, enter again: make it a code (u undoes it)"
EXAMPLES_KEPT = 2
"""Example units copied into the new code's examples (they help the cold-start model)."""


@guard_actions
class DiscoveryScreen(Screen[Code | None]):
    """List candidate themes, show one's terms and example units, make it a code."""

    DEFAULT_CSS = """
    DiscoveryScreen { layout: vertical; }
    #discovery-title { height: 1; background: $panel; padding: 0 1; }
    #candidates { height: auto; max-height: 9; border: round $panel-lighten-2; }
    #candidates:focus { border: round $accent; }
    #candidate-scroll { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    #candidate-form { height: 3; }
    #candidate-name { width: 1fr; }
    #candidate-parent { width: 30; margin: 1 1 0 1; }
    #make-code { margin: 0 1; min-width: 12; }
    #candidate-error { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "close", "Back"),
                Binding("plus", "regroup(1)", "More themes"),
                Binding("minus", "regroup(-1)", "Fewer")]

    def __init__(self, session: CodingSession, *, clusters: int = 8, seed: int = 0) -> None:
        super().__init__()
        self.session = session
        self.clusters = clusters
        self.seed = seed
        self.result: ProjectDiscovery | None = None

    def compose(self) -> ComposeResult:
        """Title, candidate list, the highlighted candidate, the make-a-code form."""
        book = self.session.codebook
        parents = [("(top level)", TOP)] + [
            (literal(book.path(code)), code.id) for _, code in book.walk()
            if CodebookShape.placement_problem(book, code, CodeKind.CODE) is None]
        yield Static("", id="discovery-title")
        yield OptionList(id="candidates")
        with VerticalScroll(id="candidate-scroll"):
            yield Static("", id="candidate-detail")
        with Horizontal(id="candidate-form"):
            yield Input(placeholder="name of the new code", id="candidate-name")
            yield Select(parents, value=TOP, allow_blank=False, id="candidate-parent",
                         compact=True)
            yield Button("Make code", variant="primary", id="make-code")
        yield Label(HINT, id="candidate-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start grouping."""
        self._group()

    def _group(self) -> None:
        self.query_one("#discovery-title", Static).update(
            f"Grouping the units nobody has coded into up to {self.clusters} themes…")
        self.query_one(OptionList).clear_options()
        self._discover(self.clusters, self.seed)

    @work(thread=True, exclusive=True, group="discover")
    def _discover(self, clusters: int, seed: int) -> None:
        from qualcode.analysis.theme_discovery import discover_themes
        from qualcode.storage import Store

        try:
            with one_line_failures(self.session.store.path):  # locked, full: one line too
                own = Store.open(self.session.store.path)
                try:
                    result = discover_themes(own, clusters=clusters, seed=seed,
                                             kind=self.session.queue.kind)
                finally:
                    own.close()
        except QualcodeError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._show, result)

    def _failed(self, message: str) -> None:
        self.query_one("#discovery-title", Static).update("No candidate themes")
        self.query_one("#candidate-detail", Static).update(literal(message))

    def _show(self, result: ProjectDiscovery) -> None:
        self.result = result
        unplaced = f", {result.unplaced} share no terms" if result.unplaced else ""
        self.query_one("#discovery-title", Static).update(
            f"{len(result.candidates)} candidate themes among {result.uncoded} units nobody "
            f"has coded{unplaced}")
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(literal(f"{c.number:>2}. {c.label}  ({_units(c.size)})"),
                                    id=str(c.number)) for c in result.candidates])
        if result.candidates:
            options.highlighted = 0
            options.focus()
            self._detail(result.candidates[0])

    def _candidate(self, index: int | None) -> ProjectCandidate | None:
        if self.result is None or index is None or not 0 <= index < len(self.result.candidates):
            return None
        return self.result.candidates[index]

    @on(OptionList.OptionHighlighted, "#candidates")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        candidate = self._candidate(event.option_index)
        if candidate is not None:
            self._detail(candidate)

    @on(OptionList.OptionSelected, "#candidates")
    def _selected(self) -> None:
        self.query_one("#candidate-name", Input).focus()

    def _detail(self, candidate: ProjectCandidate) -> None:
        text = Text()
        text.append("top terms: ", style="bold")
        text.append(", ".join(candidate.terms))
        text.append(f"\n{_units(candidate.size)}; the most typical:\n", style="dim")
        for example in candidate.examples:
            text.append(f"\n{example.source} ", style="bold")
            text.append(example.text)
        self.query_one("#candidate-detail", Static).update(text)
        name = self.query_one("#candidate-name", Input)
        name.value = candidate.label
        self.query_one("#candidate-error", Label).update(HINT)

    @on(Input.Submitted, "#candidate-name")
    @on(Button.Pressed, "#make-code")
    def _make_code(self) -> None:
        candidate = self._candidate(self.query_one(OptionList).highlighted)
        error = self.query_one("#candidate-error", Label)
        name = self.query_one("#candidate-name", Input).value.strip()
        if candidate is None:
            error.update(Text("Pick a candidate theme first.", style="bold red"))
            return
        if not name:
            error.update(Text("Give the code a name.", style="bold red"))
            return
        parent = self.query_one("#candidate-parent", Select).value
        try:
            code = self.session.add_code(
                name, parent_id=None if parent == TOP else int(str(parent)),
                description=candidate.description(),
                examples=[e.text for e in candidate.examples[:EXAMPLES_KEPT]])
        except QualcodeError as problem:
            error.update(Text(str(problem), style="bold red"))
            return
        self.dismiss(code)

    def action_regroup(self, step: int) -> None:
        """Group again into more (or fewer) themes."""
        self.clusters = max(2, min(30, self.clusters + step))
        self._group()

    def action_close(self) -> None:
        """Back to coding without a new code."""
        self.dismiss(None)


def _units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"
