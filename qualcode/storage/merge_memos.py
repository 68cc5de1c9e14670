"""The memo half of a merge: memos matched by GUID, or by what they are about and whose.

Used by :class:`qualcode.storage.merge_apply._Merger`, which holds the GUID maps these methods
use and decides conflicts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.model import fold_guid as fold
from qualcode.storage.merge_codebook import Choice, Conflict, spelt

if TYPE_CHECKING:
    from qualcode.storage.merge_apply import MergeReport
    from qualcode.storage.snapshot import InMemo
    from qualcode.storage.store import Store


class MemoMerge:
    """Mixin: bring a snapshot's memos into the project (a later edit of one memo stands)."""

    store: Store
    db: Any
    report: MergeReport
    now: str
    coders: dict[str, int]
    codes: dict[str, int]
    sources: dict[str, int]
    units: dict[str, int]
    memo_events: list[tuple[int, str | None, str, int | None]]

    def one(self, sql: str, params: list[Any]) -> tuple[Any, ...] | None:  # pragma: no cover
        """Return the first row of a query, or None (the merger's)."""
        raise NotImplementedError

    def row(self, sql: str, params: list[Any]) -> tuple[Any, ...]:  # pragma: no cover
        """Return the first row of a query that must find one (the merger's)."""
        raise NotImplementedError

    def decide(self, conflict: Conflict) -> Choice | None:  # pragma: no cover - overridden
        """Return the choice for a conflict (None when undecided)."""
        raise NotImplementedError

    def memo_target(self, memo: InMemo) -> str | None:
        """Return our GUID of what a memo is about, or None when it is not here."""
        if memo.target_kind == "project":
            return self.store.project_info().get("guid")
        table, mapping = {
            "code": ("codes", self.codes),
            "source": ("sources", self.sources),
            "unit": ("units", self.units),
            "coding": ("codings", None),
        }[memo.target_kind]
        if mapping is None:
            row = self.one(
                "SELECT guid FROM codings WHERE lower(guid) = ?", [fold(memo.target_guid)]
            )
            return row[0] if row else None
        target_id = mapping.get(fold(memo.target_guid))
        if target_id is None:
            return None
        return self.row(f"SELECT guid FROM {table} WHERE id = ?", [target_id])[0]

    def memo(self, memo: InMemo) -> None:
        """Add, update or (deleted there) delete one memo."""
        target = self.memo_target(memo)
        coder_id = self.coders.get(fold(memo.coder_guid)) if memo.coder_guid else None
        if target is None:
            if not memo.deleted:
                self.report.skipped.append(f"memo {memo.guid}: what it is about "
                                           f"({memo.target_kind} {memo.target_guid}) is not here")
            return
        row = self.one("SELECT id, text, updated_at, deleted_at FROM memos WHERE lower(guid) = ?",
                       [fold(memo.guid)])
        if row is None:
            if memo.deleted:
                return
            same = self.one("SELECT id, text, updated_at, deleted_at FROM memos WHERE "
                            "target_kind = ? AND target_guid = ? AND coder_id IS ? AND "
                            "deleted_at IS NULL", [memo.target_kind, target, coder_id])
            if same is None:
                new_id = self.db.insert_id(
                    "INSERT INTO memos(guid, target_kind, target_guid, coder_id, text, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [spelt(memo.guid), memo.target_kind, target, coder_id, memo.text,
                     memo.updated_at or self.now, memo.updated_at or self.now])
                self.memo_events.append((new_id, None, memo.text, coder_id))
                self.report.added["memos"] += 1
                return
            if same[1] == memo.text:
                self.report.unchanged["memos"] += 1
                return
            if self.decide(Conflict("memo", memo.guid, f"{memo.target_kind} memo",
                                    f"{same[1][:40]!r}", f"{memo.text[:40]!r}")) != "theirs":
                return
            row = same
        elif row[1] == memo.text and (row[3] is not None) == memo.deleted:
            self.report.unchanged["memos"] += 1
            return
        elif (memo.updated_at or "") < (row[2] or ""):
            # The same memo edited on both sides: the later edit stands.
            self.report.unchanged["memos (ours newer)"] += 1
            return
        theirs_deleted = memo.deleted
        self.db.execute("UPDATE memos SET text = ?, updated_at = ?, deleted_at = ? WHERE id = ?",
                        [memo.text, memo.updated_at or self.now,
                         self.now if theirs_deleted else None, row[0]])
        self.memo_events.append((row[0], row[1], "" if theirs_deleted else memo.text, coder_id))
        self.report.updated["memos"] += 1
