"""What every part of the :class:`~qualcode.storage.Store` shares, on either engine.

:class:`StoreBase` declares the connection (a :class:`~qualcode.storage.backends.SqlConnection`:
a SQLite file or a PostgreSQL schema) and location the concern classes (sources, codebook,
codings) work on, and holds the helpers more than one of them calls, so the type checker
sees every attribute and method a concern class uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualcode.errors import StoreError
from qualcode.model import Coder
from qualcode.storage.backends import SqlConnection
from qualcode.storage.backends.sqlite import SqliteConnection
from qualcode.storage.rows import to_coder

SOFT_DELETABLE = frozenset({"codes", "codings", "memos"})
RECODABLE = frozenset({"codings"})


class StoreBase:
    """The connection, the file and the row helpers shared by the store's concern classes."""

    db: SqlConnection
    path: Path
    readonly: bool

    def coders(self) -> list[Coder]:
        """Return every coder, in the order they joined."""
        return [to_coder(row) for row in self.db.execute(
            "SELECT id, guid, name FROM coders ORDER BY id")]

    # -- shared low-level helpers (used by edits and by undo) --------------------------
    def set_deleted(self, table: str, ids: Sequence[int], when: str | None) -> None:
        """Mark rows deleted (``when`` a timestamp) or live again (``when`` None)."""
        if table not in SOFT_DELETABLE:
            raise ValueError(f"{table} has no deleted_at column")
        self._set_column(table, "deleted_at", when, ids)

    def set_code(self, table: str, ids: Sequence[int], code_id: int) -> None:
        """Point rows of ``table`` (codings) at another code."""
        if table not in RECODABLE:
            raise ValueError(f"{table} has no code_id column to change")
        self._set_column(table, "code_id", code_id, ids)

    def _set_column(self, table: str, column: str, value: object, ids: Sequence[int]) -> None:
        # 500 ids a statement stays under SQLite's bound-parameter limit on old builds.
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"UPDATE {table} SET {column} = ? WHERE id IN ({marks})",
                            [value, *chunk])


def store_db(store: object) -> SqlConnection:
    """Return the connection of a store, for the storage functions that run SQL on it.

    Those functions (pins, the suggestion log, column reads, the queue, ...) take a
    :class:`~qualcode.storage.interface.ProjectStore` so callers above storage need not
    know the implementation; their SQL is portable and runs on either engine.
    """
    if isinstance(store, StoreBase):
        return store.db
    raise TypeError(f"{type(store).__name__} is not a qualcode Store")


def sqlite_db(store: object) -> SqliteConnection:
    """Return the SQLite connection of a store, for what only a project file has.

    A server project is refused in one line (backups of the file, WAL checks, ...).
    """
    db = store_db(store)
    if isinstance(db, SqliteConnection):
        return db
    raise StoreError("this works on a project file only, not yet on a server project "
                     "(copy it to a file first)", path=db.location)
