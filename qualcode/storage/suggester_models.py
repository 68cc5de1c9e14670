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
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

MAX_MODEL_BYTES = 256 * 1024 * 1024
"""Largest stored model read from a project (as :mod:`qualcode.nlp.model_file` accepts):
a bigger blob, which only a tampered project holds, is never loaded into memory."""


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
    """The model's bytes; empty when it is over :data:`MAX_MODEL_BYTES` (left unread)."""
    created_at: str
    size: int = 0
    """The stored blob's size in bytes (read without reading the blob)."""

    @property
    def oversize(self) -> bool:
        """True when the blob is too large to be read (it is then refitted)."""
        return self.size > MAX_MODEL_BYTES


def _key(layer: Layer, coder_id: int | None) -> list[object]:
    # The consensus layer is shared by every adjudicator, so it is keyed without a coder.
    return [Layer(layer).value, 0 if Layer(layer) is Layer.CONSENSUS or coder_id is None
            else coder_id]


def stored_model(store: ProjectStore, *, layer: Layer, coder_id: int | None,
                 unit_kind: UnitKind = UnitKind.SOURCE, pipeline: str) -> StoredModel | None:
    """Return the model stored for this layer/coder/unit kind/pipeline, if any."""
    # The blob is read only when its size is within bounds: a table edited by hand can
    # hold gigabytes (or text, or a number) where a model should be.
    db = store_db(store)
    # A PostgreSQL bytea column holds nothing but bytes; SQLite's column holds any type.
    blob = "typeof(model) = 'blob'" if db.engine == "sqlite" else "TRUE"
    row = db.execute(
        "SELECT layer, coder_id, unit_kind, pipeline, fingerprint, units, "
        f"CASE WHEN {blob} AND length(model) <= ? THEN model END, "
        f"created_at, CASE WHEN {blob} THEN length(model) ELSE -1 END "
        "FROM suggester_models WHERE layer = ? AND coalesce(coder_id, 0) = ? "
        "AND unit_kind = ? AND pipeline = ?",
        [MAX_MODEL_BYTES, *_key(layer, coder_id), UnitKind(unit_kind).value,
         pipeline]).fetchone()
    if row is None:
        return None
    units = row[5] if isinstance(row[5], int) else 0
    return StoredModel(Layer(row[0]), row[1], UnitKind(row[2]), str(row[3]), str(row[4]),
                       units, row[6] if row[6] is not None else b"", str(row[7]), int(row[8]))


def save_model(store: ProjectStore, *, layer: Layer, coder_id: int | None, pipeline: str,
               fingerprint: str, units: int, model: bytes,
               unit_kind: UnitKind = UnitKind.SOURCE) -> None:
    """Store (or replace) the model for this layer/coder/unit kind/pipeline."""
    layer_value, coder_key = _key(layer, coder_id)
    with write_transaction(store_db(store)):
        store_db(store).execute(
            "DELETE FROM suggester_models WHERE layer = ? AND coalesce(coder_id, 0) = ? "
            "AND unit_kind = ? AND pipeline = ?",
            [layer_value, coder_key, UnitKind(unit_kind).value, pipeline])
        store_db(store).execute(
            "INSERT INTO suggester_models(layer, coder_id, unit_kind, pipeline, fingerprint, "
            "units, model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [layer_value, coder_key or None, UnitKind(unit_kind).value, pipeline, fingerprint,
             units, model, utc_now()])
