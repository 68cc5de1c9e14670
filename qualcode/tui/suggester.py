"""What the coding screen needs from a code suggester (Part 4 provides one).

Defined here, on the side that consumes it, so :mod:`qualcode.nlp` can implement it
structurally without importing the TUI (the import-linter contracts forbid that).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from qualcode.model import Suggestion


@runtime_checkable
class Suggester(Protocol):
    """Ranks the codes of the codebook for a text, best first."""

    def suggest(self, source_text: str, top: int) -> list[Suggestion]:
        """Return at most ``top`` suggestions for this text, best first."""
        ...
