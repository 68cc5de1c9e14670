"""Opening a file named by the user or by another file: regular files only, never blocking.

Every path that comes from the command line or from inside a file (a corpus, codings, a
codebook, a ratings table, a workbook, a ``.qdpx`` and the ``relative://`` texts beside
it, each file of an imported folder) is opened here, by one rule:

* Only a regular file is read. A named pipe (FIFO), socket, character or block device
  (``/dev/zero``, a terminal) or folder is refused by ``stat`` before it is opened, so a
  device is never even opened; a symbolic link is followed only where the caller allows
  it (a path the user typed, yes; an entry of an imported folder, only with
  ``--follow-links``).
* The open itself cannot block or take a terminal (``O_NONBLOCK | O_NOCTTY``), and the
  type and identity (device, inode) are checked again with ``fstat`` on the opened
  descriptor: a FIFO or link swapped in after the ``stat`` check is refused, unread.
* Size limits are checked on the bytes actually read (at most limit + 1), not on ``stat``
  alone: ``/proc`` files say they are empty, and a file may grow after the check.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from qualcode.errors import FormatError

OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
DEFAULT_HINT = "give the path of a regular file (copy the data into one first)"


_KINDS = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISLNK, "a symbolic link"))


def describe_mode(mode: int) -> str:
    """Name the kind of file ``mode`` describes: ``a named pipe (FIFO)``, ``a socket``, ...

    >>> describe_mode(stat.S_IFIFO)
    'a named pipe (FIFO)'
    """
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def regular_file_stat(path: Path, *, follow_links: bool = True,
                      hint: str = DEFAULT_HINT) -> os.stat_result:
    """Return the ``stat`` of ``path`` if it is a regular file; else raise a one-line FormatError.

    Nothing is opened. With ``follow_links`` False a symbolic link itself is refused.
    """
    where = str(path)
    try:
        found = os.stat(path) if follow_links else os.lstat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise FormatError(f"is a symbolic link to {os.readlink(path)!r}, which does not "
                              f"exist; {hint}", path=where) from None
        raise FormatError("file not found, cannot read it; check the path",
                          path=where) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise FormatError(f"is a loop of symbolic links; nothing was read from it; {hint}",
                              path=where) from None
        raise FormatError(f"cannot be read ({error.strerror}); check the path and "
                          "permissions", path=where) from None
    if stat.S_ISREG(found.st_mode):
        return found
    kind = describe_mode(found.st_mode)
    if stat.S_ISLNK(found.st_mode):
        message = "is a symbolic link, which is not followed here"
    elif stat.S_ISDIR(found.st_mode):
        message = "is a folder, not a file"
    elif follow_links and os.path.islink(path):
        message = f"is a symbolic link to {kind} ({os.path.realpath(path)}), not a regular file"
    else:
        message = f"is {kind}, not a regular file"
    raise FormatError(f"{message}; nothing was read from it; {hint}", path=where)


def open_regular(path: Path, *, follow_links: bool = True, same_as: os.stat_result | None = None,
                 hint: str = DEFAULT_HINT) -> BinaryIO:
    """Open ``path`` for binary reading if, and only if, it is a regular file.

    ``same_as`` is a ``stat`` taken earlier (by a folder walk): the opened file must be
    that very file (same device and inode), or nothing is read.
    """
    where = str(path)
    expected = regular_file_stat(path, follow_links=follow_links, hint=hint)
    if same_as is not None and _identity(same_as) != _identity(expected):
        raise _changed(where)
    flags = OPEN_FLAGS | (0 if follow_links else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO, errno.ENOENT):
            raise _changed(where) from None  # swapped for a link, socket or nothing meanwhile
        raise FormatError(f"cannot be read ({error.strerror}); check the path and "
                          "permissions", path=where) from None
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode) or _identity(opened) != _identity(expected):
            raise _changed(where)
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(path: Path, limit: int, *, what: str, advice: str, follow_links: bool = True,
                 same_as: os.stat_result | None = None, hint: str = DEFAULT_HINT) -> bytes:
    """Read a whole regular file of at most ``limit`` bytes, counted on what is read.

    ``what`` names the file's role in the error (``a codebook``), ``advice`` says what to
    do about a file over the limit.
    """
    with open_regular(path, follow_links=follow_links, same_as=same_as, hint=hint) as handle:
        # stat gives a quick refusal of a huge file; the read below is what counts.
        if os.fstat(handle.fileno()).st_size > limit:
            data = b""
            over = True
        else:
            data = handle.read(limit + 1)
            over = len(data) > limit
    if over:
        raise FormatError(f"is larger than {size_label(limit)}, the limit for {what}; {advice}",
                          path=str(path))
    return data


def size_label(size: int) -> str:
    """Show a byte count as a person reads a limit: ``50 MB``, or ``100 bytes`` below 1 MB."""
    if size >= 2**20 and size % 2**20 == 0:
        return f"{size // 2**20} MB"
    return f"{size:,} bytes"


def _identity(found: os.stat_result) -> tuple[int, int]:
    return found.st_dev, found.st_ino


def _changed(where: str) -> FormatError:
    return FormatError("changed while it was being opened (replaced by another file, a link "
                       "or a pipe); nothing was read from it; run the command again", path=where)
