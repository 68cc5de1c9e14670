"""An .xlsx is a ZIP of XML parts: sizes and shapes checked before openpyxl reads any.

openpyxl holds some parts whole in memory: the styles, the workbook, its relations and
theme are parsed into trees (about 30 times their size: 40 MB of styles took 1.3 GB),
and the shared strings become one Python string each (60 MB of short strings took
600 MB). Worksheets are streamed row by row, but a single cell is held whole. So before
``load_workbook`` runs, each part is checked against a budget for what openpyxl makes of
it, first from the sizes the archive declares (which :mod:`zipfile` enforces while
inflating), then, for the shared strings and worksheets, by streaming the part once
(64 kB at a time) to count its elements and its longest text. A workbook over budget is
refused in one line before any of it is held, so a refusal stays within the memory
ceiling README.md states ("What qualcode refuses, and why").
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import MAX_FIELD_BYTES, MAX_FIELD_LABEL
from qualcode.interchange.zip_limits import method_problem, ratio_problem

MB = 2**20
MAX_TREE_PART_BYTES = 8 * MB
"""Largest part openpyxl parses whole (styles, workbook, relations, theme). Excel itself
allows 64,000 cell formats, a styles part of a few MB at most."""
MAX_STREAMED_PART_BYTES = 256 * MB
"""Largest worksheet or shared-strings part (streamed, or kept as plain strings)."""
MAX_TOTAL_BYTES = 512 * MB
"""Largest total of all parts, as declared."""
STRINGS_BUDGET = 320 * MB
"""Estimated memory allowed for the shared strings: their bytes plus about 64 bytes of
Python object per element (a string and its run)."""
BYTES_PER_ELEMENT = 64
MAX_PARTS = 10_000
_STREAMED = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$", re.IGNORECASE)
_STRINGS = re.compile(r"^xl/sharedStrings\.xml$", re.IGNORECASE)
_TREE = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
CHUNK = 1 << 16
AGAIN = "open it in Excel or LibreOffice and save it as .xlsx again, or export a CSV"


def check_workbook(handle: IO[bytes], path: Path) -> None:
    """Refuse a workbook whose parts would not fit the memory budget; leave it to
    openpyxl to report a file that is not a ZIP at all. ``handle`` is left open."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    try:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(path, f"it holds {len(infos):,} parts, over the limit of {MAX_PARTS:,}")
        declared = 0
        for info in infos:
            _check_declared(info, path)
            declared += info.file_size
            if declared > MAX_TOTAL_BYTES:
                raise _refuse(path, f"its parts unpack to over {MAX_TOTAL_BYTES // MB} MB")
        for info in infos:
            if _STREAMED.match(info.filename):
                _check_streamed(archive, info, path)
    finally:
        archive.close()


def _refuse(path: Path, problem: str) -> FormatError:
    return FormatError(f"{problem}; refusing to read it ({AGAIN})", path=str(path))


def _check_declared(info: zipfile.ZipInfo, path: Path) -> None:
    problem = method_problem(info) or ratio_problem(info)
    if problem:
        raise _refuse(path, problem.replace("member ", "part ", 1))
    name = info.filename
    if _STREAMED.match(name):
        limit = MAX_STREAMED_PART_BYTES
    elif _TREE.search(name):
        limit = MAX_TREE_PART_BYTES
    else:
        return  # pictures and the like: openpyxl's read-only mode does not load them
    if info.file_size > limit:
        raise _refuse(path, f"part {name!r} unpacks to {info.file_size / MB:.0f} MB, over the "
                      f"{limit // MB} MB read for such a part")


def _check_streamed(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Stream a worksheet or the shared strings once: elements and longest text."""
    elements = longest = run = size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                pieces = chunk.split(b"<")
                run += len(pieces[0])
                if len(pieces) > 1:
                    longest = max(longest, run, max(map(len, pieces[1:-1]), default=0))
                    run = len(pieces[-1])
                    elements += len(pieces) - 1
                if max(longest, run) > MAX_FIELD_BYTES:
                    raise _refuse(path, f"part {info.filename!r} holds a text over "
                                  f"{MAX_FIELD_LABEL} (a cell is at most {MAX_FIELD_LABEL})")
                if _STRINGS.match(info.filename) and \
                        size + elements * BYTES_PER_ELEMENT > STRINGS_BUDGET:
                    raise _refuse(path, f"its shared strings ({elements:,} elements in "
                                  f"{size / MB:.0f} MB so far) would take over "
                                  f"{STRINGS_BUDGET // MB} MB of memory")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(path, f"part {info.filename!r} cannot be unpacked ({error})") from None
