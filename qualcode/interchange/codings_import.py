"""Codings files: read coding rows from CSV/TSV and import them into a project.

A codings file has a header with ``source_id`` and ``code`` and, optionally, ``start``
and ``end`` (Unicode code points, end exclusive; both empty = the whole unit). ``code``
is a bare code name or a path ``Theme/Sub-theme/Code``; an empty ``code`` records the
decision "reviewed, no code applies". A ``done`` column (with ``unit``) says which units
were done; without it every source the file names is marked done (the older rule, see
:mod:`qualcode.interchange.codings_done`). Other columns are ignored, so a file written by
``qualcode codings export`` reads back as is (see :mod:`qualcode.interchange.codings_export`).

The file is read twice: a first pass checks every row and resolves every code before
anything is written; the second pass streams the rows into
:meth:`~qualcode.storage.Store.import_codings`, so memory stays bounded by the number
of distinct sources and codes, not by the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from qualcode.errors import FormatError
from qualcode.interchange.code_resolver import CodeResolver
from qualcode.interchange.codings_done import DoneMarks, parse_done, parse_unit
from qualcode.interchange.readers.columns import header_problems
from qualcode.interchange.readers.safe_open import open_regular
from qualcode.interchange.readers.separator import detect_separator
from qualcode.interchange.safe_cells import restore_cell
from qualcode.model import CodingRecord, Layer, UnitKind

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = [
    "CodingRow",
    "CodingsImportResult",
    "import_codings_file",
    "read_coding_rows",
]

REQUIRED_COLUMNS = ("source_id", "code")
OFFSET_COLUMNS = ("start", "end")
TSV_SUFFIXES = frozenset({".tsv", ".tab"})
CSV_SUFFIXES = frozenset({".csv", ".txt"})
# Exports carry the coded passage in a ``text`` column; a whole-document coding of a long
# transcript easily passes the csv module's default 128 KiB field limit. The same cap as
# the corpus reader, so a missing closing quote still cannot swallow a huge file.
MAX_FIELD_CHARS = 50 * 1024 * 1024
_WHOLE_NUMBER = re.compile(r"^[0-9]+$")
SAVE_AS = "save it as UTF-8 (in Excel: Save As > CSV UTF-8)"


@dataclass(frozen=True, slots=True)
class CodingRow:
    """One row of a codings file, checked for form but not yet matched to the project.

    ``code`` is ``None`` for "reviewed, no code applies"; ``start``/``end`` are ``None``
    for the whole unit. ``coder`` and ``layer`` hold the optional columns of that name
    (an export's), used to refuse attributing one coder's work to another. ``done`` is
    ``None`` when the file has no ``done`` column; ``unit`` is the unit it refers to.
    """

    source_id: str
    code: str | None
    start: int | None
    end: int | None
    line: int
    coder: str | None = None
    layer: str | None = None
    done: bool | None = None
    unit: UnitKind = UnitKind.SOURCE


@dataclass(frozen=True, slots=True)
class CodingsImportResult:
    """What a codings import did."""

    rows: int
    added: int
    unchanged: int
    marked_done: int
    codes_created: tuple[str, ...] = ()
    done_rule: str = "file"
    """Where the done marks came from: ``file`` (its done column), ``named`` (no done
    column: every source the file names, the older rule), ``forced`` (--mark-done) or
    ``none`` (--no-mark-done)."""


def _delimiter(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TSV_SUFFIXES:
        return "\t"
    if suffix in CSV_SUFFIXES:
        return ","
    raise FormatError(f"cannot read codings from a {suffix or 'suffix-less'} file; save it as "
                      "CSV (.csv) or tab-separated (.tsv) with columns source_id, code, "
                      "start, end", path=str(path))


def _decoded_lines(handle: BinaryIO, where: str) -> Iterator[str]:
    """Yield the file's lines decoded as UTF-8, naming the line of any invalid or NUL byte."""
    # Splitting bytes on b"\n" is safe in UTF-8: 0x0A never occurs inside a multi-byte
    # sequence, so each physical line decodes on its own and errors get a line number.
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if number == 1 and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FormatError(f"is UTF-16, not UTF-8; {SAVE_AS}", path=where, line=1)
        if b"\x00" in raw:
            raise FormatError(f"contains a NUL byte: a binary file or UTF-16 text; {SAVE_AS}",
                              path=where, line=number)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FormatError(f"is not UTF-8 (byte 0x{raw[error.start]:02X} at byte "
                              f"{error.start + 1} of the line); {SAVE_AS}", path=where,
                              line=number) from None


def _csv_problem(error: csv.Error, kind: str) -> str:
    """Say what a csv module error means for the person who has to fix the file."""
    text = str(error)
    if "field larger than field limit" in text:
        return "a cell is larger than 50 MiB; check for a quote that is never closed"
    if "unexpected end of data" in text:
        return ("a quoted cell starting here is never closed; a quote inside a quoted cell "
                'must be doubled ("")')
    return f"is not valid {kind} ({text}); check the quoting around this line"


def _header(cells: list[str], where: str) -> dict[str, int]:
    """Map lower-case column names to positions; refuse duplicates and missing columns,
    naming every problem of the header in one message."""
    columns: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(cells):
        name = cell.strip().casefold()
        if not name:
            continue
        if name in columns:
            problems.append(f"column {name!r} appears twice in the header; keep one")
            continue
        columns[name] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found = ", ".join(repr(c.strip()) for c in cells if c.strip()) or "none"
        problems.append(f"missing required column(s) {', '.join(missing)}; found columns: "
                        f"{found} (need source_id and code; start and end are optional)")
    present = [c for c in OFFSET_COLUMNS if c in columns]
    if len(present) == 1:
        other = "end" if present[0] == "start" else "start"
        problems.append(f"has a {present[0]} column but no {other} column; give both "
                        "(or neither, to code whole units)")
    if problems:
        raise FormatError(header_problems(problems), path=where, line=1)
    return columns


def _offset(cell: str, name: str, where: str, line: int) -> int | None:
    text = cell.strip()
    if not text:
        return None
    if not _WHOLE_NUMBER.match(text):
        raise FormatError(f"{name} {text!r} is not a whole number; offsets count Unicode code "
                          "points from 0 (leave start and end empty for the whole unit)",
                          path=where, line=line)
    if len(text) > 18:  # beyond SQLite's 64-bit integers, and beyond any text's length
        raise FormatError(f"{name} {text[:20]}... is far larger than any text; offsets count "
                          "Unicode code points from 0", path=where, line=line)
    return int(text)


def _row(cells: list[str], columns: dict[str, int], where: str, line: int) -> CodingRow:
    """Check one data row and turn it into a :class:`CodingRow`."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return "" if index is None else cells[index]

    source_id = restore_cell(cell("source_id").strip())
    if not source_id:
        raise FormatError("source_id is empty; every row names the source it codes",
                          path=where, line=line)
    code = restore_cell(cell("code").strip()) or None
    start = _offset(cell("start"), "start", where, line)
    end = _offset(cell("end"), "end", where, line)
    if (start is None) != (end is None):
        given, missing = ("start", "end") if end is None else ("end", "start")
        raise FormatError(f"{given} is given but {missing} is empty; give both offsets, or "
                          "neither to code the whole unit", path=where, line=line)
    if start is not None and end is not None and start > end:
        raise FormatError(f"start {start} is after end {end}; end is exclusive and must be "
                          ">= start", path=where, line=line)
    done, unit = None, UnitKind.SOURCE
    if "done" in columns:
        done = parse_done(cell("done"), where, line)
        unit = parse_unit(cell("unit"), where, line)
    if unit is not UnitKind.SOURCE and (code is not None or start is None):
        raise FormatError(f"a row with unit {unit.value!r} marks that {unit.value} done: it has "
                          "no code and gives the unit's start and end; clear the unit cell of "
                          "a coding row (its done refers to the whole source)",
                          path=where, line=line)
    if code is None and start is not None and unit is UnitKind.SOURCE:
        raise FormatError("a row without a code means 'reviewed, no code applies' and cannot "
                          "have start/end; add the code or clear the offsets",
                          path=where, line=line)
    coder = restore_cell(cell("coder").strip()) or None
    layer = cell("layer").strip().casefold() or None
    return CodingRow(source_id, code, start, end, line, coder=coder, layer=layer, done=done,
                     unit=unit)


def read_coding_rows(path: Path) -> Iterator[CodingRow]:
    """Yield the rows of a codings CSV/TSV file, raising FormatError at the first bad one.

    Blank lines are skipped. Errors name the file and the line where the row starts.
    """
    path = Path(path)
    where = str(path)
    delimiter = _delimiter(path)
    with open_regular(path, hint="give the path of a .csv or .tsv file") as handle:
        # Excel saves "CSV" with semicolons in many locales: the header tells.
        delimiter, lines = detect_separator(_decoded_lines(handle, where), delimiter)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        columns: dict[str, int] | None = None
        width = 0
        while True:
            line = reader.line_num + 1
            # The limit is process-wide: raise it only while this reader parses a row.
            previous = csv.field_size_limit(MAX_FIELD_CHARS)
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                kind = "TSV" if delimiter == "\t" else "CSV"
                raise FormatError(_csv_problem(error, kind), path=where, line=line) from None
            finally:
                csv.field_size_limit(previous)
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = _header(cells, where)
                width = len(cells)
                continue
            if len(cells) != width:
                raise FormatError(f"row has {len(cells)} cells but the header has {width}; "
                                  "quote cells that contain the separator", path=where,
                                  line=line)
            yield _row(cells, columns, where, line)
        if columns is None:
            raise FormatError("is empty; expected a header row with source_id and code "
                              "(start and end optional)", path=where)


def _check_coder_and_layer(row: CodingRow, coder: str, layer: Layer, where: str) -> None:
    """Refuse rows an export marks as another coder's or another layer's work."""
    if row.coder is not None and row.coder.casefold() != coder.casefold():
        raise FormatError(f"this row belongs to coder {row.coder!r} but the import is for "
                          f"{coder!r}; export one coder at a time (--coder), pass the "
                          "matching --coder, or remove the coder column",
                          path=where, line=row.line)
    if row.layer is not None and row.layer not in {each.value for each in Layer}:
        raise FormatError(f"layer {row.layer!r} is neither 'coder' nor 'consensus'; fix it or "
                          "remove the layer column", path=where, line=row.line)
    if row.layer is not None and row.layer != layer.value:
        raise FormatError(f"this row is in the {row.layer!r} layer but the import writes the "
                          f"{layer.value!r} layer; pass --layer {row.layer} or export one "
                          "layer at a time", path=where, line=row.line)


def _first_pass(path: Path, coder: str, layer: Layer, resolver: CodeResolver
                ) -> tuple[int, dict[str, int], DoneMarks | None]:
    """Check every row and code; return the row count, each source id's first line and
    the file's done marks (``None`` when it has no done column)."""
    where = str(path)
    sources: dict[str, int] = {}
    marks: DoneMarks | None = None
    count = 0
    for row in read_coding_rows(path):
        count += 1
        _check_coder_and_layer(row, coder, layer, where)
        sources.setdefault(row.source_id, row.line)
        if row.code is not None:
            resolver.check(row.code, row.line)
        if row.done is not None:
            marks = marks or DoneMarks(where)
            marks.add(row.source_id, row.unit, row.done, row.start, row.end, row.line)
    if count == 0:
        raise FormatError("has a header but no rows; nothing to import", path=where)
    return count, sources, marks


def _check_sources(store: ProjectStore, sources: dict[str, int], where: str) -> None:
    """Refuse the file when any source id is not in the project, naming its first line."""
    known = store.source_ids_by_external_id(sources)
    missing = [(line, ext) for ext, line in sources.items() if ext not in known]
    if missing:
        line, ext = min(missing)
        more = f" ({len(missing) - 1} more unknown ids)" if len(missing) > 1 else ""
        raise FormatError(f"unknown source_id {ext!r}{more}; import the corpus first or fix "
                          "the id", path=where, line=line)


def _done_total(store: ProjectStore, coder_id: int, layer: Layer) -> int:
    """Count a coder's done marks in a layer, units of every kind."""
    return sum(store.done_count(coder_id, kind=kind, layer=layer) for kind in UnitKind)


def import_codings_file(store: ProjectStore, path: Path, coder: str, *, create_codes: bool = False,
                        mark_done: bool | None = None,
                        layer: Layer = Layer.CODER) -> CodingsImportResult:
    """Import a codings CSV/TSV file for one coder: all of it, or (on any error) nothing.

    Codes are matched by path or bare name; with ``create_codes`` missing ones are added
    to the codebook in the same transaction, so an error later in the file rolls them
    back too. The codings themselves are one undoable event of the coder.

    Done marks: with ``mark_done`` ``None`` a file with a ``done`` column marks exactly
    the units it says were done, and a file without one marks every source it names
    (the older rule); ``True`` forces that older rule, ``False`` marks nothing. Done
    marks already in the project are never taken away.
    """
    path = Path(path)
    where = str(path)
    layer = Layer(layer)
    coder = coder.strip()
    resolver = CodeResolver(store.codebook(), create=create_codes, path=where)
    rows, sources, marks = _first_pass(path, coder, layer, resolver)
    _check_sources(store, sources, where)
    if mark_done is None:
        rule = "named" if marks is None else "file"
    else:
        rule = "forced" if mark_done else "none"
    with store.transaction():
        coder_id = store.coder(coder).id
        created = resolver.create_missing(store, actor_id=coder_id)
        # Match the second pass against the codebook as it now is, codes just made included.
        final = CodeResolver(store.codebook(), create=False, path=where)
        done_before = _done_total(store, coder_id, layer)

        def records() -> Iterator[CodingRecord]:
            for row in read_coding_rows(path):
                code_id = None if row.code is None else final.code_id(row.code, row.line)
                yield CodingRecord(row.source_id, code_id, row.start, row.end, line=row.line)

        done_ids = None
        if rule == "file" and marks is not None:
            done_ids = marks.unit_ids(store, store.source_ids_by_external_id(sources))
        report = store.import_codings(records(), coder_id, mark_done=rule in ("named", "forced"),
                                      layer=layer, path=where, done_unit_ids=done_ids)
        marked = _done_total(store, coder_id, layer) - done_before
    return CodingsImportResult(rows=rows, added=report.added, unchanged=report.unchanged,
                               marked_done=marked, codes_created=created, done_rule=rule)
