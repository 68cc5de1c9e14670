"""How typed cells read as text, shared by the Markdown, HTML and LaTeX writers."""

from __future__ import annotations

import math

from qualcode.interchange.writers.table import Cell, Column, Estimate

TICK = "\u2713"
"""The tick shown in text formats (a check mark)."""
UNDEFINED = "n/a"
"""Shown for a statistic that is undefined (e.g. kappa when a code was never used)."""


def number(value: float | None, digits: int = 2) -> str:
    """Return a float rounded for reading, or ``n/a`` when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNDEFINED
    return f"{value:.{digits}f}"


def estimate(value: Estimate | None, digits: int = 2) -> str:
    """Return ``0.62 (0.41 to 0.83)``; "to" rather than a dash, since bounds may be negative."""
    if value is None or value.value is None:
        return UNDEFINED
    if value.low is None or value.high is None:
        return number(value.value, digits)
    return (f"{number(value.value, digits)} ({number(value.low, digits)} to "
            f"{number(value.high, digits)})")


def text_parts(cell: Cell, column: Column) -> list[str]:
    """Return a cell as one or more lines of plain text (several for a list cell)."""
    if cell is None:
        return [""]
    if column.kind == "list":
        return [str(item) for item in cell] if isinstance(cell, tuple) else [str(cell)]
    if column.kind == "tick":
        return [TICK if cell else ""]
    if column.kind == "estimate":
        return [estimate(cell if isinstance(cell, Estimate) else None)]
    if column.kind == "float":
        return [number(cell if isinstance(cell, (int, float)) else None)]
    return [str(cell)]
