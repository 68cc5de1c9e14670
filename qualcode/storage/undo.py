"""Undo and redo, computed from the append-only event log.

Every undoable action stores enough in its event payload to be reverted and applied
again. Undo and redo are events themselves (``undoes`` points at the event they act on),
so the log is the whole history and each coder's stack can be rebuilt from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qualcode.errors import StoreError
from qualcode.model import Event
from qualcode.storage.connection import utc_now
from qualcode.storage.pins import set_pins_deleted
from qualcode.storage.rows import EVENT_COLUMNS, to_event
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore
    from qualcode.storage.store import Store

Handler = Callable[["Store", dict[str, Any]], None]


def _soft(table: str, key: str, *, deleted: bool) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        ids = payload[key] if isinstance(payload[key], list) else [payload[key]]
        store.set_deleted(table, ids, utc_now() if deleted else None)
    return handler


def _reviews(*, present: bool, key: str = "unit_id") -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        ids = payload[key] if isinstance(payload[key], list) else [payload[key]]
        coder_id = payload["_coder_id"]
        layer = payload.get("layer", "coder")
        for unit_id in ids:
            if present:
                store.db.execute("INSERT INTO reviews(unit_id, coder_id, layer, done_at)"
                                 " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                 [unit_id, coder_id, layer, payload.get("done_at") or utc_now()])
            else:
                store.db.execute("DELETE FROM reviews WHERE unit_id = ? AND coder_id = ? AND "
                                 "layer = ?", [unit_id, coder_id, layer])
    return handler


def _both(*handlers: Handler) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        for each in handlers:
            each(store, payload)
    return handler


def _memo(side: str) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        text = payload[side]
        deleted = None if text and text.strip() else utc_now()
        store.db.execute("UPDATE memos SET text = ?, updated_at = ?, deleted_at = ? WHERE id = ?",
                         [text or "", utc_now(), deleted, payload["memo_id"]])
    return handler


def _code_fields(side: str) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        store._write_fields(payload["code_id"], payload[side])
    return handler


def _code_place(side: str) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        name = store.db.execute("SELECT name FROM codes WHERE id = ?",
                                [payload["code_id"]]).fetchone()[0]
        store._place(payload["code_id"], payload[side], name=name)
    return handler


def _code_add(*, undo: bool) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        code_id = payload["code_id"]
        if undo:
            used = store.db.execute("SELECT count(*) FROM codings WHERE code_id = ? AND "
                                    "deleted_at IS NULL", [code_id]).fetchone()[0]
            if used:
                raise StoreError(f"cannot undo adding this code: it now has {used} codings; "
                                 "delete it explicitly if that is what you want")
        store.set_deleted("codes", [code_id], utc_now() if undo else None)
    return handler


def _code_delete(*, undo: bool) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        when = None if undo else utc_now()
        store.set_deleted("codes", payload["code_ids"], when)
        store.set_deleted("codings", payload["coding_ids"], when)
    return handler


def _code_merge(*, undo: bool) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        from_id, into_id = payload["from_id"], payload["into_id"]
        target = from_id if undo else into_id
        store.set_code("codings", payload["coding_ids"], target)
        store.set_deleted("codes", [from_id], None if undo else utc_now())
        for child_id in payload["child_ids"]:
            store.db.execute("UPDATE codes SET parent_id = ? WHERE id = ?", [target, child_id])
        store.set_deleted("codings", payload["duplicate_coding_ids"], None if undo else utc_now())
    return handler


def _codebook_import(*, undo: bool) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        if undo:
            for code_id in payload["added"]:
                _code_add(undo=True)(store, {"code_id": code_id})
        else:
            store.set_deleted("codes", payload["added"], None)
        side, parent = ("before", "parent_before") if undo else ("after", "parent_after")
        for change in payload["updated"]:
            store._write_fields(change["code_id"], change[side])
            store.db.execute("UPDATE codes SET parent_id = ? WHERE id = ?",
                             [change[parent], change["code_id"]])
    return handler


def _pins(key: str, *, deleted: bool) -> Handler:
    def handler(store: Store, payload: dict[str, Any]) -> None:
        ids = payload[key] if isinstance(payload[key], list) else [payload[key]]
        set_pins_deleted(store, ids, utc_now() if deleted else None)
    return handler


# action -> (revert, reapply)
HANDLERS: dict[str, tuple[Handler, Handler]] = {
    "coding.add": (_soft("codings", "coding_id", deleted=True),
                   _soft("codings", "coding_id", deleted=False)),
    "coding.remove": (_soft("codings", "coding_id", deleted=False),
                      _soft("codings", "coding_id", deleted=True)),
    "codings.import": (_both(_soft("codings", "coding_ids", deleted=True),
                             _reviews(present=False, key="review_unit_ids")),
                       _both(_soft("codings", "coding_ids", deleted=False),
                             _reviews(present=True, key="review_unit_ids"))),
    "review.done": (_reviews(present=False), _reviews(present=True)),
    "review.undone": (_reviews(present=True), _reviews(present=False)),
    "memo.set": (_memo("before"), _memo("after")),
    "code.add": (_code_add(undo=True), _code_add(undo=False)),
    "code.update": (_code_fields("before"), _code_fields("after")),
    "code.move": (_code_place("before"), _code_place("after")),
    "code.delete": (_code_delete(undo=True), _code_delete(undo=False)),
    "code.merge": (_code_merge(undo=True), _code_merge(undo=False)),
    "codebook.import": (_codebook_import(undo=True), _codebook_import(undo=False)),
    # storage/consensus.py: an adjudication decision replaces a unit's consensus codings.
    "consensus.settle": (_both(_soft("codings", "added", deleted=True),
                               _soft("codings", "removed", deleted=False),
                               _reviews(present=False, key="review_unit_ids")),
                         _both(_soft("codings", "removed", deleted=True),
                               _soft("codings", "added", deleted=False),
                               _reviews(present=True, key="review_unit_ids"))),
    # storage/pins.py: a quote pinned as a code's exemplar, or unpinned.
    "quote.pin": (_pins("pin_id", deleted=True), _pins("pin_id", deleted=False)),
    "quote.unpin": (_pins("pin_ids", deleted=False), _pins("pin_ids", deleted=True)),
}
UNDOABLE = frozenset(HANDLERS)


def undo_stacks(rows: list[tuple[int, str, int | None]]) -> tuple[list[int], list[int]]:
    """Replay one coder's ``(id, action, undoes)`` rows into (done, redoable) stacks.

    >>> undo_stacks([(1, "coding.add", None), (2, "coding.add", None), (3, "undo", 2)])
    ([1], [2])
    >>> undo_stacks([(1, "coding.add", None), (2, "undo", 1), (3, "redo", 1)])
    ([1], [])
    """
    done: list[int] = []
    redoable: list[int] = []
    for event_id, action, target in rows:
        if action == "undo" and done and done[-1] == target:
            redoable.append(done.pop())
        elif action == "redo" and redoable and redoable[-1] == target:
            done.append(redoable.pop())
        elif action in UNDOABLE:
            done.append(event_id)
            redoable.clear()
    return done, redoable


MERGE_ACTIONS = ("merge", "refi.import")
"""Summary events of a merge or .qdpx import: a merge is not one undoable step (it can add
sources and coders, take their text, edits and deletions); restoring the automatic backup
named in its payload undoes it whole."""


def merge_after(store: ProjectStore, event_id: int | None) -> Event | None:
    """Return the newest merge logged after event ``event_id`` (after anything, if None)."""
    marks = ", ".join("?" * len(MERGE_ACTIONS))
    row = store_db(store).execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE action IN ({marks}) AND id > ? "
        "ORDER BY id DESC LIMIT 1", [*MERGE_ACTIONS, event_id or 0]).fetchone()
    return to_event(row) if row else None
