"""Every metadata field of the unit's source, whole: the header above the text has room
for a few, cut to one line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualcode.interchange.literal import literal
from qualcode.model import Source, Unit, UnitKind
from qualcode.tui.guard import guard_actions


def shown_value(value: Any) -> str:
    """A metadata value as the coder reads it: text as stored, lists and tables as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def details_text(source: Source, unit: Unit) -> Text:
    """Return the source's id, name, the unit's place and every metadata field, whole."""
    text = Text()
    text.append_text(literal(source.external_id, style="bold"))
    if source.name and source.name != source.external_id:
        text.append("  ")
        text.append_text(literal(source.name))
    if unit.kind is not UnitKind.SOURCE:
        text.append(f"\n{unit.kind.value} {unit.position + 1}, characters "
                    f"{unit.start}-{unit.end} of the source", style="dim")
    if not source.metadata:
        text.append("\n\nThis source has no metadata.", style="dim italic")
    if source.metadata:
        text.append("\n")
    for key, value in source.metadata.items():
        text.append("\n")
        text.append_text(literal(key, style="bold"))
        text.append(": ", style="bold")
        text.append_text(literal(shown_value(value)))
    return text


@guard_actions
class UnitDetails(ModalScreen[None]):
    """The unit's source and all its metadata, scrollable; escape closes."""

    DEFAULT_CSS = """
    UnitDetails { align: center middle; background: $background 60%; }
    #unit-details-body { width: 80; max-width: 95%; height: auto; max-height: 90%;
                         border: thick $accent; background: $surface; padding: 0 1;
                         scrollbar-size-vertical: 1; }
    """

    BINDINGS = [Binding("escape,q,enter,ctrl+d", "close", "Close")]

    def __init__(self, source: Source, unit: Unit) -> None:
        super().__init__()
        self.source = source
        self.unit = unit

    def compose(self) -> ComposeResult:
        """The fields, in a box that scrolls."""
        with VerticalScroll(id="unit-details-body") as body:
            body.border_title = "Unit details"
            body.border_subtitle = "↑↓ scroll · escape closes"
            yield Static(details_text(self.source, self.unit), id="unit-details")

    def on_mount(self) -> None:
        """Let the arrows and page keys scroll."""
        self.query_one("#unit-details-body").focus()

    def action_close(self) -> None:
        """Back to coding."""
        self.dismiss(None)
