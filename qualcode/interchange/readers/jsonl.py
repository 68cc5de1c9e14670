"""JSON Lines: one JSON object per line, streamed line by line."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import (
    DEFAULT_ID,
    DEFAULT_TEXT,
    MAX_FIELD_BYTES,
    MAX_FIELD_LABEL,
    SKIP_HINT,
    ReadOptions,
    Skipped,
    as_text,
    missing_column,
    quoted,
)
from qualcode.interchange.readers.encoding import checked_lines, open_utf8
from qualcode.model import SourceRecord

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A \\uD800-\\uDFFF escape: the only way a UTF-8 line can decode to a lone surrogate."""


def _refuse_lone_surrogates(value: Any, path: Path, line: int) -> None:
    """Refuse half of a surrogate pair (valid JSON, but not text SQLite can store)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise FormatError("a \\uD800-\\uDFFF escape is not part of a surrogate pair, so it is "
                          "not a character; fix the exporting program or remove it",
                          path=str(path), line=line) from None


class _NotJson(ValueError):
    """A constant Python's json accepts but JSON does not (NaN, Infinity)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


class _Constant(str):
    """A NaN or Infinity, decoded only to find which field holds it for the message."""


def _where_constant(value: Any, path: str = "") -> str | None:
    """Return the field (``'age'``, ``'scores'[2]``) holding the first :class:`_Constant`."""
    if isinstance(value, _Constant):
        return path
    items = (((repr(k), v) for k, v in value.items()) if isinstance(value, dict)
             else ((str(i), v) for i, v in enumerate(value)) if isinstance(value, list)
             else ())
    for key, item in items:
        found = _where_constant(item, f"{path}[{key}]" if path else key)
        if found is not None:
            return found
    return None


class JsonNumber(str):
    """A JSON number as it is spelled in the file (``1.0``, ``1e400``), before typing.

    Decimals are decoded so (whole numbers only when Python cannot convert them): an id
    keeps the spelling; metadata becomes a number by :func:`number_from_spelling`.
    """


def number_from_spelling(spelling: str) -> int | float | str:
    """Return a JSON number as metadata: a number, or its spelling when a float cannot hold it.

    ``1e400`` (infinite as a float) and ``1e-400`` (zero as a float) stay the text written,
    and so does a whole number of more than 20 characters (far outside SQLite's 64-bit
    integers, and Python refuses to convert one of over 4,300 digits). Other whole numbers
    become ints; storage stores those outside 64 bits as their digits too.
    """
    if "." not in spelling and "e" not in spelling and "E" not in spelling:
        return int(spelling) if len(spelling) <= 20 else str(spelling)
    number = float(spelling)
    if math.isinf(number) or (number == 0.0 and _NONZERO_MANTISSA.match(spelling)):
        return str(spelling)
    return number


_NONZERO_MANTISSA = re.compile(r"-?0*\.?0*[1-9]")
"""A mantissa with a non-zero digit: such a number read as 0.0 has underflowed."""


def _typed(value: Any) -> Any:
    """Turn the :class:`JsonNumber` spellings inside a decoded value into metadata numbers."""
    if type(value) is JsonNumber:
        return number_from_spelling(value)
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    return value


_UNTYPED = frozenset({JsonNumber, list, dict})
"""The value types :func:`_typed` changes; text, ints, booleans and null pass as they are."""


def _decode(line: str) -> Any:
    """Decode one line: decimals as :class:`JsonNumber` spellings, whole numbers as ints.

    Ints keep the C fast path (their digits are their spelling); a whole number too long
    for Python to convert is decoded again with every number kept as spelled.
    """
    try:
        return json.loads(line, parse_constant=_refuse_constant, parse_float=JsonNumber)
    except json.JSONDecodeError:
        raise
    except ValueError as error:
        if isinstance(error, _NotJson):
            raise
        return json.loads(line, parse_constant=_refuse_constant, parse_float=JsonNumber,
                          parse_int=JsonNumber)


def json_type(value: Any) -> str:
    """Name a decoded JSON value's type the way the JSON spec does."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float, JsonNumber)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def read_jsonl(path: Path, options: ReadOptions | None = None, *,
               skipped: Skipped | None = None) -> Iterator[SourceRecord]:
    """Yield one record per line of a JSON Lines file; blank lines are ignored.

    Ids may be strings or numbers; a number id is the text as written (``1.0``, ``1e400``
    and ``12345678901234567890123`` stay exactly that). The text must be a string; other
    keys become metadata with their JSON values, numbers by :func:`number_from_spelling`.
    """
    options = options or ReadOptions()
    skipped = skipped if skipped is not None else Skipped()
    mapper = _ObjectMapper(options, path, skipped)
    rows = 0
    # newline="\n": JSON strings escape their line breaks, so only \n ends a record, and a
    # stray \r is JSON whitespace rather than a line break that would shift line numbers.
    with open_utf8(path, newline="\n") as handle:
        for number, line in enumerate(checked_lines(handle, path), start=1):
            if len(line) > MAX_FIELD_BYTES:
                raise FormatError(f"the line is longer than {MAX_FIELD_LABEL}; split the text "
                                  "into several sources", path=str(path), line=number)
            if not line.strip():
                continue
            try:
                value = _decode(line)
            except _NotJson as error:
                raise _constant_error(line, error.args[0], path, number) from None
            except json.JSONDecodeError as error:
                raise FormatError(f"invalid JSON at column {error.colno}: {error.msg}; each line "
                                  "must be one complete JSON object", path=str(path),
                                  line=number) from None
            except RecursionError:
                raise FormatError("the JSON is nested too deeply to read; each line must be "
                                  "one flat object", path=str(path), line=number) from None
            if _SURROGATE_ESCAPE.search(line):
                _refuse_lone_surrogates(value, path, number)
            if not isinstance(value, dict):
                raise FormatError(f"the line holds {json_type(value)}, not an object; each line "
                                  'must be an object such as {"id": "1", "text": "..."}',
                                  path=str(path), line=number)
            rows += 1
            record = mapper.record(value, number)
            if record is not None:
                yield record
    if rows == 0:
        raise FormatError("the file has no JSON objects; expected one object per line",
                          path=str(path), line=1)
    if rows == len(skipped.items):
        raise FormatError(f"all {rows} lines have empty text; nothing to import", path=str(path))
    mapper.check_meta_seen()


def _constant_error(line: str, name: str, path: Path, number: int) -> FormatError:
    """Name the field holding NaN or Infinity, the value, and what to write instead."""
    try:
        where = _where_constant(json.loads(line, parse_constant=_Constant, parse_int=str,
                                           parse_float=str))
    except (ValueError, RecursionError):
        where = None
    field = f"field {where} holds {name}" if where else f"{name} appears"
    return FormatError(f"{field}, which is not a JSON value (the project stores strict JSON, "
                       f"which SQLite reads); write a number instead, or \"{name}\" in quotes "
                       "to keep it as text", path=str(path), line=number)


class _ObjectMapper:
    """Turns decoded JSON objects into records; keys may differ from line to line."""

    def __init__(self, options: ReadOptions, path: Path, skipped: Skipped) -> None:
        self.path = path
        self.skipped = skipped
        self.skip_empty = options.skip_empty
        self.id_key = options.id_col or DEFAULT_ID
        self.text_key = options.text_col or DEFAULT_TEXT
        self.id_given = options.id_col is not None
        self.text_given = options.text_col is not None
        self.name_key = options.name_col
        self.meta_keys = options.meta_cols
        self.meta_seen: set[str] = set()
        self.reserved = {self.id_key, self.text_key, self.name_key}

    def _get(self, obj: dict[str, Any], role: str, key: str, option: str, given: bool,
             line: int) -> Any:
        if key not in obj:
            raise missing_column(role, key, option, list(obj), path=self.path, line=line,
                                 given=given)
        return obj[key]

    def record(self, obj: dict[str, Any], line: int) -> SourceRecord | None:
        """Map one object to a record; None when it is skipped for its empty text."""
        raw_id = self._get(obj, "id", self.id_key, "--id-col", self.id_given, line)
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float)):
            raise FormatError(f"the id ({self.id_key!r}) must be a string or a number, found "
                              f"{json_type(raw_id)}", path=str(self.path), line=line)
        external_id = as_text(raw_id).strip()
        if not external_id:
            raise FormatError("the id is empty; every line needs a unique id",
                              path=str(self.path), line=line)
        text = self._get(obj, "text", self.text_key, "--text-col", self.text_given, line)
        if text is not None and (not isinstance(text, str) or type(text) is JsonNumber):
            raise FormatError(f"the text ({self.text_key!r}) of id {external_id!r} must be a "
                              f"string, found {json_type(text)}", path=str(self.path), line=line)
        if not text or text.isspace():
            if self.skip_empty:
                self.skipped.items.append(f"line {line}")
                return None
            raise FormatError(f"the text of id {external_id!r} is empty; {SKIP_HINT}",
                              path=str(self.path), line=line)
        name = ""
        if self.name_key is not None:
            raw_name = self._get(obj, "name", self.name_key, "--name-col", True, line)
            if isinstance(raw_name, (dict, list)):
                raise FormatError(f"the name ({self.name_key!r}) must be a string, found "
                                  f"{json_type(raw_name)}", path=str(self.path), line=line)
            name = as_text(raw_name)
        if self.meta_keys is None:
            metadata = {k: v for k, v in obj.items() if k not in self.reserved}
        else:
            metadata = {k: obj[k] for k in self.meta_keys if k in obj}
            self.meta_seen.update(metadata)
        for key, value in metadata.items():
            if type(value) in _UNTYPED:
                metadata[key] = _typed(value)
        return SourceRecord(external_id, text, name, metadata, line)

    def check_meta_seen(self) -> None:
        """Refuse ``--meta`` keys that no line had (a typo would otherwise pass silently)."""
        if self.meta_keys is None:
            return
        never = [key for key in self.meta_keys if key not in self.meta_seen]
        if never:
            raise FormatError(f"no line has the metadata key(s) {quoted(never)} given with "
                              "--meta; check their spelling", path=str(self.path))
