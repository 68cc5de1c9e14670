"""The codebook half of a merge: codes matched by GUID, merged field by field, three ways.

A field that differs is taken from the side that changed it since the common state
(:mod:`qualcode.storage.merge_base`); only a field changed on both sides, or any
difference when no common state is known, is a conflict. Used by
:class:`qualcode.storage.merge_apply._Merger`, which holds the state these methods use (``db``,
``store``, ``snap``, ``codes``, ``report``, the lists of changes) and decides conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from qualcode.errors import CodebookError, StoreError
from qualcode.model import clean_guid
from qualcode.model import fold_guid as fold
from qualcode.storage.codebook import _check_fields, code_fields
from qualcode.storage.merge_base import State, code_key, code_values, value_hash
from qualcode.storage.rows import CODE_COLUMNS, to_code
from qualcode.storage.snapshot import InCode

if TYPE_CHECKING:
    from qualcode.storage.merge_apply import MergeReport
    from qualcode.storage.snapshot import Snapshot
    from qualcode.storage.store import Store

Choice = Literal["ours", "theirs"]


def spelt(guid: str) -> str:
    """Return a checked GUID as it is stored: as the file spells it, without braces."""
    return clean_guid(guid) or guid


@dataclass(frozen=True, slots=True)
class Conflict:
    """One disagreement that needs a choice: ``guid`` is their GUID, to name it by."""

    kind: str
    guid: str
    label: str
    ours: str
    theirs: str
    # (field, hash of our value, hash of theirs) for each field in dispute: how a choice
    # is remembered; empty: the whole conflict is one field named after its kind.
    fields: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)

    def choice_keys(self) -> tuple[tuple[str, str, str], ...]:
        """Return the (field, our hash, their hash) a choice for this conflict is kept by."""
        return self.fields or ((self.kind, value_hash(self.ours), value_hash(self.theirs)),)

    def line(self) -> str:
        """Return the conflict as one line for the terminal."""
        return f"{self.kind} {self.label!r} [{self.guid}]: ours {self.ours}; theirs {self.theirs}"


class CodebookMerge:
    """Mixin: bring a snapshot's codes into the project."""

    store: Store
    db: Any
    snap: Snapshot
    report: MergeReport
    codes: dict[str, int]
    now: str
    code_added: list[int]
    code_updated: list[dict[str, Any]]
    code_deleted: list[int]
    code_restored: list[int]
    base: State | None

    def one(self, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
        """Return the first row of a query, or None."""
        return self.db.execute(sql, params).fetchone()

    def row(self, sql: str, params: list[Any]) -> tuple[Any, ...]:
        """Return the first row of a query that must find one (a row this merge wrote or read)."""
        found = self.one(sql, params)
        if found is None:
            raise StoreError("a row the merge relies on vanished while merging; nothing was "
                             "changed; run qualcode check on the project")
        return found

    def decide(self, conflict: Conflict) -> Choice | None:  # pragma: no cover - overridden
        """Return the choice for a conflict (None when undecided)."""
        raise NotImplementedError

    # -- codebook ------------------------------------------------------------------------
    def code_paths(self) -> dict[str, str]:
        by_guid = {fold(c.guid): c for c in self.snap.codes}
        paths: dict[str, str] = {}
        for code in self.snap.codes:
            names, node, seen = [code.name], code, {fold(code.guid)}
            while node.parent_guid and fold(node.parent_guid) in by_guid \
                    and fold(node.parent_guid) not in seen:
                node = by_guid[fold(node.parent_guid)]
                seen.add(fold(node.guid))
                names.append(node.name)
            paths[fold(code.guid)] = "/".join(reversed(names))
        return paths

    def code(self, code: InCode, path: str) -> None:
        parent_id = self.codes.get(fold(code.parent_guid)) if code.parent_guid else None
        if code.parent_guid and parent_id is None and not code.deleted:
            self.report.notes.append(f"code {path!r}: its parent is not in the file; "
                                     "placed at the top level")
        row = self.one(f"SELECT {CODE_COLUMNS}, deleted_at FROM codes WHERE lower(guid) = ?",
                       [fold(code.guid)])
        if row is not None:
            self.codes[fold(code.guid)] = row[0]
            self.same_code(code, path, row, parent_id)
            return
        if code.deleted:
            self.report.unchanged["deleted codes left out"] += 1
            return
        clash = self.one("SELECT id, guid FROM codes WHERE parent_id IS ? AND name = ? "
                         "COLLATE NOCASE AND deleted_at IS NULL", [parent_id, code.name])
        if clash is not None:
            choice = self.decide(Conflict("code name", code.guid, path, f"GUID {clash[1]}",
                                          f"GUID {code.guid} (a choice makes them one code)"))
            self.codes[fold(code.guid)] = clash[0]
            if choice == "theirs":
                self.update_code(clash[0], code.fields(), path, parent_id)
            return
        fields = self.checked(code.fields(), path)
        code_id = self.store._insert_code(fields, parent_id=parent_id, kind=code.kind,
                                          codable=code.codable,
                                          guid=clean_guid(code.guid) or code.guid)
        self.codes[fold(code.guid)] = code_id
        self.code_added.append(code_id)
        self.report.added["codes"] += 1

    def checked(self, fields: dict[str, Any], path: str,
                own_id: int | None = None) -> dict[str, Any]:
        fields = dict(fields)
        try:
            _check_fields(fields)
        except CodebookError as error:
            raise CodebookError(f"code {path!r}: {error.message}", path=self.snap.label) from None
        if fields["shortcut"]:
            holder = self.one("SELECT id FROM codes WHERE shortcut = ? AND deleted_at IS NULL "
                              "AND id IS NOT ?", [fields["shortcut"], own_id])
            if holder is not None:
                self.report.notes.append(f"code {path!r}: shortcut {fields['shortcut']!r} is "
                                         "taken here by another code; left off")
                fields["shortcut"] = None
        return fields

    def three_way(self, kind: str, key: str, guid: str, label: str, mine: dict[str, Any],
                  theirs: dict[str, Any], show: Any = None) -> set[str] | None:
        """Return the fields to take from theirs; None while a conflict is undecided.

        A field is theirs when only they changed it since the base, ours when only we
        did; a field both changed (or any difference without a base) is a conflict, and
        so is a deletion on one side of what the other side edited.
        """
        base = (self.base or {}).get(key, {})
        take: set[str] = set()
        kept: set[str] = set()
        both: list[str] = []
        for name in (k for k in mine if mine[k] != theirs[k]):
            was = base.get(name)
            if was is not None and was == value_hash(theirs[name]):
                kept.add(name)  # changed here only
            elif was is not None and was == value_hash(mine[name]):
                take.add(name)  # changed there only
            else:
                both.append(name)
        for deleted, edited in ((take, kept), (kept, take)):
            if "deleted" in deleted and edited - {"deleted"}:
                deleted.discard("deleted")
                both.append("deleted")
        if not both:
            return take
        show = show or (lambda values: "; ".join(f"{k}={values[k]!r}" for k in both))
        conflict = Conflict(kind, guid, label, show(mine), show(theirs), tuple(
            (k, value_hash(mine[k]), value_hash(theirs[k])) for k in both))
        choice = self.decide(conflict)
        if choice is None:
            return None
        return take | set(both) if choice == "theirs" else take

    def parent_guid(self, code_id: int | None) -> str | None:
        """Return the GUID of one of our codes (None for the top level)."""
        row = None if code_id is None else self.one("SELECT guid FROM codes WHERE id = ?",
                                                    [code_id])
        return row[0] if row else None

    def same_code(self, code: InCode, path: str, row: tuple[Any, ...],
                  parent_id: int | None) -> None:
        ours = to_code(row[:-1])
        deleted_here = row[-1] is not None
        mine = code_values(code_fields(ours), self.parent_guid(ours.parent_id), deleted_here)
        theirs = code_values(code.fields(), code.parent_guid, code.deleted)
        if ours.parent_id == parent_id or (parent_id is None and code.parent_guid):
            # The same parent here (whatever GUID it has there), or theirs not in the file.
            theirs["parent"] = mine["parent"]
        if mine == theirs:
            self.report.unchanged["codes"] += 1
            return
        take = self.three_way("code", code_key(code.guid), code.guid, path, mine, theirs)
        if not take:
            self.report.unchanged["codes (ours kept)" if take is not None else "codes"] += 1
            return
        merged = {k: theirs[k] if k in take else mine[k] for k in mine}
        if merged["deleted"] and not deleted_here:
            self.store.set_deleted("codes", [ours.id], self.now)
            self.code_deleted.append(ours.id)
            self.report.removed["codes"] += 1
            return
        if deleted_here and not merged["deleted"]:
            self.store.set_deleted("codes", [ours.id], None)
            self.code_restored.append(ours.id)
        fields = {k: merged[k] for k in code_fields(ours)}
        self.update_code(ours.id, fields, path, parent_id if "parent" in take else ours.parent_id)

    def update_code(self, code_id: int, fields: dict[str, Any], path: str,
                    parent_id: int | None) -> None:
        ours = self.store.code(code_id)
        fields = self.checked(fields, path, own_id=code_id)
        before = code_fields(ours)
        if before != fields:
            self.store._write_fields(code_id, fields)
        if ours.parent_id != parent_id:
            self.store._place(code_id, {"parent_id": parent_id, "position": ours.position},
                              name=fields["name"])
        self.code_updated.append({"code_id": code_id, "before": before, "after": fields,
                                  "parent_before": ours.parent_id, "parent_after": parent_id})
        self.report.updated["codes"] += 1
