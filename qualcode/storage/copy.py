"""Copy a whole project to a new one, on the same engine or the other (``qualcode copy``).

Every table the schema has is copied row for row with its ids (codebook, sources, units,
both layers of codings, done marks, memos, the event log, suggestion models and log,
pinned quotes, merge bases, paragraph attributes, the project's settings and GUID), so
the copy is the same project in another place: it exports the same codings, agreement and
``.qdpx``, and undo goes on where it was. The table list and the order that keeps every
reference valid come from the migrations themselves (applied to a scratch in-memory
SQLite), so a table a later migration adds is copied without touching this module.

The target must not exist yet; it is created, filled in one transaction, and removed
again if anything fails, so a failed copy leaves nothing behind. A server project may
instead be replaced (:func:`copy_replacing`): the copy is made beside it, then takes its
place in one transaction.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from qualcode.storage.schema import apply_migrations
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore
    from qualcode.storage.store import Store

BATCH = 1_000
SKIPPED = frozenset({"sqlite_sequence", "_sqlite_migrations", "_qualcode_migrations"})
SETTINGS = "project"


@dataclass(frozen=True)
class CopyReport:
    """Rows copied per table, in the order they were copied."""

    rows: dict[str, int] = field(default_factory=dict)


def schema_tables() -> list[tuple[str, list[str]]]:
    """Return every data table with its columns, each after the tables it refers to."""
    scratch = Database(memory=True)
    apply_migrations(scratch)
    names = [row[0] for row in scratch.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if row[0] not in SKIPPED]
    refers = {name: {row[2] for row in scratch.execute(f'PRAGMA foreign_key_list("{name}")')
                     if row[2] != name} for name in names}
    columns = {name: [row[1] for row in scratch.execute(f'PRAGMA table_info("{name}")')]
               for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        ordered.extend(ready)
    scratch.close()
    return [(name, columns[name]) for name in ordered]


def copy_project(source: ProjectStore, target_location: Path | str) -> CopyReport:
    """Copy ``source`` into a new project at ``target_location`` (a file or a server URL)."""
    from qualcode.storage.store import Store

    target = Store.create(target_location)
    try:
        report = _fill(source, target)
    except BaseException:
        _discard(target, target_location)
        raise
    target.close()
    return report


def copy_replacing(source: ProjectStore, target_location: Path | str) -> CopyReport:
    """Copy ``source`` over the server project ``target_location``, all or nothing.

    The copy is built as a project of its own beside the target (same database), then
    one transaction drops the target and renames the copy in its place: a failure at any
    point leaves the target as it was, and coders see the old project or the new one.
    """
    from qualcode.storage.backends import postgres_schemas as schemas
    from qualcode.storage.backends.urls import recall, server_url, with_project

    url = server_url(target_location)
    if url is None:
        raise ValueError(f"{target_location} is not a server project")
    full_url = recall(url)
    built = with_project(full_url, f"qualcode_building_{secrets.token_hex(6)}")
    report = copy_project(source, built)
    try:
        schemas.replace_project_schema(built, full_url)
    except BaseException:
        with contextlib.suppress(Exception):  # the swap's own error is the one to report
            schemas.drop_project_schema(built)
        raise
    return report


def _fill(source: ProjectStore, target: Store) -> CopyReport:
    reading = store_db(source)
    rows: dict[str, int] = {}
    with target.db.write_transaction():
        for table, columns in schema_tables():
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            if table == SETTINGS:  # created with the target's own settings: the source's win
                target.db.execute(f"DELETE FROM {table}")
            insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            count = 0
            for batch in _batches(reading.execute(f"SELECT {names} FROM {table}")):
                target.db.executemany(insert, batch)
                count += len(batch)
            if "id" in columns and target.db.engine == "postgresql":
                # Rows came with their ids: move the identity past them for the next insert.
                target.db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce(max(id), 0) + 1, false) FROM {table}")
            rows[table] = count
    return CopyReport(rows)


def _batches(cursor: Any) -> Iterator[list[tuple[Any, ...]]]:
    rows = iter(cursor)
    while batch := [tuple(row) for row in islice(rows, BATCH)]:
        yield batch


def _discard(target: Store, location: Path | str) -> None:
    """Remove a target a failed copy created (its schema, or its file)."""
    drop = getattr(target.db, "drop_schema", None)
    if drop is not None:
        drop()
        target.close()
        return
    target.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{location}{suffix}").unlink(missing_ok=True)
