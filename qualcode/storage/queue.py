"""One coder's queue of units: paged, filtered queries that stay fast on 100,000 units.

The coding screen never holds the whole queue: it asks for the number of units that
match the filter and for the page of rows it is about to draw. Rows are ordered by
``(source_id, start)``, the order of the ``units_by_kind`` index, so plain pages are an
index range and sequential pages can be fetched by key (:meth:`UnitQueue.page_after`)
instead of by a growing ``OFFSET``. An explicit order (:meth:`UnitQueue.set_order`, e.g.
most uncertain first) is a rank table in SQLite's per-connection temporary schema, keyed
the same way by rank.

Everything here is about *one* coder: done marks and codings of other coders are never
read, so a blind coder's queue cannot leak them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from qualcode.model import Event, Layer, UnitKind
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

EXCERPT_CHARS = 160
"""How much of a unit's text a queue row carries (enough for the widest terminal row)."""


class Status(StrEnum):
    """Which units a queue shows by this coder's done mark."""

    ALL = "all"
    NOT_DONE = "not_done"
    DONE = "done"


class Order(StrEnum):
    """How a queue is ordered: as the units were imported, or by a suggester's uncertainty."""

    QUEUE = "queue"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What a queue shows: done state, codes applied, one metadata value, a text search.

    ``code_ids`` keeps units where this coder applied any of these codes (pass a theme
    with its descendants to filter by theme). ``text`` is a case-insensitive substring
    (ASCII letters fold; other scripts match as typed). ``order`` is the order the coder
    asked for; the queue follows it once :meth:`UnitQueue.set_order` is given the units
    (the session computes them with the suggester).
    """

    status: Status = Status.ALL
    code_ids: tuple[int, ...] = ()
    field: str | None = None
    value: str | None = None
    text: str = ""
    order: Order = Order.QUEUE

    def is_empty(self) -> bool:
        """Return True when the filter keeps every unit (whatever their order)."""
        return replace(self, order=Order.QUEUE) == QueueFilter()

    def with_status(self, status: Status) -> QueueFilter:
        """Return a copy showing units in another done state."""
        return replace(self, status=status)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of the queue: a unit, where it comes from, and this coder's progress on it."""

    position: int
    unit_id: int
    source_id: int
    start: int
    end: int
    external_id: str
    name: str
    excerpt: str
    done: bool
    codings: int


def _like_pattern(text: str) -> str:
    """Escape LIKE wildcards so a search for ``50%`` means the characters typed."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _json_path(field: str) -> str:
    """Quote a metadata key for ``json_extract`` so keys with dots or spaces work."""
    return '$."' + field.replace("\\", "\\\\").replace('"', '\\"') + '"'


OVERLAP = ('(c.start < u."end" AND c."end" > u.start OR '
           '(c.start = c."end" AND c.start >= u.start AND c.start < u."end"))')
"""Same rule as :meth:`qualcode.model.Coding.overlaps`, in SQL over aliases ``c`` and ``u``."""

LIVE = "c.deleted_at IS NULL AND c.code_id IN (SELECT id FROM codes WHERE deleted_at IS NULL)"

NATURAL_KEY = ("u.source_id", "u.start")
RANK_KEY = ("o.rank",)
_order_tables = itertools.count(1)


class UnitQueue:
    """The units of one kind, as one coder sees them, through a :class:`QueueFilter`.

    Counts are cached until :meth:`invalidate` (call it after this coder's writes).
    """

    def __init__(self, store: ProjectStore, coder_id: int, *, kind: UnitKind = UnitKind.SOURCE,
                 layer: Layer = Layer.CODER, queue_filter: QueueFilter | None = None) -> None:
        self.store = store
        self.coder_id = coder_id
        self.kind = UnitKind(kind)
        self.layer = Layer(layer)
        self._filter = queue_filter or QueueFilter()
        self._count: int | None = None
        self._total: int | None = None
        self._done: int | None = None
        self._order_table: str | None = None

    # -- order -------------------------------------------------------------------------
    @property
    def ordered(self) -> bool:
        """True while an explicit order (:meth:`set_order`) is in force."""
        return self._order_table is not None

    def set_order(self, unit_ids: Sequence[int] | None) -> None:
        """Show these units first, in this order, then every other unit in queue order.

        ``None`` goes back to queue order. Units added to the project afterwards appear
        only once the order is set again.
        """
        db = store_db(self.store)
        if unit_ids is None:
            if self._order_table is not None:
                db.execute(f"DROP TABLE IF EXISTS {db.temp_schema}.{self._order_table}")
                self._order_table = None
                self._count = None
            return
        name = self._order_table or f"qualcode_queue_order_{next(_order_tables)}"
        # The temporary schema belongs to this connection, so no other coder sees it and
        # nothing is written to the project file.
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} "
                   "(rank INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL UNIQUE)")
        table = f"{db.temp_schema}.{name}"
        db.execute(f"DELETE FROM {table}")
        wanted = list(dict.fromkeys(int(i) for i in unit_ids))
        db.executemany(
            f"INSERT INTO {table}(unit_id) SELECT id FROM units WHERE id = ? AND kind = ?",
            [(unit_id, self.kind.value) for unit_id in wanted])
        db.execute(f"INSERT INTO {table}(unit_id) SELECT u.id FROM units u WHERE u.kind = ? "
                   f"AND u.id NOT IN (SELECT unit_id FROM {table}) "
                   "ORDER BY u.source_id, u.start", [self.kind.value])
        self._order_table = name
        self._count = None

    def _key_columns(self) -> tuple[str, ...]:
        return RANK_KEY if self._order_table else NATURAL_KEY

    def _order_by(self, direction: str = "ASC") -> str:
        return ", ".join(f"{column} {direction}" for column in self._key_columns())

    def _after(self, compare: str, key: tuple[int, ...]) -> str:
        """Return the SQL comparing a row's key with a unit's (``>`` after, ``<`` before)."""
        marks = ", ".join("?" * len(key))
        return f"({', '.join(self._key_columns())}) {compare} ({marks})"

    # -- filter ------------------------------------------------------------------------
    @property
    def filter(self) -> QueueFilter:
        """The filter in force."""
        return self._filter

    def set_filter(self, queue_filter: QueueFilter) -> None:
        """Show another selection of units."""
        self._filter = queue_filter
        self._count = None

    def invalidate(self) -> None:
        """Forget cached counts (after a change touching many units, such as an import)."""
        self._count = None
        self._done = None

    def contains(self, unit_id: int) -> bool:
        """Return True when the filter keeps this unit."""
        where, params = self._where()
        return store_db(self.store).execute(f"SELECT 1 {self._from()} WHERE {where} AND u.id = ?",
                                             [*params, unit_id]).fetchone() is not None

    def _is_done(self, unit_id: int) -> bool:
        return self.store.is_done(unit_id, self.coder_id, layer=self.layer)

    @contextmanager
    def tracking(self, unit_id: int) -> Iterator[None]:
        """Keep cached counts exact across a change to one unit, without recounting.

        Recounting a filtered queue scans every unit; a change to one unit can only move
        that unit in or out of the filter and the done count, so compare before and after.
        """
        before = (self.contains(unit_id), self._is_done(unit_id))
        yield
        after = (self.contains(unit_id), self._is_done(unit_id))
        if self._count is not None:
            self._count += after[0] - before[0]
        if self._done is not None:
            self._done += after[1] - before[1]

    def _where(self, f: QueueFilter | None = None) -> tuple[str, list[Any]]:
        """Return the WHERE clause (over ``u`` units and ``s`` sources) of a filter."""
        clauses = ["u.kind = ?"]
        params: list[Any] = [self.kind.value]
        f = self._filter if f is None else f
        if f.status != Status.ALL:
            negate = "NOT " if f.status == Status.NOT_DONE else ""
            clauses.append(f"{negate}EXISTS (SELECT 1 FROM reviews r WHERE r.unit_id = u.id "
                           "AND r.coder_id = ? AND r.layer = ?)")
            params += [self.coder_id, self.layer.value]
        if f.code_ids:
            marks = ",".join("?" * len(f.code_ids))
            clauses.append(f"EXISTS (SELECT 1 FROM codings c WHERE c.source_id = u.source_id "
                           f"AND c.coder_id = ? AND c.layer = ? AND c.code_id IN ({marks}) "
                           f"AND {LIVE} AND {OVERLAP})")
            params += [self.coder_id, self.layer.value, *f.code_ids]
        server = store_db(self.store).engine == "postgresql"
        if f.field:
            clauses.append("(s.metadata::jsonb ->> ?) = ?" if server
                           else "CAST(json_extract(s.metadata, ?) AS TEXT) = ?")
            params += [f.field if server else _json_path(f.field),
                       "" if f.value is None else str(f.value)]
        if f.text.strip():
            like = "ILIKE" if server else "LIKE"  # SQLite's LIKE ignores ASCII case
            clauses.append(f"substr(s.text, u.start + 1, u.\"end\" - u.start) {like} ? "
                           "ESCAPE '\\'")
            params.append(_like_pattern(f.text.strip()))
        return " AND ".join(clauses), params

    def _ordered(self) -> str:
        """The order table, in this connection's temporary schema."""
        return f"{store_db(self.store).temp_schema}.{self._order_table}"

    def _from(self, f: QueueFilter | None = None) -> str:
        f = self._filter if f is None else f
        # Reading sources only when the filter needs them keeps plain pages an index range.
        join = " JOIN sources s ON s.id = u.source_id" if f.field or f.text.strip() else ""
        if self._order_table:
            return f"FROM {self._ordered()} o JOIN units u ON u.id = o.unit_id{join}"
        return f"FROM units u{join}"

    # -- counts ------------------------------------------------------------------------
    def total(self) -> int:
        """Return the number of units of this kind, whatever the filter."""
        if self._total is None:
            self._total = self.store.unit_count(self.kind)
        return self._total

    def done(self) -> int:
        """Return how many units of this kind the coder has marked done."""
        if self._done is None:
            self._done = self.store.done_count(self.coder_id, kind=self.kind, layer=self.layer)
        return self._done

    def count(self) -> int:
        """Return the number of units the filter keeps."""
        if self._count is None:
            f = replace(self._filter, order=Order.QUEUE)
            if self._order_table:
                where, params = self._where()
                self._count = int(store_db(self.store).execute(
                    f"SELECT count(*) {self._from()} WHERE {where}", params).fetchone()[0])
            elif f.is_empty():
                self._count = self.total()
            elif f == QueueFilter(status=Status.DONE):
                self._count = self.done()
            elif f == QueueFilter(status=Status.NOT_DONE):
                self._count = self.total() - self.done()
            else:
                where, params = self._where()
                self._count = int(store_db(self.store).execute(
                    f"SELECT count(*) {self._from()} WHERE {where}", params).fetchone()[0])
        return self._count

    # -- rows --------------------------------------------------------------------------
    def page(self, offset: int, limit: int) -> list[QueueRow]:
        """Return ``limit`` rows starting at ``offset`` in the filtered queue."""
        where, params = self._where()
        ids = store_db(self.store).execute(
            f"SELECT u.id {self._from()} WHERE {where} ORDER BY {self._order_by()} "
            "LIMIT ? OFFSET ?", [*params, max(0, limit), max(0, offset)]).fetchall()
        return self.rows([row[0] for row in ids], first_position=max(0, offset))

    def page_after(self, unit_id: int, limit: int, *, position: int) -> list[QueueRow]:
        """Return the ``limit`` rows after a unit, by key (no OFFSET scan).

        ``position`` is the index of ``unit_id`` in the queue, used to number the rows.
        """
        key = self._key(unit_id)
        if key is None:
            return []
        where, params = self._where()
        ids = store_db(self.store).execute(
            f"SELECT u.id {self._from()} WHERE {where} AND {self._after('>', key)} "
            f"ORDER BY {self._order_by()} LIMIT ?", [*params, *key, max(0, limit)]).fetchall()
        return self.rows([row[0] for row in ids], first_position=position + 1)

    def rows(self, unit_ids: list[int], *, first_position: int = 0) -> list[QueueRow]:
        """Fetch the display columns of a page of units, in the order given."""
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        rows = store_db(self.store).execute(
            f'SELECT u.id, u.source_id, u.start, u."end", s.external_id, s.name, '
            # CASE, not SQLite's two-argument min(): PostgreSQL calls that least().
            f'substr(s.text, u.start + 1, CASE WHEN u."end" - u.start < {EXCERPT_CHARS} '
            f'THEN u."end" - u.start ELSE {EXCERPT_CHARS} END), '
            "EXISTS (SELECT 1 FROM reviews r WHERE r.unit_id = u.id AND r.coder_id = ? "
            "AND r.layer = ?), "
            "(SELECT count(*) FROM codings c WHERE c.source_id = u.source_id AND "
            f"c.coder_id = ? AND c.layer = ? AND {LIVE} AND {OVERLAP}) "
            f"FROM units u JOIN sources s ON s.id = u.source_id WHERE u.id IN ({marks})",
            [self.coder_id, self.layer.value, self.coder_id, self.layer.value, *unit_ids]
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        result = []
        for index, unit_id in enumerate(unit_ids):
            row = by_id[unit_id]
            result.append(QueueRow(position=first_position + index, unit_id=row[0],
                                   source_id=row[1], start=row[2], end=row[3],
                                   external_id=row[4], name=row[5], excerpt=row[6] or "",
                                   done=bool(row[7]), codings=int(row[8])))
        return result

    def _key(self, unit_id: int) -> tuple[int, ...] | None:
        if self._order_table:
            row = store_db(self.store).execute(f"SELECT rank FROM {self._ordered()} "
                                                "WHERE unit_id = ?", [unit_id]).fetchone()
            return None if row is None else (row[0],)
        row = store_db(self.store).execute("SELECT source_id, start FROM units WHERE id = ? AND "
                                            "kind = ?", [unit_id, self.kind.value]).fetchone()
        return None if row is None else (row[0], row[1])

    # -- navigation --------------------------------------------------------------------
    def position_of(self, unit_id: int) -> int | None:
        """Return the index of a unit in the filtered queue, or None when it is filtered out."""
        key = self._key(unit_id)
        if key is None or not self.contains(unit_id):
            return None
        where, params = self._where()
        return int(store_db(self.store).execute(
            f"SELECT count(*) {self._from()} WHERE {where} AND {self._after('<', key)}",
            [*params, *key]).fetchone()[0])

    def unit_id_at(self, position: int) -> int | None:
        """Return the unit at an index of the filtered queue."""
        rows = self.page(position, 1) if position >= 0 else []
        return rows[0].unit_id if rows else None

    def first(self) -> int | None:
        """Return the first unit of the filtered queue."""
        return self.unit_id_at(0)

    def neighbour(self, unit_id: int, step: int) -> int | None:
        """Return the unit just after (``step`` 1) or before (``step`` -1) one, in the filter."""
        key = self._key(unit_id)
        if key is None:
            return None
        where, params = self._where()
        compare, order = (">", "ASC") if step > 0 else ("<", "DESC")
        row = store_db(self.store).execute(
            f"SELECT u.id {self._from()} WHERE {where} AND {self._after(compare, key)} "
            f"ORDER BY {self._order_by(order)} LIMIT 1",
            [*params, *key]).fetchone()
        return None if row is None else int(row[0])

    def next_not_done(self, after_unit_id: int | None = None, *, wrap: bool = True) -> int | None:
        """Return the first unit in the filter not marked done, after a unit (wrapping round).

        The unit itself is skipped; None means every unit the filter keeps is done.
        """
        if self._filter.status == Status.DONE:
            return None
        wanted = self._filter.with_status(Status.NOT_DONE)
        where, params = self._where(wanted)
        source = self._from(wanted)
        key = self._key(after_unit_id) if after_unit_id is not None else None
        if key is not None:
            row = store_db(self.store).execute(
                f"SELECT u.id {source} WHERE {where} AND {self._after('>', key)} "
                f"ORDER BY {self._order_by()} LIMIT 1", [*params, *key]).fetchone()
            if row is not None:
                return int(row[0])
            if not wrap:
                return None
        skip = "AND u.id != ? " if after_unit_id is not None else ""
        row = store_db(self.store).execute(
            f"SELECT u.id {source} WHERE {where} {skip}ORDER BY {self._order_by()} LIMIT 1",
            [*params, *([after_unit_id] if after_unit_id is not None else [])]).fetchone()
        return None if row is None else int(row[0])

    def unit_of_coding(self, coding_id: int) -> int | None:
        """Return the unit (of this kind) holding a coding, live or deleted (to show an undo)."""
        row = store_db(self.store).execute(
            'SELECT u.id FROM codings c JOIN units u ON u.source_id = c.source_id AND u.kind = ? '
            'WHERE c.id = ? AND u.start <= c.start AND (c.start < u."end" OR u.start = u."end" '
            'OR c.start = u."end") ORDER BY u.start LIMIT 1', [self.kind.value, coding_id]
        ).fetchone()
        return None if row is None else int(row[0])

    def unit_of_event(self, event: Event) -> int | None:
        """Return the unit an action touched (to show what an undo or redo changed)."""
        payload = event.payload
        if "unit_id" in payload:
            return int(payload["unit_id"])
        if "coding_id" in payload:
            return self.unit_of_coding(int(payload["coding_id"]))
        if "memo_id" in payload:
            row = store_db(self.store).execute(
                "SELECT target_kind, target_guid FROM memos WHERE id = ?",
                [payload["memo_id"]]).fetchone()
            if row is None:
                return None
            if row[0] == "unit":
                found = store_db(self.store).execute("SELECT id FROM units WHERE guid = ?",
                                                      [row[1]]).fetchone()
                return None if found is None else int(found[0])
            if row[0] == "coding":
                found = store_db(self.store).execute("SELECT id FROM codings WHERE guid = ?",
                                                      [row[1]]).fetchone()
                return None if found is None else self.unit_of_coding(int(found[0]))
        return None
