"""Source metadata as REFI-QDA ``Variable``\\ s, typed, so a round trip gives back what went out.

Written, one ``Variable`` per metadata field, typed by the values the field holds:

* every value ``true``/``false``: ``Boolean``;
* every value a whole number: ``Integer``;
* every value a number, some with a fraction: ``Float`` (the schema's ``xsd:decimal``,
  so written without an exponent; a decimal always with a ``.``, a whole number without,
  which is how each comes back as what it was);
* every value text: ``Text``, or ``Date`` when every value is a calendar date
  (``2024-05-31``), ``DateTime`` when every value is an ``xsd:dateTime``
  (``2024-05-31T09:30:00Z``);
* anything else (a list, an object, ``null``, or a field mixing kinds, text in one source
  and a number in another): ``Text``, every value written as JSON text (``["a", "b"]``,
  ``null``, ``"41"``, ``41``), and the variable's ``Description`` says
  :data:`JSON_MARK`. qualcode reads such values back as the JSON they are, but only from
  a file qualcode wrote; from other tools they stay text.

Read: a value's element says its type. ``IntegerValue`` and ``FloatValue`` become
numbers and ``BooleanValue`` a boolean; ``DateValue`` and ``DateTimeValue`` stay the
ISO 8601 text they are (JSON has no dates); ``TextValue`` is text. A value that does not
read as its type is kept as the text written, and so is a number no double can hold
(``1e400``, ``NaN``), as :mod:`qualcode.storage.metadata` keeps such numbers; a whole
number beyond 64 bits is kept as its digits by the same rule.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

JSON_MARK = "qualcode:json"
"""A Text variable whose values are JSON text (lists, objects, null, mixed kinds)."""

VALUE_ELEMENTS = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                  "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")


def _kind(value: Any) -> str:
    """Name the REFI type one value would take on its own ("JSON" when none holds it)."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float" if math.isfinite(value) else "JSON"
    if isinstance(value, str):
        if _DATE.match(value) and _valid(date.fromisoformat, value):
            return "Date"
        if _DATETIME.match(value) and _valid(datetime.fromisoformat, value):
            return "DateTime"
        return "Text"
    return "JSON"


def _valid(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def variable_type(values: Iterable[Any]) -> tuple[str, bool]:
    """Return ``(typeOfVariable, as_json)`` for the values one field holds across sources."""
    kinds = {_kind(value) for value in values}
    if not kinds:
        return "Text", False
    if kinds <= {"Integer", "Float"}:
        return ("Float" if "Float" in kinds else "Integer"), False
    if kinds <= {"Text", "Date", "DateTime"}:
        return (kinds.pop() if len(kinds) == 1 else "Text"), False
    if len(kinds) == 1 and "JSON" not in kinds:
        return kinds.pop(), False
    return "Text", True


def write_value(value: Any, type_name: str, as_json: bool) -> tuple[str, str]:
    """Return ``(element name, text)`` for one value of a variable of that type."""
    if as_json:
        return "TextValue", json.dumps(value, ensure_ascii=False, sort_keys=True)
    if type_name == "Boolean":
        return "BooleanValue", "true" if value else "false"
    if type_name == "Integer":
        return "IntegerValue", str(value)
    if type_name == "Float":
        if isinstance(value, int):
            return "FloatValue", str(value)
        text = format(Decimal(repr(value)), "f")
        return "FloatValue", text if "." in text else text + ".0"
    return VALUE_ELEMENTS[type_name], str(value)


def read_value(element: str, text: str, *, as_json: bool) -> tuple[Any, bool]:
    """Return ``(value, as_typed)`` for one value; ``as_typed`` False when kept as text."""
    if element == "TextValue":
        if as_json:
            try:
                return json.loads(text), True
            except ValueError:
                return text, False
        return text, True
    raw = text.strip()
    if element == "BooleanValue":
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True, True
        if lowered in ("false", "0"):
            return False, True
        return text, False
    if element == "IntegerValue" or (element == "FloatValue" and _INTEGER.match(raw)):
        try:
            return int(raw), True
        except ValueError:  # more digits than Python reads: kept as written
            return text, False
    if element == "FloatValue":
        try:
            number = float(raw)
        except ValueError:
            return text, False
        # Overflow (inf), NaN, or a non-zero value that underflows to 0: kept as written.
        lost = not math.isfinite(number) or (number == 0 and re.search(r"[1-9]", raw.split(
            "e")[0].split("E")[0]) is not None)
        return (text, False) if lost else (number, True)
    return raw, True  # DateValue, DateTimeValue: ISO 8601 text
