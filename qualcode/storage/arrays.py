"""Column reads for whole-project computations (agreement, theme tables) at scale.

The object readers of :class:`~qualcode.storage.Store` build one frozen dataclass per row,
which is what a screen wants and what a million-unit report cannot afford. These readers
return numpy columns and plain lists in one query each, and never hold every text at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.model import Layer
from qualcode.storage.codings import LIVE_CODINGS

if TYPE_CHECKING:
    from qualcode.storage.store import Store

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


def coding_columns(store: Store, *, layer: Layer, coder_id: int | None = None) -> CodingColumns:
    """Return the live codings of a layer (and coder) as columns, read in one query."""
    sql = f'SELECT id, source_id, code_id, start, "end" FROM codings WHERE {LIVE_CODINGS} ' \
          "AND layer = ?"
    params: list[Any] = [Layer(layer).value]
    if coder_id is not None:
        sql += " AND coder_id = ?"
        params.append(coder_id)
    rows = store.db.execute(sql, params).fetchall()
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    return CodingColumns(*(np.ascontiguousarray(table[:, k]) for k in range(5)))


def coders_with_done(store: Store, layer: Layer) -> set[int]:
    """Return the ids of the coders who marked at least one unit done in a layer."""
    return {row[0] for row in store.db.execute(
        "SELECT DISTINCT coder_id FROM reviews WHERE layer = ?", [Layer(layer).value])}


def source_lengths(store: Store) -> tuple[np.ndarray, np.ndarray]:
    """Return (ids, text lengths in code points) of every source, in id order."""
    rows = store.db.execute(
        "SELECT id, length(text), instr(CAST(text AS BLOB), x'00') > 0 FROM sources "
        "ORDER BY id").fetchall()
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    ids, lengths = table[:, 0].copy(), table[:, 1].copy()
    # SQLite's length() stops at a NUL character; Python's len() does not.
    for k in np.flatnonzero(table[:, 2]):
        text = store.db.execute("SELECT text FROM sources WHERE id = ?",
                                [int(ids[k])]).fetchone()[0]
        lengths[k] = len(text)
    return ids, lengths


def iter_texts(store: Store, batch_size: int = 2_000) -> Iterator[tuple[int, str, str]]:
    """Yield (id, external id, text) of every source in id order, a batch at a time."""
    last = 0
    while True:
        rows = store.db.execute("SELECT id, external_id, text FROM sources WHERE id > ? "
                                "ORDER BY id LIMIT ?", [last, batch_size]).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def external_ids(store: Store, ids: list[int]) -> dict[int, str]:
    """Map source ids to their external ids."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(store.db.execute(
            f"SELECT id, external_id FROM sources WHERE id IN ({marks})", chunk).fetchall())
    return found


def source_texts(store: Store, ids: list[int]) -> dict[int, str]:
    """Map the listed source ids to their texts (read in chunks)."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(store.db.execute(
            f"SELECT id, text FROM sources WHERE id IN ({marks})", chunk).fetchall())
    return found


def _python_str(value: Any) -> str | None:
    """A metadata value as ``str(value)`` prints it; None when missing or empty."""
    return None if value in (None, "") else str(value)


def field_values(store: Store, field: str) -> list[str | None]:
    """Return, for every source in id order, ``str()`` of its metadata value for ``field``.

    None stands for a missing or empty value. The common JSON types are read by SQLite;
    reals, booleans, arrays and objects are decoded by Python so the strings match what
    ``str(source.metadata[field])`` gives.
    """
    rows = store.db.execute(
        "SELECT s.id, j.type, j.value FROM sources s LEFT JOIN json_each(s.metadata) j "
        "ON j.key = ? ORDER BY s.id", [field]).fetchall()
    out: list[str | None] = []
    for source_id, kind, value in rows:
        if kind is None or kind == "null":
            out.append(MISSING)
        elif kind == "text" or (kind == "integer" and isinstance(value, int)):
            out.append(_python_str(value))
        else:
            metadata = store.db.execute("SELECT metadata FROM sources WHERE id = ?",
                                        [source_id]).fetchone()[0]
            out.append(_python_str(json.loads(metadata).get(field)))
    return out
