"""Column reads for whole-project computations (agreement, theme tables) at scale.

The object readers of :class:`~qualcode.storage.Store` build one frozen dataclass per row,
which is what a screen wants and what a million-unit report cannot afford. These readers
return numpy columns and plain lists in one query each, and never hold every text at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.model import Layer, UnitKind
from qualcode.storage.codings import LIVE_CODINGS
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

MISSING = None
"""What :func:`field_values` gives for a source without a (non-empty) value."""


@dataclass(frozen=True, slots=True)
class CodingColumns:
    """Live codings of one layer as int64 columns, in no particular order."""

    id: np.ndarray
    source: np.ndarray
    code: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return int(self.id.shape[0])


ROWID_CHUNK = 1_000_000
"""Codings read per query by :func:`coding_columns` (by id range): about 30 MB of text."""


def query_ints(store: ProjectStore, columns: Sequence[str], rest: str, params: Sequence[Any]
               ) -> np.ndarray:
    """Return ``SELECT columns rest`` (integer columns, no NULL) as an (n, k) int64 array.

    SQLite returns one comma-separated text that numpy parses: faster than a row tuple
    per row, and a fraction of its memory. Keep a query well below SQLite's 1 GB text
    limit (about 100 million values).
    """
    db = store_db(store)
    if db.engine == "postgresql":  # the same one text, built by the server
        joined = f"string_agg(concat_ws(',', {', '.join(columns)}), ',')"
        rest = rest.replace(" NOT INDEXED", "")  # SQLite's planner hint
    else:
        fmt = ",".join(["%d"] * len(columns))
        joined = f"group_concat(printf('{fmt}', {', '.join(columns)}))"
    text = db.execute(f"SELECT {joined} {rest}", list(params)).fetchone()[0]
    values = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)
    return values.reshape(-1, len(columns))


def coding_columns(store: ProjectStore, *, layer: Layer,
                   coder_id: int | None = None) -> CodingColumns:
    """Return the live codings of a layer (and coder) as columns, one query per id range."""
    # NOT INDEXED: a scan in rowid order beats random lookups through codings_by_code, the
    # only index SQLite would pick. Codings of deleted codes (the rest of LIVE_CODINGS)
    # are dropped here, by numpy.
    rest = "FROM codings NOT INDEXED WHERE deleted_at IS NULL AND layer = ?"
    params: list[Any] = [Layer(layer).value]
    if coder_id is not None:
        rest += " AND coder_id = ?"
        params.append(coder_id)
    low, high = store_db(store).execute("SELECT min(id), max(id) FROM codings").fetchone()
    parts = [np.zeros((0, 5), dtype=np.int64)]
    for first in range(low or 0, (high or -1) + 1, ROWID_CHUNK):
        parts.append(query_ints(store, ["id", "source_id", "code_id", "start", '"end"'],
                                rest + " AND id >= ? AND id < ?",
                                [*params, first, first + ROWID_CHUNK]))
    table = np.concatenate(parts)
    live = query_ints(store, ["id"], "FROM codes WHERE deleted_at IS NULL", [])[:, 0]
    table = table[np.isin(table[:, 2], live)]
    return CodingColumns(*(np.ascontiguousarray(table[:, k]) for k in range(5)))


def has_codings(store: ProjectStore, *, layer: Layer, coder_id: int | None = None) -> bool:
    """Return whether a layer (of one coder) holds any live coding, without reading them."""
    sql = f"SELECT 1 FROM codings WHERE {LIVE_CODINGS} AND layer = ?"
    params: list[Any] = [Layer(layer).value]
    if coder_id is not None:
        sql += " AND coder_id = ?"
        params.append(coder_id)
    return store_db(store).execute(sql + " LIMIT 1", params).fetchone() is not None


class ColumnReads:
    """Column reads kept for one computation, so two parts of one report read once.

    The theme table's presence and its kappa column both need the sources' lengths and
    the codings of the same coders; an agreement run given this object reuses them.
    """

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self._lengths: tuple[np.ndarray, np.ndarray] | None = None
        self._codings: dict[tuple[str, int | None], CodingColumns] = {}

    def source_lengths(self) -> tuple[np.ndarray, np.ndarray]:
        """Return :func:`source_lengths`, read once (or set by :meth:`keep_lengths`)."""
        if self._lengths is None:
            self._lengths = source_lengths(self.store)
        return self._lengths

    def keep_lengths(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        """Keep lengths measured by a caller that streamed every text anyway."""
        self._lengths = (ids, lengths)

    def codings(self, *, layer: Layer, coder_id: int | None = None) -> CodingColumns:
        """Return :func:`coding_columns` of a layer (and coder), read on the first call."""
        key = (Layer(layer).value, coder_id)
        if key not in self._codings:
            self._codings[key] = coding_columns(self.store, layer=layer, coder_id=coder_id)
        return self._codings[key]


def coders_with_done(store: ProjectStore, layer: Layer) -> set[int]:
    """Return the ids of the coders who marked at least one unit done in a layer."""
    return {row[0] for row in store_db(store).execute(
        "SELECT DISTINCT coder_id FROM reviews WHERE layer = ?", [Layer(layer).value])}


def stored_unit_spans(store: ProjectStore, kind: UnitKind) -> np.ndarray:
    """Return (source id, start, end) of the stored units of a kind as an (n, 3) int64 array."""
    rows = store_db(store).execute('SELECT source_id, start, "end" FROM units WHERE kind = ?',
                                    [kind.value]).fetchall()
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def done_mark_columns(store: ProjectStore, layer: Layer, coder_id: int | None
                      ) -> tuple[np.ndarray, set[tuple[int, int, int]]]:
    """Return a layer's done marks: source ids of whole sources (unsorted), spans of parts.

    ``coder_id`` None takes every coder's marks; a span is (source id, start, end).
    """
    sql = "r.layer = ?"
    params: list[object] = [layer.value]
    if coder_id is not None:
        sql, params = sql + " AND r.coder_id = ?", [*params, coder_id]
    whole = query_ints(store, ["u.source_id"], "FROM reviews r JOIN units u ON u.id = "
                       f"r.unit_id WHERE {sql} AND u.kind = 'source'", params)[:, 0]
    spans = {(s, a, b) for s, a, b in store_db(store).execute(
        f'SELECT u.source_id, u.start, u."end" FROM reviews r JOIN units u ON u.id = r.unit_id '
        f"WHERE {sql} AND u.kind != 'source'", params)}
    return whole, spans


def source_lengths(store: ProjectStore) -> tuple[np.ndarray, np.ndarray]:
    """Return (ids, text lengths in code points) of every source, in id order."""
    # Python's len() on texts streamed in batches: faster than SQLite's length() plus the
    # scan for NUL characters (where length() stops and len() does not) it needed.
    ids: list[int] = []
    lengths: list[int] = []
    for source_id, _, text in iter_texts(store, batch_size=10_000):
        ids.append(source_id)
        lengths.append(len(text))
    return np.array(ids, dtype=np.int64), np.array(lengths, dtype=np.int64)


def source_names(store: ProjectStore) -> list[str]:
    """Return the external id of every source, in id order."""
    return [row[0] for row in store_db(store).execute(
        "SELECT external_id FROM sources ORDER BY id")]


def iter_texts(store: ProjectStore, batch_size: int = 2_000) -> Iterator[tuple[int, str, str]]:
    """Yield (id, external id, text) of every source in id order, a batch at a time."""
    for batch in text_batches(store, batch_size):
        yield from batch


def text_batches(store: ProjectStore, batch_size: int = 2_000
                 ) -> Iterator[list[tuple[int, str, str]]]:
    """Yield lists of (id, external id, text) of every source in id order."""
    last = 0
    while True:
        rows = store_db(store).execute("SELECT id, external_id, text FROM sources WHERE id > ? "
                                        "ORDER BY id LIMIT ?", [last, batch_size]).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def external_ids(store: ProjectStore, ids: list[int]) -> dict[int, str]:
    """Map source ids to their external ids."""
    return {k: v[0] for k, v in source_rows(store, ("external_id",), ids).items()}


def source_texts(store: ProjectStore, ids: list[int]) -> dict[int, str]:
    """Map the listed source ids to their texts (read in chunks)."""
    return {k: v[0] for k, v in source_rows(store, ("text",), ids).items()}


def source_rows(store: ProjectStore, columns: Sequence[str], ids: list[int]
                ) -> dict[int, tuple[Any, ...]]:
    """Map the listed source ids to the values of ``columns`` of the sources table."""
    select = ", ".join(f'"{c}"' for c in columns)
    found: dict[int, tuple[Any, ...]] = {}
    # Chunks of 500 stay under SQLite's limit on bound parameters in every build.
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store_db(store).execute(
                f"SELECT id, {select} FROM sources WHERE id IN ({marks})", chunk):
            found[row[0]] = tuple(row[1:])
    return found


def _python_str(value: Any) -> str | None:
    """A metadata value as ``str(value)`` prints it; None when missing or empty."""
    return None if value in (None, "") else str(value)


def field_values(store: ProjectStore, field: str) -> list[str | None]:
    """Return, for every source in id order, ``str()`` of its metadata value for ``field``.

    None stands for a missing or empty value. The common JSON types are read by SQLite;
    reals, booleans, arrays and objects are decoded by Python so the strings match what
    ``str(source.metadata[field])`` gives.
    """
    return field_column(store, field)[1]


def field_column(store: ProjectStore, field: str) -> tuple[np.ndarray, list[str | None]]:
    """Return the source ids (in id order) and :func:`field_values` of one field."""
    if store_db(store).engine == "postgresql":  # psycopg decodes jsonb as json.loads does
        pairs = store_db(store).execute("SELECT id, metadata::jsonb -> ? FROM sources "
                                        "ORDER BY id", [field]).fetchall()
        ids = np.fromiter((row[0] for row in pairs), dtype=np.int64, count=len(pairs))
        return ids, [_python_str(value) for _, value in pairs]
    rows = store_db(store).execute(
        "SELECT s.id, j.type, j.value FROM sources s LEFT JOIN json_each(s.metadata) j "
        "ON j.key = ? ORDER BY s.id", [field]).fetchall()

    def other(source_id: int, kind: str | None, value: Any) -> str | None:
        if kind is None or kind == "null":
            return MISSING
        if kind == "text" or (kind == "integer" and isinstance(value, int)):
            return _python_str(value)
        if kind in ("true", "false"):
            return str(kind == "true")
        if kind in ("array", "object"):  # json_each gives these as their JSON text
            return _python_str(json.loads(value))
        # Reals: decoded by Python, so the digits are exactly those str() prints.
        metadata = store_db(store).execute("SELECT metadata FROM sources WHERE id = ?",
                                            [source_id]).fetchone()[0]
        return _python_str(json.loads(metadata).get(field))

    # A key repeated in one source's JSON gives one row per copy: the last wins, as in
    # json.loads, and every source keeps exactly one value.
    last = {row[0]: row for row in rows}
    rows = list(last.values())
    # Non-empty text, by far the commonest value, is taken as it is without a call.
    values = [value if kind == "text" and value else other(source_id, kind, value)
              for source_id, kind, value in rows]
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    return ids, values
