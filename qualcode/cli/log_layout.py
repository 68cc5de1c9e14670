"""The event log on a narrow terminal: each event on one line, its details folded below.

A five-column table squeezed into 80 columns cuts the id, time, coder and action to a
few letters each, which is what a reader scans the log by. When the table does not fit,
those four stay whole on the event's line and the details go on the next line, indented.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.text import Text

from qualcode.interchange.literal import literal

LogRow = tuple[str, str, str, str, str]
"""id, time, coder, action, details: the cells of one event."""

HEADERS = ("id", "at (UTC)", "coder", "action", "details")
"""Column names, as the wide table shows them."""
GAP = 2
"""Spaces between the columns of the folded layout."""
DETAILS_INDENT = 6
"""Spaces before an event's details on their own line."""
TABLE_FRAME = 16
"""Cells a five-column Rich table spends on borders and padding (1 + 3 per column)."""


def fits_in_columns(rows: Sequence[LogRow], width: int) -> bool:
    """Return whether the five-column table shows every cell whole in ``width`` cells."""
    widths = _widths(rows, columns=5)
    return sum(widths) + TABLE_FRAME <= width


def _widths(rows: Sequence[LogRow], *, columns: int) -> list[int]:
    return [max([cell_len(HEADERS[k])] + [cell_len(row[k]) for row in rows])
            for k in range(columns)]


def print_folded_log(console: Console, title: str, rows: Sequence[LogRow]) -> None:
    """Print the log with id, time, coder and action on a line, the details under them."""
    widths = _widths(rows, columns=4)
    console.print(literal(title, style="bold"))
    header = Text(style="bold")
    for k, name in enumerate(HEADERS[:4]):
        header.append(_cell(name, widths[k], last=k == 3))
    header.append(Text("\n" + " " * DETAILS_INDENT + HEADERS[4], style="dim"))
    console.print(header, overflow="fold")
    for row in rows:
        line = Text()
        for k in range(4):
            line.append_text(literal(_cell(row[k], widths[k], last=k == 3),
                                     style="bold" if k == 0 else ""))
        line.append("\n" + " " * DETAILS_INDENT)
        line.append_text(literal(row[4], style="dim"))
        # A coder name wider than the terminal still shows whole, on more lines.
        console.print(line, overflow="fold")


def _cell(value: str, width: int, *, last: bool) -> str:
    """A cell padded to its column's width plus the gap (the last one is not padded)."""
    return value if last else set_cell_size(value, width) + " " * GAP
