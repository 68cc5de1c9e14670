"""Excel workbooks (.xlsx), streamed with openpyxl's read-only mode."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import (
    ReadOptions,
    RowMapper,
    Skipped,
    quoted,
)
from qualcode.interchange.readers.safe_open import open_regular
from qualcode.interchange.readers.xlsx_guard import check_workbook
from qualcode.model import SourceRecord


def read_xlsx(path: Path, options: ReadOptions | None = None, *,
              skipped: Skipped | None = None) -> Iterator[SourceRecord]:
    """Yield one record per row of a worksheet (the first, or ``options.sheet``).

    The first non-empty row is the header. ``line`` is the spreadsheet row number (1-based,
    counting the header). Formulas give their last computed value; whole numbers lose
    their ``.0``; dates become ISO 8601 text.
    """
    from openpyxl import load_workbook  # only this reader needs openpyxl: keep `--help` quick
    from openpyxl.utils.exceptions import InvalidFileException

    options = options or ReadOptions()
    skipped = skipped if skipped is not None else Skipped()
    # A file object, not a path: openpyxl would refuse a workbook named other than .xlsx
    # even when --format xlsx says what it is.
    handle = open_regular(path, hint="give the path of an .xlsx workbook")
    try:
        _refuse_zip_bomb(handle, path)
        book = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            OSError) as error:
        handle.close()
        detail = " ".join(str(error).split())  # openpyxl's messages span several lines
        raise FormatError(f"not a valid .xlsx workbook ({type(error).__name__}: {detail}); "
                          "open it in Excel or LibreOffice and save it as .xlsx again, or "
                          "export a CSV", path=str(path)) from None
    try:
        sheet = _choose_sheet(book, options.sheet, path)
        # Some writers store a wrong sheet size; without it, rows come back at full width.
        sheet.reset_dimensions()
        yield from _rows_to_records(sheet.iter_rows(values_only=True), options, path, skipped)
    finally:
        book.close()
        handle.close()


def _refuse_zip_bomb(handle: Any, path: Path) -> None:
    """Refuse a workbook whose parts would outgrow the memory budget (:mod:`.xlsx_guard`)."""
    try:
        check_workbook(handle, path)
    except FormatError:
        handle.close()
        raise
    handle.seek(0)


def _choose_sheet(book: Any, name: str | None, path: Path) -> Any:
    """Return the named worksheet (or the first), naming the sheets when it is missing."""
    names = list(book.sheetnames)
    if name is None:
        if not names:
            raise FormatError("the workbook has no worksheets", path=str(path))
        return book[names[0]]
    if name not in names:
        raise FormatError(f"no sheet named {name!r}; the sheets are {quoted(names)}; "
                          "choose one with --sheet NAME", path=str(path))
    return book[name]


def _rows_to_records(rows: Iterator[tuple[Any, ...]], options: ReadOptions, path: Path,
                     skipped: Skipped) -> Iterator[SourceRecord]:
    """Map worksheet rows to records: trailing empty cells do not count as fields."""
    mapper: RowMapper | None = None

    def header() -> Sequence[str] | None:
        """The column names once the header row is read (for messages about a bad cell)."""
        return mapper.names if mapper is not None else None

    count = 0
    for number, row in enumerate(checked_rows(rows, path, header), start=1):
        cells = _trim(row)
        if not cells:
            continue
        if mapper is None:
            mapper = RowMapper(cells, options, path=path, skipped=skipped, header_line=number,
                               typed=True, ragged_hint="a cell right of the last named column "
                               "has a value; give its column a header or clear it")
            continue
        if len(cells) < mapper.width:
            cells = cells + [None] * (mapper.width - len(cells))
        count += 1
        record = mapper.record(cells, number)
        if record is not None:
            yield record
    if mapper is None:
        raise FormatError("the worksheet is empty; expected a header row (id, text, ...) and "
                          "one row per source", path=str(path), line=1)
    count -= mapper.blank_rows
    if count == 0:
        raise FormatError("the worksheet has a header but no data rows", path=str(path), line=1)
    if count == len(skipped.items):
        raise FormatError(f"all {count} rows have empty text; nothing to import", path=str(path))


CAST_ERRORS = (ValueError, IndexError, OverflowError)
"""What openpyxl raises, mid-sheet, for a cell whose stored value its type cannot hold."""

CELL_TYPES = {"n": "a number", "s": "a shared text", "b": "true/false", "d": "a date"}

DATE_WARNING = r"Cell \S+ is marked as a date but the serial value"
"""The start of openpyxl's warning for a date cell outside the calendar (made an error)."""


def checked_rows(rows: Iterator[tuple[Any, ...]], path: Path,
                 header: Callable[[], Sequence[str] | None] = lambda: None,
                 ) -> Iterator[tuple[Any, ...]]:
    """Yield a worksheet's rows; a cell openpyxl cannot convert is one line naming it.

    ``header`` gives the column names once the header row is read (for the message).

    Excel writes an error (``#NUM!``) as an error cell, which reads as its text; other
    programs may write ``NaN``, ``inf`` or ``#NUM!`` as the value of a number cell, and
    openpyxl stops on those with a bare ValueError. A date cell whose number is outside
    the calendar openpyxl only warns of (on stderr) and reads as ``#VALUE!``: it is
    refused the same way, rather than stored as text nobody typed.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=DATE_WARNING, category=UserWarning)
        try:
            yield from rows
        except (*CAST_ERRORS, UserWarning) as error:
            raise _uncastable(error, path, header()) from None


def _uncastable(error: BaseException, path: Path, names: Sequence[str] | None) -> FormatError:
    """Name the cell openpyxl failed on, its column, its value and what to do."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    coordinate, value, kind = _failed_cell(error)
    if coordinate is None:
        return FormatError(f"a cell holds a value its type cannot hold ({error}); open the "
                           "workbook in Excel or LibreOffice, correct the cell and save it "
                           "again", path=str(path))
    letters, row = coordinate_from_string(coordinate)
    position = column_index_from_string(letters)
    column = ""
    if names and position <= len(names):
        column = f" (column {names[position - 1]!r})"
    shown = repr(value) if len(str(value)) <= 40 else (
        f"{str(value)[:20]!r}... ({len(str(value)):,} characters)")
    stored = CELL_TYPES.get(kind or "", kind)
    return FormatError(f"cell {coordinate}{column} is stored as {stored} "
                       f"but holds {shown}, which cannot be read as one; put a finite number, "
                       "a date or text in the cell, or clear it, and save the workbook again",
                       path=str(path), line=row)


def _failed_cell(error: BaseException) -> tuple[str | None, Any, str | None]:
    """Return the coordinate, raw value and type of the cell openpyxl's parser failed on.

    openpyxl's error says only ``invalid literal for int()``; the cell is still in the
    frame of its ``parse_cell`` (openpyxl 3.x). Without that frame the caller says less.
    """
    trace = error.__traceback__
    found: tuple[str | None, Any, str | None] = (None, None, None)
    while trace is not None:
        if trace.tb_frame.f_code.co_name == "parse_cell":
            local = trace.tb_frame.f_locals
            if isinstance(local.get("coordinate"), str):
                found = (local["coordinate"], local.get("value"), local.get("data_type"))
        trace = trace.tb_next
    return found


def _trim(row: tuple[Any, ...]) -> list[Any]:
    """Drop trailing empty cells (a formatted but empty cell is still empty)."""
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return list(row[:end])
