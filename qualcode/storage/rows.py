"""Turning database rows into model objects, in one place."""

from __future__ import annotations

import json
from typing import Any

from qualcode.model import (
    Code,
    CodeKind,
    Coder,
    Coding,
    Event,
    Layer,
    Memo,
    Review,
    Source,
    Unit,
    UnitKind,
)

SOURCE_COLUMNS = "id, guid, external_id, name, text, metadata"
UNIT_COLUMNS = 'id, guid, source_id, start, "end", kind, position'
CODE_COLUMNS = ("id, guid, name, kind, parent_id, description, inclusion, exclusion, examples, "
                "colour, shortcut, position, codable")
CODING_COLUMNS = 'id, guid, coder_id, source_id, code_id, start, "end", layer, created_at'
MEMO_COLUMNS = "id, guid, target_kind, target_guid, coder_id, text, updated_at"
EVENT_COLUMNS = "id, guid, at, coder_id, action, payload, undoes"


def to_source(row: tuple[Any, ...]) -> Source:
    """Build a Source from a row of :data:`SOURCE_COLUMNS`."""
    return Source(id=row[0], guid=row[1], external_id=row[2], name=row[3], text=row[4],
                  metadata=json.loads(row[5]))


def to_unit(row: tuple[Any, ...]) -> Unit:
    """Build a Unit from a row of :data:`UNIT_COLUMNS`."""
    return Unit(id=row[0], guid=row[1], source_id=row[2], start=row[3], end=row[4],
                kind=UnitKind(row[5]), position=row[6])


def to_code(row: tuple[Any, ...]) -> Code:
    """Build a Code from a row of :data:`CODE_COLUMNS`."""
    return Code(id=row[0], guid=row[1], name=row[2], kind=CodeKind(row[3]), parent_id=row[4],
                description=row[5], inclusion=row[6], exclusion=row[7],
                examples=tuple(json.loads(row[8])), colour=row[9], shortcut=row[10],
                position=row[11], codable=bool(row[12]))


def to_coder(row: tuple[Any, ...]) -> Coder:
    """Build a Coder from ``(id, guid, name)``."""
    return Coder(id=row[0], guid=row[1], name=row[2])


def to_coding(row: tuple[Any, ...]) -> Coding:
    """Build a Coding from a row of :data:`CODING_COLUMNS`."""
    return Coding(id=row[0], guid=row[1], coder_id=row[2], source_id=row[3], code_id=row[4],
                  start=row[5], end=row[6], layer=Layer(row[7]), created_at=row[8])


def to_review(row: tuple[Any, ...]) -> Review:
    """Build a Review from ``(unit_id, coder_id, layer, done_at)``."""
    return Review(unit_id=row[0], coder_id=row[1], layer=Layer(row[2]), done_at=row[3])


def to_memo(row: tuple[Any, ...]) -> Memo:
    """Build a Memo from a row of :data:`MEMO_COLUMNS`."""
    return Memo(id=row[0], guid=row[1], target_kind=row[2], target_guid=row[3], coder_id=row[4],
                text=row[5], updated_at=row[6])


def to_event(row: tuple[Any, ...]) -> Event:
    """Build an Event from a row of :data:`EVENT_COLUMNS`."""
    return Event(id=row[0], guid=row[1], at=row[2], coder_id=row[3], action=row[4],
                 payload=json.loads(row[5]), undoes=row[6])
