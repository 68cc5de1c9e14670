"""CSV and TSV (the csv module's ``excel`` and ``excel-tab`` dialects), streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import (
    MAX_FIELD_BYTES,
    MAX_FIELD_LABEL,
    ReadOptions,
    RowMapper,
    Skipped,
)
from qualcode.interchange.readers.encoding import checked_lines, open_utf8
from qualcode.interchange.readers.separator import detect_separator
from qualcode.model import SourceRecord


def read_csv(path: Path, options: ReadOptions | None = None, *, delimiter: str = ",",
             skipped: Skipped | None = None) -> Iterator[SourceRecord]:
    """Yield one record per row of a CSV file (header first; UTF-8, quotes as Excel writes them).

    When ``delimiter`` leaves the header in one column, another of comma, semicolon, tab
    and vertical bar that splits it is used instead
    (:mod:`~qualcode.interchange.readers.separator`).

    ``line`` of each record is the physical line where its row starts, even when quoted
    fields hold line breaks.
    """
    options = options or ReadOptions()
    skipped = skipped if skipped is not None else Skipped()
    # The default limit (128 KB) is too small for a long interview transcript in one cell;
    # the raised limit still stops a missing closing quote from swallowing the whole file.
    previous = csv.field_size_limit(MAX_FIELD_BYTES)
    try:
        yield from _read_rows(path, options, delimiter, skipped)
    finally:
        csv.field_size_limit(previous)


def _read_rows(path: Path, options: ReadOptions, delimiter: str,
               skipped: Skipped) -> Iterator[SourceRecord]:
    """Parse the rows after the header, tracking the line where each row starts."""
    with open_utf8(path, newline="") as handle:
        # Excel saves "CSV" with semicolons in many locales: the header tells.
        delimiter, lines = detect_separator(checked_lines(handle, path), delimiter)
        # strict: a stray quote is an error with a line number, not a silently merged row.
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        end = 0  # the line where the last complete row ended; a bad row starts after it
        try:
            header = _first_row(reader)
            if header is None:
                raise FormatError("the file is empty; expected a header row (id, text, ...) "
                                  "and one row per source", path=str(path), line=1)
            mapper = RowMapper(header, options, path=path, skipped=skipped,
                               header_line=reader.line_num)
            rows = 0
            end = reader.line_num
            for row in reader:
                start, end = end + 1, reader.line_num
                if not row:
                    continue
                rows += 1
                record = mapper.record(row, start)
                if record is not None:
                    yield record
        except csv.Error as error:
            raise _csv_error(error, path, end + 1) from None
    rows -= mapper.blank_rows
    if rows == 0:
        raise FormatError("the file has a header but no data rows", path=str(path), line=1)
    if rows == len(skipped.items):
        raise FormatError(f"all {rows} rows have empty text; nothing to import", path=str(path))


def read_tsv(path: Path, options: ReadOptions | None = None, *,
             skipped: Skipped | None = None) -> Iterator[SourceRecord]:
    """Yield one record per row of a tab-separated file (quoted like CSV when needed)."""
    return read_csv(path, options, delimiter="\t", skipped=skipped)


def _first_row(reader: Iterator[list[str]]) -> list[str] | None:
    """Return the header: the first row that is not blank, or None for an empty file."""
    for row in reader:
        if row:
            return row
    return None


def _csv_error(error: csv.Error, path: Path, line: int) -> FormatError:
    """Translate the csv module's terse messages into what happened and what to do."""
    text = str(error)
    if "field larger than field limit" in text:
        message = (f"a field is larger than {MAX_FIELD_LABEL}; check for a quote that is never "
                   "closed, or split the text into several sources")
    elif "unexpected end of data" in text:
        message = ("a quoted field starting on this row is never closed; look for a stray "
                   "double quote (a quote inside a quoted field must be doubled: \"\")")
    elif "expected after" in text:
        message = (f"malformed quoting ({text}): a quoted field must end right before the "
                   "separator; a quote inside a quoted field must be doubled (\"\")")
    else:
        message = f"cannot parse this row: {text}"
    return FormatError(message, path=str(path), line=line)
