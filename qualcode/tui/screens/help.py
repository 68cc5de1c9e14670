"""The help screen (``?``): the keyboard table and this codebook's shortcut keys."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualcode.interchange.literal import literal
from qualcode.model import Codebook
from qualcode.tui.guard import guard_actions
from qualcode.tui.keys import ANYWHERE, CODEBOOK, KEYS, QUEUE, TEXT


def _table(title: str, rows: list[tuple[str, str]], what: str = "Action") -> Table:
    # A Text title keeps no title_style: the style goes on the Text.
    table = Table(
        title=literal(title, style="bold"),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        expand=True,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("Key", style="bold", ratio=2)
    table.add_column(what, ratio=5)
    for key, action in rows:
        table.add_row(literal(key), literal(action))
    return table


def help_renderable(codebook: Codebook) -> RenderableType:
    """Return the help: this codebook's keys, then the keyboard table by area."""
    shortcuts = [(code.shortcut, codebook.path(code)) for _, code in codebook.walk()
                 if code.shortcut]
    parts: list[RenderableType] = []
    if shortcuts:
        parts.append(_table("This codebook's keys", shortcuts, "Code"))
    else:
        parts.append(Text("No code has a shortcut key yet: use the codebook pane (enter "
                          "applies the highlighted code) or the command palette.\n"))
    for where in (ANYWHERE, TEXT, QUEUE, CODEBOOK):
        parts.append(_table(where.capitalize(), [(k.shown, k.description) for k in KEYS
                                                 if k.where == where and k.shown]))
    parts.append(Text("escape, ? or q closes this help", style="dim"))
    return Group(*parts)


@guard_actions
class HelpScreen(ModalScreen[None]):
    """Keyboard help over the coding screen; any of escape, ``?`` or ``q`` closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, codebook: Codebook) -> None:
        super().__init__()
        self.codebook = codebook

    def compose(self) -> ComposeResult:
        """The tables."""
        with VerticalScroll(id="help-body"):
            yield Static(help_renderable(self.codebook))

    def on_mount(self) -> None:
        """Let the arrows scroll the help."""
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        """Back to coding."""
        self.dismiss(None)
