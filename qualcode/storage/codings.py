"""Codings, reviews (units marked done) and memos: the coder's everyday actions."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence

from qualcode.errors import FormatError, NotFoundError, StoreError
from qualcode.model import (
    Coding,
    CodingRecord,
    ImportReport,
    Layer,
    Memo,
    Review,
    Unit,
    UnitKind,
    new_guid,
)
from qualcode.storage.connection import log_event, utc_now, write_transaction
from qualcode.storage.interface import CoderStatus
from qualcode.storage.rows import (
    CODING_COLUMNS,
    MEMO_COLUMNS,
    source_length,
    to_coding,
    to_memo,
    to_review,
)
from qualcode.storage.sources import SourceStore

MEMO_TARGETS = ("project", "source", "unit", "code", "coding")
LIVE_CODINGS = ("codings.deleted_at IS NULL AND code_id IN "
                "(SELECT id FROM codes WHERE deleted_at IS NULL)")


class CodingStore(SourceStore):
    """Codings, done marks and memos: the part of :class:`~qualcode.storage.Store` coders write.

    It builds on :class:`SourceStore` because every coding and done mark hangs on a source
    or unit it reads there.
    """

    # -- codings -----------------------------------------------------------------------
    def add_coding(self, coder_id: int, source_id: int, code_id: int, start: int | None = None,
                   end: int | None = None, *, layer: Layer = Layer.CODER) -> Coding:
        """Apply a code to a span (or, with no span, the whole source): one event."""
        with write_transaction(self.db):
            coding_id = self._insert_coding(coder_id, source_id, code_id, start, end, layer)
            log_event(self.db, "coding.add", {"coding_id": coding_id}, coder_id=coder_id)
        return self.coding(coding_id)

    def _insert_coding(self, coder_id: int, source_id: int, code_id: int, start: int | None,
                       end: int | None, layer: Layer, *, line: int | None = None,
                       path: str | None = None) -> int:
        row = source_length(self.db, source_id)
        if row is None:
            raise NotFoundError(f"no source with id {source_id}")
        length, external_id = row
        start = 0 if start is None else start
        end = length if end is None else end
        if not 0 <= start <= end <= length:
            raise FormatError(f"span {start}..{end} lies outside source {external_id!r} "
                              f"(its text has {length} characters); offsets count code points "
                              "from 0, end exclusive", path=path, line=line)
        code = self.db.execute("SELECT codable, name FROM codes WHERE id = ? AND "
                               "deleted_at IS NULL", [code_id]).fetchone()
        if code is None:
            raise NotFoundError(f"no code with id {code_id}")
        return self.db.insert_id(
            'INSERT INTO codings(guid, coder_id, source_id, code_id, start, "end", layer, '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [new_guid(), coder_id, source_id, code_id, start, end, Layer(layer).value, utc_now()])

    def remove_coding(self, coding_id: int, *, actor_id: int | None = None) -> None:
        """Remove a coding (kept in the file as deleted, so undo restores it)."""
        with write_transaction(self.db):
            coding = self.coding(coding_id)
            self.db.execute("UPDATE codings SET deleted_at = ? WHERE id = ?",
                            [utc_now(), coding_id])
            log_event(self.db, "coding.remove", {"coding_id": coding_id},
                      coder_id=actor_id if actor_id is not None else coding.coder_id)

    def coding(self, coding_id: int) -> Coding:
        """Return one live coding by id."""
        row = self.db.execute(f"SELECT {CODING_COLUMNS} FROM codings WHERE id = ? AND "
                              f"{LIVE_CODINGS}", [coding_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no coding with id {coding_id}")
        return to_coding(row)

    def codings(self, *, coder_id: int | None = None, layer: Layer | None = None,
                source_id: int | None = None) -> list[Coding]:
        """Return live codings, optionally of one coder, layer or source."""
        where, params = [LIVE_CODINGS], []
        for column, value in (("coder_id", coder_id), ("layer", layer), ("source_id", source_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value.value if isinstance(value, Layer) else value)
        rows = self.db.execute(f"SELECT {CODING_COLUMNS} FROM codings WHERE "
                               f"{' AND '.join(where)} ORDER BY source_id, start, id", params)
        return [to_coding(row) for row in rows]

    def import_codings(self, records: Iterable[CodingRecord], coder_id: int, *,
                       mark_done: bool = True, layer: Layer = Layer.CODER,
                       path: str | None = None,
                       done_unit_ids: Collection[int] | None = None) -> ImportReport:
        """Store codings from a file for one coder, in one transaction and one event.

        Identical codings already present are skipped, so importing twice changes
        nothing. With ``mark_done`` every source named in the file is marked done for
        this coder: a row without a code records the decision "no code applies".
        ``done_unit_ids`` (a file that says which units were done) replaces that rule:
        exactly these units are marked done. Done marks are only ever added.
        """
        added: list[int] = []
        reviewed: list[int] = []
        unchanged = 0
        with write_transaction(self.db):
            sources: dict[str, int] = {}
            for record in records:
                source_id = sources.get(record.source_external_id)
                if source_id is None:
                    found = self.source_ids_by_external_id([record.source_external_id])
                    if not found:
                        raise FormatError(f"unknown source_id {record.source_external_id!r}; "
                                          "import the corpus first or fix the id",
                                          path=path, line=record.line)
                    source_id = found[record.source_external_id]
                    sources[record.source_external_id] = source_id
                if record.code_id is None:
                    continue
                if self._same_coding_exists(coder_id, source_id, record, layer):
                    unchanged += 1
                    continue
                added.append(self._insert_coding(coder_id, source_id, record.code_id,
                                                 record.start, record.end, layer,
                                                 line=record.line, path=path))
            if done_unit_ids is not None:
                reviewed = [u for u in done_unit_ids if self._insert_review(u, coder_id, layer)]
            elif mark_done:
                for source_id in sources.values():
                    unit_id = self.whole_unit(source_id).id
                    if self._insert_review(unit_id, coder_id, layer):
                        reviewed.append(unit_id)
            log_event(self.db, "codings.import",
                      {"file": path, "coding_ids": added, "review_unit_ids": reviewed,
                       "layer": Layer(layer).value}, coder_id=coder_id)
        return ImportReport(added=len(added), unchanged=unchanged)

    def _same_coding_exists(self, coder_id: int, source_id: int, record: CodingRecord,
                            layer: Layer) -> bool:
        found = source_length(self.db, source_id)
        if found is None:
            raise NotFoundError(f"no source with id {source_id}")
        length = found[0]
        start = 0 if record.start is None else record.start
        end = length if record.end is None else record.end
        row = self.db.execute(
            'SELECT 1 FROM codings WHERE coder_id = ? AND source_id = ? AND code_id = ? AND '
            'start = ? AND "end" = ? AND layer = ? AND deleted_at IS NULL',
            [coder_id, source_id, record.code_id, start, end, Layer(layer).value]).fetchone()
        return row is not None

    # -- reviews -----------------------------------------------------------------------
    def mark_done(self, unit_id: int, coder_id: int, *, layer: Layer = Layer.CODER) -> bool:
        """Mark a unit done for a coder; return False when it already was."""
        with write_transaction(self.db):
            self.unit(unit_id)
            if not self._insert_review(unit_id, coder_id, layer):
                return False
            log_event(self.db, "review.done", {"unit_id": unit_id, "layer": Layer(layer).value},
                      coder_id=coder_id)
        return True

    def done_marks_by_source(self, *, layer: Layer | None = None
                             ) -> Iterator[tuple[int, int, Layer, UnitKind, int, int, str]]:
        """Yield (source id, coder id, layer, unit kind, start, end, done at) of each done mark.

        Ordered by source id (then coder, layer, kind, start), so a reader walking the
        sources in id order can merge them in without holding every mark in memory.
        """
        sql = ('SELECT u.source_id, r.coder_id, r.layer, u.kind, u.start, u."end", r.done_at '
               "FROM reviews r JOIN units u ON u.id = r.unit_id")
        params: list[str] = []
        if layer is not None:
            sql += " WHERE r.layer = ?"
            params.append(Layer(layer).value)
        for source_id, coder_id, layer_name, kind, start, end, done_at in self.db.execute(
                sql + " ORDER BY u.source_id, r.coder_id, r.layer, u.kind, u.start", params):
            yield source_id, coder_id, Layer(layer_name), UnitKind(kind), start, end, done_at

    def store_units(self, source_id: int, kind: UnitKind,
                    spans: Sequence[tuple[int, int]]) -> list[Unit]:
        """Store a source's units of one kind when it has none yet; return its units of that kind.

        Used to give done marks on sentences or paragraphs a unit to hang on: ``spans``
        should be the whole cut of the source, so the stored units replace the cut that
        agreement would make anyway.
        """
        kind = UnitKind(kind)
        with write_transaction(self.db):
            if not self.units_of_source(source_id, kind):
                self.db.executemany(
                    'INSERT INTO units(guid, source_id, start, "end", kind, position) '
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(new_guid(), source_id, start, end, kind.value, position)
                     for position, (start, end) in enumerate(spans)])
        return self.units_of_source(source_id, kind)

    def _insert_review(self, unit_id: int, coder_id: int, layer: Layer) -> bool:
        cursor = self.db.execute("INSERT INTO reviews(unit_id, coder_id, layer, "
                                 "done_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                 [unit_id, coder_id, Layer(layer).value, utc_now()])
        return cursor.rowcount == 1

    def mark_not_done(self, unit_id: int, coder_id: int, *,
                      layer: Layer = Layer.CODER) -> bool:
        """Take back a "done" mark; return False when the unit was not done."""
        with write_transaction(self.db):
            row = self.db.execute("SELECT done_at FROM reviews WHERE unit_id = ? AND "
                                  "coder_id = ? AND layer = ?",
                                  [unit_id, coder_id, Layer(layer).value]).fetchone()
            if row is None:
                return False
            self.db.execute("DELETE FROM reviews WHERE unit_id = ? AND coder_id = ? AND "
                            "layer = ?", [unit_id, coder_id, Layer(layer).value])
            log_event(self.db, "review.undone", {"unit_id": unit_id, "layer": Layer(layer).value,
                                                 "done_at": row[0]}, coder_id=coder_id)
        return True

    def is_done(self, unit_id: int, coder_id: int, *, layer: Layer = Layer.CODER) -> bool:
        """Return True when the coder has marked the unit done."""
        row = self.db.execute("SELECT 1 FROM reviews WHERE unit_id = ? AND coder_id = ? AND "
                              "layer = ?", [unit_id, coder_id, Layer(layer).value]).fetchone()
        return row is not None

    def reviews(self, *, coder_id: int | None = None,
                layer: Layer = Layer.CODER) -> list[Review]:
        """Return the done marks of one layer, optionally of one coder."""
        sql = "SELECT unit_id, coder_id, layer, done_at FROM reviews WHERE layer = ?"
        params: list[object] = [Layer(layer).value]
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params.append(coder_id)
        return [to_review(row) for row in self.db.execute(sql + " ORDER BY unit_id", params)]

    def done_count(self, coder_id: int, *, kind: UnitKind = UnitKind.SOURCE,
                   layer: Layer = Layer.CODER) -> int:
        """Return how many units of one kind a coder has marked done."""
        return int(self.db.execute(
            "SELECT count(*) FROM reviews r JOIN units u ON u.id = r.unit_id WHERE "
            "r.coder_id = ? AND r.layer = ? AND u.kind = ?",
            [coder_id, Layer(layer).value, kind.value]).fetchone()[0])

    def adjudicator_ids(self) -> set[int]:
        """Return the ids of the coders with live consensus codings or consensus done marks."""
        return {row[0] for row in self.db.execute(
            "SELECT DISTINCT coder_id FROM codings WHERE layer = 'consensus' AND deleted_at "
            "IS NULL UNION SELECT DISTINCT coder_id FROM reviews WHERE layer = 'consensus'")}

    # -- memos -------------------------------------------------------------------------
    def set_memo(self, target_kind: str, target_guid: str, text: str, *,
                 coder_id: int | None = None) -> Memo | None:
        """Create, change or (with empty text) remove this coder's memo on a target."""
        if target_kind not in MEMO_TARGETS:
            raise StoreError(f"cannot attach a memo to {target_kind!r}; "
                             f"targets: {', '.join(MEMO_TARGETS)}")
        with write_transaction(self.db):
            row = self.db.execute(
                "SELECT id, text FROM memos WHERE target_kind = ? AND target_guid = ? AND "
                "coder_id IS ? AND deleted_at IS NULL", [target_kind, target_guid, coder_id]
            ).fetchone()
            now = utc_now()
            if row is None and not text.strip():
                return None
            if row is None:
                memo_id = self.db.insert_id(
                    "INSERT INTO memos(guid, target_kind, target_guid, coder_id, text, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [new_guid(), target_kind, target_guid, coder_id, text, now, now])
                before = None
            else:
                memo_id, before = row
                deleted = now if not text.strip() else None
                self.db.execute("UPDATE memos SET text = ?, updated_at = ?, deleted_at = ? "
                                "WHERE id = ?", [text, now, deleted, memo_id])
            log_event(self.db, "memo.set", {"memo_id": memo_id, "before": before, "after": text},
                      coder_id=coder_id)
        memos = [m for m in self.memos(target_kind, target_guid) if m.id == memo_id]
        return memos[0] if memos else None

    def memos(self, target_kind: str, target_guid: str) -> list[Memo]:
        """Return the live memos on a target, oldest first."""
        rows = self.db.execute(f"SELECT {MEMO_COLUMNS} FROM memos WHERE target_kind = ? AND "
                               "target_guid = ? AND deleted_at IS NULL ORDER BY id",
                               [target_kind, target_guid])
        return [to_memo(row) for row in rows]

    def live_memos(self) -> list[Memo]:
        """Return every live memo, on any target, oldest first."""
        rows = self.db.execute(f"SELECT {MEMO_COLUMNS} FROM memos WHERE deleted_at IS NULL "
                               "ORDER BY id").fetchall()
        return [to_memo(row) for row in rows]

    def status(self) -> list[CoderStatus]:
        """Per coder: units done, live codings, and codings per code id."""
        result: list[CoderStatus] = []
        for coder in self.coders():
            per_code = dict(self.db.execute(
                f"SELECT code_id, count(*) FROM codings WHERE coder_id = ? AND layer = 'coder' "
                f"AND {LIVE_CODINGS} GROUP BY code_id", [coder.id]).fetchall())
            result.append({"coder": coder, "done": self.done_count(coder.id),
                           "codings": sum(per_code.values()), "per_code": per_code})
        return result
