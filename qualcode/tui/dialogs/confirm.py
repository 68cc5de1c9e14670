"""A yes/no question over the current screen (``y`` / ``n``)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from qualcode.interchange.literal import literal
from qualcode.tui.guard import guard_actions


@guard_actions
class ConfirmDialog(ModalScreen[bool]):
    """Ask before doing something that cannot be taken back; returns True for yes."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, title: str, message: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.yes = yes

    def compose(self) -> ComposeResult:
        """Question, explanation, buttons."""
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(literal(self.title_text), classes="dialog-title")
            yield Static(literal(self.message), id="confirm-message")
            yield Label("y answers yes · n or escape no", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        """Answer with the key."""
        self.dismiss(value)
