"""Keyboard help for the agreement, adjudication and frequency screens."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualcode.interchange.literal import literal
from qualcode.tui.guard import guard_actions


def key_table(title: str, rows: Sequence[tuple[str, str]], notes: str = "") -> Group:
    """Return a screen's keys as a table, with an optional explanation under it."""
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  expand=True, show_edge=False, pad_edge=False)
    table.add_column("Key", style="bold", ratio=1)
    table.add_column("Action", ratio=4)
    for key, action in rows:
        table.add_row(literal(key), literal(action))
    parts: list[Table | Text] = [table]
    if notes:
        parts.append(Text(notes))
    parts.append(Text("escape, ? or q closes this help", style="dim"))
    return Group(*parts)


@guard_actions
class KeyHelp(ModalScreen[None]):
    """A scrollable key table; escape, ``?`` or ``q`` closes it."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, title: str, rows: Sequence[tuple[str, str]], notes: str = "") -> None:
        super().__init__()
        self.body = key_table(title, rows, notes)

    def compose(self) -> ComposeResult:
        """The table."""
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Static(self.body)

    def on_mount(self) -> None:
        """Let the arrows scroll."""
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        """Back to the screen."""
        self.dismiss(None)
