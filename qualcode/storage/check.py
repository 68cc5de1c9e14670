"""``qualcode check``: is the project file sound, and does everything in it point somewhere?

Each check is one SQL query that reads the file without changing it (a path is opened
read-only). Problems are reported as :class:`Finding`s, one per kind of problem with a
count and a few example ids, so a damaged million-unit project gives a short report.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from qualcode.codebook_shape import CodebookShape
from qualcode.model import Codebook
from qualcode.storage.backup import backups_folder, project_connection, stale_parts
from qualcode.storage.metadata import REPAIR_HINT, bad_metadata
from qualcode.storage.rows import (
    CODE_COLUMNS,
    EXAMPLES_REPAIR,
    char_length_sql,
    examples_problem,
    register_char_length,
    to_code,
)

Severity = Literal["error", "warning"]
EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Finding:
    """One kind of problem: which check, how bad, what is wrong, how many rows, examples."""

    check: str
    severity: Severity
    message: str
    count: int = 1
    examples: tuple[Any, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as plain JSON-ready data."""
        return {**asdict(self), "examples": list(self.examples)}


Check = Callable[[sqlite3.Connection], Iterator[Finding]]
CHECKS: list[tuple[str, Check]] = []


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under ``name`` (the order of registration is the order of the report)."""
    def register(func: Check) -> Check:
        CHECKS.append((name, func))
        return func
    return register


def check_project(target: Any) -> list[Finding]:
    """Run every check on a project (a Store, Database, connection or path); return findings.

    An empty list means the project is sound. A path is opened read-only and not migrated.
    A server project (a Store on PostgreSQL, or its URL) gets the checks of its rows
    (:data:`SERVER_CHECKS`); the server itself keeps its pages, keys and JSON sound.
    """
    from qualcode.storage.backends.urls import server_url

    if isinstance(target, str | Path) and server_url(target):
        from qualcode.storage.store import Store

        with Store.open(target, readonly=True) as store:
            return check_project(store)
    db = getattr(target, "db", None)
    if getattr(db, "engine", "sqlite") != "sqlite":
        return _check_rows_on_server(db)
    conn, path, owned = project_connection(target)
    findings: list[Finding] = []
    try:
        register_char_length(conn)
        for name, func in CHECKS:
            try:
                findings.extend(func(conn))
            except sqlite3.DatabaseError as error:
                findings.append(Finding(name, "error", f"could not run this check: {error}"))
    finally:
        if owned:
            conn.close()
    if path is not None:
        findings.extend(_stale_backup_parts(path))
    return findings


SERVER_CHECKS = ("units", "codings", "code examples", "orphans", "codebook shape", "events")
"""The checks that read rows and so run on a server project too; the others read SQLite's
own structures (integrity, foreign keys, header) or its JSON functions (metadata)."""


def _check_rows_on_server(db: Any) -> list[Finding]:
    findings: list[Finding] = []
    for name, func in CHECKS:
        if name in SERVER_CHECKS:
            try:
                findings.extend(func(db))
            except db.error as error:
                findings.append(Finding(name, "error", f"could not run this check: {error}"))
    return findings


def _text_length(conn: Any) -> str:
    """SQL for a source text's length: PostgreSQL's text holds no NUL, SQLite's may."""
    return "length(s.text)" if getattr(conn, "engine", "sqlite") == "postgresql" else TEXT_LENGTH


def _stale_backup_parts(path: Path) -> Iterator[Finding]:
    """Partial copies that interrupted backups left in the backups folder."""
    stale = stale_parts(backups_folder(path))
    if stale:
        names = ", ".join(p.name for p in stale[:EXAMPLES])
        yield Finding("backups", "warning", f"{len(stale)} partial files left by interrupted "
                      f"backups in {backups_folder(path)} ({names}); the next `qualcode "
                      "backup` removes them, or delete them", len(stale),
                      tuple(str(p) for p in stale[:EXAMPLES]))


def has_errors(findings: list[Finding]) -> bool:
    """Return True when any finding is an error (not just a warning)."""
    return any(f.severity == "error" for f in findings)


def _rows_finding(conn: sqlite3.Connection, name: str, sql: str, message: str,
                  severity: Severity = "error") -> Iterator[Finding]:
    """Yield one finding when ``sql`` (selecting one id column) returns rows."""
    ids = [row[0] for row in conn.execute(sql)]
    if ids:
        shown = ", ".join(str(i) for i in ids[:EXAMPLES]) + (", ..." if len(ids) > EXAMPLES else "")
        yield Finding(name, severity, f"{len(ids)} {message} (ids {shown})", len(ids),
                      tuple(ids[:EXAMPLES]))


# -- the file itself -------------------------------------------------------------------
@check("integrity")
def _integrity(conn: sqlite3.Connection) -> Iterator[Finding]:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check(100)")]
    if problems != ["ok"]:
        yield Finding("integrity", "error", "SQLite integrity check failed: " + problems[0]
                      + "; restore a backup (see `qualcode backup`)", len(problems),
                      tuple(problems[:EXAMPLES]))


@check("foreign-keys")
def _foreign_keys(conn: sqlite3.Connection) -> Iterator[Finding]:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    tables = sorted({f"{table}->{parent}" for table, _, parent, _ in rows})
    if rows:
        yield Finding("foreign-keys", "error", f"{len(rows)} rows point at rows that do not "
                      f"exist ({', '.join(tables)})", len(rows),
                      tuple((table, rowid) for table, rowid, _, _ in rows[:EXAMPLES]))


@check("schema")
def _schema(conn: sqlite3.Connection) -> Iterator[Finding]:
    from sqlite_utils import Database

    from qualcode.storage.schema import APPLICATION_ID, pending_migrations

    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        yield Finding("schema", "error", "not stamped as a qualcode project (application_id)")
    pending = pending_migrations(Database(conn, execute_plugins=False))
    if pending:
        yield Finding("schema", "warning", f"{len(pending)} migrations not applied yet "
                      f"({', '.join(pending)}); opening the project with qualcode applies "
                      "them after an automatic backup", len(pending), tuple(pending[:EXAMPLES]))


# -- offsets -------------------------------------------------------------------------------
TEXT_LENGTH = char_length_sql("s.text")  # length(s.text) would stop at a NUL character


@check("units")
def _units(conn: sqlite3.Connection) -> Iterator[Finding]:
    yield from _rows_finding(
        conn, "units",
        'SELECT u.id FROM units u JOIN sources s ON s.id = u.source_id '
        f'WHERE u.start < 0 OR u."end" < u.start OR u."end" > {_text_length(conn)} '
        "ORDER BY u.id",
        "units lie outside their source's text")
    yield from _rows_finding(
        conn, "units",
        "SELECT s.id FROM sources s WHERE NOT EXISTS (SELECT 1 FROM units u WHERE "
        "u.source_id = s.id AND u.kind = 'source' AND u.start = 0 AND "
        f'u."end" = {_text_length(conn)}) ORDER BY s.id',
        "sources have no whole-source unit covering their text")


@check("codings")
def _codings(conn: sqlite3.Connection) -> Iterator[Finding]:
    yield from _rows_finding(
        conn, "codings",
        'SELECT c.id FROM codings c JOIN sources s ON s.id = c.source_id '
        f'WHERE c.start < 0 OR c."end" < c.start OR c."end" > {_text_length(conn)} '
        "ORDER BY c.id",
        "codings lie outside their source's text")


# -- stored JSON ---------------------------------------------------------------------------
@check("metadata")
def _metadata(conn: sqlite3.Connection) -> Iterator[Finding]:
    """Metadata SQLite's JSON functions fail on (error) or read rounded (warning)."""
    faults = bad_metadata(conn)
    broken = [fault for fault in faults if not fault.rounded]
    rounded = [fault for fault in faults if fault.rounded]
    checks: tuple[tuple[list[Any], Severity, str], ...] = (
        (broken, "error", "metadata SQLite cannot read (commands that group or filter by "
                          "metadata stop on it) or reads as infinity"),
        (rounded, "warning", "metadata numbers SQLite reads rounded"))
    for rows, severity, what in checks:
        if rows:
            shown = "; ".join(f"source {f.external_id!r} (row {f.source_id}) {f.problem}"
                              for f in rows[:EXAMPLES])
            more = "; ..." if len(rows) > EXAMPLES else ""
            sources = "1 source has" if len(rows) == 1 else f"{len(rows)} sources have"
            yield Finding("metadata", severity, f"{sources} {what}: {shown}{more}; "
                          f"{REPAIR_HINT}", len(rows),
                          tuple(f.external_id for f in rows[:EXAMPLES]))


@check("code examples")
def _code_examples(conn: sqlite3.Connection) -> Iterator[Finding]:
    """Codes whose examples are not a JSON list of texts (they read as none, or changed)."""
    bad = [(code_id, name, problem) for code_id, name, text in conn.execute(
               "SELECT id, name, examples FROM codes ORDER BY id")
           if (problem := examples_problem(text)) is not None]
    if bad:
        shown = "; ".join(f"code {name!r} (id {code_id}): its examples {problem}"
                          for code_id, name, problem in bad[:EXAMPLES])
        more = "; ..." if len(bad) > EXAMPLES else ""
        codes = "1 code has" if len(bad) == 1 else f"{len(bad)} codes have"
        yield Finding("code examples", "error", f"{codes} examples that are not a JSON list "
                      f"of texts (shown as none or as JSON): {shown}{more}; {EXAMPLES_REPAIR}",
                      len(bad), tuple(code_id for code_id, _, _ in bad[:EXAMPLES]))


# -- orphans -------------------------------------------------------------------------------
ORPHANS = [
    ("units", "SELECT id FROM units WHERE source_id NOT IN (SELECT id FROM sources)",
     "units belong to no source"),
    ("codings", "SELECT id FROM codings WHERE source_id NOT IN (SELECT id FROM sources)",
     "codings are on a missing source"),
    ("codings", "SELECT id FROM codings WHERE code_id NOT IN (SELECT id FROM codes)",
     "codings use a missing code"),
    ("codings", "SELECT id FROM codings WHERE coder_id NOT IN (SELECT id FROM coders)",
     "codings belong to a missing coder"),
    ("reviews", "SELECT unit_id FROM reviews WHERE unit_id NOT IN (SELECT id FROM units)",
     "done marks are on missing units"),
    ("reviews", "SELECT unit_id FROM reviews WHERE coder_id NOT IN (SELECT id FROM coders)",
     "done marks belong to a missing coder"),
    ("codes", "SELECT id FROM codes WHERE parent_id IS NOT NULL AND parent_id NOT IN "
     "(SELECT id FROM codes)", "codes have a missing parent"),
    ("codes", "SELECT id FROM codes WHERE deleted_at IS NULL AND parent_id IN "
     "(SELECT id FROM codes WHERE deleted_at IS NOT NULL)",
     "live codes sit under a deleted parent"),
    ("memos", "SELECT m.id FROM memos m WHERE m.deleted_at IS NULL AND NOT CASE m.target_kind "
     "WHEN 'source' THEN m.target_guid IN (SELECT guid FROM sources) "
     "WHEN 'unit' THEN m.target_guid IN (SELECT guid FROM units) "
     "WHEN 'code' THEN m.target_guid IN (SELECT guid FROM codes) "
     "WHEN 'coding' THEN m.target_guid IN (SELECT guid FROM codings) ELSE TRUE END",
     "memos are on something that does not exist"),
    ("events", "SELECT id FROM events WHERE coder_id IS NOT NULL AND coder_id NOT IN "
     "(SELECT id FROM coders)", "events belong to a missing coder"),
]


@check("orphans")
def _orphans(conn: sqlite3.Connection) -> Iterator[Finding]:
    for name, sql, message in ORPHANS:
        yield from _rows_finding(conn, name, sql + " ORDER BY 1", message)
    yield from _code_cycles(conn)


def _code_cycles(conn: sqlite3.Connection) -> Iterator[Finding]:
    parents = dict(conn.execute("SELECT id, parent_id FROM codes").fetchall())
    looped = []
    for start in parents:
        seen, node = set(), start
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node == start:
            looped.append(start)
    if looped:
        yield Finding("codes", "error", f"{len(looped)} codes are their own ancestor (ids "
                      f"{', '.join(map(str, looped[:EXAMPLES]))})", len(looped),
                      tuple(looped[:EXAMPLES]))


# -- the event log -------------------------------------------------------------------------
@check("codebook shape")
def _codebook_shape(conn: sqlite3.Connection) -> Iterator[Finding]:
    """Codes placed where the shape rules forbid (an older version let them in)."""
    try:
        rows = conn.execute(f"SELECT {CODE_COLUMNS} FROM codes WHERE deleted_at IS NULL "
                            "ORDER BY position, id").fetchall()
        book = Codebook(tuple(to_code(row) for row in rows))
    except (ValueError, TypeError):
        return  # a kind or examples value the schema check reports; no tree to judge
    problems = CodebookShape.problems(book)
    if problems:
        yield Finding("codebook shape", "error", f"{len(problems)} codes break the codebook's "
                      f"shape (theme > sub-theme > code); first: {problems[0]}",
                      len(problems), tuple(problems[:EXAMPLES]))


@check("events")
def _events(conn: sqlite3.Connection) -> Iterator[Finding]:
    undo_pointers = _rows_finding(
        conn, "events",
        "SELECT e.id FROM events e WHERE (e.action IN ('undo', 'redo')) != "
        "(e.undoes IS NOT NULL) OR (e.undoes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events t "
        "WHERE t.id = e.undoes AND t.id < e.id AND (t.coder_id = e.coder_id OR "
        "(t.coder_id IS NULL AND e.coder_id IS NULL)))) ORDER BY e.id",
        "undo/redo events do not point at an earlier event of the same coder")
    if getattr(conn, "engine", "sqlite") == "postgresql":
        # The server's events are written by qualcode only (payloads from json.dumps); the
        # JSON and timestamp checks below use SQLite's functions.
        yield from undo_pointers
        return
    yield from _rows_finding(
        conn, "events",
        "SELECT id FROM events WHERE NOT json_valid(payload) OR json_type(payload) != 'object' "
        "ORDER BY id", "events have a payload that is not a JSON object")
    yield from _rows_finding(
        conn, "events",
        "SELECT id FROM events WHERE trim(action) = '' OR at IS NULL OR at NOT GLOB "
        "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*' ORDER BY id",
        "events have no action or no ISO timestamp")
    yield from undo_pointers
    yield from _rows_finding(
        conn, "events",
        "SELECT id FROM events WHERE action IN ('coding.add', 'coding.remove') AND "
        "json_valid(payload) AND json_extract(payload, '$.coding_id') NOT IN "
        "(SELECT id FROM codings) ORDER BY id",
        "coding events name a coding that is not in the file (undo would fail)")
    yield from _rows_finding(
        conn, "events",
        "SELECT id FROM events WHERE action IN ('review.done', 'review.undone') AND "
        "json_valid(payload) AND json_extract(payload, '$.unit_id') NOT IN "
        "(SELECT id FROM units) ORDER BY id",
        "done-mark events name a unit that is not in the file", severity="warning")
