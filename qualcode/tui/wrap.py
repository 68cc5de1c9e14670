"""Word-wrapping a unit's text into screen rows that keep exact code-point offsets.

The text pane draws a row at a time and maps clicks and cursor moves to offsets into
the source, so the wrap must say, for every row, which code points it shows. Nothing
here imports Textual: it is plain Python, tested on its own, and fast enough to re-wrap
a 300,000-character transcript when the terminal is resized.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from rich.cells import cell_len, get_character_cell_size

TOKEN = re.compile(r"\S+\s*|\s+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def display_text(text: str) -> str:
    """Return ``text`` with tabs and control characters shown as spaces (one cell each).

    Keeping one display character per code point is what lets a screen column map back
    to an offset; a tab expanded to eight spaces would break that.
    """
    return CONTROL.sub(" ", text)


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


class TextLayout:
    """The rows a text wraps into at a given width, each as ``[start, end)`` offsets.

    A newline ends a row and belongs to no row: offset ``end`` of a row may be a newline,
    and the cursor can sit there (at the end of the line).

    >>> layout = TextLayout("one two three", 8)
    >>> [layout.row_text(i) for i in range(len(layout))]
    ['one two ', 'three']
    >>> layout.row_of(9), layout.column_of(9)
    (1, 1)
    """

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self._wrap()

    def __len__(self) -> int:
        return len(self.starts)

    def _wrap(self) -> None:
        """Greedy word wrap, paragraph by paragraph."""
        offset = 0
        for paragraph in self.text.split("\n"):
            # Measure what is drawn: a tab or control character takes one cell on screen.
            self._wrap_paragraph(display_text(paragraph), offset)
            offset += len(paragraph) + 1

    def _wrap_paragraph(self, paragraph: str, base: int) -> None:
        width = self.width
        starts, ends = self.starts, self.ends
        if not paragraph:
            starts.append(base)
            ends.append(base)
            return
        if paragraph.isascii() and len(paragraph) <= width:
            starts.append(base)
            ends.append(base + len(paragraph))
            return
        row_start = 0
        column = 0
        for match in TOKEN.finditer(paragraph):
            token_start, token_end = match.span()
            token = match.group()
            word = token.rstrip()
            word_width = _width(word)
            if column and column + word_width > width:
                starts.append(base + row_start)
                ends.append(base + token_start)
                row_start, column = token_start, 0
            if word_width > width:
                # A word wider than the pane is cut at the edge, like a hard wrap.
                row_start, column = self._split_long(paragraph, base, row_start, token_start,
                                                     token_end)
                continue
            column += _width(token)
        starts.append(base + row_start)
        ends.append(base + len(paragraph))

    def _split_long(self, paragraph: str, base: int, row_start: int, token_start: int,
                    token_end: int) -> tuple[int, int]:
        """Cut an over-long token into full rows; return the start and width of the last."""
        column = 0
        position = token_start
        while position < token_end:
            size = get_character_cell_size(paragraph[position])
            if column + size > self.width and column:
                self.starts.append(base + row_start)
                self.ends.append(base + position)
                row_start, column = position, 0
            column += size
            position += 1
        return row_start, column

    # -- look-ups ----------------------------------------------------------------------
    def row_text(self, row: int) -> str:
        """Return the characters shown on a row."""
        return self.text[self.starts[row]:self.ends[row]]

    def row_of(self, offset: int) -> int:
        """Return the row that shows ``offset`` (a newline belongs to the row it ends)."""
        if not self.starts:
            return 0
        return max(0, bisect_right(self.starts, offset) - 1)

    def column_of(self, offset: int) -> int:
        """Return the screen column of ``offset`` within its row."""
        row = self.row_of(offset)
        start = self.starts[row]
        return _width(display_text(self.text[start:min(offset, self.ends[row])]))

    def offset_at(self, row: int, column: int) -> int:
        """Return the offset under a screen cell (clamped to the row's end)."""
        if not self.starts:
            return 0
        row = min(max(row, 0), len(self.starts) - 1)
        start, end = self.starts[row], self.ends[row]
        segment = self.text[start:end]
        if segment.isascii():
            return start + min(max(column, 0), len(segment))
        used = 0
        for index, character in enumerate(display_text(segment)):
            size = get_character_cell_size(character)
            if used + size > column:
                return start + index
            used += size
        return end
