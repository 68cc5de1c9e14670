"""Backups of a project file with SQLite's online backup API, safe while coders work.

A backup reads one consistent snapshot of the project (in WAL mode a reader never blocks
a writer, so coders keep working), writes it beside its destination under a temporary
name, checks it and renames it into place: a backup file either is complete or does
not exist. A backup killed at any point (before its copy's first byte, mid-copy, before
the rename) leaves at most its hidden ``.qualcode-backup.*.part`` file and SQLite's
``-journal``/``-wal``/``-shm`` beside it; the next backup into that folder removes them
whatever they hold (see :func:`remove_stale_parts`) and ``qualcode check`` names them.
A backup keeps the project file's permission bits. Automatic backups (before migrations and merges)
go to ``<project>.backups/<timestamp>-auto-<reason>.qualcode``; only the newest
:data:`KEEP_AUTOMATIC` of them are kept. Manual backups are never pruned.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import StoreError

KEEP_AUTOMATIC = 10
"""How many automatic backups of one project are kept (older ones are deleted)."""

BACKUP_SUFFIX = ".qualcode"
AUTO_MARK = "-auto-"
_REASON = re.compile(r"[^a-z0-9]+")
PART_PREFIX = ".qualcode-backup."
# The temporary names _copy makes: ".qualcode-backup.<target name>.<8 random characters>.part",
# and the files SQLite may keep beside it. The prefix makes them ours whatever they hold
# (empty, a torn page, no header yet).
_PART = re.compile(r"^\.qualcode-backup\..+\.[A-Za-z0-9_]{8}\.part(-journal|-wal|-shm)?$")
# Names before the prefix (".<target name>.<8 characters>.part"): only a SQLite file or an
# empty one of that name is taken for ours, as then.
_LEGACY_PART = re.compile(r"^\.(?!qualcode-backup\.).+\.[A-Za-z0-9_]{8}\.part(-journal)?$")
_SQLITE_HEADER = b"SQLite format 3\x00"
STALE_AFTER = 3600.0
"""Where files cannot be locked (no ``fcntl``, or a file system refusing locks), a ``.part``
this many seconds old is stale."""
MIN_AGE = 10.0
"""A legacy-named ``.part`` younger than this is never stale (older versions did not check
that the file they locked was still theirs)."""
CREATE_ATTEMPTS = 5
"""How often a backup picks a new temporary name when a clean-up took the one it made."""

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no fcntl on Windows; callers check for None


def backups_folder(project: Path | str) -> Path:
    """Return the folder holding a project's backups: ``<project>.backups`` beside it."""
    project = Path(project)
    return project.with_name(project.name + ".backups")


def backup(store_or_path: Any, dest: Path | str | None = None, *,
           own_copy: bool = False) -> Path:
    """Copy a project to ``dest`` (default: a timestamped file in its backups folder).

    ``store_or_path`` is a :class:`~qualcode.storage.Store`, an open sqlite-utils
    ``Database`` or ``sqlite3.Connection`` on the project, or the project's path. The
    copy is a self-contained file (rollback journal, no ``-wal`` beside it) that
    ``qualcode`` opens like any project. An existing ``dest`` is never overwritten.
    With ``own_copy`` (``qualcode backup``) the copy is named as a copy of its own that
    remembers this state as shared with the project, so that merging the two later
    merges three ways (:func:`qualcode.storage.merge_base.name_copy`).
    """
    conn, project, owned = project_connection(store_or_path)
    try:
        if dest is None:
            if project is None:  # an in-memory database has no folder beside it
                raise StoreError("this project has no file, so no backups folder; "
                                 "give the copy's path")
            target = _timestamped(backups_folder(project), "manual")
        else:
            target = Path(dest)
            if target.exists():
                raise StoreError("already exists; choose another name or remove it first",
                                 path=str(target))
            if project is not None and _same_file(target, project):
                raise StoreError("a backup cannot replace the project itself", path=str(target))
        _copy(conn, target, _project_mode(project), own_copy)
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
        from qualcode.storage.connection import check_path, open_readonly, verify_project

        path = Path(obj)
        check_path(path)
        # Read-only: a backup must never change the project it copies.
        conn = open_readonly(path)
        try:
            verify_project(conn, path)
        except BaseException:
            conn.close()
            raise
        return conn, path, True
    if isinstance(obj, sqlite3.Connection):
        return obj, _main_file(obj), False
    db = getattr(obj, "db", obj)  # a Store has .db; a sqlite-utils Database has .conn
    found = getattr(db, "conn", None)
    if not isinstance(found, sqlite3.Connection):
        raise TypeError(f"cannot back up {obj!r}: expected a Store, Database, connection or path")
    return found, _main_file(found), False


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


def _copy(conn: sqlite3.Connection, target: Path, mode: int | None,
          own_copy: bool = False) -> None:
    """Copy the snapshot to a temporary file, check it, and rename it to ``target``."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StoreError(f"folder {str(folder)!r} does not exist", path=str(target))
    remove_stale_parts(folder)
    fd, temp = _new_part(folder, target)
    try:
        copy = sqlite3.connect(temp, isolation_level=None)
        try:
            # pages=-1: the whole file in one step, from one read snapshot; stepping would
            # restart every time a coder commits.
            conn.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode = DELETE")
            if own_copy:
                from qualcode.storage.connection import utc_now
                from qualcode.storage.merge_base import name_copy

                name_copy(copy, utc_now())
            result = copy.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise StoreError(f"the copy failed its check ({result}); the project may be "
                                 "damaged: run `qualcode check`", path=str(target))
        finally:
            copy.close()
        if mode is not None:
            # Only now: a read-only mode (0440) would have kept SQLite from writing the copy.
            os.chmod(temp, mode)
        _sync(temp, fd)
        os.replace(temp, target)
    except sqlite3.Error as error:
        raise StoreError(f"backup failed: {error}", path=str(target)) from None
    finally:
        for path in (temp, *(temp.with_name(temp.name + s) for s in ("-journal", "-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        if fd >= 0:
            os.close(fd)


def _project_mode(project: Path | None) -> int | None:
    """Return the project file's permission bits (``os.stat`` only: the file is never opened)."""
    if project is None:
        return None
    try:
        return stat.S_IMODE(os.stat(project).st_mode) & 0o777  # no set-id bits on a copy
    except OSError:
        return None


def _new_part(folder: Path, target: Path) -> tuple[int, Path]:
    """Create and lock the temporary file; return (descriptor to close, or -1; its path).

    A clean-up in another process may take a ``.part`` in the instant between its creation
    and its lock; the lock is then re-checked to be on the file still at that name, and a
    new name is tried if not, so a locked ``.part`` is always the one being written.
    """
    for _ in range(CREATE_ATTEMPTS):
        fd, name = tempfile.mkstemp(prefix=f"{PART_PREFIX}{target.name}.", suffix=".part",
                                    dir=folder)
        locked = _lock(fd)
        if locked == _BUSY:
            continue  # a clean-up is looking at it and will delete it
        if locked < 0 or _still_at(locked, name):
            return locked, Path(name)
        os.close(locked)
    raise StoreError(f"could not create a temporary file in {str(folder)!r} that another "
                     "backup's clean-up did not remove; try again", path=str(target))


def _still_at(fd: int, name: str) -> bool:
    """Return True when ``name`` still names the file open as ``fd``."""
    try:
        here, there = os.fstat(fd), os.stat(name)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _sync(temp: Path, fd: int) -> None:
    """Flush the copy to disk before it is renamed into place."""
    if fd >= 0:
        os.fsync(fd)  # the descriptor mkstemp gave is the same file SQLite wrote
        return
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())


def stale_parts(folder: Path | str) -> list[Path]:
    """Return the partial files interrupted backups left in ``folder`` (none in use now)."""
    return _stale(folder, remove=False)


def remove_stale_parts(folder: Path | str) -> list[Path]:
    """Delete what :func:`stale_parts` finds; return the files deleted."""
    return _stale(folder, remove=True)


def _stale(folder: Path | str, *, remove: bool) -> list[Path]:
    """Find (and with ``remove`` delete) the files killed backups left in ``folder``.

    A ``.part`` is stale when no process holds its lock; it is deleted while this process
    holds that lock, so a backup starting at that moment sees its file gone and picks
    another name (:func:`_new_part`). SQLite's files beside a ``.part`` are stale when
    their ``.part`` is gone or stale.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    try:
        names = sorted(p for p in folder.iterdir()
                       if (_PART.match(p.name) or _LEGACY_PART.match(p.name))
                       and p.is_file() and not p.is_symlink())
    except OSError:
        return []
    parts = [p for p in names if p.name.endswith(".part") and _take_if_stale(p, remove)]
    companions = []
    for path in names:
        if path.name.endswith(".part"):
            continue
        owner = path.with_name(path.name[:path.name.rindex(".part") + len(".part")])
        if owner in parts or not owner.exists():
            if not remove:
                companions.append(path)
                continue
            # Another backup may be cleaning the same folder at the same moment.
            with contextlib.suppress(FileNotFoundError, PermissionError):
                path.unlink()
                companions.append(path)
    return parts + companions


_BUSY = -2
"""What :func:`_lock` returns when another process holds the lock right now."""


def _lock(fd: int) -> int:
    """Lock a new temporary file for as long as it is open.

    Returns the fd to close, ``-1`` when the file cannot be locked here (the fd is closed:
    Windows, or a file system refusing locks) or :data:`_BUSY` (fd closed) when another
    process holds a lock on it.
    """
    if fcntl is None:
        os.close(fd)  # Windows: an open file cannot be renamed or deleted
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return _BUSY
    except OSError:
        # Some network file systems refuse locks (ENOLCK, EOPNOTSUPP): copy without one;
        # such a .part is then judged by its age (STALE_AFTER), which errs on the safe side.
        os.close(fd)
        return -1
    return fd


def _take_if_stale(path: Path, remove: bool) -> bool:
    """Return whether a ``.part`` is stale, deleting it (under its lock) with ``remove``."""
    legacy = not _PART.match(path.name)
    try:
        # A backup's temporary file, never a project; not followed if a link, and never
        # waited on if something swapped a pipe in under the name.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            if legacy:
                head = handle.read(len(_SQLITE_HEADER))
                if head and head != _SQLITE_HEADER:
                    return False  # not one of ours, whatever its name
            age = time.time() - os.fstat(handle.fileno()).st_mtime
            if fcntl is None:
                stale = age > STALE_AFTER
            elif legacy and age < MIN_AGE:
                return False
            else:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    stale = _still_at(handle.fileno(), str(path))
                except BlockingIOError:
                    return False  # a backup is writing it right now
                except OSError:
                    stale = age > STALE_AFTER  # locks refused here: judge by age
            if stale and remove:
                path.unlink()  # still holding its lock: see _new_part
            return stale
        except OSError:
            return False
