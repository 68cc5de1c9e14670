"""The memo dialog: write or change this coder's note on a unit or a coding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

from qualcode.interchange.literal import literal
from qualcode.tui.guard import guard_actions


@guard_actions
class MemoDialog(ModalScreen[str | None]):
    """Edit a memo; returns the new text (empty removes the memo) or None when cancelled."""

    BINDINGS = [
        # Not a priority binding: it must wait behind the keys typed before it.
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, label: str, text: str) -> None:
        super().__init__()
        self.label = label
        self.text = text

    def compose(self) -> ComposeResult:
        """Title, editor, buttons."""
        with Vertical(classes="dialog", id="memo-dialog"):
            yield Label(literal(f"Memo on {self.label}"), classes="dialog-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True, show_line_numbers=False)
            yield Label("ctrl+s saves · escape cancels · an empty memo is removed",
                        classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start typing at the end of the existing memo."""
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or cancel."""
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Return the text."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
