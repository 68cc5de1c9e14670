"""What a REFI-QDA export (``project.qde``) reads of a project and no other part needs.

Units are written by GUID (memos on them say where they lie) and done marks as sets of
source GUIDs, since REFI-QDA has no units of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore


def unit_places(store: ProjectStore) -> list[tuple[str, str, str, int, int]]:
    """Return (unit GUID, source GUID, kind, start, end) of every unit."""
    return store_db(store).execute(
        'SELECT u.guid, s.guid, u.kind, u.start, u."end" FROM units u '
        "JOIN sources s ON s.id = u.source_id").fetchall()


def whole_source_done_marks(store: ProjectStore) -> list[tuple[int, str, str]]:
    """Return (coder id, layer, source GUID) per done mark on a whole source, by coder."""
    return store_db(store).execute(
        "SELECT r.coder_id, r.layer, s.guid FROM reviews r JOIN units u ON u.id = r.unit_id "
        "JOIN sources s ON s.id = u.source_id WHERE u.kind = 'source' "
        "ORDER BY r.coder_id, r.layer, s.id").fetchall()


def part_done_mark_count(store: ProjectStore) -> int:
    """Return how many done marks are on sentence or paragraph units (not whole sources)."""
    return int(store_db(store).execute(
        "SELECT count(*) FROM reviews r JOIN units u ON u.id = r.unit_id "
        "WHERE u.kind != 'source'").fetchone()[0])
