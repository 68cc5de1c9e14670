"""Reading a .qdpx ZIP as hostile input: names, sizes and ratios checked before use.

Every member name is checked before anything is read (no absolute paths, no ``..``, no
drive letters, no links, no duplicates), the archive's declared sizes are capped, and
members are decompressed in chunks with the count of bytes actually produced checked
against the caps, so a ZIP bomb is stopped after at most one chunk past a limit, whatever
its headers claim. Members are read into memory, never extracted to disk.

Memory is bounded by absolute sizes, not by the compression ratio alone: :mod:`zipfile`
never inflates a member past the size its header declares (and checks its CRC), and only
stored and deflated members are read (zipfile inflates bzip2 and LZMA data without a
bound per read), so the declared sizes checked here bound what is held. A high ratio is
refused only for a member larger than any text qualcode itself takes from a file
(:data:`RATIO_FLOOR`): qualcode's own export of a long, repetitive text (which deflates
1000:1) imports again. These two rules live in :mod:`qualcode.interchange.zip_limits`,
shared with the XLSX reader.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from qualcode.errors import FormatError
from qualcode.interchange.readers.safe_open import open_regular
from qualcode.interchange.zip_limits import (  # noqa: F401 - part of this module's API
    MAX_RATIO,
    RATIO_FLOOR,
    method_problem,
    ratio_problem,
)

MAX_MEMBERS = 200_000
MAX_MEMBER_BYTES = 256 * 1024 * 1024
"""Largest single member read (a source text)."""
MAX_XML_MEMBER_BYTES = 64 * 1024 * 1024
"""Largest ``project.qde`` (or other ``.qde``/``.qdc``) read: it is held whole while it is
read (as it streams, see :func:`.safe_xml.stream_xml`), so a larger one is refused first."""
MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Largest total of all members (declared, and as actually decompressed)."""
CHUNK = 1 << 16


def member_limit(name: str) -> int:
    """Return the largest size read for a member of this name (XML is held whole)."""
    return MAX_XML_MEMBER_BYTES if name.lower().endswith((".qde", ".qdc")) else MAX_MEMBER_BYTES


class SafeZip:
    """A checked, read-only view of a .qdpx archive; members are looked up case-insensitively."""

    def __init__(self, path: Path) -> None:
        self.where = str(path)
        # A regular file only: a pipe or device named .qdpx is refused before it is read.
        self._file = open_regular(path, hint="give the path of a .qdpx file")
        try:
            self.zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError) as error:
            self._file.close()
            raise FormatError(f"is not a readable ZIP archive ({error}); a .qdpx is a ZIP "
                              "holding project.qde", path=self.where) from None
        self.read_total = 0
        try:
            self._members = self._check()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the archive (and the file under it: ZipFile leaves a given file open)."""
        self.zip.close()
        self._file.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refuse(self, message: str) -> FormatError:
        """Return the error for a hostile or broken archive: one line, nothing imported."""
        return FormatError(f"{message}; the archive was refused and nothing was imported",
                           path=self.where)

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise self.refuse(f"it holds {len(infos)} members, over the limit of {MAX_MEMBERS}")
        members: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            name = info.filename
            self._check_name(name)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise self.refuse(f"member {name!r} is a symbolic link")
            problem = method_problem(info) or ratio_problem(info)
            if problem:
                raise self.refuse(problem)
            limit = member_limit(name)
            if info.file_size > limit:
                raise self.refuse(f"member {name!r} unpacks to {info.file_size / 2**20:.0f} MB, "
                                  f"over the {limit // 2**20} MB limit per member")
            declared += info.file_size
            if declared > MAX_TOTAL_BYTES:
                raise self.refuse(f"its members unpack to over {MAX_TOTAL_BYTES // 2**20} MB")
            key = name.replace("\\", "/").casefold()
            if key in members:
                raise self.refuse(f"member name {name!r} appears twice")
            if not name.endswith("/"):
                members[key] = info
        return members

    def _check_name(self, name: str) -> None:
        if not name or "\x00" in name:
            raise self.refuse("a member has an empty name or a NUL character in its name")
        unified = name.replace("\\", "/")
        if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
            raise self.refuse(f"member {name!r} has an absolute path")
        if ".." in PurePosixPath(unified).parts:
            raise self.refuse(f"member {name!r} climbs out of the archive with '..'")

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """Return the member of this name (any case, either slash), or None."""
        return self._members.get(name.replace("\\", "/").casefold())

    def names(self) -> list[str]:
        """Return the file members' names."""
        return [info.filename for info in self._members.values()]

    def read(self, info: zipfile.ZipInfo) -> bytearray:
        """Decompress a member in chunks into one buffer of its declared size (never twice
        its size in memory), refusing it once it outgrows what it declared."""
        limit = min(info.file_size, member_limit(info.filename))
        buffer = bytearray(limit)
        view = memoryview(buffer)
        size = 0
        try:
            with self.zip.open(info) as handle:
                while True:
                    chunk = handle.read(CHUNK)
                    if not chunk:
                        break
                    if size + len(chunk) > limit:
                        raise self.refuse(f"member {info.filename!r} unpacks to more than the "
                                          f"{limit} bytes its header declares")
                    self.read_total += len(chunk)
                    if self.read_total > MAX_TOTAL_BYTES:
                        raise self.refuse(f"its members unpack to over {MAX_TOTAL_BYTES // 2**20} "
                                          "MB")
                    view[size:size + len(chunk)] = chunk
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise self.refuse(f"member {info.filename!r} cannot be unpacked ({error})") from None
        finally:
            view.release()
        del buffer[size:]  # a member shorter than declared fails its CRC check above
        return buffer
