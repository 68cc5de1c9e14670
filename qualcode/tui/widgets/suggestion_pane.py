"""The suggestion pane: codes a suggester (Part 4) ranks for the unit in view."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.color import Color
from textual.widgets import Static

from qualcode.model import Codebook, Suggestion
from qualcode.tui.colours import badge


class SuggestionPane(Static):
    """Codes a suggester ranks for the unit in view, with the terms behind each.

    Empty until a suggester is passed to :func:`qualcode.tui.app.make_app`; the coder
    accepts a suggestion by pressing its key as usual.
    """

    def show(self, suggestions: Sequence[Suggestion], codebook: Codebook,
             colours: dict[int, Color]) -> None:
        """Redraw the list."""
        text = Text()
        if not suggestions:
            text.append("no suggestions", style="dim")
        for item in suggestions:
            try:
                code = codebook.by_id(item.code_id)
            except KeyError:
                continue
            colour = colours.get(code.id)
            if text:
                text.append("\n")
            text.append(f"[{badge(code)}] ", style=f"bold {colour.hex}" if colour else "bold")
            text.append(f"{code.name} ")
            text.append(f"{item.score:.2f}", style="dim")
            if item.terms:
                text.append(f"  {', '.join(item.terms[:3])}", style="italic dim")
        self.update(text)
