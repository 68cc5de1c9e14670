"""The :class:`Store`: one project (a file or a server schema), written one action at a time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qualcode.errors import NotFoundError, StoreError
from qualcode.model import RESERVED_NAMES, Coder, Event, is_reserved_name, new_guid
from qualcode.storage.backends import SqlConnection
from qualcode.storage.backends.urls import ServerPath, recall, remember, server_url
from qualcode.storage.codebook import CodebookStore
from qualcode.storage.coder_names import closest_coder, coders_list
from qualcode.storage.codings import CodingStore
from qualcode.storage.connection import (
    check_path,
    connect,
    connect_readonly,
    initialise,
    log_event,
    migrate_if_needed,
    refuse_newer_schema,
    utc_now,
    writable,
    write_transaction,
)
from qualcode.storage.interface import ProjectStore
from qualcode.storage.rows import EVENT_COLUMNS, to_coder, to_event
from qualcode.storage.schema import pending_migrations
from qualcode.storage.undo import HANDLERS, undo_stacks


class Store(CodebookStore, CodingStore):
    """A qualcode project: one SQLite file, or one schema of a PostgreSQL database.

    Reads return frozen model dataclasses. Every write is one short transaction that
    holds the project's write lock (``BEGIN IMMEDIATE``; on a server, an advisory lock)
    and is committed before the method returns, and every user action appends an event,
    so several coders can work on one project at once and nothing shown as saved is lost.
    The engine is the connection in ``db`` (:mod:`qualcode.storage.backends`).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> store = Store.create(folder / "study.qualcode")
    >>> store.coder("alice").name
    'alice'
    >>> store.close()
    """

    def __init__(self, db: SqlConnection, path: Path, *, readonly: bool = False) -> None:
        self.db = db
        self.path = path
        self.readonly = readonly
        """True when opened for reading only (read-only file or media, or asked for)."""

    @classmethod
    def create(cls, path: Path | str) -> Store:
        """Create a new, empty project; refuse to overwrite an existing file (or schema).

        ``path`` is a file, or a server URL (``postgresql://...?project=NAME``, see
        :mod:`qualcode.storage.backends.urls`): the project is then a new schema there.
        """
        url = server_url(path)
        if url is not None:
            return cls._on_server(url, create=True)
        path = Path(path)
        if path.exists():
            raise StoreError("already exists; choose another name or open it", path=str(path))
        if not path.parent.exists():
            raise StoreError(f"folder {str(path.parent)!r} does not exist", path=str(path))
        db = connect(path, create=True)
        try:
            initialise(db)
        except BaseException:
            db.close()
            path.unlink(missing_ok=True)
            raise
        return cls(db, path)

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool | None = None) -> Store:
        """Open an existing project, applying pending forward migrations.

        ``readonly`` None (the default) opens for reading only when the file or its folder
        cannot be written (read-only media, permissions): every command that only reads
        works there, and one that writes fails with one clear line.
        """
        url = server_url(path)
        if url is not None:
            return cls._on_server(url, readonly=bool(readonly))
        path = Path(path)
        if readonly is None:
            check_path(path)
            readonly = not writable(path)
        if readonly:
            return cls._open_readonly(path)
        db = connect(path)  # checks, through SQLite, that it is a project
        try:
            from qualcode.storage.backup import backup_before_migrations

            refuse_newer_schema(db)
            backup_before_migrations(db, path)  # an old project is copied before it changes
            migrate_if_needed(db)
        except BaseException:
            db.close()
            raise
        return cls(db, path)

    @classmethod
    def _on_server(cls, url: str, *, create: bool = False, readonly: bool = False) -> Store:
        """Create or open a project schema on a PostgreSQL server (migrated forward)."""
        from qualcode.storage.backends.postgres import PostgresConnection

        url = recall(url)  # a reopen by the masked name keeps the password
        db = PostgresConnection(url, create=create, readonly=readonly)
        try:
            if create:
                initialise(db)
            else:
                if not db.is_project():
                    raise StoreError("is a schema, but not a qualcode project",
                                     path=db.location)
                refuse_newer_schema(db)
                if not readonly:
                    migrate_if_needed(db)
                elif pending_migrations(db):
                    raise StoreError("was made by an older qualcode and must be upgraded, "
                                     "which needs write access", path=db.location)
        except BaseException:
            if create:  # nothing half-made is left behind under the project's name
                with contextlib.suppress(Exception):
                    db.drop_schema()
            db.close()
            raise
        return cls(db, ServerPath(remember(url)), readonly=readonly)

    @classmethod
    def _open_readonly(cls, path: Path) -> Store:
        db = connect_readonly(path)
        try:
            refuse_newer_schema(db)
            if pending_migrations(db):
                raise StoreError("was made by an older qualcode and must be upgraded, which "
                                 "needs write access: copy it somewhere writable (`qualcode "
                                 "backup PROJECT -o COPY`) and open the copy",
                                 path=str(path))
        except BaseException:
            db.close()
            raise
        return cls(db, path, readonly=True)

    def close(self) -> None:
        """Close the file (committed work is already on disk)."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a block of store calls as one write transaction (nested use joins the outer)."""
        with write_transaction(self.db):
            yield

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file, leaving the WAL empty.

        A server makes every commit durable itself: nothing to do there.
        """
        if self.db.engine == "sqlite":
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- coders ------------------------------------------------------------------------
    def coder(self, name: str, *, create: bool = True) -> Coder:
        """Return the coder of this name, creating them on first use unless told not to.

        A name the command line gives a meaning of its own (:data:`RESERVED_NAMES`, such
        as ``consensus``) is refused wherever a coder would be created or would work.
        """
        name = name.strip()
        if not name:
            raise StoreError("a coder name cannot be empty")
        if create and is_reserved_name(name):
            raise StoreError(f"{name!r} cannot be a coder's name: qualcode gives it a meaning "
                             f"of its own (reserved: {', '.join(sorted(RESERVED_NAMES))}); "
                             "work under your own name, e.g. --coder carol (adjudication "
                             "writes the consensus layer: qualcode adjudicate ... --as carol)")
        row = self.db.execute("SELECT id, guid, name FROM coders WHERE name = ?",
                              [name]).fetchone()
        if row is not None:
            return to_coder(row)
        if not create:
            names = [c.name for c in self.coders()]
            close = closest_coder(name, names)
            hint = f"did you mean {close!r}? " if close else ""
            raise NotFoundError(f"no coder named {name!r} ({hint}coders: {coders_list(names)})")
        with write_transaction(self.db):
            self.db.execute("INSERT INTO coders(guid, name, created_at) "
                            "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                            [new_guid(), name, utc_now()])
        return self.coder(name, create=False)

    # -- events and undo ---------------------------------------------------------------
    def events(self, *, coder_id: int | None = None, since: int = 0) -> list[Event]:
        """Return the event log (optionally one coder's), oldest first."""
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ?"
        params: list[Any] = [since]
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params.append(coder_id)
        return [to_event(row) for row in self.db.execute(sql + " ORDER BY id", params)]

    def undo(self, coder_id: int) -> Event | None:
        """Revert this coder's most recent action not yet undone; None when there is none."""
        return self._step(coder_id, redo=False)

    def redo(self, coder_id: int) -> Event | None:
        """Apply again the action this coder undid last; None when there is none."""
        return self._step(coder_id, redo=True)

    def undo_target(self, coder_id: int, *, redo: bool = False) -> Event | None:
        """Return the event an undo (or redo) of this coder would act on, without acting."""
        stack = self._undo_stack(coder_id, redo=redo)
        return self.events_by_id([stack[-1]])[0] if stack else None

    def _undo_stack(self, coder_id: int, *, redo: bool) -> list[int]:
        rows = self.db.execute("SELECT id, action, undoes FROM events WHERE coder_id = ? "
                               "ORDER BY id", [coder_id]).fetchall()
        done, redoable = undo_stacks(rows)
        return redoable if redo else done

    def _step(self, coder_id: int, *, redo: bool) -> Event | None:
        with write_transaction(self.db):
            stack = self._undo_stack(coder_id, redo=redo)
            if not stack:
                return None
            target = self.events_by_id([stack[-1]])[0]
            revert, reapply = HANDLERS[target.action]
            payload = {**target.payload, "_coder_id": target.coder_id}
            (reapply if redo else revert)(self, payload)
            log_event(self.db, "redo" if redo else "undo", {"action": target.action},
                      coder_id=coder_id, undoes=target.id)
        return target

    def events_by_id(self, ids: Sequence[int]) -> list[Event]:
        """Return the events with these ids, in id order."""
        marks = ",".join("?" * len(ids))
        return [to_event(row) for row in self.db.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE id IN ({marks}) ORDER BY id", list(ids))]

    # -- project -----------------------------------------------------------------------
    def project_info(self) -> dict[str, str]:
        """Return the project's key/value settings (guid, created_at, ...)."""
        return dict(self.db.execute("SELECT key, value FROM project").fetchall())

    def integrity_ok(self) -> bool:
        """Return True when SQLite's integrity and foreign-key checks both pass.

        A server enforces its constraints on every write and checks its own pages; it
        has no command to ask, so a server project answers True.
        """
        if self.db.engine != "sqlite":
            return True
        ok = self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return ok and not self.db.execute("PRAGMA foreign_key_check").fetchall()


def _conforms(store: Store) -> ProjectStore:
    """Let mypy check that :class:`Store` implements :class:`ProjectStore` (fails on drift)."""
    return store
