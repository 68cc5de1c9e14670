"""Export codings: one row per live coding, as CSV (spreadsheet-safe) or JSON Lines (exact).

Rows are produced source by source, so memory stays bounded by the largest source and
its codings whatever the size of the project. The CSV reads back with
:func:`qualcode.interchange.codings.import_codings_file` (it uses ``source_id``,
``code``, ``start`` and ``end``, and checks ``coder`` and ``layer``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from qualcode.interchange.code_resolver import CodeResolver
from qualcode.interchange.safe_cells import safe_row
from qualcode.model import Layer

if TYPE_CHECKING:
    from qualcode.storage import Store

__all__ = ["EXPORT_COLUMNS", "iter_coding_rows", "write_codings_csv", "write_codings_jsonl"]

EXPORT_COLUMNS = ("coder", "layer", "code", "code_guid", "source_id", "start", "end", "text",
                  "created_at", "coding_guid")
"""Columns of a codings export, in order."""

UTF8_BOM = "\ufeff"


def iter_coding_rows(store: Store, *, coders: Sequence[str] = (),
                     layer: Layer | None = None,
                     done_rows: bool = False) -> Iterator[dict[str, Any]]:
    """Yield one dict per live coding (keys :data:`EXPORT_COLUMNS`), source by source.

    ``coders`` limits the rows to these coders (an unknown name is an error); ``layer``
    to one layer (``None``: both). ``text`` is the coded passage, exactly as stored.
    With ``done_rows``, a source a coder marked done without coding it gets one row with
    an empty ``code`` ("reviewed, no code applies"), so the export imports back with
    every decision. Unknown coder names raise at once, before any row is produced.
    """
    wanted = {store.coder(name, create=False).id for name in coders}
    return _rows(store, wanted, layer, done_rows)


def _done_without_codings(store: Store, layer: Layer | None) -> dict[int, list[tuple]]:
    """Map source id -> [(coder_id, layer, done_at)] for whole sources done with no coding."""
    sql = ("SELECT u.source_id, r.coder_id, r.layer, r.done_at FROM reviews r "
           "JOIN units u ON u.id = r.unit_id WHERE u.kind = 'source' AND NOT EXISTS ("
           "SELECT 1 FROM codings c WHERE c.source_id = u.source_id AND c.coder_id = r.coder_id "
           "AND c.layer = r.layer AND c.deleted_at IS NULL)")
    params: list[str] = []
    if layer is not None:
        sql += " AND r.layer = ?"
        params.append(Layer(layer).value)
    done: dict[int, list[tuple]] = {}
    for source_id, coder_id, layer_name, done_at in store.db.execute(sql, params):
        done.setdefault(source_id, []).append((coder_id, layer_name, done_at))
    return done


def _rows(store: Store, wanted: set[int], layer: Layer | None,
          done_rows: bool) -> Iterator[dict[str, Any]]:
    names = {coder.id: coder.name for coder in store.coders()}
    book = store.codebook()
    paths = CodeResolver(book)
    guids = {code.id: code.guid for code in book}
    only = next(iter(wanted)) if len(wanted) == 1 else None
    uncoded = _done_without_codings(store, layer) if done_rows else {}
    for source in store.iter_sources():
        for coder_id, layer_name, done_at in uncoded.get(source.id, ()):
            if not wanted or coder_id in wanted:
                yield {"coder": names[coder_id], "layer": layer_name, "code": "",
                       "code_guid": "", "source_id": source.external_id, "start": "",
                       "end": "", "text": "", "created_at": done_at, "coding_guid": ""}
        for coding in store.codings(source_id=source.id, coder_id=only, layer=layer):
            if wanted and coding.coder_id not in wanted:
                continue
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
            }


def write_codings_csv(rows: Iterable[Mapping[str, Any]], handle: TextIO, *,
                      bom: bool = False) -> int:
    """Write rows as CSV with a header; cells that could run as formulas are neutralised.

    ``handle`` should be opened with ``newline=""``. With ``bom`` the file starts with a
    UTF-8 byte-order mark, which Excel needs to read UTF-8. Returns the row count.
    """
    if bom:
        handle.write(UTF8_BOM)
    writer = csv.writer(handle)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row[column] for column in EXPORT_COLUMNS))
        count += 1
    return count


def write_codings_jsonl(rows: Iterable[Mapping[str, Any]], handle: TextIO) -> int:
    """Write rows as JSON Lines, text exactly as stored (no neutralising); return the count."""
    count = 0
    for row in rows:
        handle.write(json.dumps({column: row[column] for column in EXPORT_COLUMNS},
                                ensure_ascii=False) + "\n")
        count += 1
    return count
