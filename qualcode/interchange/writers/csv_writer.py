"""CSV for spreadsheets and scripts: one value per cell, formula-safe."""

from __future__ import annotations

import csv
import io

from qualcode.interchange.safe_cells import safe_row
from qualcode.interchange.writers.table import Cell, Column, Estimate, Table


def headers(table: Table, *, hierarchy: bool = True) -> list[str]:
    """Return the flat header row: level and path first (hierarchical tables, unless
    ``hierarchy`` is False), an estimate as three columns."""
    out = ["level", "path"] if table.hierarchical and hierarchy else []
    for column in table.columns:
        if column.kind == "estimate":
            base = column.header.split(" (")[0]  # "Kappa (95% CI)" -> Kappa, Kappa CI low, ...
            out += [base, f"{base} CI low", f"{base} CI high"]
        else:
            out.append(column.header)
    return out


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def values(cell: Cell, column: Column) -> list[object]:
    """Return a cell as flat values (an estimate gives three; a tick 1 or 0)."""
    if column.kind == "estimate":
        est = cell if isinstance(cell, Estimate) else Estimate(None)
        return [_round(est.value), _round(est.low), _round(est.high)]
    if cell is None:
        return [""]
    if column.kind == "tick":
        return [1 if cell else 0]
    if column.kind == "list":
        return ["\n".join(cell) if isinstance(cell, tuple) else str(cell)]
    if column.kind == "float" and isinstance(cell, float):
        return [_round(cell)]
    return [cell]


def render(table: Table) -> str:
    """Return the table as RFC 4180 CSV; every text cell passes through ``safe_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(headers(table)))
    for i, row in enumerate(table.rows):
        flat: list[object] = []
        if table.hierarchical:
            flat += [row.level, table.paths[i] if table.paths else ""]
        for cell, column in zip(row.cells, table.columns, strict=True):
            flat += values(cell, column)
        writer.writerow(safe_row(flat))
    return buffer.getvalue()
