"""REFI-QDA details with no column of their own, kept in the project's key/value table.

Keys (values are JSON text):

* ``description``: the project's description (a ``.qdpx``'s ``Project/Description``);
* ``refi.source.<guid>``: a source's description, creating and modifying users and
  dates as the exporting tool wrote them (``{"description": ..., "creatingUser": ...,
  "creatingUserName": ..., "creationDateTime": ...}``);
* ``refi.memo.<guid>``: the GUIDs of the notes joined into that memo, in order.

GUIDs in keys are folded (:func:`qualcode.model.fold_guid`). A key whose source or memo
is gone is never read (lookups go from what the project holds).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qualcode.model import fold_guid
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

DESCRIPTION_KEY = "description"
SOURCE_PREFIX = "refi.source."
MEMO_PREFIX = "refi.memo."


def project_description(store: ProjectStore) -> str:
    """Return the project's description ("" when it has none)."""
    row = store_db(store).execute("SELECT value FROM project WHERE key = ?",
                                   [DESCRIPTION_KEY]).fetchone()
    return row[0] if row else ""


def keep_project_description(store: ProjectStore, text: str) -> bool:
    """Give the project this description when it has none; return True when it was set."""
    if not text or project_description(store):
        return False
    store_db(store).execute("INSERT INTO project(key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             [DESCRIPTION_KEY, text])
    return True


def _read(store: ProjectStore, prefix: str) -> dict[str, Any]:
    rows = store_db(store).execute(
        "SELECT key, value FROM project WHERE key >= ? AND key < ?",
        [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)])
    found: dict[str, Any] = {}
    for key, value in rows:
        try:
            found[key[len(prefix):]] = json.loads(value)
        except ValueError:
            continue  # written by hand and broken: as if absent
    return found


def source_details(store: ProjectStore) -> dict[str, dict[str, str]]:
    """Return every source's kept details, keyed by folded source GUID."""
    return {guid: value for guid, value in _read(store, SOURCE_PREFIX).items()
            if isinstance(value, dict)}


def memo_parts(store: ProjectStore) -> dict[str, list[str]]:
    """Return the note GUIDs kept for each joined memo, keyed by folded memo GUID."""
    return {guid: [str(g) for g in value] for guid, value in _read(store, MEMO_PREFIX).items()
            if isinstance(value, list)}


def keep_details(store: ProjectStore, sources: Mapping[str, Mapping[str, str]],
                 memos: Mapping[str, list[str]]) -> None:
    """Keep sources' details and joined memos' note GUIDs (the caller's transaction)."""
    db = store_db(store)
    present_sources = {fold_guid(row[0]) for row in db.execute("SELECT guid FROM sources")}
    present_memos = {fold_guid(row[0]) for row in db.execute(
        "SELECT guid FROM memos WHERE deleted_at IS NULL")}
    rows = [(SOURCE_PREFIX + fold_guid(guid), json.dumps(dict(value), ensure_ascii=False,
                                                         sort_keys=True))
            for guid, value in sources.items() if fold_guid(guid) in present_sources]
    rows += [(MEMO_PREFIX + fold_guid(guid), json.dumps(list(parts)))
             for guid, parts in memos.items() if fold_guid(guid) in present_memos]
    for row in rows:
        db.execute("INSERT INTO project(key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", list(row))


def metadata_values(store: ProjectStore) -> dict[str, list[Any]]:
    """Return every value each metadata field holds across the sources (to type it)."""
    from qualcode.storage.metadata import decode_metadata

    values: dict[str, list[Any]] = {}
    for (text,) in store_db(store).execute("SELECT metadata FROM sources ORDER BY id"):
        for key, value in decode_metadata(text).items():
            values.setdefault(key, []).append(value)
    return values
