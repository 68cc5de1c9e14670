"""The SQLite side of the adapter: sqlite-utils' ``Database`` plus the adapter's methods."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database

from qualcode.errors import StoreError
from qualcode.storage.backends import Engine


class SqliteConnection(Database):
    """A project file's connection: what sqlite-utils gives, and :class:`SqlConnection`'s API."""

    engine: Engine = "sqlite"
    integrity_error: type[Exception] = sqlite3.IntegrityError
    temp_schema = "temp"

    @property
    def location(self) -> str:
        """The project file's path, as SQLite opened it."""
        return next((file for _, name, file in self.execute("PRAGMA database_list")
                     if name == "main"), "")

    def mark_as_project(self) -> None:
        """Write qualcode's application id into the file header."""
        from qualcode.storage.schema import APPLICATION_ID

        self.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""
        self.conn.executemany(sql, rows)

    def insert_id(self, sql: str, parameters: Sequence[Any]) -> int:
        """Run one INSERT and return the rowid SQLite gave the new row."""
        rowid = self.execute(sql, list(parameters)).lastrowid
        if rowid is None:  # only when the statement inserted nothing, which is a bug here
            raise StoreError("the database gave no id for the row just written; "
                             "nothing was saved")
        return rowid

    def insert_id_or_none(self, sql: str, parameters: Sequence[Any]) -> int | None:
        """Run one INSERT ... ON CONFLICT DO NOTHING; the new rowid, or None when skipped."""
        cursor = self.execute(sql, list(parameters))
        return cursor.lastrowid if cursor.rowcount == 1 else None

    @property
    def in_transaction(self) -> bool:
        """True inside an open transaction."""
        return self.conn.in_transaction

    @contextmanager
    def write_transaction(self) -> Iterator[SqliteConnection]:
        """Run a block as one ``BEGIN IMMEDIATE`` transaction (nested: a savepoint).

        ``IMMEDIATE`` takes the write lock first, so a transaction never deadlocks
        upgrading a read lock; coders' writers queue on the busy timeout.
        """
        conn = self.conn
        if conn.in_transaction:
            with self.atomic():
                yield self
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
