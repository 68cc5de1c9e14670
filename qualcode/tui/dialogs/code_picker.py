"""Pick the consensus codes of a unit by hand (the adjudication screen's ``e``)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList
from textual.widgets.selection_list import Selection

from qualcode.interchange.literal import literal
from qualcode.model import Codebook
from qualcode.tui.guard import guard_actions


@guard_actions
class CodePicker(ModalScreen[set[int] | None]):
    """Tick the codes the consensus should hold; returns their ids, or None if cancelled."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"

    BINDINGS = [Binding("enter,ctrl+s", "save", "Save", priority=True),
                Binding("escape", "cancel", "Cancel")]

    def __init__(self, codebook: Codebook, chosen: Collection[int], used_by: dict[int, str],
                 title: str) -> None:
        super().__init__()
        self.codebook = codebook
        self.chosen = set(chosen)
        self.used_by = used_by
        self.title_text = title

    def compose(self) -> ComposeResult:
        """Every codable code, ticked when chosen, marked with who used it."""
        options = []
        for depth, code in self.codebook.walk():
            if not code.codable:
                continue
            who = self.used_by.get(code.id, "")
            label = literal(f"{'  ' * depth}{code.name}")
            if who:
                # A Text prompt, so "[A B]" is shown, not read as markup.
                label.append(f"  [{who}]", style="bold")
            options.append(Selection(label, code.id, code.id in self.chosen))
        with Vertical(classes="dialog", id="picker-dialog"):
            yield Label(literal(self.title_text), classes="dialog-title")
            yield SelectionList[int](*options, id="picker")
            yield Label(Text("space ticks · enter saves · escape cancels · [A] [B]: used by "
                             "that coder"), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Keyboard on the list."""
        self.query_one(SelectionList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or cancel."""
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Return the ticked codes."""
        self.dismiss(set(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        """Close without deciding."""
        self.dismiss(None)
