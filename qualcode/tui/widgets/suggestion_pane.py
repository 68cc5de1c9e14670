"""The suggestion pane: codes a suggester ranks for the unit in view, and why."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.color import Color
from textual.widgets import Static

from qualcode.model import Codebook, Suggestion
from qualcode.tui.colours import badge


class SuggestionPane(Static):
    """Up to three suggested codes: accept key, code, score, and the terms that drove it.

    Two lines per suggestion so the terms stay readable in a 30-column side pane; lines
    are cut with an ellipsis, never wrapped, so three suggestions always fit.
    """

    DEFAULT_CSS = """
    SuggestionPane { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, suggestions: Sequence[Suggestion], codebook: Codebook,
             colours: dict[int, Color]) -> None:
        """Redraw the list."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for rank, item in enumerate(suggestions, start=1):
            try:
                code = codebook.by_id(item.code_id)
            except KeyError:
                continue  # deleted since the model was fitted
            colour = colours.get(code.id)
            if text:
                text.append("\n")
            text.append(f"{rank} ", style="bold reverse")
            text.append(f"[{badge(code)}] ", style=f"bold {colour.hex}" if colour else "bold")
            text.append(code.name)
            text.append(f"\n  {item.score:.2f} ", style="dim")
            text.append(", ".join(item.terms[:4]) if item.terms else "(no telling terms)",
                        style="italic dim")
        if not text:
            text.append("no suggestions for this unit", style="dim")
        self.update(text)

    def message(self, words: str) -> None:
        """Show a line instead of suggestions (loading, hidden until done, ...)."""
        self.update(Text(words, style="dim italic"))
