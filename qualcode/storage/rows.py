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
from qualcode.storage.metadata import decode_metadata

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
                  metadata=decode_metadata(row[5]))


def to_unit(row: tuple[Any, ...]) -> Unit:
    """Build a Unit from a row of :data:`UNIT_COLUMNS`."""
    return Unit(id=row[0], guid=row[1], source_id=row[2], start=row[3], end=row[4],
                kind=UnitKind(row[5]), position=row[6])


def to_code(row: tuple[Any, ...]) -> Code:
    """Build a Code from a row of :data:`CODE_COLUMNS`."""
    return Code(id=row[0], guid=row[1], name=row[2], kind=CodeKind(row[3]), parent_id=row[4],
                description=row[5], inclusion=row[6], exclusion=row[7],
                examples=decode_examples(row[8]), colour=row[9], shortcut=row[10],
                position=row[11], codable=bool(row[12]))


EXAMPLES_REPAIR = ("repair: `qualcode codebook edit PROJECT CODE --example TEXT` replaces a "
                   "code's examples")
"""What to do about a code whose stored examples cannot be read."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"holds {name} (not JSON)")


def examples_problem(text: Any) -> str | None:
    """Say what is wrong with a code's stored examples (a JSON list of texts); None if sound."""
    if not isinstance(text, str):
        return f"is a {type(text).__name__}, not JSON text"
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        return f"is not valid JSON ({error.msg} at character {error.pos})"
    except (ValueError, RecursionError) as error:
        return str(error) if str(error).startswith("holds") else f"is not valid JSON ({error})"
    if not isinstance(value, list):
        return f"is a JSON {type(value).__name__}, not a list of texts"
    odd = next((item for item in value if not isinstance(item, str)), "")
    if not isinstance(odd, str):
        return f"holds a {type(odd).__name__} ({json.dumps(odd)[:40]}) among its texts"
    return None


def decode_examples(text: Any) -> tuple[str, ...]:
    """Decode a code's stored examples without ever stopping the read of the codebook.

    A list keeps its texts (anything else in it is shown as its JSON), a lone text is one
    example, and anything unreadable reads as no examples: the codebook, and so every
    screen and command, still opens; ``qualcode check`` names the code and the repair.
    """
    try:
        value = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        return ()
    return tuple(item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
                 for item in value if item is not None)


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


NO_LIMIT = 2 ** 62
"""A LIMIT that never binds: SQLite's ``LIMIT -1`` is an error on PostgreSQL."""


# -- text lengths ----------------------------------------------------------------------------
# SQLite's length() counts characters only up to the first NUL, so a source text holding
# one would get a short length and wrong span bounds. A text with a NUL byte (rare) is
# measured in Python; every other text stays a cheap length() in C.
CHARS_FUNCTION = "qualcode_chars"


def char_length_sql(column: str) -> str:
    """Return SQL for a TEXT column's length in characters, NUL characters included.

    Needs :func:`register_char_length` on the connection that runs it.
    """
    return (f"CASE WHEN instr(CAST({column} AS BLOB), x'00') > 0 "
            f"THEN {CHARS_FUNCTION}({column}) ELSE length({column}) END")


def register_char_length(conn: Any) -> None:
    """Make :func:`char_length_sql` work on a ``sqlite3`` connection."""
    conn.create_function(CHARS_FUNCTION, 1, _chars, deterministic=True)


def _chars(value: Any) -> int | None:
    return len(value) if isinstance(value, str) else None


def source_length(db: Any, source_id: int) -> tuple[int, str] | None:
    """Return (length of the text in characters, external id) of a source, or None."""
    # PostgreSQL text cannot hold NUL, so its length() is always the whole count.
    measure = ("length(text)" if getattr(db, "engine", "sqlite") == "postgresql" else
               "CASE WHEN instr(CAST(text AS BLOB), x'00') > 0 THEN NULL ELSE length(text) END")
    row = db.execute(f"SELECT {measure}, external_id FROM sources WHERE id = ?",
                     [source_id]).fetchone()
    if row is None:
        return None
    if row[0] is None:
        text = db.execute("SELECT text FROM sources WHERE id = ?", [source_id]).fetchone()[0]
        return len(text), row[1]
    return row[0], row[1]
