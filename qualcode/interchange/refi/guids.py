"""GUIDs as REFI-QDA writes them: checked, compared case-insensitively, kept as written.

Exporters differ: NVivo and ATLAS.ti write upper case, QualCoder lower case, and the
standard's own example wraps some in braces. qualcode keeps a GUID as the file spells it
(without braces) and compares GUIDs by their lower-case form; checking and folding are
:func:`qualcode.model.clean_guid` and :func:`qualcode.model.fold_guid`, shared with merge.
"""

from __future__ import annotations

import uuid

from qualcode.model import GUID_PATTERN, clean_guid, fold_guid

__all__ = ["GUID_PATTERN", "QUALCODE_NAMESPACE", "clean_guid", "derived_guid", "fold"]

QUALCODE_NAMESPACE = uuid.UUID("5f3c7a52-9d1e-4c61-8a57-6b2f0e4d9a13")
"""Namespace of the GUIDs qualcode derives (selections, variables, consensus users, sets)."""

fold = fold_guid
"""The one GUID-folding function (:func:`qualcode.model.fold_guid`), under its short name."""


def derived_guid(*parts: str) -> str:
    """Return a GUID derived from ``parts`` (stable: the same parts give the same GUID).

    Used for things qualcode has no row for (a selection, a variable, a consensus user),
    so exporting a project twice writes the same GUIDs and merging stays idempotent.
    """
    return str(uuid.uuid5(QUALCODE_NAMESPACE, "/".join(p.lower() for p in parts)))
