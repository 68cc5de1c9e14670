"""A confidence interval drawn as text, readable in colour and in monochrome.

One bar per row on a scale shared by the whole table, so rows can be compared by eye::

    ·····├────●───┤··   kappa 0.62, 95% CI 0.41 to 0.83 on a 0..1 scale
    ··┊··├──●──┤·····   a scale reaching below 0 shows where 0 is (┊)
    ├──┼──●──┤·······   an interval that includes 0 (┼)

The interval is ``├──┤``, the estimate ``●``; an end beyond the scale is an arrow
(``◂`` or ``▸``). Shapes carry the meaning, colour only repeats it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from rich.text import Text

BACKGROUND = "·"
RANGE = "─"
ESTIMATE = "●"
ZERO = "┊"


def scale_for(lows: Iterable[float | None]) -> tuple[float, float]:
    """Return the (low, high) of a scale every interval fits: 0..1, stretched below 0 in
    steps of 0.25 (never past -1) when an interval starts below 0.

    >>> scale_for([0.2, None, 0.5])
    (0.0, 1.0)
    >>> scale_for([0.3, -0.12])
    (-0.25, 1.0)
    """
    known = [v for v in lows if v is not None and not math.isnan(v)]
    low = min(known, default=0.0)
    if low >= 0:
        return 0.0, 1.0
    return max(-1.0, math.floor(low * 4) / 4), 1.0


def _column(value: float, low: float, high: float, width: int) -> int:
    """Map a value on [low, high] to a column 0..width-1."""
    share = (value - low) / (high - low)
    return min(width - 1, max(0, round(share * (width - 1))))


def ci_bar(estimate: float | None, ci_low: float | None, ci_high: float | None, *,
           width: int = 17, scale: tuple[float, float] = (0.0, 1.0),
           style: str = "") -> Text:
    """Return a one-line bar for an estimate and its interval on a shared scale.

    An undefined estimate draws a blank bar with ``n/a`` in its middle.

    >>> ci_bar(0.5, 0.25, 0.75, width=9).plain
    '··├─●─┤··'
    >>> ci_bar(0.1, -0.5, 0.4, width=9).plain
    '◂●─┤·····'
    >>> ci_bar(None, None, None, width=9).plain
    '   n/a   '
    """
    low, high = scale
    if estimate is None or math.isnan(estimate):
        return Text("n/a".center(width), style="dim")
    cells = [BACKGROUND] * width
    if low < 0 < high:
        cells[_column(0.0, low, high, width)] = ZERO
    if ci_low is not None and ci_high is not None and not (
            math.isnan(ci_low) or math.isnan(ci_high)):
        first = _column(max(ci_low, low), low, high, width)
        last = _column(min(ci_high, high), low, high, width)
        for column in range(first, last + 1):
            cells[column] = "┼" if cells[column] == ZERO else RANGE  # zero inside the CI
        cells[first] = "◂" if ci_low < low else "├"
        cells[last] = "▸" if ci_high > high else "┤"
    cells[_column(min(max(estimate, low), high), low, high, width)] = ESTIMATE
    text = Text(no_wrap=True)
    for cell in cells:
        if cell == BACKGROUND or cell == ZERO:
            text.append(cell, style="dim")
        elif cell == ESTIMATE:
            text.append(cell, style=f"bold {style}".strip())
        else:
            text.append(cell, style=style)
    return text


def count_bar(count: int, largest: int, *, width: int = 16, style: str = "") -> Text:
    """Return a horizontal bar of ``count`` against ``largest``, in eighths of a cell.

    >>> count_bar(4, 8, width=4).plain
    '██  '
    >>> count_bar(1, 16, width=2).plain
    '▏ '
    """
    eighths = 0 if largest <= 0 else round(count / largest * width * 8)
    if count > 0:
        eighths = max(eighths, 1)  # a code used once must not look unused
    full, rest = divmod(eighths, 8)
    bar = "█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")
    return Text(bar.ljust(width), style=style, no_wrap=True)
