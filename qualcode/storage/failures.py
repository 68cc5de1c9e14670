"""Database failures a user meets, said in one line: locked, read-only, full, damaged.

SQLite reports these as exceptions with an error name (``SQLITE_BUSY``, ``SQLITE_FULL``,
...). :func:`explain` turns one into a :class:`~qualcode.errors.StoreError` naming the
project, what happened and what to do; the CLI and the coding screen print that line.
Every write is one transaction, so in each of these cases nothing was half-written: the
transaction that failed was rolled back whole.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qualcode.errors import StoreError
from qualcode.storage.backends import server_failure

_RESTORE = ("restore it from a backup (its backups are in {folder}; `qualcode check` "
            "tells what is damaged)")


def explain(error: BaseException, path: Path | str | None) -> StoreError:
    """Return the one-line StoreError for a database or disk failure on project ``path``."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    where = str(path) if path is not None else None
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") \
            or "database is locked" in text:
        return StoreError(_locked_message(path), path=where)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text \
            or _os_errno(error) in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError("cannot be changed: it is read-only (file permissions or read-only "
                          "media); nothing was changed. Commands that only read it (status, "
                          "check, export, agreement) still work; to change it, copy it "
                          "somewhere writable with `qualcode backup PROJECT -o COPY`",
                          path=where)
    if name == "SQLITE_FULL" or "disk is full" in text or _os_errno(error) in (
            errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return StoreError("the disk (or your quota) is full: the action was not saved and "
                          "nothing was half-written; free some space and try again",
                          path=where)
    if "malformed JSON" in text:  # a stored value, not a damaged file: see storage.metadata
        return StoreError("holds JSON text SQLite's JSON functions cannot read (malformed "
                          f"JSON); nothing was changed; run `qualcode check {where or 'PROJECT'}`"
                          " to list the rows and how to repair them", path=where)
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text \
            or "not a database" in text:
        folder = f"{path}.backups" if path is not None else "PROJECT.backups"
        return StoreError("not a sound qualcode project (SQLite says: " + text + "); "
                          + _RESTORE.format(folder=folder), path=where)
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return StoreError(f"the disk failed while reading or writing it ({text}); nothing "
                          "was half-written; check the disk or network drive and try again",
                          path=where)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StoreError("cannot be opened (is its folder readable, and does it still "
                          "exist?)", path=where)
    return StoreError(f"the database refused the action ({text}); nothing was changed",
                      path=where)


def is_environmental(error: BaseException) -> bool:
    """True for a failure of the database or disk (not a bug in qualcode)."""
    if isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError):
        return not isinstance(error, sqlite3.ProgrammingError | sqlite3.InterfaceError)
    return _os_errno(error) in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS,
                                errno.EIO)


def _os_errno(error: BaseException) -> int | None:
    return error.errno if isinstance(error, OSError) else None


def _locked_message(path: Path | str | None) -> str:
    holders = lock_holders(Path(path)) if path is not None else []
    who = (f" (held by {', '.join(holders)})" if holders
           else " (by another qualcode: an import, merge or backup?)")
    return (f"the project stayed locked{who} longer than qualcode waits; nothing was "
            "changed; wait for that command to finish and try again")


def lock_holders(path: Path) -> list[str]:
    """Name the other processes holding write locks on a project or its ``-shm`` (Linux).

    Read from ``/proc/locks`` by inode, so the project itself is never opened.
    """
    inodes = {}
    for candidate in (path, Path(f"{path}-shm")):
        try:
            info = candidate.stat()
        except OSError:
            continue
        inodes[(os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)] = candidate
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids: list[int] = []
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 1234 08:01:123456 120 120"
        if len(fields) < 6 or fields[3] != "WRITE" or not fields[4].isdigit():
            continue
        try:
            major, minor, inode = fields[5].split(":")
            key = (int(major, 16), int(minor, 16), int(inode))
        except ValueError:
            continue
        pid = int(fields[4])
        if key in inodes and pid != os.getpid() and pid not in pids:
            pids.append(pid)
    return [f"process {pid}{_command(pid)}" for pid in pids]


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [" ".join(w.decode(errors="replace").split()) for w in raw.split(b"\0") if w]
    if not words:
        return ""
    shown = " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words[:4]))
    return f": {shown[:60]}{'…' if len(shown) > 60 else ''}"


def failure_line(error: BaseException, path: Path | str | None) -> StoreError | None:
    """The one-line StoreError for a failure of the database, the disk or the server on
    project ``path``; None for anything else (a bug, to be raised as it is)."""
    if isinstance(error, sqlite3.Error):
        return explain(error, path)
    if isinstance(error, OSError):
        return explain(error, path) if is_environmental(error) else None
    return server_failure(error)  # a server project: the connection or the server


@contextlib.contextmanager
def one_line_failures(path: Path | str | None) -> Iterator[None]:
    """Turn a database, disk or server failure inside the block into one StoreError line."""
    try:
        yield
    except Exception as error:
        said = failure_line(error, path)
        if said is None:
            raise
        raise said from None


def is_integrity_error(store: object, error: BaseException) -> bool:
    """True when ``error`` is the store's engine refusing a row that breaks a constraint
    (unique, foreign key, not null), on either engine."""
    from qualcode.storage.store_base import store_db

    return isinstance(error, store_db(store).integrity_error)
