"""One writer per output format, shared by theme tables, matrices and co-occurrence.

:func:`render` turns a :class:`Table` into text (md, csv, html, latex) or bytes (xlsx);
:func:`write` sends it to standard output or replaces a file atomically.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from qualcode.errors import QualcodeError
from qualcode.interchange.writers import csv_writer, html, latex, markdown, xlsx
from qualcode.interchange.writers.table import Column, Estimate, Row, Table
from qualcode.storage.files import write_replacing

__all__ = ["FORMATS", "Column", "Estimate", "Row", "Table", "format_for", "render",
           "write", "atomic_write"]

FORMATS = ("md", "csv", "xlsx", "html", "latex")
"""Output formats every table export offers."""
SUFFIXES = {".md": "md", ".markdown": "md", ".csv": "csv", ".xlsx": "xlsx",
            ".html": "html", ".htm": "html", ".tex": "latex"}
_RENDER: dict[str, Callable[[Table], str | bytes]] = {
    "md": markdown.render,
    "csv": csv_writer.render,
    "html": html.render,
    "latex": latex.render,
    "xlsx": xlsx.render,
}


def format_for(fmt: str | None, output: Path | None) -> str:
    """Return the format to write: the one asked for, else the output's suffix, else md."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise QualcodeError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if output is None:
        return "md"
    found = SUFFIXES.get(output.suffix.lower())
    if found is None:
        raise QualcodeError(f"cannot tell the format from the suffix {output.suffix!r}; "
                            f"use --format ({', '.join(FORMATS)}) or a suffix such as "
                            ".md, .csv, .xlsx, .html or .tex", path=str(output))
    return found


def render(table: Table, fmt: str) -> str | bytes:
    """Return the table in one format (bytes for xlsx, text otherwise)."""
    if fmt not in _RENDER:
        raise QualcodeError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return _RENDER[fmt](table)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file beside its target and rename it into place, so no half file is left."""
    write_replacing(path, data)


def write(table: Table, fmt: str, output: Path | None, *, bom: bool = False,
          stdout: TextIO | None = None) -> None:
    """Write the table to ``output`` (atomically) or to standard output (text formats only).

    ``bom`` starts a CSV with a UTF-8 byte-order mark, which helps Excel read accents.
    """
    data = render(table, fmt)
    if output is None:
        if isinstance(data, bytes):
            raise QualcodeError(f"{fmt} is a binary format; name a file with -o FILE.{fmt}")
        (stdout or sys.stdout).write(data)
        return
    if isinstance(data, str):
        data = (("\ufeff" if bom and fmt == "csv" else "") + data).encode("utf-8")
    atomic_write(output, data)
