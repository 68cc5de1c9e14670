"""Pinned quotes (table ``pinned_quotes``): the passages a user chose as a code's exemplars.

The theme table shows a code's pinned quotes before any it chooses itself. Pinning and
unpinning are user actions: each is one event (``quote.pin``, ``quote.unpin``) that the
pinning coder can undo; an unpinned quote stays in the file, marked deleted, so undo can
bring it back. Pins have GUIDs like every other entity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError, StoreError
from qualcode.model import new_guid
from qualcode.storage.connection import log_event, utc_now, write_transaction
from qualcode.storage.rows import source_length
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

__all__ = ["Pin", "pin_quote", "pinned_quotes", "set_pins_deleted", "unpin_quotes"]


@dataclass(frozen=True, slots=True)
class Pin:
    """A passage pinned as an exemplar quote of a code."""

    id: int
    guid: str
    code_id: int
    source_id: int
    start: int
    end: int
    coder_id: int | None
    created_at: str


_COLUMNS = 'id, guid, code_id, source_id, start, "end", coder_id, created_at'
# A pin counts while it, its code and its source are live.
_LIVE = ("deleted_at IS NULL AND code_id IN (SELECT id FROM codes WHERE deleted_at IS NULL)")


def _pin(row: Sequence[object]) -> Pin:
    return Pin(*row)  # type: ignore[arg-type]  # the row's columns are Pin's fields in order


def pin_quote(store: ProjectStore, *, code_id: int, source_id: int, start: int | None = None,
              end: int | None = None, coder_id: int | None = None) -> Pin:
    """Pin a span (or, with no span, the whole source) as an exemplar of a code: one event.

    Refuses a code that is a heading (not codable), a span outside the text or holding
    only whitespace, and a span already pinned for that code.
    """
    with write_transaction(store_db(store)):
        found = source_length(store_db(store), source_id)
        if found is None:
            raise NotFoundError(f"no source with id {source_id}")
        length, external_id = found
        start = 0 if start is None else start
        end = length if end is None else end
        if not 0 <= start < end <= length:
            raise StoreError(f"span {start}..{end} does not lie inside source {external_id!r} "
                             f"(its text has {length} characters); give --start and --end "
                             "with 0 <= start < end, counted in characters from 0")
        code = store_db(store).execute("SELECT name, codable FROM codes WHERE id = ? AND "
                                        "deleted_at IS NULL", [code_id]).fetchone()
        if code is None:
            raise NotFoundError(f"no code with id {code_id}")
        if not code[1]:
            raise StoreError(f"{code[0]!r} is a heading, not a codable code; pin quotes to "
                             "the codes under it")
        # Sliced in Python: SQLite's substr() would stop at a NUL character.
        text = store_db(store).execute("SELECT text FROM sources WHERE id = ?",
                                        [source_id]).fetchone()[0][start:end]
        if not text.strip():
            raise StoreError(f"characters {start}..{end} of source {external_id!r} are only "
                             "whitespace; pin a span with words in it")
        if store_db(store).execute(f'SELECT 1 FROM pinned_quotes WHERE {_LIVE} AND '
                                    'code_id = ? AND source_id = ? AND start = ? AND "end" = ?',
                                    [code_id, source_id, start, end]).fetchone():
            raise StoreError(f"that passage of {external_id!r} is already pinned to "
                             f"{code[0]!r}")
        pin_id = store_db(store).insert_id(
            'INSERT INTO pinned_quotes(guid, code_id, source_id, start, "end", coder_id, '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [new_guid(), code_id, source_id, start, end, coder_id, utc_now()])
        log_event(store_db(store), "quote.pin",
                  {"pin_id": pin_id, "code_id": code_id, "source_id": source_id,
                   "start": start, "end": end}, coder_id=coder_id)
    return _one(store, pin_id)


def unpin_quotes(store: ProjectStore, *, code_id: int, source_id: int | None = None,
                 start: int | None = None, end: int | None = None,
                 coder_id: int | None = None) -> list[Pin]:
    """Unpin a code's pinned quotes (of one source, or one span of it): one event.

    Returns the pins taken off; refuses when nothing matches.
    """
    sql = f"SELECT {_COLUMNS} FROM pinned_quotes WHERE {_LIVE} AND code_id = ?"
    params: list[object] = [code_id]
    for column, value in (("source_id", source_id), ("start", start), ('"end"', end)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    with write_transaction(store_db(store)):
        pins = [_pin(row) for row in store_db(store).execute(sql + " ORDER BY id", params)]
        if not pins:
            raise NotFoundError("no pinned quote matches; list them with qualcode quote list")
        set_pins_deleted(store, [p.id for p in pins], utc_now())
        log_event(store_db(store), "quote.unpin", {"pin_ids": [p.id for p in pins],
                                                    "code_id": code_id}, coder_id=coder_id)
    return pins


def pinned_quotes(store: ProjectStore, code_id: int | None = None) -> list[Pin]:
    """Live pins (of one code, or all), oldest first: the order the theme table uses."""
    sql = f"SELECT {_COLUMNS} FROM pinned_quotes WHERE {_LIVE}"
    params: list[object] = []
    if code_id is not None:
        sql += " AND code_id = ?"
        params.append(code_id)
    return [_pin(row) for row in store_db(store).execute(sql + " ORDER BY id", params)]


def set_pins_deleted(store: ProjectStore, ids: Sequence[int], when: str | None) -> None:
    """Mark pins unpinned (``when`` a timestamp) or pinned again (``when`` None): for undo."""
    for first in range(0, len(ids), 500):
        chunk = list(ids[first:first + 500])
        marks = ",".join("?" * len(chunk))
        store_db(store).execute(f"UPDATE pinned_quotes SET deleted_at = ? WHERE id IN ({marks})",
                                 [when, *chunk])


def _one(store: ProjectStore, pin_id: int) -> Pin:
    row = store_db(store).execute(f"SELECT {_COLUMNS} FROM pinned_quotes WHERE id = ?",
                                   [pin_id]).fetchone()
    return _pin(row)
