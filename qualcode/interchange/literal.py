"""User text in Rich output, shown exactly as typed: never read as markup or emoji codes.

Source texts, ids, code, coder and user names, memos, metadata and file names may hold
``[laughs]``, ``[/]`` (CHAT transcription), ``[link=...]`` or ``:warning:``. Rich reads
such strings as markup when they reach ``Console.print``, a table cell, a title or a tree
label as ``str``: they vanish, raise ``MarkupError`` or become hyperlinks. Two choke
points keep them literal: :func:`literal` makes a :class:`~rich.text.Text` of one value
(a Text is never parsed), and :func:`literal_console` is a console that parses no string
it is given, for command-line output whose strings all carry user text.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

__all__ = ["literal", "literal_console"]


def literal(value: object, style: str | Style = "", **options: Any) -> Text:
    """Return ``value`` as a Rich Text shown as typed (``options`` as for Text)."""
    return Text(str(value), style=style, **options)


def literal_console(**options: Any) -> Console:
    """Return a Rich console that prints strings as typed: no markup, emoji or highlights."""
    return Console(markup=False, emoji=False, highlight=False, **options)
