"""Backups of a project file with SQLite's online backup API, safe while coders work.

A backup reads one consistent snapshot of the project (in WAL mode a reader never blocks
a writer, so coders keep working), writes it beside its destination under a temporary
name, checks it and renames it into place: a backup file either is complete or does
not exist. A backup killed mid-copy leaves its hidden ``.part`` file behind; the next
backup into that folder removes it (see :func:`remove_stale_parts`) and ``qualcode check``
mentions it. Automatic backups (before migrations and merges) go to
``<project>.backups/<timestamp>-auto-<reason>.qualcode``; only the newest
:data:`KEEP_AUTOMATIC` of them are kept. Manual backups are never pruned.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import StoreError

KEEP_AUTOMATIC = 10
"""How many automatic backups of one project are kept (older ones are deleted)."""

BACKUP_SUFFIX = ".qualcode"
AUTO_MARK = "-auto-"
_REASON = re.compile(r"[^a-z0-9]+")
# The temporary names _copy makes: ".<target name>.<8 random characters>.part", and
# SQLite's rollback journal beside it.
_PART = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.part(-journal)?$")
_SQLITE_HEADER = b"SQLite format 3\x00"
STALE_AFTER = 3600.0
"""Where files cannot be locked (no ``fcntl``), a ``.part`` this many seconds old is stale."""
MIN_AGE = 10.0
"""A ``.part`` younger than this is never stale: it may be one just created, not yet locked."""

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def backups_folder(project: Path | str) -> Path:
    """Return the folder holding a project's backups: ``<project>.backups`` beside it."""
    project = Path(project)
    return project.with_name(project.name + ".backups")


def backup(store_or_path: Any, dest: Path | str | None = None) -> Path:
    """Copy a project to ``dest`` (default: a timestamped file in its backups folder).

    ``store_or_path`` is a :class:`~qualcode.storage.Store`, an open sqlite-utils
    ``Database`` or ``sqlite3.Connection`` on the project, or the project's path. The
    copy is a self-contained file (rollback journal, no ``-wal`` beside it) that
    ``qualcode`` opens like any project. An existing ``dest`` is never overwritten.
    """
    conn, project, owned = project_connection(store_or_path)
    try:
        if dest is None:
            target = _timestamped(backups_folder(project), "manual")
        else:
            target = Path(dest)
            if target.exists():
                raise StoreError("already exists; choose another name or remove it first",
                                 path=str(target))
            if project is not None and _same_file(target, project):
                raise StoreError("a backup cannot replace the project itself", path=str(target))
        _copy(conn, target)
    finally:
        if owned:
            conn.close()
    return target


def automatic_backup(path: Path | str, reason: str, *, conn: Any = None,
                     keep: int = KEEP_AUTOMATIC) -> Path:
    """Back up a project before a risky change (``reason``: e.g. ``before-merge``).

    Writes ``<project>.backups/<timestamp>-auto-<reason>.qualcode`` and deletes all but
    the newest ``keep`` automatic backups of that project. ``conn`` (a Store, Database or
    connection already open on the project) is read instead of opening the file again.
    """
    path = Path(path)
    slug = _REASON.sub("-", reason.lower()).strip("-") or "auto"
    target = _timestamped(backups_folder(path), f"auto-{slug}")
    backup(conn if conn is not None else path, target)
    prune_automatic(path, keep=keep)
    return target


def prune_automatic(path: Path | str, *, keep: int = KEEP_AUTOMATIC) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups of a project; return those deleted."""
    folder = backups_folder(path)
    if not folder.is_dir():
        return []
    automatic = sorted(p for p in folder.glob(f"*{AUTO_MARK}*{BACKUP_SUFFIX}") if p.is_file())
    doomed = automatic[:-keep] if keep > 0 else automatic
    for old in doomed:
        # Another process may be pruning the same folder at the same moment.
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    return doomed


def list_backups(path: Path | str) -> list[Path]:
    """Return a project's backups in its backups folder, oldest first."""
    folder = backups_folder(path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{BACKUP_SUFFIX}") if p.is_file())


def backup_before_migrations(db: Any, path: Path) -> Path | None:
    """Back up an existing project when opening it would apply migrations; else None.

    A file on which no migration ran yet (being created right now) has nothing to lose.
    """
    from qualcode.storage.schema import migrations, pending_migrations

    if not pending_migrations(db) or not migrations.applied(db):
        return None
    return automatic_backup(path, "before-migration", conn=db)


def project_connection(obj: Any) -> tuple[sqlite3.Connection, Path | None, bool]:
    """Return (connection to read, project path, whether the caller must close it).

    A path is checked to be a project and opened read-only.
    """
    if isinstance(obj, (str, Path)):
        from qualcode.storage.connection import check_is_project

        path = Path(obj)
        check_is_project(path)
        # Read-only: a backup must never change the project it copies.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn, path, True
    if isinstance(obj, sqlite3.Connection):
        return obj, _main_file(obj), False
    db = getattr(obj, "db", obj)  # a Store has .db; a sqlite-utils Database has .conn
    conn = getattr(db, "conn", None)
    if not isinstance(conn, sqlite3.Connection):
        raise TypeError(f"cannot back up {obj!r}: expected a Store, Database, connection or path")
    return conn, _main_file(conn), False


# -- internals -----------------------------------------------------------------------------
def _main_file(conn: sqlite3.Connection) -> Path | None:
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _timestamped(folder: Path, label: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = folder / f"{stamp}-{label}{BACKUP_SUFFIX}"
    counter = 1
    while target.exists():  # two backups in the same microsecond (two processes)
        target = folder / f"{stamp}-{counter}-{label}{BACKUP_SUFFIX}"
        counter += 1
    return target


def _copy(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the snapshot to a temporary file, check it, and rename it to ``target``."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StoreError(f"folder {str(folder)!r} does not exist", path=str(target))
    remove_stale_parts(folder)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    # Held until the copy is renamed: the lock tells a later backup this file is in use;
    # the system drops it when the process dies, which is what makes a .part stale.
    fd = _lock(fd)
    temp = Path(temp_name)
    try:
        copy = sqlite3.connect(temp_name, isolation_level=None)
        try:
            # pages=-1: the whole file in one step, from one read snapshot; stepping would
            # restart every time a coder commits.
            conn.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode = DELETE")
            result = copy.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise StoreError(f"the copy failed its check ({result}); the project may be "
                                 "damaged: run `qualcode check`", path=str(target))
        finally:
            copy.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except sqlite3.Error as error:
        raise StoreError(f"backup failed: {error}", path=str(target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        with contextlib.suppress(FileNotFoundError):
            Path(temp_name + "-journal").unlink()
        if fd >= 0:
            os.close(fd)


def stale_parts(folder: Path | str) -> list[Path]:
    """Return the partial files interrupted backups left in ``folder`` (none in use now)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = sorted(p for p in folder.iterdir() if _PART.match(p.name) and p.is_file())
    parts = [p for p in found if p.name.endswith(".part") and _is_stale(p)]
    journals = [p for p in found if p.name.endswith("-journal")
                and (not p.with_name(p.name[:-len("-journal")]).exists()
                     or p.with_name(p.name[:-len("-journal")]) in parts)]
    return parts + journals


def remove_stale_parts(folder: Path | str) -> list[Path]:
    """Delete what :func:`stale_parts` finds; return the files deleted."""
    removed = []
    for path in stale_parts(folder):
        # Another backup may be cleaning the same folder at the same moment.
        with contextlib.suppress(FileNotFoundError, PermissionError):
            path.unlink()
            removed.append(path)
    return removed


def _lock(fd: int) -> int:
    """Lock a new temporary file for as long as it is open; return the fd to close, or -1."""
    if fcntl is None:
        os.close(fd)  # Windows: an open file cannot be renamed or deleted
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        # Some network file systems refuse locks (ENOLCK, EOPNOTSUPP): copy without one;
        # such a .part is then never taken for stale, which errs on the safe side.
        os.close(fd)
        return -1
    return fd


def _is_stale(path: Path) -> bool:
    """A .part is stale when no process holds it; only SQLite files (or empty ones) count."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
            if head and head != _SQLITE_HEADER:
                return False  # not one of ours, whatever its name
            age = time.time() - path.stat().st_mtime
            if fcntl is None or age < MIN_AGE:
                return age > STALE_AFTER
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a backup is writing it right now
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return True
    except OSError:
        return False
