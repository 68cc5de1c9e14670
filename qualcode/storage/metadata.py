"""Source metadata as the project stores it: one rule for numbers, applied where it enters.

``sources.metadata`` holds a JSON object that SQLite's JSON functions read (grouping by
study, filtering the queue, theme tables). JSON and SQLite cannot hold every number, so:

* a whole number within SQLite's signed 64-bit range (±9,223,372,036,854,775,807) and a
  finite decimal are stored as JSON numbers;
* a whole number outside that range is stored as its digits, as text
  (``"12345678901234567890123"``): SQLite would otherwise read it as a rounded decimal;
* NaN, Infinity and -Infinity are refused: they are not JSON, and SQLite's JSON functions
  fail on them with ``malformed JSON`` in every later command that reads metadata.

Readers keep the spelling of a number too large for a decimal (``1e400``) as text before
it gets here (only they have the spelling). :func:`encode_metadata` is the guard every
import goes through; :func:`bad_metadata` applies the same rule to what is already
stored, for ``qualcode check``; :func:`decode_metadata` reads it without ever stopping.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping
from typing import Any, NamedTuple

from qualcode.errors import FormatError, StoreError

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

REPAIR_HINT = ("repair: import the corrected rows again with `qualcode import PROJECT FILE "
               "--update` (it replaces their metadata), or restore a backup")
"""What to do about metadata already stored that breaks the rule."""


class _NotStorable(ValueError):
    """A value (NaN, Infinity, an object of no JSON type) that JSON cannot hold."""


def storable(value: Any) -> Any:
    """Return ``value`` as stored: out-of-range whole numbers become their digits as text.

    Raises ``ValueError`` for NaN, ±Infinity and values of no JSON type.
    """
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return int(value)
        try:
            return str(value)
        except ValueError:  # Python writes no int of over 4,300 digits
            raise _NotStorable("a whole number of more than 4,300 digits") from None
    if isinstance(value, float):
        if math.isfinite(value):
            return float(value)
        raise _NotStorable(repr(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(item) for item in value]
    raise _NotStorable(f"a {type(value).__name__}")


def encode_metadata(metadata: Mapping[str, Any], *, path: str | None = None,
                    line: int | None = None) -> str:
    """Serialise one source's metadata by the rule above; refuse what JSON cannot hold.

    The refusal is one line naming the file, the line or row, the field and the value.
    """
    # The usual values (text, as every CSV value is, and numbers in range) cost a type test
    # or two each; only a source with something else is walked value by value.
    plain = True
    for value in metadata.values():
        kind = type(value)
        if kind is str or value is None or kind is bool:
            continue
        if kind is int:
            if INT64_MIN <= value <= INT64_MAX:
                continue
        elif kind is float and value - value == 0.0:  # finite: inf - inf and NaN are NaN
            continue
        plain = False
        break
    if not plain:
        try:
            metadata = {key: storable(value) for key, value in metadata.items()}
        except _NotStorable:
            key, value = _first_unstorable(metadata)
            raise FormatError(f"metadata column {key!r} holds {value}, which JSON and SQLite "
                              "cannot store; write a finite number, leave it empty, or make "
                              "it text (quoted in JSON, a text cell in a workbook)",
                              path=path, line=line) from None
    return json.dumps(metadata, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _first_unstorable(metadata: Mapping[str, Any]) -> tuple[str, str]:
    """Name the first field whose value :func:`storable` refuses, and show the value."""
    for key, value in metadata.items():
        try:
            storable(value)
        except _NotStorable as error:
            return key, str(error.args[0])
    raise AssertionError("no unstorable value")  # only called after storable() refused


class _Problem(ValueError):
    """What is wrong with a stored metadata text (the message is for people)."""

    def __init__(self, message: str, *, rounded: bool = False) -> None:
        super().__init__(message)
        self.rounded = rounded


def _refuse_constant(name: str) -> Any:
    raise _Problem(f"holds {name} (not JSON)")


def _checked_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _Problem(f"holds {text} (too large: read as infinity)")
    return number


def _checked_int(text: str) -> int:
    number = int(text)
    if not INT64_MIN <= number <= INT64_MAX:
        raise _Problem(f"holds {text} (outside SQLite's 64-bit integers: read rounded)",
                       rounded=True)
    return number


class MetadataFault(NamedTuple):
    """A source whose stored metadata breaks the rule, and what is wrong with it."""

    source_id: int
    external_id: str
    problem: str
    rounded: bool
    """True when SQLite still reads it, rounded (a warning); False when it cannot read it."""


def _fault(text: Any) -> _Problem | None:
    """Return what is wrong with a stored metadata text by the rule above; None when sound."""
    if not isinstance(text, str):
        return _Problem(f"is a {type(text).__name__}, not JSON text")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_checked_float,
                           parse_int=_checked_int, strict=False)
    except _Problem as problem:
        return problem
    except json.JSONDecodeError as error:
        return _Problem(f"is not valid JSON ({error.msg} at character {error.pos})")
    except (ValueError, RecursionError) as error:
        return _Problem(f"is not valid JSON ({error})")
    if not isinstance(value, dict):
        return _Problem("is not a JSON object")
    return None


def metadata_problem(text: Any) -> str | None:
    """Say what is wrong with a stored metadata text by the rule above; None when sound."""
    fault = _fault(text)
    return None if fault is None else str(fault)


def decode_metadata(text: Any) -> dict[str, Any]:
    """Decode one source's stored metadata for reading; empty when it is not a JSON object.

    Reading never stops on metadata: NaN and Infinity, which Python reads but SQLite does
    not, come back as floats, and text that is not a JSON object at all as ``{}``, so the
    coding screen and exports of codings still work on such a source. ``qualcode check``
    names it, and commands that group or filter by metadata (which SQLite reads) stop on
    it with one line (:func:`unreadable_metadata_error`).
    """
    try:
        value = json.loads(text, strict=False)
    except (ValueError, TypeError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


# A text SQLite's JSON functions fail on, or read other than it is written; the CASE stops
# json_type and json_each from being evaluated on text that is not JSON at all.
_OUT_OF_RANGE = ("(j.type = 'integer' AND typeof(j.atom) = 'real') OR "
                 "(j.type = 'real' AND abs(j.atom) > 1.7976931348623157e308)")
SUSPECT_METADATA_SQL = (
    "SELECT id, external_id, metadata FROM sources WHERE CASE "
    "WHEN NOT json_valid(metadata) OR json_type(metadata) <> 'object' "
    "OR instr(metadata, 'Infinity') OR instr(metadata, 'NaN') THEN 1 "
    f"ELSE EXISTS (SELECT 1 FROM json_each(metadata) j WHERE {_OUT_OF_RANGE} OR "
    "(j.type IN ('array', 'object') AND EXISTS (SELECT 1 FROM json_tree(j.value) k WHERE "
    f"{_OUT_OF_RANGE.replace('j.', 'k.')}))) END ORDER BY id")
"""Sources whose metadata may break the rule: cheap SQL first, then Python says what."""


def bad_metadata(conn: sqlite3.Connection) -> list[MetadataFault]:
    """Return every source whose stored metadata breaks the rule, in id order."""
    found = []
    for source_id, external_id, text in conn.execute(SUSPECT_METADATA_SQL):
        fault = _fault(text)
        if fault is not None:
            found.append(MetadataFault(source_id, external_id, str(fault), fault.rounded))
    return found


def is_malformed_json(error: BaseException) -> bool:
    """Say whether an SQLite error is its JSON functions failing on stored text."""
    return isinstance(error, sqlite3.OperationalError) and "malformed JSON" in str(error)


def unreadable_metadata_error(conn: sqlite3.Connection) -> StoreError:
    """Build the one-line error for a query that met metadata SQLite cannot read."""
    bad = [fault for fault in bad_metadata(conn) if not fault.rounded]
    if not bad:
        return StoreError("SQLite's JSON functions failed on text stored in the project "
                          "(malformed JSON); run `qualcode check PROJECT` to find it")
    project = conn.execute("PRAGMA database_list").fetchone()[2] or "PROJECT"
    first = bad[0]
    more = f" (and {len(bad) - 1} more sources)" if len(bad) > 1 else ""
    return StoreError(f"the metadata of source {first.external_id!r} (row {first.source_id}) "
                      f"{first.problem}{more}; run `qualcode check {project}` to list them "
                      f"({REPAIR_HINT})")
