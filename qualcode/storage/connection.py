"""Opening a project file safely, and the write transaction every user action runs in.

**Only SQLite ever opens a project file, its ``-wal`` or its ``-shm``.** SQLite keeps
POSIX advisory locks on those files, and POSIX drops *all* of a process's locks on a file
the moment the process closes *any* descriptor of it ("How To Corrupt An SQLite Database
File", §2.2). A plain ``open()`` of the project (to read its header, hash it, copy it)
in a process that holds a connection therefore lets another process believe it is the
last one: that process checkpoints and deletes the WAL under the live connection, and
every later commit of this process is written to a deleted file and lost. SQLite's own
connections are safe together: its Unix VFS shares one lock table per file between the
connections of a process and keeps descriptors open until no connection holds a lock.

So the rules, which :mod:`tests.robustness.test_robust_wal_locks` checks:

* every look at a project goes through :func:`open_connection` (the header check
  included: SQLite reads the header, not Python);
* a process may hold several connections to one project (the coding screen's worker
  threads open their own), each used by one thread at a time;
* nothing writes over, renames onto or deletes a project or its companion files while
  it may be open (exports refuse a project as their target: see
  :func:`qualcode.storage.files.replacing`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from qualcode.errors import StoreError
from qualcode.model import new_guid
from qualcode.storage.backends import SqlConnection
from qualcode.storage.backends.sqlite import SqliteConnection
from qualcode.storage.schema import (
    APPLICATION_ID,
    apply_migrations,
    pending_migrations,
    unknown_migrations,
)


def _busy_timeout_ms() -> int:
    try:
        return max(0, int(os.environ.get("QUALCODE_BUSY_TIMEOUT_MS", "30000")))
    except ValueError:
        return 30_000


BUSY_TIMEOUT_MS = _busy_timeout_ms()
"""How long a writer waits for another coder's transaction; ours last milliseconds.
``QUALCODE_BUSY_TIMEOUT_MS`` changes it (a slow network drive; the tests)."""

OpenMode = Literal["ro", "rw", "rwc"]
"""SQLite URI modes: read-only, read-write (never creates), read-write-create."""

COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a project; they belong to it and are never touched by hand."""


def utc_now() -> str:
    """Return the current time as an ISO 8601 UTC string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def project_uri(path: Path, mode: OpenMode, *, immutable: bool = False) -> str:
    """Return the ``file:`` URI SQLite opens ``path`` by (any character in a name is safe)."""
    return (f"{Path(os.path.abspath(path)).as_uri()}?mode={mode}"
            + ("&immutable=1" if immutable else ""))


def writable(path: Path) -> bool:
    """True when this process may change the project and create its ``-wal`` and ``-shm``.

    Asked of the operating system (``access``), which also answers for read-only media.
    """
    if not os.access(path, os.W_OK):
        return False
    if os.access(path.parent if str(path.parent) else Path("."), os.W_OK):
        return True
    return all(os.access(f"{path}{suffix}", os.W_OK) for suffix in ("-wal", "-shm"))


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a project for reading only, also on read-only media.

    A WAL project is read through its ``-shm``; where that file cannot exist (a read-only
    folder without one) SQLite is told the file is immutable, which is true there.
    """
    folder = path.parent if str(path.parent) else Path(".")
    immutable = (not os.access(folder, os.W_OK)
                 and not Path(f"{path}-shm").exists())
    try:
        conn = sqlite3.connect(project_uri(path, "ro", immutable=immutable), uri=True,
                               isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(f"cannot be opened ({error}); check that it exists and that you "
                         "may read it", path=str(path)) from None
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_connection(path: Path, mode: OpenMode = "rw") -> sqlite3.Connection:
    """Open ``path`` through SQLite only, with qualcode's busy timeout; nothing is read yet.

    ``rw`` never creates a stray empty file for a mistyped name (``rwc`` does, for
    :meth:`Store.create`).
    """
    try:
        conn = sqlite3.connect(project_uri(path, mode), uri=True, isolation_level=None,
                               timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(f"cannot be opened ({error}); check that it exists and that you "
                         "may read it", path=str(path)) from None
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def verify_project(conn: sqlite3.Connection, path: Path) -> None:
    """Raise StoreError unless the file open on ``conn`` is a qualcode project.

    SQLite reads the header (a new project's header may still be in its ``-wal``, which
    only SQLite sees); the file is never opened by Python.
    """
    try:
        application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.DatabaseError as error:
        text = str(error)
        if "not a database" in text:
            # SQLite cannot tell a foreign file from a project whose header was damaged,
            # and Python may not look (see the module docstring): say both.
            raise StoreError("not a qualcode project (not an SQLite file, or one whose "
                             "header is damaged: if it was a project, restore it from a "
                             "backup)", path=str(path)) from None
        from qualcode.storage.failures import explain

        raise explain(error, path) from None
    if application_id != APPLICATION_ID:
        raise StoreError("an SQLite file, but not a qualcode project", path=str(path))


def check_path(path: Path) -> None:
    """Raise StoreError unless ``path`` names an existing regular file (stat only)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise StoreError("no such project; create it with `qualcode init`",
                         path=str(path)) from None
    except OSError as error:
        raise StoreError(f"cannot be reached ({error.strerror})", path=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError("is a folder, not a project file", path=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise StoreError("is not a regular file (a device, pipe or socket), so not a "
                         "project", path=str(path))
    if info.st_size == 0:
        raise StoreError("is an empty file, not a qualcode project", path=str(path))


def check_is_project(path: Path) -> None:
    """Raise StoreError unless ``path`` is an existing qualcode project file."""
    check_path(path)
    conn = open_readonly(path)
    try:
        verify_project(conn, path)
    finally:
        conn.close()


def prepare_to_replace(path: Path) -> None:
    """Make sure no one has project ``path`` open, and fold its WAL in, before it is replaced.

    Leaving WAL mode needs the only connection to the file, so it doubles as the check
    that no coder is working in it; afterwards no ``-wal`` or ``-shm`` remains that the
    new file could inherit. A file that is not a project is refused rather than replaced.
    """
    check_is_project(path)
    conn = open_connection(path, "rw")
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError as error:
            mode = str(error)
        if str(mode).lower() != "delete":
            raise StoreError("is open in another qualcode (someone is coding in it); ask "
                             "them to quit first, then try again", path=str(path))
    finally:
        conn.close()


def connect_readonly(path: Path) -> SqliteConnection:
    """Open an existing project for reading only (see :func:`open_readonly`)."""
    check_path(path)
    conn = open_readonly(path)
    try:
        verify_project(conn, path)
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return SqliteConnection(conn, execute_plugins=False)


def connect(path: Path, *, create: bool = False) -> SqliteConnection:
    """Open (or, with ``create``, create) a project with the settings qualcode relies on.

    An existing file is checked to be a project before anything is written to it. WAL
    lets coders read while another writes; ``busy_timeout`` makes a writer wait for the
    lock instead of failing; ``isolation_level=None`` leaves transactions to us, so every
    write begins with ``BEGIN IMMEDIATE`` and cannot deadlock on a lock upgrade.
    """
    if not create:
        check_path(path)
    conn = open_connection(path, "rwc" if create else "rw")
    try:
        if not create:
            verify_project(conn, path)
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"cannot switch to WAL journal mode (got {mode}); "
                             "is the file on a read-only or network file system?",
                             path=str(path))
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return SqliteConnection(conn, execute_plugins=False)


def initialise(db: SqlConnection) -> None:
    """Stamp a new file (or schema) as a qualcode project and create its schema."""
    db.mark_as_project()
    apply_migrations(db)
    with write_transaction(db):
        db.execute("INSERT INTO project(key, value) VALUES ('guid', ?), ('created_at', ?)",
                   [new_guid(), utc_now()])


def migrate_if_needed(db: SqlConnection) -> list[str]:
    """Apply pending forward migrations, all in one transaction; return their names.

    Two coders may open a project that needs a migration at the same moment: the write
    lock is taken first and the pending list read again under it, so one process migrates
    and the other, after waiting, finds nothing left to do (instead of running the same
    migration twice and failing).
    """
    refuse_newer_schema(db)
    if not pending_migrations(db):
        return []
    with write_transaction(db):
        pending = pending_migrations(db)
        if pending:
            apply_migrations(db)
    return pending


def refuse_newer_schema(db: SqlConnection) -> None:
    """Refuse, before anything is written, a project a newer qualcode has migrated."""
    newer = unknown_migrations(db)
    if newer:
        from qualcode.storage.schema import schema_version

        path = db.location
        raise StoreError(f"was written by a newer qualcode (schema version "
                         f"{schema_version() + len(newer)}; this qualcode reads up to "
                         f"{schema_version()}): upgrade qualcode to open it "
                         "(pip install --upgrade qualcode)", path=path or None)


def write_transaction(db: SqlConnection) -> contextlib.AbstractContextManager[Any]:
    """Run a block as one write transaction, committed at once (see the engine's class).

    SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``BEGIN`` and the project's advisory lock, so
    writers queue as they do on a file. Nested use joins the outer transaction (a
    savepoint), so a library call that is one action on its own can also be part of a
    larger import.
    """
    return db.write_transaction()


def log_event(db: SqlConnection, action: str, payload: dict[str, Any], *,
              coder_id: int | None, undoes: int | None = None) -> int:
    """Append one event to the log and return its id."""
    return db.insert_id(
        "INSERT INTO events(guid, at, coder_id, action, payload, undoes) VALUES (?, ?, ?, ?, ?, ?)",
        [new_guid(), utc_now(), coder_id, action, json.dumps(payload, ensure_ascii=False), undoes],
    )
