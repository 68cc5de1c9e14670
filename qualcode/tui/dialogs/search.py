"""The search dialog (``/``): filter the unit queue by text, done state, code and metadata."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from qualcode.interchange.literal import literal
from qualcode.model import Code, Codebook
from qualcode.storage.queue import Order, QueueFilter, Status
from qualcode.tui.guard import guard_actions

ANY = -1
NO_FIELD = ""


@guard_actions
class SearchDialog(ModalScreen[QueueFilter | None]):
    """Edit the queue filter; returns the new filter, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: QueueFilter, codebook: Codebook, fields: list[str]) -> None:
        super().__init__()
        self.current = current
        self.codebook = codebook
        self.fields = fields

    def compose(self) -> ComposeResult:
        """The form, prefilled with the filter in force."""
        current = self.current
        statuses = [("all units", Status.ALL.value), ("not done", Status.NOT_DONE.value),
                    ("done", Status.DONE.value)]
        # Name first, so typing in the open list finds a code; the parent path follows.
        codes = [("(any)", ANY)] + [(self._code_label(c), c.id)
                                    for _, c in self.codebook.walk()]
        code_value = current.code_ids[0] if current.code_ids else ANY
        fields = [("(any)", NO_FIELD)] + [(literal(f), f) for f in self.fields]
        with Vertical(classes="dialog", id="search-dialog"):
            yield Label("Search and filter units", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Text", classes="form-label")
                yield Input(current.text, placeholder="contains…", id="text")
            with Horizontal(classes="form-row"):
                yield Label("Show", classes="form-label")
                yield Select(statuses, value=current.status.value, allow_blank=False,
                             id="status", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("You coded", classes="form-label")
                yield Select(codes, value=code_value, allow_blank=False, id="code",
                             compact=True)
            with Horizontal(classes="form-row", id="metadata-row"):
                yield Label("Metadata", classes="form-label")
                yield Select(fields, value=current.field or NO_FIELD, allow_blank=False,
                             id="field", compact=True)
                yield Input(current.value or "", placeholder="= value", id="value")
            with Horizontal(classes="form-row"):
                yield Label("Order", classes="form-label")
                yield Select([("queue order", Order.QUEUE.value),
                              ("most uncertain first", Order.UNCERTAIN.value)],
                             value=current.order.value, allow_blank=False, id="order",
                             compact=True)
            yield Label("enter applies · escape cancels", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Clear", id="clear")
                yield Button("Cancel", id="cancel")

    def _code_label(self, code: Code) -> Text:
        parents = [a.name for a in self.codebook.ancestors(code)]
        key = f"[{code.shortcut}] " if code.shortcut else ""
        return literal(f"{key}{code.name}" + (f"  ({' / '.join(parents)})" if parents else ""))

    def on_mount(self) -> None:
        """Start in the text box."""
        self.query_one("#text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter applies."""
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Apply, clear or cancel."""
        if event.button.id == "apply":
            self.action_apply()
        elif event.button.id == "clear":
            self.dismiss(QueueFilter())
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        """Return the filter the form describes."""
        code = self.query_one("#code", Select).value
        code_ids: tuple[int, ...] = ()
        if code != ANY and isinstance(code, int):
            node = self.codebook.by_id(code)
            code_ids = (node.id, *(c.id for c in self.codebook.descendants(node)))
        field = str(self.query_one("#field", Select).value or "")
        self.dismiss(QueueFilter(
            status=Status(str(self.query_one("#status", Select).value)),
            code_ids=code_ids,
            field=field or None,
            value=self.query_one("#value", Input).value if field else None,
            text=self.query_one("#text", Input).value.strip(),
            order=Order(str(self.query_one("#order", Select).value))))

    def action_cancel(self) -> None:
        """Close and keep the filter as it was."""
        self.dismiss(None)
