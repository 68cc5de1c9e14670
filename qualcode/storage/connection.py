"""Opening a project file safely, and the write transaction every user action runs in."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from qualcode.errors import StoreError
from qualcode.model import new_guid
from qualcode.storage.schema import APPLICATION_ID, apply_migrations, pending_migrations

BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another coder's transaction; ours last milliseconds."""

SQLITE_MAGIC = b"SQLite format 3\x00"


def utc_now() -> str:
    """Return the current time as an ISO 8601 UTC string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def connect(path: Path) -> Database:
    """Open a SQLite file with the settings qualcode relies on.

    WAL lets coders read while another writes; ``busy_timeout`` makes a writer wait for
    the lock instead of failing; ``isolation_level=None`` leaves transactions to us, so
    every write begins with ``BEGIN IMMEDIATE`` and cannot deadlock on a lock upgrade.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise StoreError(f"cannot switch to WAL journal mode (got {mode}); "
                         "is the file on a read-only or network file system?", path=str(path))
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, execute_plugins=False)


def check_is_project(path: Path) -> None:
    """Raise StoreError unless ``path`` is an existing qualcode project file."""
    if not path.exists():
        raise StoreError("no such project; create it with `qualcode init`", path=str(path))
    if path.is_dir():
        raise StoreError("is a folder, not a project file", path=str(path))
    with path.open("rb") as handle:
        header = handle.read(100)
    if header[:16] != SQLITE_MAGIC:
        raise StoreError("not a qualcode project (not an SQLite file)", path=str(path))
    stamped = int.from_bytes(header[68:72], "big") == APPLICATION_ID
    if not stamped and _application_id(path) != APPLICATION_ID:
        raise StoreError("an SQLite file, but not a qualcode project", path=str(path))


def _application_id(path: Path) -> int:
    """Ask SQLite for the application id: a new project's header may still be in its -wal."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            return int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def initialise(db: Database) -> None:
    """Stamp a new file as a qualcode project and create its schema."""
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    apply_migrations(db)
    with write_transaction(db):
        db.execute("INSERT INTO project(key, value) VALUES ('guid', ?), ('created_at', ?)",
                   [new_guid(), utc_now()])


def migrate_if_needed(db: Database) -> list[str]:
    """Apply pending forward migrations, all in one transaction; return their names.

    Two coders may open a project that needs a migration at the same moment: the write
    lock is taken first and the pending list read again under it, so one process migrates
    and the other, after waiting, finds nothing left to do (instead of running the same
    migration twice and failing).
    """
    if not pending_migrations(db):
        return []
    with write_transaction(db):
        pending = pending_migrations(db)
        if pending:
            apply_migrations(db)
    return pending


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a block as one ``BEGIN IMMEDIATE`` transaction, committed at once.

    Nested use joins the outer transaction (a savepoint), so a library call that is one
    action on its own can also be part of a larger import.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def log_event(db: Database, action: str, payload: dict[str, Any], *, coder_id: int | None,
              undoes: int | None = None) -> int:
    """Append one event to the log and return its id."""
    cursor = db.execute(
        "INSERT INTO events(guid, at, coder_id, action, payload, undoes) VALUES (?, ?, ?, ?, ?, ?)",
        [new_guid(), utc_now(), coder_id, action, json.dumps(payload, ensure_ascii=False), undoes],
    )
    return int(cursor.lastrowid)
