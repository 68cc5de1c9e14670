"""Files written whole or not at all: write beside the target, rename into place on success.

Every export (tables, codings, agreement reports, REFI-QDA files) goes through
:func:`replacing`, so an error or a kill mid-export never leaves half a file where the
user expects a complete one, and an existing file is only replaced by a complete one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from qualcode.errors import QualcodeError

TEMP_SUFFIX = ".tmp"
"""Suffix of the temporary file written beside the target (not backups' ``.part``, which a
later backup may clean up when stale)."""


def refuse_project_target(target: Path) -> None:
    """Refuse to write over a project or a file SQLite keeps beside one.

    Renaming an export onto a project someone is coding in would pull the file from under
    them (and leave their ``-wal`` to be replayed into the export). Whether ``target`` is a
    project is asked of SQLite, never read by Python (see :mod:`qualcode.storage.connection`).
    """
    from qualcode.storage.connection import COMPANIONS, check_is_project

    for suffix in COMPANIONS:
        if target.name.endswith(suffix) and target.with_name(
                target.name[:-len(suffix)]).exists():
            raise QualcodeError(f"is a file SQLite keeps beside the project "
                                f"{target.name[:-len(suffix)]!r}; choose another output file",
                                path=str(target))
    if not target.is_file() or target.stat().st_size == 0:
        return
    try:
        check_is_project(target)
    except QualcodeError:
        return  # not a project: an earlier export, which may be replaced
    raise QualcodeError("is a qualcode project; choose another output file (an export never "
                        "replaces a project)", path=str(target))


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` if the block succeeds.

    The temporary file exists (empty) when the block starts and is removed if it fails.
    A target that is a device or a pipe is written into, complete, instead of replaced.
    The result gets the permissions a plain ``open()`` would give (``mkstemp`` makes files
    private to their owner).
    """
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise QualcodeError(f"folder {str(folder)!r} does not exist; create it first",
                            path=str(target))
    refuse_project_target(target)
    stream = _is_stream(target)
    # Beside the target, so the final rename stays on one file system; a device's output
    # is staged in the temporary folder instead (nothing is left in /dev).
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX,
                                dir=None if stream else folder)
    os.close(fd)
    try:
        yield Path(temp)
        if stream:
            # A device or pipe (-o /dev/null, /dev/stdout, a FIFO) is written into once the
            # output is complete: renaming onto it would replace the device itself (as
            # root, /dev/null would become a plain file for every program on the machine).
            with open(temp, "rb") as finished, open(target, "wb") as sink:
                shutil.copyfileobj(finished, sink)
            os.unlink(temp)
            return
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _is_stream(target: Path) -> bool:
    """True when ``target`` exists and is a device, pipe or socket (nothing to replace)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def open_replacing(target: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a file that replaces ``target`` only once it is completely written.

    Text modes write UTF-8 with newlines as given (``newline=""``), as CSV needs.
    """
    with replacing(target) as temp:
        if "b" in mode:
            with open(temp, mode) as handle:
                yield handle
        else:
            with open(temp, mode, encoding="utf-8", newline="") as handle:
                yield handle


def write_replacing(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole, or leave ``target`` as it was."""
    with open_replacing(target, "wb") as handle:
        handle.write(data)
