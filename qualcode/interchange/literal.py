"""User text in Rich output, shown exactly as typed: never read as markup or emoji codes.

Source texts, ids, code, coder and user names, memos, metadata and file names may hold
``[laughs]``, ``[/]`` (CHAT transcription), ``[link=...]`` or ``:warning:``. Rich reads
such strings as markup when they reach ``Console.print``, a table cell, a title or a tree
label as ``str``: they vanish, raise ``MarkupError`` or become hyperlinks. Two choke
points keep them literal: :func:`literal` makes a :class:`~rich.text.Text` of one value
(a Text is never parsed), and :func:`literal_console` is a console that parses no string
it is given, for command-line output whose strings all carry user text.

Neither sends a control character of the text to the terminal: an ESC in an imported
text would otherwise start an escape sequence (a hyperlink, a colour, a window title).
Each shows as a visible symbol (ESC as U+241B, a C1 control as U+FFFD); line feeds and
tabs stay, and carriage returns are left to Rich, which drops them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

__all__ = ["literal", "literal_console", "visible"]

_SHOWN_CONTROLS = {
    **{code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n\r"},
    0x7F: "\u2421",
    **{code: "\ufffd" for code in range(0x80, 0xA0)},
}


def visible(text: str) -> str:
    """Return ``text`` with its control characters (but tab, LF and CR) as symbols."""
    return text.translate(_SHOWN_CONTROLS)


class _LiteralConsole(Console):
    """A console whose text segments never carry a control character to the terminal."""

    def render_str(self, text: str, **options: Any) -> Text:
        """Make a string's control characters visible before it is measured and laid out."""
        return super().render_str(visible(text), **options)

    def render(self, renderable: RenderableType,
               options: ConsoleOptions | None = None) -> Iterable[Segment]:
        """Render as Rich does, with the text of every non-control segment made visible
        (a Text built elsewhere was measured with its control characters as zero width:
        its cell may lose a character or two at the end, never show an escape)."""
        for segment in super().render(renderable, options):
            # A control segment is Rich's own (cursor moves of a progress bar): keep it.
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(visible(segment.text), segment.style)


def literal(value: object, style: str | Style = "", **options: Any) -> Text:
    """Return ``value`` as a Rich Text shown as typed, control characters as symbols
    (``options`` as for Text)."""
    return Text(visible(str(value)), style=style, **options)


def literal_console(**options: Any) -> Console:
    """Return a Rich console that prints strings as typed: no markup, emoji or highlights,
    and no control character of a text reaching the terminal."""
    return _LiteralConsole(markup=False, emoji=False, highlight=False, **options)
