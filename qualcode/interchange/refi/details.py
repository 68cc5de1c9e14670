"""What a ``.qdpx`` carries that qualcode's tables have no column for, kept beside them.

The project's ``Description``, each text source's ``Description``, creating and
modifying users (GUID and name) and dates, and the GUIDs of notes joined into one memo
are read into a :class:`RefiSnapshot`, kept in the project by
:mod:`qualcode.storage.refi_details` in the import's own transaction, and written again
by the next export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.interchange.refi.guids import clean_guid, fold
from qualcode.interchange.refi.safe_xml import child, text_of
from qualcode.storage.refi_details import (
    keep_details,
    keep_project_description,
    project_description,
)
from qualcode.storage.snapshot import InCoder, Snapshot

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore
    from qualcode.storage.merge_apply import MergeReport

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
USER_ATTRIBUTES = ("creatingUser", "modifyingUser")
DATE_ATTRIBUTES = ("creationDateTime", "modifiedDateTime")


@dataclass(slots=True)
class RefiSnapshot(Snapshot):
    """A snapshot read from a ``.qdpx``, with what REFI-QDA carries besides the records."""

    project_description: str = ""
    source_details: dict[str, dict[str, str]] = field(default_factory=dict)
    """Source GUID -> {description, creatingUser, creatingUserName, creationDateTime, ...}."""
    memo_parts: dict[str, list[str]] = field(default_factory=dict)
    """Memo GUID -> the GUIDs of the notes joined into it, in order."""


def source_details(element: Any, users: dict[str, InCoder]) -> dict[str, str]:
    """Return a TextSource's description, users (GUID and name) and dates, as written."""
    details: dict[str, str] = {}
    description = text_of(child(element, "Description"))
    if description:
        details["description"] = description
    for attr in USER_ATTRIBUTES:
        guid = clean_guid(element.get(attr))
        if guid is not None:
            details[attr] = guid
            user = users.get(fold(guid))
            if user is not None:
                details[f"{attr}Name"] = user.name
    for attr in DATE_ATTRIBUTES:
        value = (element.get(attr) or "").strip()
        if DATETIME.match(value):
            details[attr] = value
    return details


def note_refi_details(store: ProjectStore, snap: Snapshot) -> None:
    """List, before the import, what of a ``.qdpx``'s details the project will not take."""
    if not isinstance(snap, RefiSnapshot):
        return
    ours = project_description(store)
    if snap.project_description and ours and ours != snap.project_description:
        snap.skipped.append("the file's project description: the project has its own, "
                            "which was kept")


def keep_refi_details(store: ProjectStore, snap: Snapshot, report: MergeReport) -> None:
    """Keep what a ``.qdpx`` carried besides its records (inside the import's transaction)."""
    if not isinstance(snap, RefiSnapshot) or report.dry_run:
        return
    keep_project_description(store, snap.project_description)
    keep_details(store, snap.source_details, snap.memo_parts)
