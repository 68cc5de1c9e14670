"""The add-code dialog: put a new code into the shared codebook without leaving the screen."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from qualcode.codebook_shape import CodebookShape
from qualcode.errors import QualcodeError
from qualcode.interchange.literal import literal
from qualcode.model import RESERVED_KEYS, Code, Codebook, CodeKind
from qualcode.tui.guard import guard_actions

AddCode = Callable[..., Code]
"""``session.add_code``: (name, *, parent_id, kind, shortcut, description) -> Code."""

TOP = -1


@guard_actions
class AddCodeDialog(ModalScreen[Code | None]):
    """Ask for name, parent, kind, key and definition; add the code; return it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, codebook: Codebook, add: AddCode, *, parent_id: int | None) -> None:
        super().__init__()
        self.codebook = codebook
        self.add = add
        self.parent_id = parent_id

    def compose(self) -> ComposeResult:
        """The form."""
        parents = [("(top level)", TOP)] + [
            (literal(self.codebook.path(code)), code.id) for _, code in self.codebook.walk()
            if CodebookShape.placement_problem(self.codebook, code, CodeKind.CODE) is None]
        start = self.parent_id if any(v == self.parent_id for _, v in parents) else TOP
        kinds = [("code", CodeKind.CODE.value), ("sub-theme", CodeKind.SUBTHEME.value),
                 ("theme", CodeKind.THEME.value)]
        with Vertical(classes="dialog", id="add-code-dialog"):
            yield Label("Add a code to the shared codebook", classes="dialog-title")
            yield Input(placeholder="name", id="name")
            yield Select(parents, value=start, allow_blank=False, id="parent", compact=True)
            yield Select(kinds, value=CodeKind.CODE.value, allow_blank=False, id="kind",
                         compact=True)
            yield Input(placeholder="shortcut key (optional; not "
                                    f"{' '.join(sorted(RESERVED_KEYS))})",
                        max_length=1, id="shortcut")
            yield Input(placeholder="definition (optional)", id="description")
            yield Label("", id="add-code-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start with the name."""
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field adds the code."""
        self.action_add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Add or cancel."""
        if event.button.id == "add":
            self.action_add()
        else:
            self.action_cancel()

    def action_add(self) -> None:
        """Add the code, or say what is wrong and stay open."""
        name = self.query_one("#name", Input).value.strip()
        parent = self.query_one("#parent", Select).value
        kind = CodeKind(str(self.query_one("#kind", Select).value))
        shortcut = self.query_one("#shortcut", Input).value.strip() or None
        description = self.query_one("#description", Input).value.strip()
        error = self.query_one("#add-code-error", Label)
        if not name:
            error.update("Give the code a name.")
            self.query_one("#name", Input).focus()
            return
        try:
            code = self.add(name, parent_id=None if parent == TOP else int(str(parent)),
                            kind=kind, shortcut=shortcut, description=description)
        except QualcodeError as problem:
            error.update(literal(problem))
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)
