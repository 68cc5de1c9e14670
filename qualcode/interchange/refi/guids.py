"""GUIDs as REFI-QDA writes them: checked, compared case-insensitively, kept as written.

Exporters differ: NVivo and ATLAS.ti write upper case, QualCoder lower case, and the
standard's own example wraps some in braces. qualcode keeps a GUID as the file spells it
(without braces) and compares GUIDs by their lower-case form.
"""

from __future__ import annotations

import re
import uuid

GUID_PATTERN = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{12})\}?$")

QUALCODE_NAMESPACE = uuid.UUID("5f3c7a52-9d1e-4c61-8a57-6b2f0e4d9a13")
"""Namespace of the GUIDs qualcode derives (selections, variables, consensus users, sets)."""


def clean_guid(value: str | None) -> str | None:
    """Return a GUID without braces or surrounding space, or None when it is not one.

    >>> clean_guid("{5215CC69-B628-4E02-AFB9-9BEEAEE55808}")
    '5215CC69-B628-4E02-AFB9-9BEEAEE55808'
    >>> clean_guid("not-a-guid") is None
    True
    """
    if value is None:
        return None
    match = GUID_PATTERN.match(value.strip())
    if match is None or (value.strip().startswith("{") != value.strip().endswith("}")):
        return None
    return match.group(1)


def fold(guid: str) -> str:
    """Return the form two GUIDs are compared in (lower case, no braces)."""
    return (clean_guid(guid) or guid).lower()


def derived_guid(*parts: str) -> str:
    """Return a GUID derived from ``parts`` (stable: the same parts give the same GUID).

    Used for things qualcode has no row for (a selection, a variable, a consensus user),
    so exporting a project twice writes the same GUIDs and merging stays idempotent.
    """
    return str(uuid.uuid5(QUALCODE_NAMESPACE, "/".join(p.lower() for p in parts)))
