"""The PostgreSQL side of the adapter: a project is one schema, reached with psycopg 3.

Imported only when a project URL is opened, so qualcode runs without psycopg installed
(``pip install qualcode[postgres]`` adds it). The connection is in autocommit mode, as
SQLite's is here: a read is its own snapshot, and every write runs in
:meth:`PostgresConnection.write_transaction`, which takes the project's advisory lock so
writers queue one after another as they do on a file (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from qualcode.errors import StoreError
from qualcode.storage.backends import Engine
from qualcode.storage.backends.translate import is_ddl, to_postgres_ddl, to_pyformat
from qualcode.storage.backends.urls import mask_password, split_project_url

LOCK_CLASS = 0x51434F44
"""First key of the project's advisory lock ("QCOD", the SQLite application id)."""
MIN_SERVER_VERSION = 120000
"""PostgreSQL 12: nondeterministic collations (the case-insensitive names) and identity keys."""


PROJECT_MARK = "qualcode project"
"""The comment on a project's schema: what tells a project from any other schema."""
SCHEMA_MARK = ("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
               "WHERE nspname = ?")
"""The query for a schema's comment (:data:`PROJECT_MARK` on a project's)."""


def application_name(schema: str) -> str:
    """The name qualcode's sessions on project ``schema`` give the server (63 bytes at most).

    Set as libpq's ``fallback_application_name`` (an ``application_name`` in the URL
    wins), so ``pg_stat_activity`` tells who has the project open. A name too long to fit
    keeps its start and ends with a hash of the whole, so two long names never share one.

    >>> application_name("balint")
    'qualcode:balint'
    >>> len(application_name("x" * 63)), application_name("x" * 63) == application_name("x" * 62)
    (63, False)
    """
    name = f"qualcode:{schema}"
    if len(name) <= 63:  # schema names are ASCII (the URL's check): characters are bytes
        return name
    return f"{name[:54]}~{hashlib.sha1(schema.encode()).hexdigest()[:8]}"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError("a PostgreSQL project needs the psycopg driver: "
                         "pip install 'qualcode[postgres]'") from None
    return psycopg


def _register_types(conn: Any) -> None:
    """Make values look as SQLite's do: bools stored as 0/1, sums as int (not Decimal)."""
    from psycopg.adapt import Loader
    from psycopg.types.numeric import Int8Dumper

    class BoolAsInt(Int8Dumper):
        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

    class NumericAsNumber(Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            try:
                return int(text)
            except ValueError:
                return float(text)

    conn.adapters.register_dumper(bool, BoolAsInt)
    conn.adapters.register_loader("numeric", NumericAsNumber)


def _refuse_nul(parameters: Sequence[Any]) -> None:
    """Refuse text holding NUL in one line: PostgreSQL's text type cannot store it."""
    for value in parameters:
        if isinstance(value, str) and "\x00" in value:
            where = value[:value.index("\x00")][-30:]
            raise StoreError(f"a text holding a NUL character (after {where!r}) cannot be "
                             "stored in a PostgreSQL project; remove the NUL characters "
                             "from the input and try again (nothing was saved)")


def open_session(libpq_url: str, location: str, schema: str) -> Any:
    """An autocommit session for project ``schema``, or a StoreError saying in one line why
    none could be made."""
    psycopg = _psycopg()
    try:
        return psycopg.connect(libpq_url, autocommit=True,
                               fallback_application_name=application_name(schema))
    except psycopg.Error as error:
        from qualcode.storage.backends.server_failures import explain_connect_failure

        raise StoreError(explain_connect_failure(error), path=location) from None


class PostgresConnection:
    """A project schema's connection, with the :class:`SqlConnection` API."""

    engine: Engine = "postgresql"
    temp_schema = "pg_temp"

    def __init__(self, url: str, *, readonly: bool = False, create: bool = False) -> None:
        psycopg = _psycopg()
        self.integrity_error: type[Exception] = psycopg.IntegrityError
        self.error: type[Exception] = psycopg.Error
        self.url = url
        self.readonly = readonly
        self._writing = 0  # open write transactions (nested ones included)
        self.conn = self._connect()
        try:
            self._prepare(readonly=readonly, create=create)
        except BaseException:
            self.conn.close()
            raise

    def _connect(self) -> Any:
        libpq_url, self.schema = split_project_url(self.url)
        return open_session(libpq_url, self.location, self.schema)

    def _reconnect_if_lost(self) -> None:
        """Open a new session when the last one was lost (a dropped network, a restarted
        server, a terminated backend). The action that met the loss was rolled back and
        said so in one line; the next one runs on the new session."""
        if not (self.conn.closed or self.conn.broken) or self._writing:
            return  # inside a write, the loss must end the whole transaction, never half of it
        self.conn = self._connect()
        self._prepare(readonly=self.readonly, create=False)

    def _prepare(self, *, readonly: bool, create: bool) -> None:
        if self.conn.info.server_version < MIN_SERVER_VERSION:
            raise StoreError(f"the server runs PostgreSQL {self.conn.info.server_version}; "
                             "qualcode needs 12 or newer (it is tested on 15); ask the "
                             "server's administrator to upgrade", path=self.location)
        _register_types(self.conn)
        exists = self.execute("SELECT 1 FROM pg_namespace WHERE nspname = ?",
                              [self.schema]).fetchone() is not None
        if create and exists:
            raise StoreError("already exists; choose another ?project= name or open it",
                             path=self.location)
        if not create and not exists:
            raise StoreError("no such project on this server; create it with `qualcode init`",
                             path=self.location)
        if not create and not self.execute("SELECT has_schema_privilege(?, 'USAGE')",
                                           [self.schema]).fetchone()[0]:
            from qualcode.storage.backends.server_failures import GRANTS

            raise StoreError(f"your login may not use this project (no USAGE on its schema); "
                             f"{GRANTS}", path=self.location)
        if create:
            self.execute(f'CREATE SCHEMA "{self.schema}"')
        self.execute(f'SET search_path TO "{self.schema}"')
        if readonly:
            self.execute("SET default_transaction_read_only = on")

    @property
    def location(self) -> str:
        """The project's URL without its password."""
        return mask_password(self.url)

    def mark_as_project(self) -> None:
        """Mark the schema as a project, and add the case-blind collation names use."""
        self.execute(f"COMMENT ON SCHEMA \"{self.schema}\" IS '{PROJECT_MARK}'")
        # SQLite's NOCASE, under the same name, so the schema's COLLATE NOCASE resolves.
        self.execute("CREATE COLLATION IF NOT EXISTS nocase (provider = icu, "
                     "locale = 'und-u-ks-level2', deterministic = false)")
        # SQLite's substr() takes any integer; PostgreSQL's wants int4, offsets are int8.
        self.execute("CREATE OR REPLACE FUNCTION substr(text, bigint, bigint) RETURNS text "
                     "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
                     "AS 'SELECT pg_catalog.substr($1, $2::int, $3::int)'")

    def drop_schema(self) -> None:
        """Remove this project's schema and everything in it (a creation that failed)."""
        if self.in_transaction:
            self.conn.rollback()
        self.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def is_project(self) -> bool:
        """True when the schema is marked as a qualcode project."""
        row = self.execute(SCHEMA_MARK, [self.schema]).fetchone()
        return row is not None and row[0] == PROJECT_MARK

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        """Run one statement written for SQLite (placeholders and DDL rewritten)."""
        _refuse_nul(parameters or ())
        self._reconnect_if_lost()
        cursor = self.conn.cursor()
        if is_ddl(sql):
            for statement in to_postgres_ddl(sql):
                cursor.execute(to_pyformat(statement), list(parameters or []))
            return cursor
        cursor.execute(to_pyformat(sql), list(parameters or []))
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter row (pipelined by psycopg)."""
        rows = [list(row) for row in rows]
        for row in rows:
            _refuse_nul(row)
        with self.conn.cursor() as cursor:
            cursor.executemany(to_pyformat(sql), rows)

    def insert_id(self, sql: str, parameters: Sequence[Any]) -> int:
        """Run one INSERT and return its new ``id`` (``RETURNING id``)."""
        row = self.execute(sql.rstrip().rstrip(";") + " RETURNING id", parameters).fetchone()
        if row is None:
            raise StoreError("the database gave no id for the row just written; "
                             "nothing was saved")
        return int(row[0])

    def insert_id_or_none(self, sql: str, parameters: Sequence[Any]) -> int | None:
        """Run one INSERT ... ON CONFLICT DO NOTHING; the new id, or None when skipped."""
        row = self.execute(sql.rstrip().rstrip(";") + " RETURNING id", parameters).fetchone()
        return None if row is None else int(row[0])

    @property
    def in_transaction(self) -> bool:
        """True inside an open transaction."""
        from psycopg.pq import TransactionStatus

        if self.conn.closed or self.conn.broken:  # a lost session holds no transaction
            return False
        return bool(self.conn.info.transaction_status != TransactionStatus.IDLE)

    @contextmanager
    def write_transaction(self) -> Iterator[PostgresConnection]:
        """One transaction holding the project's write lock; nested use is a savepoint."""
        self._reconnect_if_lost()
        outer = not self.in_transaction
        self._writing += 1
        try:
            with self.conn.transaction():
                if outer:
                    self.execute(f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, hashtext(?))",
                                 [self.schema])
                yield self
        finally:
            self._writing -= 1

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
