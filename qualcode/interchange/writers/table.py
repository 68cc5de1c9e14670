"""The table every export writer renders: typed columns, hierarchical rows, notes.

Theme tables, study matrices and co-occurrence matrices all build one :class:`Table`;
each output format has one writer that renders any table, so the formats stay
consistent. Cells keep their type (a tick, a count, a kappa with its interval, a list
of quotes) and each writer decides how to show it: a spreadsheet gets numbers in
separate columns, a manuscript table gets "0.62 (0.41 to 0.83)".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["label", "text", "list", "int", "float", "estimate", "tick"]
"""How a column's cells are typed: the row label (indented by depth), free text, a list of
texts (one per line), an integer, a float, an :class:`Estimate`, or a tick (bool)."""

@dataclass(frozen=True, slots=True)
class Estimate:
    """A statistic with its confidence interval; any part may be undefined (None)."""

    value: float | None
    low: float | None = None
    high: float | None = None


Cell = str | int | float | bool | None | tuple[str, ...] | Estimate
"""What a cell may hold; the column's kind says which."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: a key for machine formats, a header for people, a cell kind and a width.

    ``width`` is a hint in characters for formats that lay out columns (XLSX, LaTeX).
    """

    key: str
    header: str
    kind: ColumnKind = "text"
    width: int = 12


@dataclass(frozen=True, slots=True)
class Row:
    """One row of cells, with its depth in a hierarchy and its level name.

    ``level`` is ``"theme"``, ``"subtheme"`` or ``"code"`` for codebook rows (writers
    embolden themes), ``""`` for flat tables; ``depth`` indents the label column.
    """

    cells: tuple[Cell, ...]
    depth: int = 0
    level: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table with notes (what was counted, by whom) printed under it."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    hierarchical: bool = False
    #: extra machine-readable columns for flat formats (CSV): level and path per row
    paths: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row.cells) != width:
                raise ValueError(f"row {i} has {len(row.cells)} cells for {width} columns")
        if self.paths and len(self.paths) != len(self.rows):
            raise ValueError("paths must give one path per row")
