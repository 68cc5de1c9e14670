"""Units with their texts, as the suggester trains and predicts on them and discovery groups them.

A unit's text is cut from its source's text by SQLite (``substr``), so only the units asked
for are read, never whole sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.model import Layer, UnitKind
from qualcode.storage.queue import LIVE, OVERLAP
from qualcode.storage.rows import NO_LIMIT
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

UNIT_TEXT = 'substr(s.text, u.start + 1, u."end" - u.start)'


def _done_clause(layer: Layer, coder_id: int | None) -> tuple[str, list[object]]:
    # The consensus layer is one layer whoever adjudicated, so any adjudicator's mark counts.
    if Layer(layer) is Layer.CONSENSUS or coder_id is None:
        return "r.layer = ?", [Layer(layer).value]
    return "r.layer = ? AND r.coder_id = ?", [Layer(layer).value, coder_id]


def done_unit_texts(store: ProjectStore, *, layer: Layer, coder_id: int | None, kind: UnitKind
                    ) -> tuple[list[tuple[int, str]], dict[int, set[int]]]:
    """Return (unit id, text) of a layer's done units by id, and the codes present in each.

    ``coder_id`` None takes every coder's done marks; the consensus layer always does.
    """
    done, params = _done_clause(layer, coder_id)
    rows = store_db(store).execute(
        f"SELECT DISTINCT u.id, {UNIT_TEXT} FROM reviews r JOIN units u ON u.id = r.unit_id "
        f"JOIN sources s ON s.id = u.source_id WHERE {done} AND u.kind = ? ORDER BY u.id",
        [*params, UnitKind(kind).value]).fetchall()
    coded = (done.replace("r.", "c.") if Layer(layer) is Layer.CODER and coder_id is not None
             else "c.layer = ?")
    present: dict[int, set[int]] = {}
    for unit_id, code_id in store_db(store).execute(
            f"SELECT DISTINCT u.id, c.code_id FROM reviews r JOIN units u ON u.id = r.unit_id "
            f"JOIN codings c ON c.source_id = u.source_id WHERE {done} AND u.kind = ? "
            f"AND {coded} AND {LIVE} AND {OVERLAP}",
            [*params, UnitKind(kind).value, *params]):
        present.setdefault(unit_id, set()).add(code_id)
    return rows, present


def pending_unit_texts(store: ProjectStore, coder_id: int, *, kind: UnitKind, limit: int | None
                       ) -> list[tuple[int, str, str]]:
    """Return (unit id, source external id, text) of the units a coder has not marked done."""
    return store_db(store).execute(
        f"SELECT u.id, s.external_id, {UNIT_TEXT} FROM units u JOIN sources s "
        "ON s.id = u.source_id WHERE u.kind = ? AND NOT EXISTS (SELECT 1 FROM reviews r "
        "WHERE r.unit_id = u.id AND r.coder_id = ? AND r.layer = 'coder') "
        "ORDER BY u.source_id, u.start LIMIT ?",
        [UnitKind(kind).value, coder_id, NO_LIMIT if limit is None else limit]).fetchall()


def uncoded_unit_texts(store: ProjectStore, *, kind: UnitKind) -> list[tuple[int, str, str | None]]:
    """Return (unit id, source external id, text) of the units no live coding touches."""
    return store_db(store).execute(
        f"SELECT u.id, s.external_id, {UNIT_TEXT} FROM units u JOIN sources s "
        "ON s.id = u.source_id WHERE u.kind = ? AND NOT EXISTS (SELECT 1 FROM codings c "
        f"WHERE c.source_id = u.source_id AND {LIVE} AND {OVERLAP}) "
        "ORDER BY u.source_id, u.start", [UnitKind(kind).value]).fetchall()
