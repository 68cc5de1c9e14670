"""The small connection adapter the store's SQL runs on, with one class per database engine.

The store's SQL is written once, in the portable subset both engines accept (``?``
placeholders, ``RETURNING``, ``ON CONFLICT``, CTEs, window functions, ``"end"`` quoted).
A :class:`SqlConnection` runs it: :class:`~qualcode.storage.backends.sqlite.SqliteConnection`
on a project file, :class:`~qualcode.storage.backends.postgres.PostgresConnection` on a
PostgreSQL schema (which rewrites placeholders and the migrations' column types, see
:mod:`qualcode.storage.backends.translate`). What only one engine has (PRAGMAs, the file
header, the backup API, the WAL) stays on the SQLite class and the modules that need it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

from qualcode.errors import StoreError

Engine = Literal["sqlite", "postgresql"]


def server_failure(error: BaseException) -> StoreError | None:
    """Say a PostgreSQL driver error in one line (a StoreError), or None for any other error.

    The transaction it broke was rolled back by the server, so nothing of the action
    was saved; the message's password, if any, is masked.
    """
    if not type(error).__module__.startswith("psycopg"):
        return None
    from qualcode.storage.backends.server_failures import explain_action_failure

    return StoreError(explain_action_failure(error))


class Cursor(Protocol):
    """What the store reads from a statement: rows as tuples."""

    @property
    def rowcount(self) -> int:
        """Rows the statement changed (-1 when unknown)."""
        ...

    def fetchone(self) -> Any:
        """Return the next row, or None."""
        ...

    def fetchall(self) -> list[Any]:
        """Return the remaining rows."""
        ...

    def __iter__(self) -> Iterator[Any]:
        ...


class SqlConnection(Protocol):
    """One open connection to a project, on either engine."""

    engine: Engine
    integrity_error: type[Exception]
    temp_schema: str
    """The schema of this connection's own temporary tables (``temp``, ``pg_temp``)."""
    """The driver's exception for a broken constraint (unique, foreign key, check)."""

    @property
    def location(self) -> str:
        """Where the project is, for messages (a file path, or a URL without its password)."""
        ...

    def mark_as_project(self) -> None:
        """Stamp a new, empty store as a qualcode project (SQLite: the header's id)."""

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        """Run one statement (``?`` placeholders) and return its cursor."""
        ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""

    def insert_id(self, sql: str, parameters: Sequence[Any]) -> int:
        """Run one single-row INSERT into a table with an ``id`` key and return the new id."""
        ...

    def insert_id_or_none(self, sql: str, parameters: Sequence[Any]) -> int | None:
        """Run one INSERT ... ON CONFLICT DO NOTHING; the new id, or None when it was skipped."""
        ...

    @property
    def in_transaction(self) -> bool:
        """True inside an open transaction."""
        ...

    def write_transaction(self) -> AbstractContextManager[Any]:
        """One write transaction, writers serialised; nested use joins the outer (savepoint)."""
        ...

    def close(self) -> None:
        """Close the connection."""
