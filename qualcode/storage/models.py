"""Fitted suggester models kept in the project file (table ``suggester_models``).

A model is derived data, like a cache: it is stored with the fingerprint of the training
data it was fitted on, so reopening a project reuses it until the codings change. Writing
one is not a user action, so it is not logged as an event and is not undoable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.model import Layer, UnitKind
from qualcode.storage.connection import utc_now, write_transaction

if TYPE_CHECKING:
    from qualcode.storage.store import Store


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A fitted model as stored: what it learnt from, and its bytes."""

    layer: Layer
    coder_id: int | None
    unit_kind: UnitKind
    pipeline: str
    fingerprint: str
    units: int
    model: bytes
    created_at: str


def _key(layer: Layer, coder_id: int | None) -> list[object]:
    # The consensus layer is shared by every adjudicator, so it is keyed without a coder.
    return [Layer(layer).value, 0 if Layer(layer) is Layer.CONSENSUS or coder_id is None
            else coder_id]


def stored_model(store: Store, *, layer: Layer, coder_id: int | None,
                 unit_kind: UnitKind = UnitKind.SOURCE, pipeline: str) -> StoredModel | None:
    """Return the model stored for this layer/coder/unit kind/pipeline, if any."""
    row = store.db.execute(
        "SELECT layer, coder_id, unit_kind, pipeline, fingerprint, units, model, created_at "
        "FROM suggester_models WHERE layer = ? AND coalesce(coder_id, 0) = ? "
        "AND unit_kind = ? AND pipeline = ?",
        [*_key(layer, coder_id), UnitKind(unit_kind).value, pipeline]).fetchone()
    if row is None:
        return None
    return StoredModel(Layer(row[0]), row[1], UnitKind(row[2]), row[3], row[4], int(row[5]),
                       bytes(row[6]), row[7])


def save_model(store: Store, *, layer: Layer, coder_id: int | None, pipeline: str,
               fingerprint: str, units: int, model: bytes,
               unit_kind: UnitKind = UnitKind.SOURCE) -> None:
    """Store (or replace) the model for this layer/coder/unit kind/pipeline."""
    layer_value, coder_key = _key(layer, coder_id)
    with write_transaction(store.db):
        store.db.execute(
            "DELETE FROM suggester_models WHERE layer = ? AND coalesce(coder_id, 0) = ? "
            "AND unit_kind = ? AND pipeline = ?",
            [layer_value, coder_key, UnitKind(unit_kind).value, pipeline])
        store.db.execute(
            "INSERT INTO suggester_models(layer, coder_id, unit_kind, pipeline, fingerprint, "
            "units, model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [layer_value, coder_key or None, UnitKind(unit_kind).value, pipeline, fingerprint,
             units, model, utc_now()])


def delete_models(store: Store) -> int:
    """Remove every stored model (they are refitted on demand); return how many."""
    with write_transaction(store.db):
        return int(store.db.execute("DELETE FROM suggester_models").rowcount)
