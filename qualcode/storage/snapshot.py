"""A project's content as plain records keyed by GUID: what a merge or a REFI import brings.

A :class:`Snapshot` is read from another qualcode file (:func:`read_snapshot`) or built
from a REFI-QDA project by :mod:`qualcode.interchange.refi`, and applied to a project by
:func:`qualcode.storage.merge.apply_snapshot`. Every reference between records is a
GUID, so nothing depends on the other file's row ids.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import StoreError
from qualcode.model import CodeKind, Layer, UnitKind
from qualcode.storage.connection import check_path, open_connection, verify_project


@dataclass(frozen=True, slots=True)
class InCoder:
    """A coder (REFI-QDA: a User)."""

    guid: str
    name: str


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


@dataclass(frozen=True, slots=True)
class InUnit:
    """A unit cut from a source (whole-source units are made with their source)."""

    guid: str
    source_guid: str
    start: int
    end: int
    kind: UnitKind = UnitKind.SOURCE
    position: int = 0


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


@dataclass(frozen=True, slots=True)
class InReview:
    """A unit marked done; ``unit_guid`` None means the source's whole-source unit."""

    source_guid: str
    coder_guid: str
    unit_guid: str | None = None
    layer: Layer = Layer.CODER
    done_at: str = ""


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


def read_snapshot(path: Path) -> Snapshot:
    """Read another qualcode project, read-only, deleted rows included (as deletions)."""
    check_path(path)
    conn = open_connection(path, "ro")
    try:
        verify_project(conn, path)
        return _read(conn, path)
    except sqlite3.Error as error:
        raise StoreError(f"cannot be read ({error}); is it a project of a newer qualcode?",
                         path=str(path)) from None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, path: Path) -> Snapshot:
    snap = Snapshot(label=str(path))
    coders = {cid: guid for cid, guid, _ in conn.execute("SELECT id, guid, name FROM coders")}
    snap.coders = [InCoder(guid, name) for _, guid, name in
                   conn.execute("SELECT id, guid, name FROM coders ORDER BY id")]
    code_guid: dict[int, str] = dict(conn.execute("SELECT id, guid FROM codes"))
    rows = conn.execute("SELECT id, guid, name, parent_id, kind, description, inclusion, "
                        "exclusion, examples, colour, shortcut, codable, deleted_at, position "
                        "FROM codes ORDER BY position, id").fetchall()
    by_parent: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_parent.setdefault(row[3], []).append(row)
    stack = list(reversed(by_parent.get(None, [])))
    while stack:  # parents before children, siblings in order
        row = stack.pop()
        snap.codes.append(InCode(
            guid=row[1], name=row[2], parent_guid=code_guid.get(row[3]) if row[3] else None,
            kind=CodeKind(row[4]), description=row[5], inclusion=row[6], exclusion=row[7],
            examples=tuple(json.loads(row[8])), colour=row[9], shortcut=row[10],
            codable=bool(row[11]), deleted=row[12] is not None))
        stack.extend(reversed(by_parent.get(row[0], [])))
    source_guid: dict[int, str] = {}
    for sid, guid, ext, name, text, meta in conn.execute(
            "SELECT id, guid, external_id, name, text, metadata FROM sources ORDER BY id"):
        source_guid[sid] = guid
        snap.sources.append(InSource(guid, ext, name, text, json.loads(meta)))
    unit_guid: dict[int, str] = {}
    for uid, guid, sid, start, end, kind, pos in conn.execute(
            'SELECT id, guid, source_id, start, "end", kind, position FROM units ORDER BY id'):
        unit_guid[uid] = guid
        snap.units.append(InUnit(guid, source_guid[sid], start, end, UnitKind(kind), pos))
    coding_guid: dict[int, str] = {}
    for row in conn.execute('SELECT id, guid, coder_id, source_id, code_id, start, "end", '
                            "layer, created_at, deleted_at FROM codings ORDER BY id"):
        coding_guid[row[0]] = row[1]
        snap.codings.append(InCoding(row[1], coders[row[2]], source_guid[row[3]],
                                     code_guid[row[4]], row[5], row[6], Layer(row[7]), row[8],
                                     row[9] is not None))
    unit_source = {uid: sid for uid, sid in conn.execute("SELECT id, source_id FROM units")}
    for uid, cid, layer, done_at in conn.execute(
            "SELECT unit_id, coder_id, layer, done_at FROM reviews ORDER BY unit_id"):
        snap.reviews.append(InReview(source_guid[unit_source[uid]], coders[cid], unit_guid[uid],
                                     Layer(layer), done_at))
    for row in conn.execute("SELECT guid, target_kind, target_guid, coder_id, text, updated_at, "
                            "deleted_at FROM memos ORDER BY id"):
        snap.memos.append(InMemo(row[0], row[1], row[2], coders.get(row[3]), row[4], row[5],
                                 row[6] is not None))
    return snap
