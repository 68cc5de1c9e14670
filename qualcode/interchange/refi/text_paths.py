"""Finding a source's text from its ``plainTextPath``, as REFI-QDA tools really write it.

Tools write the path in several ways: ``internal://GUID.txt`` (the standard, text in
``sources/``), ``relative://NAME`` (beside the project), or a bare ``NAME`` (the
``qualitative-coding`` package writes ``board_2017.txt`` with the text in ``sources/``),
with folders spelt ``sources/`` or ``Sources/`` and file names in another case than the
member's. One rule finds them all, and never reads outside the archive or its folder:

1. ``absolute://`` paths, and paths starting with ``/`` or a drive letter after the
   scheme is taken off, are never read (listed as left out).
2. A path with a ``..`` part refuses the whole file: it can only be meant to climb out.
3. In the archive, in this order: ``sources/NAME``, then ``NAME`` as written (a NAME
   that starts with a ``sources`` folder already is looked for as written only); member
   names compare without regard to case and ``\\`` counts as ``/``.
4. Beside the ``.qdpx``: ``NAME``, then ``sources/NAME``, in the folder the ``.qdpx`` is
   in; exact spelling first, then a single file whose name differs only in case. Only a
   regular file whose real path stays inside that folder is read (through
   :func:`qualcode.interchange.readers.safe_open.read_limited`); a link leading out, a
   pipe, socket or device is never opened.

A text found nowhere is left out with its codings, and the report says every place
looked at.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from qualcode.errors import FormatError
from qualcode.interchange.readers.safe_open import read_limited
from qualcode.interchange.refi.safe_zip import MAX_MEMBER_BYTES, SafeZip

SOURCES_FOLDER = "sources"
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(slots=True)
class Found:
    """A text's bytes (None when not found) and every place looked at, for the report."""

    data: bytes | None = None
    looked: list[str] = field(default_factory=list)
    why: str = "is not in the archive or beside it as a regular file"


def member_name(path: str, where: str) -> str | None:
    """Return the name a ``plainTextPath`` gives, without scheme; None when never read.

    An empty name (``internal://``) is returned as ``""``: it names no file.

    Raises a one-line FormatError for a path that climbs out with ``..``.
    """
    scheme, sep, rest = path.partition("://")
    if not sep:
        scheme, rest = "", path
    if scheme.lower() == "absolute":
        return None
    name = rest.replace("\\", "/")
    if ".." in PurePosixPath(name).parts:
        raise FormatError(f"plainTextPath {path!r} climbs out of the archive with '..'; the "
                          "archive was refused and nothing was imported", path=where)
    if scheme and name.startswith("/"):
        name = name.lstrip("/")  # relative:///beside.txt and internal:///x.txt name x.txt
    if name.startswith("/") or _DRIVE.match(name):
        return None
    return "" if name.strip("./") == "" else name


class TextFinder:
    """Looks a source's text up in one archive, then beside it."""

    def __init__(self, path: Path, archive: SafeZip | None) -> None:
        self.path, self.archive = path, archive
        self.base = path.parent.resolve()
        self._listings: dict[Path, dict[str, list[str]]] = {}

    def find(self, path: str) -> Found:
        """Return the text's bytes for a ``plainTextPath`` (None when found nowhere)."""
        found = Found()
        name = member_name(path, str(self.path))
        if name is None:
            found.why = "is at an absolute path, which is never read from an imported file"
            return found
        if not name:
            found.why = "names no file"
            return found
        # A URI-style path may spell a space as %20: the name as written first, then decoded.
        names = list(dict.fromkeys((name, unquote(name))))
        if any(".." in PurePosixPath(n).parts for n in names):
            member_name(unquote(path), str(self.path))  # refuses, naming the path
        in_sources = [n if PurePosixPath(n).parts[0].casefold() == SOURCES_FOLDER
                      else f"{SOURCES_FOLDER}/{n}" for n in names]
        for member in dict.fromkeys(in_sources + names):
            found.looked.append(f"{member} in the archive")
            if self.archive is None:
                continue
            info = self.archive.find(member)
            if info is not None:
                found.data = bytes(self.archive.read(info))
                return found
        for relative in dict.fromkeys(names + in_sources):
            found.looked.append(str(self.base / relative))
            data = self.beside(relative)
            if data is not None:
                found.data = data
                return found
        return found

    def beside(self, relative: str) -> bytes | None:
        """A regular file in the archive's folder (or a folder in it), or None (never read)."""
        candidate = self.locate(relative)
        if candidate is None:
            return None
        real = candidate.resolve()
        if not real.is_relative_to(self.base):
            return None
        try:
            return read_limited(real, MAX_MEMBER_BYTES, what="a source text",
                                advice="left out", follow_links=False)
        except FormatError:
            return None  # not a regular file, or too big: left out like a missing text

    def locate(self, relative: str) -> Path | None:
        """Return the entry a relative name gives, each part as spelt or in another case."""
        current = self.base
        for part in PurePosixPath(relative).parts:
            if os.path.lexists(current / part):
                current = current / part
                continue
            other_case = self.same_but_case(current, part)
            if other_case is None:
                return None
            current = other_case
        return current

    def same_but_case(self, folder: Path, name: str) -> Path | None:
        """Return the one entry of ``folder`` named ``name`` in another case, or None."""
        if folder not in self._listings:
            listing: dict[str, list[str]] = {}
            if not folder.resolve().is_relative_to(self.base):
                self._listings[folder] = listing  # a link leading out: not even listed
                return None
            try:
                for entry in os.listdir(folder):
                    listing.setdefault(entry.casefold(), []).append(entry)
            except OSError:
                pass  # not a folder, or unreadable: nothing found there
            self._listings[folder] = listing
        matches = self._listings[folder].get(name.casefold(), [])
        return folder / matches[0] if len(matches) == 1 else None
