"""Other coders' codings on the unit in view: mounted only with ``--reveal``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from qualcode.model import Codebook
from qualcode.tui.session import OtherCoder, UnitView


class OthersPane(Static):
    """Other coders' codings on the unit in view; only ever mounted with ``--reveal``."""

    def show(self, others: Sequence[OtherCoder], view: UnitView, codebook: Codebook) -> None:
        """Redraw for a unit."""
        text = Text()
        if not others:
            text.append("no other coder has coded this unit", style="dim")
        for other in others:
            if text:
                text.append("\n")
            text.append(other.coder.name, style="bold")
            text.append(" ✓ done" if other.done else " not done", style="dim")
            for coding in other.codings:
                try:
                    name = codebook.by_id(coding.code_id).name
                except KeyError:
                    name = f"code {coding.code_id}"
                if view.is_whole(coding):
                    extent = "whole unit"
                else:
                    start, end = view.relative(coding)
                    extent = f"“{view.text[start:end][:40]}”"
                text.append(f"\n  {name}: {extent}")
        self.update(text)
