"""The project schema as forward migrations (sqlite-utils ``Migrations``), for both engines.

Every migration is applied in its own transaction, recorded in ``_sqlite_migrations`` on
SQLite (by sqlite-utils, as always) and in ``_qualcode_migrations`` on PostgreSQL; a
project opened by a newer qualcode is migrated forward, never back. There is one list:
a migration is written once, in SQLite's DDL, and the PostgreSQL connection rewrites its
column types and triggers as it runs it (:mod:`qualcode.storage.backends.translate`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from qualcode.storage.backends import SqlConnection

MIGRATION_SET = "qualcode"
APPLICATION_ID = 0x51434F44  # "QCOD": lets `file` and qualcode recognise a project
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    """Create the tables of design.md §3."""
    _run_script(
        db,
        """
        CREATE TABLE project (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE coders (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            external_id TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            text TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" >= start),
            kind TEXT NOT NULL DEFAULT 'source',
            position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (source_id, kind, start)
        );
        CREATE INDEX units_by_kind ON units(kind, source_id, start);
        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            parent_id INTEGER REFERENCES codes(id),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            kind TEXT NOT NULL DEFAULT 'code',
            description TEXT NOT NULL DEFAULT '',
            inclusion TEXT NOT NULL DEFAULT '',
            exclusion TEXT NOT NULL DEFAULT '',
            examples TEXT NOT NULL DEFAULT '[]',
            colour TEXT,
            shortcut TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            codable INTEGER NOT NULL DEFAULT 1,
            deleted_at TEXT
        );
        CREATE UNIQUE INDEX codes_unique_sibling_name
            ON codes(coalesce(parent_id, 0), name COLLATE NOCASE) WHERE deleted_at IS NULL;
        CREATE UNIQUE INDEX codes_unique_shortcut
            ON codes(shortcut) WHERE deleted_at IS NULL AND shortcut IS NOT NULL;
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id),
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" >= start),
            layer TEXT NOT NULL DEFAULT 'coder' CHECK (layer IN ('coder', 'consensus')),
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX codings_by_source ON codings(source_id, coder_id, layer);
        CREATE INDEX codings_by_code ON codings(code_id);
        CREATE TABLE reviews (
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            layer TEXT NOT NULL DEFAULT 'coder' CHECK (layer IN ('coder', 'consensus')),
            done_at TEXT NOT NULL,
            PRIMARY KEY (unit_id, coder_id, layer)
        );
        CREATE INDEX reviews_by_coder ON reviews(coder_id, layer);
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            target_kind TEXT NOT NULL
                CHECK (target_kind IN ('project', 'source', 'unit', 'code', 'coding')),
            target_guid TEXT NOT NULL,
            coder_id INTEGER REFERENCES coders(id),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX memos_by_target ON memos(target_kind, target_guid);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            guid TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            coder_id INTEGER REFERENCES coders(id),
            action TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            undoes INTEGER REFERENCES events(id)
        );
        CREATE INDEX events_by_coder ON events(coder_id, id);
        -- The log is append-only: history can be added to, never rewritten.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        """
    )


@migrations()
def m002_reviews_by_coder_unit(db: Database) -> None:
    """Index a coder's done units by unit, for the queue's "not done" joins."""
    _run_script(
        db,
        """
        CREATE INDEX reviews_by_coder_unit ON reviews(coder_id, layer, unit_id);
        """,
    )


@migrations()
def m003_suggester_models(db: Database) -> None:
    """Keep fitted suggester models with the project, keyed by what they learnt from."""
    _run_script(
        db,
        """
        CREATE TABLE suggester_models (
            id INTEGER PRIMARY KEY,
            layer TEXT NOT NULL CHECK (layer IN ('coder', 'consensus')),
            coder_id INTEGER REFERENCES coders(id),
            unit_kind TEXT NOT NULL DEFAULT 'source',
            pipeline TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            units INTEGER NOT NULL,
            model BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX suggester_models_key
            ON suggester_models(layer, coalesce(coder_id, 0), unit_kind, pipeline);
        """,
    )


@migrations()
def m004_suggestion_log(db: Database) -> None:
    """Log every code suggestion shown to a coder, and whether they accepted it."""
    _run_script(
        db,
        """
        CREATE TABLE suggestion_log (
            id INTEGER PRIMARY KEY,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            code_id INTEGER NOT NULL REFERENCES codes(id),
            score REAL NOT NULL,
            rank INTEGER NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('on', 'after')),
            unit_done INTEGER NOT NULL DEFAULT 0,
            model TEXT NOT NULL DEFAULT '',
            shown_at TEXT NOT NULL,
            accepted_at TEXT,
            coding_id INTEGER REFERENCES codings(id)
        );
        CREATE INDEX suggestion_log_by_coder_unit ON suggestion_log(coder_id, unit_id, id);
        """,
    )


GUID_TABLES = ("coders", "sources", "units", "codes", "codings", "memos")
"""Tables whose rows a merge looks up by GUID (m005 indexes ``lower(guid)`` on each)."""


@migrations()
def m005_guid_lookup_indexes(db: Database) -> None:
    """Index GUIDs by their lower-case form, so merging looks each entity up in O(log n).

    GUIDs are kept as their file spelled them (NVivo and ATLAS.ti write upper case) and
    compared case-insensitively with ``lower(guid) = ?``, which the plain UNIQUE index on
    ``guid`` cannot serve; these expression indexes can.
    """
    _run_script(db, "".join(
        f"CREATE INDEX {table}_by_lower_guid ON {table}(lower(guid));\n"
        for table in GUID_TABLES))


@migrations()
def m006_pinned_quotes(db: Database) -> None:
    """Keep the passages a user pinned as a code's exemplar quotes (storage/pins.py)."""
    _run_script(
        db,
        """
        CREATE TABLE pinned_quotes (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            code_id INTEGER NOT NULL REFERENCES codes(id),
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            coder_id INTEGER REFERENCES coders(id),
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX pinned_quotes_by_code ON pinned_quotes(code_id, deleted_at);
        CREATE INDEX pinned_quotes_by_lower_guid ON pinned_quotes(lower(guid));
        """,
    )


@migrations()
def m007_merge_bases(db: Database) -> None:
    """Remember what two copies last shared, and settled conflicts (storage/merge_base.py).

    ``project.replica`` names this copy (a backup for a colleague gets its own);
    ``merge_bases`` holds, per other copy, the field hashes of its codes and sources this
    copy has seen; ``merge_decisions`` the conflicts settled by a choice.
    """
    from qualcode.model import new_guid

    _run_script(
        db,
        """
        CREATE TABLE merge_bases (
            peer TEXT PRIMARY KEY,
            sync TEXT NOT NULL,
            at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE merge_decisions (
            kind TEXT NOT NULL,
            guid TEXT NOT NULL,
            field TEXT NOT NULL,
            ours TEXT NOT NULL,
            theirs TEXT NOT NULL,
            choice TEXT NOT NULL CHECK (choice IN ('ours', 'theirs')),
            at TEXT NOT NULL,
            PRIMARY KEY (kind, guid, field, ours, theirs)
        );
        """,
    )
    db.execute("INSERT INTO project(key, value) VALUES ('replica', ?) ON CONFLICT DO NOTHING",
               [new_guid()])


@migrations()
def m008_paragraph_attributes(db: Database) -> None:
    """What a document says of a source's paragraphs: speaker, PDF page, subtitle cue times.

    One row per paragraph the file (or ``--speakers``) says anything of; ``start``/``end``
    are the paragraph's offsets in the source text, as for codings.
    """
    _run_script(
        db,
        """
        CREATE TABLE paragraph_attributes (
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" >= start),
            speaker TEXT,
            page INTEGER,
            time_start TEXT,
            time_end TEXT,
            PRIMARY KEY (source_id, start)
        );
        CREATE INDEX paragraph_attributes_by_speaker ON paragraph_attributes(speaker);
        """,
    )


# Later migrations (m003_..., m004_...) go above this line, in the order they were written.


def _run_script(db: Any, script: str) -> None:
    """Run SQL statements one by one inside the caller's transaction.

    ``executescript`` would commit first, which would make a failed migration
    half-applied; ``sqlite3.complete_statement`` finds statement ends, trigger bodies included.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending!r}")


PG_MIGRATIONS_TABLE = "_qualcode_migrations"
"""Where a PostgreSQL project records its applied migrations (SQLite: ``_sqlite_migrations``)."""


def apply_migrations(db: SqlConnection | Database) -> None:
    """Bring a project's schema up to date."""
    if isinstance(db, Database):
        migrations.apply(db)
        return
    _pg_record_table(db)
    for migration in list(migrations._migrations):
        with db.write_transaction():
            if migration.name in _pg_applied(db):  # another coder was first
                continue
            migration.fn(db)  # type: ignore[arg-type]
            db.execute(f"INSERT INTO {PG_MIGRATIONS_TABLE}(migration_set, name, applied_at) "
                       "VALUES (?, ?, ?)", [MIGRATION_SET, migration.name,
                                            _now()])


def pending_migrations(db: SqlConnection | Database) -> list[str]:
    """Return the names of migrations not yet applied to a project."""
    if isinstance(db, Database):
        return [m.name for m in migrations.pending(db)]
    applied = set(_pg_applied(db))
    return [m.name for m in migrations._migrations if m.name not in applied]


def schema_version() -> int:
    """Return the schema version this qualcode writes: how many migrations it knows."""
    return len(migrations._migrations)


def unknown_migrations(db: SqlConnection | Database) -> list[str]:
    """Return migrations applied to a project that this qualcode does not know (a newer one)."""
    known = {m.name for m in migrations._migrations}
    applied = ([m.name for m in migrations.applied(db)] if isinstance(db, Database)
               else _pg_applied(db))
    return [name for name in applied if name not in known]


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="microseconds")


def _pg_record_table(db: SqlConnection) -> None:
    db.execute(f"CREATE TABLE IF NOT EXISTS {PG_MIGRATIONS_TABLE} ("
               "id INTEGER PRIMARY KEY, migration_set TEXT NOT NULL, name TEXT NOT NULL, "
               "applied_at TEXT NOT NULL, UNIQUE (migration_set, name))")


def _pg_applied(db: SqlConnection) -> list[str]:
    """The migrations a PostgreSQL project has applied, in order ([] before the first)."""
    exists = db.execute("SELECT to_regclass(?) IS NOT NULL",
                        [PG_MIGRATIONS_TABLE]).fetchone()[0]
    if not exists:
        return []
    return [row[0] for row in db.execute(
        f"SELECT name FROM {PG_MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY id",
        [MIGRATION_SET])]
