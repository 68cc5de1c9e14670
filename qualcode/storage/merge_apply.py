"""Bring a :class:`~qualcode.storage.snapshot.Snapshot` into a project: by GUID, atomically.

Every entity is matched by GUID (compared case-insensitively), never by name. Codes and
sources merge three ways against the state the two copies last shared
(:mod:`qualcode.storage.merge_base`): a field changed on one side only is taken from that
side. What is left (a field changed on both sides, any difference when no common state
is known, a name already taken by another GUID, a coding or memo edited on both sides)
is a :class:`Conflict`; each needs a choice, ``ours`` or ``theirs`` (or one made before
for the same values, kept in the project), or the whole merge is refused with the list
and nothing is changed. Everything happens in one
transaction; applying the same snapshot twice changes nothing the second time.

The changes are logged as the events the rest of qualcode already knows, so they show
in ``qualcode log`` and most can be undone: ``codebook.import`` (codes added and
changed), ``codings.import`` per coder and layer (codings and done marks),
``memo.set``, ``coding.remove``, ``code.delete``, ``sources.import``; and one summary
event (``merge`` or ``refi.import``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodebookError, StoreError
from qualcode.model import (
    UnitKind,
    is_reserved_name,
    new_guid,
    unreserved_name,
)
from qualcode.model import fold_guid as fold
from qualcode.storage.connection import log_event, utc_now, write_transaction
from qualcode.storage.merge_base import (
    DecisionKey,
    choose_base,
    read_bases,
    read_decisions,
    remember_merge,
    replica_of,
    source_key,
    store_decision,
)
from qualcode.storage.merge_codebook import Choice, CodebookMerge, Conflict, spelt
from qualcode.storage.merge_memos import MemoMerge
from qualcode.storage.metadata import encode_metadata
from qualcode.storage.rows import source_length
from qualcode.storage.snapshot import InCoder, InCoding, InSource, Snapshot
from qualcode.storage.snapshot_check import check_snapshot

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore
    from qualcode.storage.store import Store

__all__ = ["Choice", "Conflict", "MergeConflicts", "MergeReport", "apply_snapshot", "fold"]


class MergeConflicts(StoreError):
    """The snapshot disagrees with the project and no choice was given: nothing changed."""

    def __init__(self, conflicts: list[Conflict], label: str) -> None:
        self.conflicts = conflicts
        n = len(conflicts)
        super().__init__(f"{n} conflict{'s' if n != 1 else ''} with {label}; nothing was "
                         "changed. Choose for all with --prefer ours|theirs, or one by one "
                         "with --ours GUID / --theirs GUID")


@dataclass(slots=True)
class MergeReport:
    """What a merge added, changed, removed, left alone and left out."""

    label: str
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    removed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    resolved: list[tuple[Conflict, Choice]] = field(default_factory=list)
    settled: list[tuple[Conflict, Choice]] = field(default_factory=list)  # chosen before
    three_way: bool = False  # a common state was known
    bookkeeping: bool = False  # what was seen of the other copy was recorded
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def changed(self) -> bool:
        """Return True when the merge changed anything (a new choice to remember counts)."""
        return any(self.added.values()) or any(self.updated.values()) or any(
            self.removed.values()) or bool(self.resolved)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def apply_snapshot(store: ProjectStore, snap: Snapshot, *, prefer: Choice | None = None,
                   choices: dict[str, Choice] | None = None, actor_id: int | None = None,
                   action: str = "merge", dry_run: bool = False,
                   backup: str | None = None,
                   take_backup: Callable[[], str] | None = None) -> MergeReport:
    """Apply ``snap`` to ``store`` in one transaction; raise MergeConflicts if undecided.

    ``choices`` maps a conflict's GUID (any case) to ``ours`` or ``theirs``; ``prefer``
    decides every other conflict. With ``dry_run`` the report is computed and the
    transaction rolled back. ``backup`` (the copy taken just before) is recorded in the
    summary event: restoring it is how a whole merge is undone. ``take_backup`` is called
    instead, inside the transaction, only when the merge changes something: it must read
    the project through a connection of its own, which sees the project as last committed
    (WAL), that is as it was before the merge. A conflict met before
    with the same values is settled as it was then (unless ``choices`` names its GUID);
    every new choice is stored and listed in the summary event.

    The snapshot is checked whole first (:func:`check_snapshot`): a damaged record stops
    the merge with one line before anything is written, whatever the choices.
    """
    from qualcode.storage.store import Store

    if not isinstance(store, Store):  # a merge writes rows the interface has no method for
        raise TypeError(f"{type(store).__name__} cannot take a merge: it needs the SQLite store")
    check_snapshot(snap)
    picks = {fold(k): v for k, v in (choices or {}).items()}
    merger = _Merger(store, snap, picks, prefer, actor_id)
    merger.backup = backup
    try:
        with write_transaction(store.db):
            shape_before = store.shape_problems()
            merger.run()
            if merger.unresolved:
                raise MergeConflicts(merger.unresolved, snap.label)
            try:
                store.keep_shape(shape_before)
            except CodebookError as error:
                raise CodebookError(error.message, path=snap.label) from None
            if take_backup is not None and not dry_run and merger.report.changed():
                merger.backup = take_backup()
            merger.log(action)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        merger.report.dry_run = True
    return merger.report


class _Merger(CodebookMerge, MemoMerge):
    """One application of a snapshot; all state of the GUID maps lives here."""

    def __init__(self, store: Store, snap: Snapshot, picks: dict[str, Choice],
                 prefer: Choice | None, actor_id: int | None) -> None:
        self.store, self.db, self.snap = store, store.db, snap
        self.picks, self.prefer = picks, prefer
        self.actor_id = actor_id
        self.backup: str | None = None
        self.report = MergeReport(snap.label, skipped=list(snap.skipped), notes=list(snap.notes))
        found = choose_base(replica_of(self.db), read_bases(self.db), snap.replica, snap.bases)
        self.base = None if found is None else found.state
        self.report.three_way = found is not None
        self.decisions = read_decisions(self.db)
        self.new_decisions: list[tuple[DecisionKey, Choice]] = []
        self.unresolved: list[Conflict] = []
        self.coders: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.frozen: set[int] = set()  # sources whose text differs: their codings stay out
        self.units: dict[str, int] = {}
        self.lengths: dict[int, int] = {}
        self.now = utc_now()
        self.code_added: list[int] = []
        self.code_updated: list[dict[str, Any]] = []
        self.code_deleted: list[int] = []
        self.code_restored: list[int] = []
        self.coding_ids: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.review_ids: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.removed_codings: list[tuple[int, int]] = []
        self.memo_events: list[tuple[int, str | None, str, int | None]] = []

    # -- helpers -------------------------------------------------------------------------
    def decide(self, conflict: Conflict) -> Choice | None:
        """Return the choice for a conflict: given for its GUID, made before, or --prefer.

        Undecided conflicts are collected; a new choice is remembered by GUID and field.
        """
        keys: list[DecisionKey] = [(conflict.kind, fold(conflict.guid), *k)
                                   for k in conflict.choice_keys()]
        choice = self.picks.get(fold(conflict.guid))
        if choice is None:
            before = {self.decisions.get(key) for key in keys}
            if len(before) == 1 and None not in before:
                # Ignored below: None was ruled out just above.
                settled: Choice = before.pop()  # type: ignore[assignment]
                self.report.settled.append((conflict, settled))
                return settled
            choice = self.prefer
        if choice is None:
            self.unresolved.append(conflict)
            return None
        self.report.resolved.append((conflict, choice))
        self.new_decisions += [(key, choice) for key in keys]
        return choice

    def run(self) -> None:
        """Apply every kind of record, parents before what refers to them."""
        for coder in self.snap.coders:
            self.coder(coder)
        paths = self.code_paths()
        for code in self.snap.codes:
            self.code(code, paths.get(fold(code.guid), code.name))
        for source in self.snap.sources:
            self.source(source)
        self.units_()
        for coding in self.snap.codings:
            self.coding(coding)
        self.reviews()
        for memo in self.snap.memos:
            self.memo(memo)

    # -- coders --------------------------------------------------------------------------
    def coder(self, coder: InCoder) -> None:
        guid = coder.guid
        row = self.one("SELECT id, name FROM coders WHERE lower(guid) = ?", [fold(guid)])
        if row is not None:
            self.coders[fold(guid)] = row[0]
            self.report.unchanged["coders"] += 1
            return
        name = self.allowed_name(coder.name.strip())
        clash = self.one("SELECT id, guid FROM coders WHERE name = ?", [name])
        if clash is not None:
            self.decide(Conflict("coder", guid, name, f"GUID {clash[1]}",
                                 f"GUID {guid} (either choice files their work under ours)"))
            self.coders[fold(guid)] = clash[0]
            return
        new_id = self.db.insert_id("INSERT INTO coders(guid, name, created_at) VALUES (?, ?, ?)",
                                 [spelt(guid), name, self.now])
        self.coders[fold(guid)] = new_id
        self.report.added["coders"] += 1

    def allowed_name(self, name: str) -> str:
        """Return ``name``, or the name a reserved one becomes (listed in the report)."""
        if not is_reserved_name(name):
            return name
        others = {c.name.strip().casefold() for c in self.snap.coders}

        def taken(candidate: str) -> bool:
            return candidate.casefold() in others or self.one(
                "SELECT 1 FROM coders WHERE name = ?", [candidate]) is not None
        allowed = unreserved_name(name, taken)
        if allowed != name:
            self.report.notes.append(f"coder {name!r} renamed {allowed!r}: qualcode gives "
                                     f"{name!r} a meaning of its own (the consensus layer, a "
                                     "layer name or 'all')")
        return allowed

    # -- sources and units ---------------------------------------------------------------
    def source(self, src: InSource) -> None:
        row = self.one("SELECT id, text, guid FROM sources WHERE lower(guid) = ?", [fold(src.guid)])
        kind = "source"
        if row is None:
            row = self.one("SELECT id, text, guid FROM sources WHERE external_id = ?",
                           [src.external_id])
            kind = "source id"
            if row is not None:
                choice = self.decide(Conflict(kind, src.guid, src.external_id, f"GUID {row[2]}",
                                              f"GUID {src.guid} (a choice makes them one)"))
                if choice is None:
                    return
        if row is None:
            self.insert_source(src)
            return
        source_id, text = row[0], row[1]
        self.sources[fold(src.guid)] = source_id
        if text == src.text:
            self.report.unchanged["sources"] += 1
            return
        take = self.three_way("source text", source_key(src.guid), src.guid, src.external_id,
                              {"text": text}, {"text": src.text},
                              lambda values: f"{len(values['text'])} characters")
        if take:
            coded = self.row("SELECT count(*) FROM codings WHERE source_id = ? AND "
                             "deleted_at IS NULL", [source_id])[0]
            if coded:
                raise StoreError(f"cannot take their text of source {src.external_id!r}: {coded} "
                                 "codings here point into ours; choose ours for it "
                                 f"(--ours {src.guid})", path=self.snap.label)
            self.db.execute("UPDATE sources SET text = ? WHERE id = ?", [src.text, source_id])
            self.db.execute("UPDATE units SET \"end\" = ? WHERE source_id = ? AND kind = ?",
                            [len(src.text), source_id, UnitKind.SOURCE.value])
            self.db.execute("DELETE FROM units WHERE source_id = ? AND kind != ?",
                            [source_id, UnitKind.SOURCE.value])
            self.report.updated["sources"] += 1
        else:
            self.frozen.add(source_id)
            self.report.notes.append(f"source {src.external_id!r}: texts differ; kept ours and "
                                     "left their codings on it out")

    def insert_source(self, src: InSource) -> None:
        if not hasattr(self, "_whole_guids"):  # one pass, not one scan per source
            self._whole_guids = {fold(u.source_guid): u.guid for u in reversed(self.snap.units)
                                 if u.kind is UnitKind.SOURCE}
        whole = self._whole_guids.get(fold(src.guid))
        new_id = self.db.insert_id(
            "INSERT INTO sources(guid, external_id, name, text, metadata, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [spelt(src.guid), src.external_id, src.name or src.external_id, src.text,
             encode_metadata(src.metadata, path=self.snap.label), self.now])
        source_id = new_id
        self.db.execute('INSERT INTO units(guid, source_id, start, "end", kind, position) '
                        "VALUES (?, ?, 0, ?, 'source', ?)",
                        [spelt(whole) if whole else new_guid(), source_id, len(src.text),
                         source_id])
        self.sources[fold(src.guid)] = source_id
        self.report.added["sources"] += 1

    def whole_unit(self, source_id: int) -> int:
        return self.row("SELECT id FROM units WHERE source_id = ? AND kind = 'source'",
                        [source_id])[0]

    def units_(self) -> None:
        for unit in self.snap.units:
            source_id = self.sources.get(fold(unit.source_guid))
            if source_id is None or source_id in self.frozen:
                continue
            if unit.kind is UnitKind.SOURCE:
                self.units[fold(unit.guid)] = self.whole_unit(source_id)
                continue
            row = self.one("SELECT id FROM units WHERE lower(guid) = ?", [fold(unit.guid)]) \
                or self.one("SELECT id FROM units WHERE source_id = ? AND kind = ? AND start = ?",
                            [source_id, unit.kind.value, unit.start])
            if row is not None:
                self.units[fold(unit.guid)] = row[0]
                continue
            self.inside_text(source_id, unit.start, unit.end, f"unit {unit.guid}")
            new_id = self.db.insert_id(
                'INSERT INTO units(guid, source_id, start, "end", kind, position) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                [spelt(unit.guid), source_id, unit.start, unit.end, unit.kind.value,
                 unit.position])
            self.units[fold(unit.guid)] = new_id
            self.report.added["units"] += 1

    def inside_text(self, source_id: int, start: int, end: int, what: str) -> None:
        """Refuse (rolling everything back) a span outside the project's text of a source.

        The snapshot's spans were checked against the file's own texts; this holds the
        line where the text they land in is the project's (same text, or theirs taken).
        """
        if source_id not in self.lengths:  # once per source, not once per coding
            found = source_length(self.db, source_id)
            self.lengths[source_id] = found[0] if found else 0
        length = self.lengths[source_id]
        if not 0 <= start <= end <= length:
            raise StoreError(f"{what}: span {start}..{end} lies outside its source's {length} "
                             "characters here; nothing was changed", path=self.snap.label)

    # -- codings and reviews (memos: merge_memos.py) ------------------------------------------
    def coding(self, c: InCoding) -> None:
        coder_id = self.coders.get(fold(c.coder_guid))
        source_id = self.sources.get(fold(c.source_guid))
        code_id = self.codes.get(fold(c.code_guid))
        row = self.one('SELECT id, coder_id, source_id, code_id, start, "end", layer, deleted_at '
                       "FROM codings WHERE lower(guid) = ?", [fold(c.guid)])
        if row is not None:
            mine = (row[1], row[2], row[3], row[4], row[5], row[6])
            theirs = (coder_id, source_id, code_id, c.start, c.end, c.layer.value)
            if c.deleted and row[7] is None:
                self.db.execute(
                    "UPDATE codings SET deleted_at = ? WHERE id = ?", [self.now, row[0]]
                )
                self.removed_codings.append((row[0], row[1]))
                self.report.removed["codings"] += 1
            elif row[7] is not None or c.deleted or mine == theirs:
                self.report.unchanged["codings"] += 1
            elif self.decide(Conflict("coding", c.guid, f"{c.start}..{c.end}",
                                      f"code {row[3]} at {row[4]}..{row[5]}",
                                      f"code {code_id} at {c.start}..{c.end}")) == "theirs" \
                    and None not in theirs:
                if source_id is None or source_id != row[2] or source_id in self.frozen:
                    # Their positions count in another text than the one ours points into.
                    self.report.notes.append(f"coding {c.guid}: kept ours; theirs lies in "
                                             "another source or in a text that differs")
                    return
                self.inside_text(source_id, c.start, c.end, f"coding {c.guid}")
                self.db.execute('UPDATE codings SET code_id = ?, start = ?, "end" = ? WHERE id = ?',
                                [code_id, c.start, c.end, row[0]])
                self.report.updated["codings"] += 1
            return
        if c.deleted:
            return
        if coder_id is None or source_id is None or source_id in self.frozen:
            self.report.unchanged["codings left out"] += 1
            return
        if code_id is None or self.one("SELECT 1 FROM codes WHERE id = ? AND deleted_at IS NULL",
                                       [code_id]) is None:
            self.report.skipped.append(f"coding {c.guid}: its code {c.code_guid} is not in "
                                       "the codebook")
            return
        self.inside_text(source_id, c.start, c.end, f"coding {c.guid}")
        if self.one('SELECT 1 FROM codings WHERE coder_id = ? AND source_id = ? AND code_id = ? '
                    'AND start = ? AND "end" = ? AND layer = ? AND deleted_at IS NULL',
                    [coder_id, source_id, code_id, c.start, c.end, c.layer.value]) is not None:
            self.report.unchanged["codings"] += 1
            return
        new_id = self.db.insert_id(
            'INSERT INTO codings(guid, coder_id, source_id, code_id, start, "end", layer, '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [spelt(c.guid), coder_id, source_id, code_id, c.start, c.end, c.layer.value,
             c.created_at or self.now])
        self.coding_ids[(coder_id, c.layer.value)].append(new_id)
        self.report.added["codings"] += 1

    def reviews(self) -> None:
        for review in self.snap.reviews:
            coder_id = self.coders.get(fold(review.coder_guid))
            source_id = self.sources.get(fold(review.source_guid))
            if coder_id is None or source_id is None or source_id in self.frozen:
                continue
            unit_id = (self.units.get(fold(review.unit_guid)) if review.unit_guid
                       else self.whole_unit(source_id))
            if unit_id is None:
                continue
            cursor = self.db.execute(
                "INSERT INTO reviews(unit_id, coder_id, layer, done_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [unit_id, coder_id, review.layer.value, review.done_at or self.now])
            if cursor.rowcount == 1:
                self.review_ids[(coder_id, review.layer.value)].append(unit_id)
                self.report.added["done marks"] += 1
            else:
                self.report.unchanged["done marks"] += 1

    # -- events --------------------------------------------------------------------------
    def log(self, action: str) -> None:
        """Log the changes as the events undo knows, then one summary event.

        Also remembered: the new choices, and the other copy's values as now seen.
        """
        label = self.snap.label
        for decision, choice in self.new_decisions:
            store_decision(self.db, decision, choice, self.now)
        self.report.bookkeeping = remember_merge(self.db, self.snap, self.now)
        if self.code_added or self.code_updated:
            log_event(self.db, "codebook.import", {"file": label, "added": self.code_added,
                                                   "updated": self.code_updated},
                      coder_id=self.actor_id)
        for code_id in self.code_deleted:
            log_event(self.db, "code.delete", {"code_ids": [code_id], "coding_ids": []},
                      coder_id=self.actor_id)
        for code_id in self.code_restored:
            log_event(self.db, "code.add", {"code_id": code_id}, coder_id=self.actor_id)
        added, updated = self.report.added.get("sources", 0), self.report.updated.get("sources", 0)
        if added or updated:
            log_event(self.db, "sources.import",
                      {"file": label, "added": added, "updated": updated,
                       "unchanged": self.report.unchanged.get("sources", 0)},
                      coder_id=self.actor_id)
        for key in sorted(set(self.coding_ids) | set(self.review_ids)):
            coder_id, layer = key
            log_event(self.db, "codings.import",
                      {"file": label, "coding_ids": self.coding_ids.get(key, []),
                       "review_unit_ids": self.review_ids.get(key, []), "layer": layer},
                      coder_id=coder_id)
        for coding_id, coder_id in self.removed_codings:
            log_event(self.db, "coding.remove", {"coding_id": coding_id}, coder_id=coder_id)
        for memo_id, before, after, author_id in self.memo_events:
            log_event(self.db, "memo.set", {"memo_id": memo_id, "before": before, "after": after},
                      coder_id=author_id)
        if not self.report.changed():
            return
        def counts(d: dict[str, int]) -> dict[str, int]:
            return {k: v for k, v in d.items() if v}

        summary = {"file": label, "added": counts(self.report.added),
                   "updated": counts(self.report.updated), "removed": counts(self.report.removed),
                   "choices": {c.guid: choice for c, choice in self.report.resolved},
                   "decisions": [{"choice": choice, "kind": c.kind, "label": c.label,
                                  "guid": c.guid, "fields": [k[0] for k in c.choice_keys()]}
                                 for c, choice in self.report.resolved],
                   "three_way": self.report.three_way,
                   "skipped": len(self.report.skipped), "backup": self.backup,
                   # Every item, not the first few: what was left out, and why.
                   "left_out": list(self.report.skipped), "notes": list(self.report.notes)}
        log_event(self.db, action, summary, coder_id=self.actor_id)
