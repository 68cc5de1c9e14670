"""A project's content as plain records keyed by GUID: what a merge or a REFI import brings.

A :class:`Snapshot` is read from another qualcode file (:func:`read_snapshot`) or built
from a REFI-QDA project by :mod:`qualcode.interchange.refi`, and applied to a project by
:func:`qualcode.storage.merge_apply.apply_snapshot`. Every reference between records is a
GUID, so nothing depends on the other file's row ids.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import StoreError
from qualcode.model import CodeKind, Layer, UnitKind
from qualcode.storage.connection import check_path, open_readonly, verify_project

if TYPE_CHECKING:
    from qualcode.storage.merge_base import BaseRecord


@dataclass(frozen=True, slots=True)
class InCoder:
    """A coder (REFI-QDA: a User)."""

    guid: str
    name: str
    origin: str = field(default="", compare=False)  # where read: table+row, element+line


@dataclass(frozen=True, slots=True)
class InCode:
    """A codebook node; ``parent_guid`` None for a top-level node."""

    guid: str
    name: str
    parent_guid: str | None = None
    kind: CodeKind = CodeKind.CODE
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    colour: str | None = None
    shortcut: str | None = None
    codable: bool = True
    deleted: bool = False
    origin: str = field(default="", compare=False)  # where read: table+row, element+line

    def fields(self) -> dict[str, Any]:
        """Return the editable fields, shaped as :func:`storage.codebook.code_fields` is."""
        return {"name": self.name, "description": self.description,
                "inclusion": self.inclusion, "exclusion": self.exclusion,
                "examples": list(self.examples), "colour": self.colour,
                "shortcut": self.shortcut, "codable": self.codable}


@dataclass(frozen=True, slots=True)
class InSource:
    """A text source with the id it is known by in the project."""

    guid: str
    external_id: str
    name: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str = field(default="", compare=False)  # where read: table+row, element+line


@dataclass(frozen=True, slots=True)
class InUnit:
    """A unit cut from a source (whole-source units are made with their source)."""

    guid: str
    source_guid: str
    start: int
    end: int
    kind: UnitKind = UnitKind.SOURCE
    position: int = 0
    origin: str = field(default="", compare=False)  # where read: table+row, element+line


@dataclass(frozen=True, slots=True)
class InCoding:
    """One coding; ``deleted`` codings carry a deletion made in the other file."""

    guid: str
    coder_guid: str
    source_guid: str
    code_guid: str
    start: int
    end: int
    layer: Layer = Layer.CODER
    created_at: str = ""
    deleted: bool = False
    origin: str = field(default="", compare=False)  # where read: table+row, element+line


@dataclass(frozen=True, slots=True)
class InReview:
    """A unit marked done; ``unit_guid`` None means the source's whole-source unit."""

    source_guid: str
    coder_guid: str
    unit_guid: str | None = None
    layer: Layer = Layer.CODER
    done_at: str = ""
    origin: str = field(default="", compare=False)  # where read: table+row, element+line


@dataclass(frozen=True, slots=True)
class InMemo:
    """A memo; ``target_guid`` names a code, source, unit or coding (project: any)."""

    guid: str
    target_kind: str
    target_guid: str
    coder_guid: str | None
    text: str
    updated_at: str = ""
    deleted: bool = False
    origin: str = field(default="", compare=False)  # where read: table+row, element+line


@dataclass(slots=True)
class Snapshot:
    """Everything to bring into a project, with what the reader already had to leave out."""

    label: str
    coders: list[InCoder] = field(default_factory=list)
    codes: list[InCode] = field(default_factory=list)
    sources: list[InSource] = field(default_factory=list)
    units: list[InUnit] = field(default_factory=list)
    codings: list[InCoding] = field(default_factory=list)
    reviews: list[InReview] = field(default_factory=list)
    memos: list[InMemo] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replica: str | None = None  # the GUID naming the copy it was read from (merge_base.py)
    bases: list[BaseRecord] = field(default_factory=list)  # what that copy saw of others


def read_snapshot(path: Path) -> Snapshot:
    """Read another qualcode project, read-only, deleted rows included (as deletions)."""
    check_path(path)
    conn = open_readonly(path)
    try:
        verify_project(conn, path)
        return _read(conn, path)
    except sqlite3.Error as error:
        raise StoreError(f"cannot be read ({error}); is it a project of a newer qualcode?",
                         path=str(path)) from None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, path: Path) -> Snapshot:
    # The reader checks every row as it reads it (a merge input may be damaged).
    from qualcode.storage.snapshot_read import read_rows

    return read_rows(conn, path)
