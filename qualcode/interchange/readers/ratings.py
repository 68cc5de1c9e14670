"""Read a plain ratings table (CSV, TSV or XLSX): one row per unit, one column per rater.

An empty cell is a missing rating. Values that all read as numbers become numbers (so
``1`` and ``1.0`` are one category and ordinal order is numeric); otherwise they stay text.
Errors name the file, the line (or spreadsheet row) and the column.
"""

from __future__ import annotations

import csv
import math
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import MAX_FIELD_BYTES, missing_column, quoted
from qualcode.interchange.readers.delimited import _csv_error
from qualcode.interchange.readers.encoding import checked_lines, open_utf8
from qualcode.interchange.readers.safe_open import open_regular
from qualcode.interchange.readers.separator import detect_separator
from qualcode.interchange.readers.xlsx import checked_rows

__all__ = ["RatingsTable", "read_ratings"]

ID_NAMES = ("id", "unit", "item", "subject")


@dataclass(frozen=True)
class RatingsTable:
    """Ratings read from a file: ``values[i][j]`` is unit i's rating by rater j (None = missing)."""

    path: str
    raters: tuple[str, ...]
    ids: tuple[str, ...]
    values: list[list[Any]]
    lines: tuple[int, ...]  #: file line (or sheet row) of each unit
    notes: list[str] = field(default_factory=list)

    @property
    def numeric(self) -> bool:
        """True when every rating is a number."""
        return all(isinstance(v, int | float) for row in self.values for v in row if v is not None)


def _rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    """Yield ``(line, cells)`` for every row, header included, of a CSV, TSV or XLSX file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path, sheet)
        return
    delimiter = "\t" if suffix in (".tsv", ".tab") else ","
    previous = csv.field_size_limit(MAX_FIELD_BYTES)
    try:
        with open_utf8(path, newline="") as handle:
            # Excel saves "CSV" with semicolons in many locales: the header tells.
            delimiter, lines = detect_separator(checked_lines(handle, path), delimiter)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            end = 0
            try:
                for row in reader:
                    start, end = end + 1, reader.line_num
                    yield start, row
            except csv.Error as error:
                raise _csv_error(error, path, end + 1) from None
    finally:
        csv.field_size_limit(previous)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only spreadsheets need openpyxl: keep `--help` quick
    from openpyxl.utils.exceptions import InvalidFileException

    from qualcode.interchange.readers.xlsx_guard import check_workbook

    handle = open_regular(path, hint="give the path of an .xlsx workbook")
    try:
        check_workbook(handle, path)  # sizes and shapes of its parts, before openpyxl
        handle.seek(0)
        book = load_workbook(handle, read_only=True, data_only=True)
    except FormatError:
        handle.close()
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            OSError) as error:
        handle.close()
        raise FormatError(f"not a valid .xlsx workbook ({type(error).__name__}: "
                          f"{' '.join(str(error).split())}); save "
                          "it again as .xlsx or export a CSV", path=str(path)) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise FormatError(f"no sheet named {sheet!r}; the sheets are {quoted(names)}",
                              path=str(path))
        if not names:
            raise FormatError("the workbook has no worksheets", path=str(path))
        ws = book[sheet or names[0]]
        ws.reset_dimensions()
        for number, row in enumerate(checked_rows(ws.iter_rows(values_only=True), path),
                                     start=1):
            cells = list(row)
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()
            yield number, cells
    finally:
        book.close()
        handle.close()


def _cell(value: Any) -> Any:
    """A cell as text or number; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    text = str(value).strip()
    return text or None


def parse_number(text: str) -> int | float | None:
    """Return ``text`` as a finite int or float (``"3.0"`` -> 3), or None when it is not one."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def read_ratings(path: Path, *, raters: Sequence[str] = (), id_col: str | None = None,
                 sheet: str | None = None) -> RatingsTable:
    """Read a ratings table; ``raters`` picks columns (default: all but the id column).

    Without ``id_col`` and ``raters``, a column named id, unit, item or subject is taken as
    the id column (and the table's ``notes`` say so). Rows with more cells than the header
    are refused; missing trailing cells are missing ratings; blank rows are skipped.
    """
    path = Path(path)
    rows = _rows(path, sheet)
    header: list[str] | None = None
    header_line = 0
    for line, cells in rows:
        if any(_cell(c) is not None for c in cells):
            header, header_line = [str(_cell(c) or "") for c in cells], line
            break
    if header is None:
        raise FormatError("the file is empty; expected a header row naming the raters and "
                          "one row per unit", path=str(path), line=1)
    for k, name in enumerate(header):
        if name and header.index(name) != k:
            raise FormatError(f"column {name!r} appears twice in the header; give each column "
                              "a distinct name", path=str(path), line=header_line)
    notes: list[str] = []

    def column(name: str, role: str, option: str) -> int:
        if name not in header:
            raise missing_column(role, name, option, [h for h in header if h], path=path,
                                 line=header_line, given=True)
        return header.index(name)

    id_index = column(id_col, "id", "--id-col") if id_col is not None else None
    if id_index is None and not raters:
        for k, name in enumerate(header):
            if name.casefold() in ID_NAMES:
                id_index = k
                notes.append(f"column {name!r} taken as the unit id, not a rater "
                             "(name the raters with --raters to change this)")
                break
    if raters:
        rater_index = [column(r, "rater", "--raters") for r in raters]
    else:
        rater_index = [k for k in range(len(header)) if k != id_index]
        unnamed = [k + 1 for k in rater_index if not header[k]]
        if unnamed:
            raise FormatError(f"column {unnamed[0]} has no name in the header; name every rater "
                              "column, or pick the raters with --raters", path=str(path),
                              line=header_line)
    if len(rater_index) < 2:
        raise FormatError(f"found {len(rater_index)} rater column; agreement needs at least two "
                          f"(columns: {quoted([h for h in header if h])})", path=str(path),
                          line=header_line)
    ids: list[str] = []
    values: list[list[Any]] = []
    lines: list[int] = []
    for line, cells in rows:
        if not any(_cell(c) is not None for c in cells):
            continue
        if len(cells) > len(header):
            raise FormatError(f"this row has {len(cells)} cells but the header names "
                              f"{len(header)} columns; remove the extra cells or name their "
                              "column", path=str(path), line=line)
        cells = cells + [None] * (len(header) - len(cells))
        ids.append(str(_cell(cells[id_index]) or "") if id_index is not None else str(len(ids) + 1))
        values.append([_cell(cells[k]) for k in rater_index])
        lines.append(line)
    if not values:
        raise FormatError("the file has a header but no rows of ratings", path=str(path),
                          line=header_line)
    texts = {v for row in values for v in row if isinstance(v, str)}
    if texts and all(parse_number(t) is not None for t in texts):
        values = [[parse_number(v) if isinstance(v, str) else v for v in row] for row in values]
    return RatingsTable(str(path), tuple(header[k] for k in rater_index), tuple(ids), values,
                        tuple(lines), notes)
