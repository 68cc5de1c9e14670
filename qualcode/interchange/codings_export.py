"""Export codings: one row per live coding, as CSV (spreadsheet-safe) or JSON Lines (exact).

Rows are produced source by source, so memory stays bounded by the largest source and
its codings whatever the size of the project. With done rows (the default) every row
also says whether its unit was done (``done``, ``unit``), and each done unit without a
coding of its coder gets a row of its own, so the file carries every done mark (see
:mod:`qualcode.interchange.codings_done`). The CSV reads back with
:func:`qualcode.interchange.codings_import.import_codings_file` (it uses ``source_id``,
``code``, ``start``, ``end``, ``done`` and ``unit``, and checks ``coder`` and ``layer``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TextIO

from qualcode.interchange.code_resolver import CodeResolver
from qualcode.interchange.codings_done import DONE_COLUMNS, done_cell
from qualcode.interchange.safe_cells import safe_row
from qualcode.model import Layer, UnitKind

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["CODING_COLUMNS", "EXPORT_COLUMNS", "export_columns", "iter_coding_rows",
           "write_codings_csv", "write_codings_jsonl"]

CODING_COLUMNS = ("coder", "layer", "code", "code_guid", "source_id", "start", "end", "text",
                  "created_at", "coding_guid")
"""Columns of a codings export without done status (``--no-done-rows``), in order."""
EXPORT_COLUMNS = CODING_COLUMNS + DONE_COLUMNS
"""Columns of a codings export, in order."""

UTF8_BOM = "\ufeff"
Mark = tuple[int, Layer, UnitKind, int, int, str]  # coder id, layer, kind, start, end, done at


def export_columns(done_rows: bool) -> tuple[str, ...]:
    """The columns of an export with or without done status."""
    return EXPORT_COLUMNS if done_rows else CODING_COLUMNS


def iter_coding_rows(store: ProjectStore, *, coders: Sequence[str] = (),
                     layer: Layer | None = None,
                     done_rows: bool = True) -> Iterator[dict[str, Any]]:
    """Yield one dict per live coding (keys :data:`EXPORT_COLUMNS`), source by source.

    ``coders`` limits the rows to these coders (an unknown name is an error); ``layer``
    to one layer (``None``: both). ``text`` is the coded passage, exactly as stored;
    ``done`` whether the coder marked the row's unit (``unit``: the whole source for a
    coding) done. With ``done_rows`` (the default), each done unit without a coding of
    its coder gets a row with an empty ``code``: a whole source is "reviewed, no code
    applies"; a sentence or paragraph carries its ``start`` and ``end``. Then the export
    imports back with every decision; without them write :data:`CODING_COLUMNS` only
    (:func:`export_columns`), so the file does not claim a done status it lacks. Unknown
    coder names raise at once, before any row.
    """
    wanted = {store.coder(name, create=False).id for name in coders}
    return _rows(store, wanted, layer, done_rows)


def _marks_by_source(store: ProjectStore, layer: Layer | None,
                     wanted: set[int]) -> Iterator[tuple[int, list[Mark]]]:
    """Yield (source id, its done marks) for each source with a done mark, in id order."""
    marks = store.done_marks_by_source(layer=layer)
    for source_id, group in groupby(marks, key=itemgetter(0)):
        kept = [mark[1:] for mark in group if not wanted or mark[1] in wanted]
        if kept:
            yield source_id, kept


def _done_row(coder: str, source_id: str, mark: Mark) -> dict[str, Any]:
    """A row with no code that records a done mark (``created_at``: when it was done)."""
    _, layer, kind, start, end, done_at = mark
    whole = kind is UnitKind.SOURCE
    return {"coder": coder, "layer": layer.value, "code": "", "code_guid": "",
            "source_id": source_id, "start": "" if whole else start,
            "end": "" if whole else end, "text": "", "created_at": done_at,
            "coding_guid": "", "done": True, "unit": kind.value}


def _rows(store: ProjectStore, wanted: set[int], layer: Layer | None,
          done_rows: bool) -> Iterator[dict[str, Any]]:
    names = {coder.id: coder.name for coder in store.coders()}
    book = store.codebook()
    paths = CodeResolver(book)
    guids = {code.id: code.guid for code in book}
    only = next(iter(wanted)) if len(wanted) == 1 else None
    # Both walks go in source id order: merge them instead of holding every mark.
    marked = _marks_by_source(store, layer, wanted)
    pending = next(marked, None)
    for source in store.iter_sources():
        marks: list[Mark] = []
        while pending is not None and pending[0] <= source.id:
            if pending[0] == source.id:
                marks = pending[1]
            pending = next(marked, None)
        whole_done = {(m[0], m[1]) for m in marks if m[2] is UnitKind.SOURCE}
        codings = [c for c in store.codings(source_id=source.id, coder_id=only, layer=layer)
                   if not wanted or c.coder_id in wanted]
        if done_rows:
            coded = {(c.coder_id, c.layer) for c in codings}
            for mark in marks:
                if mark[2] is UnitKind.SOURCE and (mark[0], mark[1]) not in coded:
                    yield _done_row(names[mark[0]], source.external_id, mark)
        for coding in codings:
            yield {
                "coder": names[coding.coder_id],
                "layer": coding.layer.value,
                "code": paths.path_of(coding.code_id),
                "code_guid": guids[coding.code_id],
                "source_id": source.external_id,
                "start": coding.start,
                "end": coding.end,
                "text": source.text[coding.start:coding.end],
                "created_at": coding.created_at,
                "coding_guid": coding.guid,
                "done": (coding.coder_id, coding.layer) in whole_done,
                "unit": UnitKind.SOURCE.value,
            }
        if done_rows:
            for mark in marks:
                if mark[2] is not UnitKind.SOURCE:
                    yield _done_row(names[mark[0]], source.external_id, mark)


def _cells(row: Mapping[str, Any], columns: Sequence[str]) -> list[Any]:
    """The row's values in column order, ``done`` written as yes/no."""
    return [done_cell(row[c]) if c == "done" else row[c] for c in columns]


def write_codings_csv(rows: Iterable[Mapping[str, Any]], handle: TextIO, *,
                      bom: bool = False, columns: Sequence[str] = EXPORT_COLUMNS) -> int:
    """Write rows as CSV with a header; cells that could run as formulas are neutralised.

    ``handle`` should be opened with ``newline=""``. With ``bom`` the file starts with a
    UTF-8 byte-order mark, which Excel needs to read UTF-8. Returns the row count.
    """
    if bom:
        handle.write(UTF8_BOM)
    writer = csv.writer(handle)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(safe_row(_cells(row, columns)))
        count += 1
    return count


def write_codings_jsonl(rows: Iterable[Mapping[str, Any]], handle: TextIO, *,
                        columns: Sequence[str] = EXPORT_COLUMNS) -> int:
    """Write rows as JSON Lines, text exactly as stored (no neutralising); return the count."""
    count = 0
    for row in rows:
        handle.write(json.dumps({column: row[column] for column in columns},
                                ensure_ascii=False) + "\n")
        count += 1
    return count
