"""Sources and units: streaming corpus import and the queries over them."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from qualcode.errors import FormatError, NotFoundError, StoreError
from qualcode.model import (
    ImportReport,
    ParagraphAttributes,
    Source,
    SourceRecord,
    Unit,
    UnitKind,
    new_guids,
)
from qualcode.storage.backends import SqlConnection
from qualcode.storage.connection import log_event, utc_now, write_transaction
from qualcode.storage.metadata import (
    encode_metadata,
    is_malformed_json,
    unreadable_metadata_error,
)
from qualcode.storage.rows import NO_LIMIT, SOURCE_COLUMNS, UNIT_COLUMNS, to_source, to_unit
from qualcode.storage.store_base import StoreBase, sqlite_db

ProgressCallback = Callable[[int], None]
PROGRESS_EVERY = 5_000
IMPORT_BATCH = 1_000
"""Records stored per statement batch by :meth:`SourceStore.import_sources`."""


class SourceStore(StoreBase):
    """Sources and units: the part of :class:`~qualcode.storage.Store` that holds the corpus."""

    def import_sources(self, records: Iterable[SourceRecord], *, update: bool = False,
                       path: str | None = None, actor_id: int | None = None,
                       on_progress: ProgressCallback | None = None) -> ImportReport:
        """Store sources (one whole-source unit each) in one transaction.

        Records are consumed as a stream, so memory stays bounded whatever the corpus
        size. Ids already in the project are refused unless ``update`` is true; with
        ``update``, a changed text is refused for a source that already has codings,
        because their offsets would no longer point at the passage coded. Any error rolls
        the whole import back.
        """
        outcomes: Counter[str] = Counter()
        with write_transaction(self.db):
            conn = self.db
            before = conn.execute("SELECT coalesce(max(id), 0) FROM sources").fetchone()[0]
            now = utc_now()
            seen = 0
            stream = iter(records)
            while chunk := list(islice(stream, IMPORT_BATCH)):
                outcomes.update(self._store_batch(conn, chunk, before=before, update=update,
                                                  now=now, path=path))
                if on_progress is not None and seen // PROGRESS_EVERY != (
                        seen + len(chunk)) // PROGRESS_EVERY:
                    on_progress(seen + len(chunk))
                seen += len(chunk)
            if seen == 0:
                raise FormatError("no records found; the file is empty or has only a header",
                                  path=path)
            added, updated, unchanged = (outcomes[k] for k in ("added", "updated", "unchanged"))
            log_event(self.db, "sources.import",
                      {"file": path, "added": added, "updated": updated, "unchanged": unchanged},
                      coder_id=actor_id)
        if on_progress is not None:
            on_progress(seen)
        return ImportReport(added=added, updated=updated, unchanged=unchanged)

    def _store_batch(self, conn: SqlConnection, chunk: list[SourceRecord], *, before: int,
                     update: bool, now: str, path: str | None) -> list[str]:
        """Insert a batch of records in a few statements; return each one's outcome.

        New ids go in with one ``INSERT ... ON CONFLICT DO NOTHING`` for the batch; the
        rows it added are read back by id (the write lock is held, so ids above the
        previous maximum are this batch's). A record whose id was already there (earlier
        in this file, or in the project before the import) goes the careful way, one by one.
        """
        metadata = [encode_metadata(r.metadata, path=path, line=r.line) for r in chunk]
        guids = new_guids(2 * len(chunk))
        high = conn.execute("SELECT coalesce(max(id), 0) FROM sources").fetchone()[0]
        conn.executemany(
            "INSERT INTO sources(guid, external_id, name, text, metadata, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (external_id) DO NOTHING",
            [(guids[2 * i], r.external_id, r.name or r.external_id, r.text, metadata[i], now)
             for i, r in enumerate(chunk)])
        added = dict(conn.execute("SELECT external_id, id FROM sources WHERE id > ?",
                                  (high,)).fetchall())
        outcomes: list[str] = []
        units: list[tuple[str, int, int, int]] = []
        for i, record in enumerate(chunk):
            source_id = added.pop(record.external_id, None)
            if source_id is None:  # already there: a duplicate, or --update
                outcomes.append(self._store_existing(conn, record, metadata[i], before=before,
                                                     update=update, path=path))
                continue
            units.append((guids[2 * i + 1], source_id, len(record.text), source_id))
            if record.paragraphs:
                self._store_paragraphs(conn, source_id, record.paragraphs)
            outcomes.append("added")
        conn.executemany('INSERT INTO units(guid, source_id, start, "end", kind, position) '
                         "VALUES (?, ?, 0, ?, 'source', ?)", units)
        return outcomes

    def _store_existing(self, conn: SqlConnection, record: SourceRecord, metadata: str, *,
                        before: int, update: bool, path: str | None) -> str:
        """A record whose id is in the project: refuse a duplicate, or apply ``--update``."""
        existing = conn.execute(
            "SELECT id, name, text, metadata FROM sources WHERE external_id = ?",
            (record.external_id,)).fetchone()
        if existing is None:  # a conflict on external_id, yet no such row: a bug
            raise StoreError(f"source {record.external_id!r} could not be stored")
        if existing[0] > before:
            raise FormatError(f"duplicate id {record.external_id!r}: it appears earlier in "
                              "this file; ids must be unique", path=path, line=record.line)
        if not update:
            raise FormatError(f"id {record.external_id!r} is already in the project; "
                              "use --update to replace existing sources", path=path,
                              line=record.line)
        name = record.name or record.external_id
        return self._update_record(conn, existing, name, record, metadata, path)

    @staticmethod
    def _store_paragraphs(conn: SqlConnection, source_id: int,
                          paragraphs: Sequence[ParagraphAttributes]) -> None:
        """Replace what is known of a source's paragraphs (speaker, page, cue times)."""
        conn.execute("DELETE FROM paragraph_attributes WHERE source_id = ?", (source_id,))
        conn.executemany(
            'INSERT INTO paragraph_attributes(source_id, start, "end", speaker, page, '
            "time_start, time_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(source_id, p.start, p.end, p.speaker, p.page, p.time_start, p.time_end)
             for p in paragraphs])

    def paragraph_attributes(self, source_id: int) -> list[ParagraphAttributes]:
        """Return what is known of a source's paragraphs, in text order."""
        return [ParagraphAttributes(*row) for row in self.db.execute(
            'SELECT start, "end", speaker, page, time_start, time_end FROM paragraph_attributes '
            "WHERE source_id = ? ORDER BY start", [source_id])]

    def speaker_spans(self) -> list[tuple[int, int, str]]:
        """Return ``(source id, paragraph start, speaker)`` of every paragraph with a speaker."""
        return [(int(a), int(b), str(c)) for a, b, c in self.db.execute(
            "SELECT source_id, start, speaker FROM paragraph_attributes "
            "WHERE speaker IS NOT NULL ORDER BY source_id, start")]

    def speakers(self) -> dict[str, int]:
        """Return each speaker named in the project with the number of their paragraphs."""
        return {name: count for name, count in self.db.execute(
            "SELECT speaker, count(*) FROM paragraph_attributes WHERE speaker IS NOT NULL "
            "GROUP BY speaker ORDER BY speaker")}

    def _update_record(self, conn: SqlConnection, existing: tuple, name: str,
                       record: SourceRecord, metadata: str, path: str | None) -> str:
        """Apply ``--update`` to an existing source, keeping its codings valid."""
        source_id, old_name, old_text, old_metadata = existing
        old_paragraphs = tuple(ParagraphAttributes(*row) for row in conn.execute(
            'SELECT start, "end", speaker, page, time_start, time_end FROM paragraph_attributes '
            "WHERE source_id = ? ORDER BY start", (source_id,)))
        same_paragraphs = old_paragraphs == tuple(sorted(record.paragraphs,
                                                         key=lambda p: p.start))
        if (old_name, old_text, old_metadata) == (name, record.text, metadata) and same_paragraphs:
            return "unchanged"
        if not same_paragraphs:
            self._store_paragraphs(conn, source_id, record.paragraphs)
        if old_text != record.text:
            coded = conn.execute("SELECT count(*) FROM codings WHERE source_id = ? "
                                 "AND deleted_at IS NULL", (source_id,)).fetchone()[0]
            if coded:
                raise FormatError(f"id {record.external_id!r}: its text changed but it has "
                                  f"{coded} codings whose offsets would break; import the new "
                                  "text under a new id", path=path, line=record.line)
            conn.execute('UPDATE units SET "end" = ? WHERE source_id = ? AND kind = ?',
                         (len(record.text), source_id, UnitKind.SOURCE.value))
            conn.execute("DELETE FROM units WHERE source_id = ? AND kind != ?",
                         (source_id, UnitKind.SOURCE.value))
        conn.execute("UPDATE sources SET name = ?, text = ?, metadata = ? WHERE id = ?",
                     (name, record.text, metadata, source_id))
        return "updated"

    def source_count(self) -> int:
        """Return the number of sources."""
        return int(self.db.execute("SELECT count(*) FROM sources").fetchone()[0])

    def source(self, source_id: int) -> Source:
        """Return one source by database id."""
        row = self.db.execute(f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?",
                              [source_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no source with id {source_id}")
        return to_source(row)

    def source_by_external_id(self, external_id: str) -> Source:
        """Return one source by the id it had in its input file."""
        row = self.db.execute(f"SELECT {SOURCE_COLUMNS} FROM sources WHERE external_id = ?",
                              [external_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no source with id {external_id!r} in the project")
        return to_source(row)

    def source_ids_by_external_id(self, external_ids: Iterable[str]) -> dict[str, int]:
        """Map the external ids that exist to database ids (missing ones are left out)."""
        wanted = list(dict.fromkeys(external_ids))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for ext, sid in self.db.execute(
                    f"SELECT external_id, id FROM sources WHERE external_id IN ({marks})", chunk):
                found[ext] = sid
        return found

    def iter_sources(self, batch_size: int = 1_000) -> Iterator[Source]:
        """Yield every source in id order, a batch at a time (bounded memory)."""
        last = 0
        while True:
            rows = self.db.execute(f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id > ? "
                                   "ORDER BY id LIMIT ?", [last, batch_size]).fetchall()
            if not rows:
                return
            for row in rows:
                yield to_source(row)
            last = rows[-1][0]

    def metadata_fields(self) -> list[str]:
        """Return the metadata keys used by any source, sorted.

        Every command that reads metadata asks this first, so metadata SQLite cannot read
        is reported here, in one line naming a source, before any other query meets it.
        """
        if self.db.engine == "postgresql":  # metadata is checked JSON objects when written
            return [row[0] for row in self.db.execute(
                'SELECT DISTINCT key COLLATE "C" FROM sources, '
                "jsonb_object_keys(sources.metadata::jsonb) AS key ORDER BY 1")]
        try:
            keys = [row[0] for row in self.db.execute(
                "SELECT DISTINCT key FROM sources, json_each(sources.metadata) ORDER BY key")]
        except sqlite3.OperationalError as error:
            if not is_malformed_json(error):
                raise
            raise unreadable_metadata_error(sqlite_db(self).conn) from None
        if not all(isinstance(key, str) for key in keys):
            # json_each gives an array's indexes (or NULL for a scalar): not an object.
            raise unreadable_metadata_error(sqlite_db(self).conn)
        return keys

    def unit_count(self, kind: UnitKind = UnitKind.SOURCE) -> int:
        """Return the number of units of one kind."""
        return int(self.db.execute("SELECT count(*) FROM units WHERE kind = ?",
                                   [kind.value]).fetchone()[0])

    def unit(self, unit_id: int) -> Unit:
        """Return one unit by id."""
        row = self.db.execute(f"SELECT {UNIT_COLUMNS} FROM units WHERE id = ?",
                              [unit_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no unit with id {unit_id}")
        return to_unit(row)

    def units_of_source(self, source_id: int, kind: UnitKind = UnitKind.SOURCE) -> list[Unit]:
        """Return the units of one kind cut from a source, in text order."""
        rows = self.db.execute(f"SELECT {UNIT_COLUMNS} FROM units WHERE source_id = ? AND "
                               "kind = ? ORDER BY start", [source_id, kind.value])
        return [to_unit(row) for row in rows]

    def units(self, kind: UnitKind = UnitKind.SOURCE, *, offset: int = 0,
              limit: int | None = None) -> list[Unit]:
        """Return a page of units of one kind, in source order."""
        rows = self.db.execute(f"SELECT {UNIT_COLUMNS} FROM units WHERE kind = ? "
                               "ORDER BY source_id, start LIMIT ? OFFSET ?",
                               [kind.value, NO_LIMIT if limit is None else limit, offset])
        return [to_unit(row) for row in rows]

    def whole_unit(self, source_id: int) -> Unit:
        """Return the whole-source unit of a source."""
        units = self.units_of_source(source_id, UnitKind.SOURCE)
        if not units:
            raise StoreError(f"source {source_id} has no whole-source unit; run `qualcode check`")
        return units[0]
