"""Another qualcode project read into a :class:`Snapshot`, every row checked as it is read.

A merge takes rows from a file someone else wrote, with whatever qualcode version or
tool, and SQLite keeps whatever a column is given (its types are only affinities). So
each value is checked before it becomes a record: text is text, positions are whole
numbers, kinds and layers are ones qualcode knows, JSON columns parse (without NaN or
infinities), and every row id a row points at exists; the copy's common states with
other copies (``merge_bases``, m007) are JSON objects of field hashes. The first bad
row stops the read with one line naming the table and the row; nothing is merged. GUIDs, positions
against the source texts and duplicate GUIDs are checked on the whole snapshot by
:func:`qualcode.storage.snapshot_check.check_snapshot`, as for a ``.qdpx``.
"""

from __future__ import annotations

import json
import math
import sqlite3
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from qualcode.errors import FormatError
from qualcode.model import CodeKind, Layer, UnitKind
from qualcode.storage.merge_base import BaseRecord, base_rows, replica_of, state_problem
from qualcode.storage.snapshot import (
    InCode,
    InCoder,
    InCoding,
    InMemo,
    InReview,
    InSource,
    InUnit,
    Snapshot,
)
from qualcode.storage.snapshot_check import MEMO_TARGETS, advice, show

E = TypeVar("E", bound=StrEnum)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is too large for JSON")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


class RowReader:
    """Reads the tables of one project in order, refusing the first row that is damaged."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.snap = conn, Snapshot(label=str(path))
        self.table, self.rowid = "", 0

    def fail(self, problem: str) -> NoReturn:
        """Stop the read: one line naming the table and the row."""
        raise FormatError(f"table {self.table}, row {self.rowid}: {problem}; "
                          f"{advice(self.snap.label)}",
                          path=self.snap.label)

    def rows(self, table: str, sql: str) -> Any:
        """Yield the rows of ``sql`` (rowid first), remembering which row is being read."""
        self.table = table
        for row in self.conn.execute(sql):
            self.rowid = row[0]
            yield row

    # -- values ----------------------------------------------------------------------------
    def text(self, value: Any, column: str, *, empty: bool = True) -> str:
        """Return a text column's value, refusing other types (and blanks unless allowed)."""
        if not isinstance(value, str):
            self.fail(f"{column} is {show(value)}, not text")
        if not empty and not value.strip():
            self.fail(f"{column} is empty")
        return value

    def maybe_text(self, value: Any, column: str) -> str | None:
        """Return a nullable text column's value."""
        return None if value is None else self.text(value, column)

    def whole(self, value: Any, column: str) -> int:
        """Return an integer column's value, refusing text, reals, blobs and NULL."""
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f"{column} is {show(value)}, not a whole number")
        return value

    def enum(self, kind: type[E], value: Any, column: str) -> E:
        """Return the member of ``kind`` a column names, refusing unknown values."""
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(member.value for member in kind)
            self.fail(f"{column} is {show(value)}, which is none of {known}")

    def json(self, value: Any, column: str, shape: type) -> Any:
        """Return a JSON column parsed, refusing bad JSON, NaN, infinities and other shapes."""
        text = self.text(value, column)
        try:
            parsed = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            self.fail(f"{column} is not valid JSON ({str(error)[:80]})")
        if not isinstance(parsed, shape):
            self.fail(f"{column} holds a JSON {type(parsed).__name__}, not a JSON "
                      f"{'object' if shape is dict else 'array'}")
        return parsed

    def ref(self, mapping: dict[int, Any], value: Any, column: str, table: str) -> Any:
        """Return what a row id points at, refusing ids that name no row."""
        if value not in mapping or isinstance(value, bool):
            self.fail(f"{column} {show(value)} names no row of table {table}")
        return mapping[value]

    def origin(self) -> str:
        """Return where the current row is, for records and later checks."""
        return f"table {self.table}, row {self.rowid}"

    # -- tables ------------------------------------------------------------------------------
    def read(self) -> Snapshot:
        """Read every table, parents before what refers to them."""
        coders = self.coders()
        codes = self.codes()
        sources = self.sources()
        units = self.units(sources)
        self.codings(coders, sources, codes)
        self.reviews(coders, units)
        self.memos(coders)
        self.bases()
        return self.snap

    def coders(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for rowid, guid, name in self.rows("coders", "SELECT rowid, guid, name FROM coders "
                                                     "ORDER BY rowid"):
            found[rowid] = guid
            self.snap.coders.append(InCoder(guid, self.text(name, "name", empty=False),
                                            origin=self.origin()))
        return found

    def codes(self) -> dict[int, str]:
        rows = list(self.rows("codes", "SELECT rowid, guid, name, parent_id, kind, description, "
                                       "inclusion, exclusion, examples, colour, shortcut, "
                                       "codable, deleted_at FROM codes ORDER BY position, rowid"))
        guids = {row[0]: row[1] for row in rows}
        by_parent: dict[int | None, list[tuple[Any, ...]]] = {}
        for row in rows:
            self.rowid = row[0]
            if row[3] is not None:
                self.ref(guids, row[3], "parent_id", "codes")
            by_parent.setdefault(row[3], []).append(row)
        stack = list(reversed(by_parent.get(None, [])))
        reached: set[int] = set()
        while stack:  # parents before children, siblings in order
            row = stack.pop()
            reached.add(row[0])
            self.snap.codes.append(self.code(row, guids))
            stack.extend(reversed(by_parent.get(row[0], [])))
        unreached = sorted(set(guids) - reached)
        if unreached:  # a row no chain of parents leads to from the top: a loop
            self.rowid = unreached[0]
            self.fail("its parent_id leads round in a loop (a code cannot sit inside itself)")
        return guids

    def code(self, row: tuple[Any, ...], guids: dict[int, str]) -> InCode:
        self.rowid = row[0]
        examples = self.json(row[8], "examples", list)
        if not all(isinstance(example, str) for example in examples):
            self.fail("examples holds something other than texts")
        codable = self.whole(row[11], "codable")
        if codable not in (0, 1):
            self.fail(f"codable is {codable}, not 0 or 1")
        return InCode(
            guid=row[1], name=self.text(row[2], "name", empty=False),
            parent_guid=guids[row[3]] if row[3] is not None else None,
            kind=self.enum(CodeKind, row[4], "kind"), description=self.text(row[5], "description"),
            inclusion=self.text(row[6], "inclusion"), exclusion=self.text(row[7], "exclusion"),
            examples=tuple(examples), colour=self.maybe_text(row[9], "colour"),
            shortcut=self.maybe_text(row[10], "shortcut"), codable=bool(codable),
            deleted=row[12] is not None, origin=self.origin())

    def sources(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for rowid, guid, ext, name, text, meta in self.rows(
                "sources", "SELECT rowid, guid, external_id, name, text, metadata FROM sources "
                           "ORDER BY rowid"):
            found[rowid] = guid
            self.snap.sources.append(InSource(
                guid, self.text(ext, "external_id", empty=False), self.text(name, "name"),
                self.text(text, "text"), self.json(meta, "metadata", dict), origin=self.origin()))
        return found

    def units(self, sources: dict[int, str]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for rowid, guid, sid, start, end, kind, pos in self.rows(
                "units", 'SELECT rowid, guid, source_id, start, "end", kind, position FROM units '
                         "ORDER BY rowid"):
            source = self.ref(sources, sid, "source_id", "sources")
            found[rowid] = (guid, source)
            self.snap.units.append(InUnit(guid, source, self.whole(start, "start"),
                                          self.whole(end, "end"),
                                          self.enum(UnitKind, kind, "kind"),
                                          self.whole(pos, "position"), origin=self.origin()))
        return found

    def codings(self, coders: dict[int, str], sources: dict[int, str],
                codes: dict[int, str]) -> None:
        for row in self.rows("codings", 'SELECT rowid, guid, coder_id, source_id, code_id, start, '
                                        '"end", layer, created_at, deleted_at FROM codings '
                                        "ORDER BY rowid"):
            self.snap.codings.append(InCoding(
                row[1], self.ref(coders, row[2], "coder_id", "coders"),
                self.ref(sources, row[3], "source_id", "sources"),
                self.ref(codes, row[4], "code_id", "codes"), self.whole(row[5], "start"),
                self.whole(row[6], "end"), self.enum(Layer, row[7], "layer"),
                self.text(row[8], "created_at"), row[9] is not None, origin=self.origin()))

    def reviews(self, coders: dict[int, str], units: dict[int, tuple[str, str]]) -> None:
        for _rowid, uid, cid, layer, done_at in self.rows(
                "reviews", "SELECT rowid, unit_id, coder_id, layer, done_at FROM reviews "
                           "ORDER BY unit_id, rowid"):
            unit, source = self.ref(units, uid, "unit_id", "units")
            self.snap.reviews.append(InReview(source, self.ref(coders, cid, "coder_id", "coders"),
                                              unit, self.enum(Layer, layer, "layer"),
                                              self.text(done_at, "done_at"), origin=self.origin()))

    def memos(self, coders: dict[int, str]) -> None:
        for row in self.rows("memos", "SELECT rowid, guid, target_kind, target_guid, coder_id, "
                                      "text, updated_at, deleted_at FROM memos ORDER BY rowid"):
            if row[2] not in MEMO_TARGETS:
                self.fail(f"target_kind is {show(row[2])}, which is none of "
                          f"{', '.join(sorted(MEMO_TARGETS))}")
            coder = None if row[4] is None else self.ref(coders, row[4], "coder_id", "coders")
            self.snap.memos.append(
                InMemo(
                    row[1],
                    row[2],
                    row[3],
                    coder,
                    self.text(row[5], "text"),
                    self.text(row[6], "updated_at"),
                    row[7] is not None,
                    origin=self.origin(),
                )
            )

    def bases(self) -> None:
        """Read the copy's replica GUID and what it saw of other copies (m007 on)."""
        self.table, self.rowid = "project", 0
        replica = replica_of(self.conn)
        self.snap.replica = None if replica is None else self.text(replica, "replica")
        self.table = "merge_bases"
        for rowid, peer, sync, at, state in base_rows(self.conn):
            self.rowid = rowid
            parsed = self.json(state, "state", dict)
            problem = state_problem(parsed)
            if problem:
                self.fail(f"state {problem}")
            self.snap.bases.append(BaseRecord(self.text(peer, "peer", empty=False),
                                              self.text(sync, "sync"), self.text(at, "at"),
                                              parsed))


def read_rows(conn: sqlite3.Connection, path: Path) -> Snapshot:
    """Read every table of an open project into a snapshot, refusing the first damaged row."""
    return RowReader(conn, path).read()
