"""What two copies of a project last shared, and the conflicts already settled between them.

A three-way merge asks, for each field of a code or source that differs, whether it
changed here, there, or on both sides since the copies last agreed. That needs the
field's value at that point (the *base*). It is kept compactly, as hashes:

- ``project.replica`` names this copy of the project (a GUID made with the project).
  ``qualcode backup`` gives the copy a new one, so that copies can tell each other apart
  (a copy made with ``cp`` cannot). A ``.qdpx`` export carries its project's replica
  GUID and bases in the member :data:`EXPORT_MEMBER`, so it merges as the project would.
- ``merge_bases`` holds one row per other copy (``peer``: its replica GUID): the values
  of that copy's codes and sources this copy has seen and dealt with, as ``state``, a
  JSON object ``{"code:<guid>": {"name": "<hash>", ...}, "source:<guid>": {"text": ...}}``
  whose hashes are the first :data:`HASH_DIGITS` hex digits of the BLAKE2b digest of the
  value's JSON. ``sync`` names the recorded state and ``at`` says when it was recorded.
  A row is written in the copy a backup makes (its origin's state: the same on both
  sides) and after every merge or ``.qdpx`` import (the other file's values, now seen;
  rows the other file holds about third copies are taken over when newer).
- ``merge_decisions`` holds each choice made for a conflict, by kind, GUID and field,
  with the hashes of the two values it was made between; the same conflict met again
  is settled the same way without asking.

The base for a merge is the newer of: our row for their replica, their row for ours.
Without one, every difference is a conflict, as in a two-way merge.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.model import fold_guid as fold
from qualcode.model import new_guid
from qualcode.storage.rows import decode_examples
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore
    from qualcode.storage.snapshot import Snapshot

HASH_DIGITS = 12
EXPORT_MEMBER = "qualcode-sync.json"
"""The member of a ``.qdpx`` qualcode writes its replica GUID and bases into (other tools
ignore it; without it a ``.qdpx`` merges two-way)."""
EXPORT_FORMAT = "qualcode-sync"

State = dict[str, dict[str, str]]
"""Field hashes by entity key (``code:<guid>``, ``source:<guid>``) and field name."""


@dataclass(frozen=True, slots=True)
class BaseRecord:
    """The values of another copy (``peer``) this copy has seen, as field hashes."""

    peer: str
    sync: str
    at: str
    state: State


def value_hash(value: Any) -> str:
    """Return the short hash a field value is remembered by."""
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"),
                           digest_size=HASH_DIGITS // 2).hexdigest()


def code_key(guid: str) -> str:
    """Return the state key of a code."""
    return f"code:{fold(guid)}"


def source_key(guid: str) -> str:
    """Return the state key of a source."""
    return f"source:{fold(guid)}"


def code_values(fields: dict[str, Any], parent: str | None, deleted: bool) -> dict[str, Any]:
    """Return every field of a code a merge compares: the editable ones, parent, deleted."""
    return {**fields, "parent": fold(parent) if parent else None, "deleted": deleted}


def hashes(values: dict[str, Any]) -> dict[str, str]:
    """Return the hash of every field."""
    return {name: value_hash(value) for name, value in values.items()}


def snapshot_state(snap: Snapshot) -> State:
    """Return the field hashes of a snapshot's codes and sources."""
    state: State = {}
    for code in snap.codes:
        state[code_key(code.guid)] = hashes(code_values(code.fields(), code.parent_guid,
                                                        code.deleted))
    for source in snap.sources:
        state[source_key(source.guid)] = {"text": value_hash(source.text)}
    return state


def project_state(conn: Any) -> State:
    """Return the field hashes of a project's codes (deleted ones too) and sources."""
    state: State = {}
    rows = conn.execute(
        "SELECT c.guid, c.name, c.description, c.inclusion, c.exclusion, c.examples, c.colour, "
        "c.shortcut, c.codable, p.guid, c.deleted_at FROM codes c "
        "LEFT JOIN codes p ON p.id = c.parent_id")
    for guid, name, desc, incl, excl, examples, colour, shortcut, codable, parent, gone in rows:
        fields = {"name": name, "description": desc, "inclusion": incl, "exclusion": excl,
                  "examples": list(decode_examples(examples)), "colour": colour,
                  "shortcut": shortcut, "codable": bool(codable)}
        state[code_key(guid)] = hashes(code_values(fields, parent, gone is not None))
    for guid, text in conn.execute("SELECT guid, text FROM sources"):
        state[source_key(guid)] = {"text": value_hash(text)}
    return state


# -- reading and checking rows --------------------------------------------------------------
def state_problem(state: Any) -> str | None:
    """Say what is wrong with a state read from a file, or None when it is sound."""
    if not isinstance(state, dict):
        return "is not a JSON object"
    for key, fields in state.items():
        if not isinstance(fields, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
            return f"entry {key[:40]!r} is not an object of field hashes"
    return None


def has_tables(conn: Any) -> bool:
    """Return True when a project has the merge tables (schema m007 or newer)."""
    if getattr(conn, "engine", "sqlite") == "postgresql":
        return True  # a server project is created with every migration there is
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                        "name = 'merge_bases'").fetchone() is not None


def replica_of(conn: Any) -> str | None:
    """Return the replica GUID of a project (None before m007)."""
    row = conn.execute("SELECT value FROM project WHERE key = 'replica'").fetchone()
    return row[0] if row and isinstance(row[0], str) else None


def base_rows(conn: Any) -> Iterable[tuple[Any, ...]]:
    """Yield ``(rowid, peer, sync, at, state)`` of a project's bases, unchecked."""
    if not has_tables(conn):
        return iter(())
    if getattr(conn, "engine", "sqlite") == "postgresql":  # no rowid there: one row per peer
        return conn.execute("SELECT row_number() OVER (ORDER BY peer), peer, sync, at, state "
                            "FROM merge_bases ORDER BY peer")
    return conn.execute("SELECT rowid, peer, sync, at, state FROM merge_bases ORDER BY rowid")


def read_bases(conn: Any) -> dict[str, BaseRecord]:
    """Return this project's own bases by folded peer GUID.

    A row that is not sound (edited by hand, say) is passed over: without its base a
    merge asks about every difference, which is safe; a wrong base would not be.
    """
    found: dict[str, BaseRecord] = {}
    for _, peer, sync, at, state in base_rows(conn):
        try:
            parsed = json.loads(state)
        except (TypeError, ValueError, RecursionError):
            continue
        if state_problem(parsed) is None and all(isinstance(v, str) for v in (peer, sync, at)):
            found[fold(peer)] = BaseRecord(peer, sync, at, parsed)
    return found


def choose_base(ours: str | None, our_bases: dict[str, BaseRecord], theirs: str | None,
                their_bases: Iterable[BaseRecord]) -> BaseRecord | None:
    """Return the newer of our record of their copy and their record of ours (or None)."""
    if not ours or not theirs or fold(ours) == fold(theirs):
        return None  # the same copy twice (a plain file copy): nothing tells them apart
    candidates = [our_bases.get(fold(theirs))]
    candidates += [b for b in their_bases if fold(b.peer) == fold(ours)]
    found = [b for b in candidates if b is not None]
    return max(found, key=lambda b: b.at) if found else None


# -- writing -----------------------------------------------------------------------------------
def remember(db: Any, record: BaseRecord) -> bool:
    """Store a base unless an equal state (or a newer record) is held; return if written."""
    held = db.execute("SELECT at, state FROM merge_bases WHERE lower(peer) = ?",
                      [fold(record.peer)]).fetchone()
    if held is not None and (json.loads(held[1]) == record.state or held[0] > record.at):
        return False
    db.execute("DELETE FROM merge_bases WHERE lower(peer) = ?", [fold(record.peer)])
    db.execute("INSERT INTO merge_bases(peer, sync, at, state) VALUES (?, ?, ?, ?)",
               [record.peer, record.sync, record.at,
                json.dumps(record.state, separators=(",", ":"), sort_keys=True)])
    return True


def remember_merge(db: Any, snap: Snapshot, now: str) -> bool:
    """After merging ``snap``: remember its values as seen, and its newer third-copy bases."""
    ours = replica_of(db)
    if not ours or not snap.replica or fold(ours) == fold(snap.replica):
        return False
    wrote = remember(db, BaseRecord(snap.replica, new_guid(), now, snapshot_state(snap)))
    for record in snap.bases:
        if fold(record.peer) not in (fold(ours), fold(snap.replica)):
            wrote = remember(db, record) or wrote
    return wrote


def name_copy(copy: sqlite3.Connection, now: str) -> None:
    """Make a fresh copy of a project a copy of its own: new replica, base = this state.

    Run on the copy's connection before it is put in place; a project older than m007
    is copied as it is (it has no replica to tell apart).
    """
    origin = replica_of(copy) if has_tables(copy) else None
    if origin is None:
        return
    try:
        state = project_state(copy)
    except (TypeError, ValueError, RecursionError):
        return  # a damaged codebook row: the copy is made as it is, merges ask about all
    copy.execute("BEGIN")
    copy.execute("UPDATE project SET value = ? WHERE key = 'replica'", [new_guid()])
    copy.execute("DELETE FROM merge_bases WHERE lower(peer) = ?", [fold(origin)])
    copy.execute("INSERT INTO merge_bases(peer, sync, at, state) VALUES (?, ?, ?, ?)",
                 [origin, new_guid(), now,
                  json.dumps(state, separators=(",", ":"), sort_keys=True)])
    copy.execute("COMMIT")


def export_marker(store: ProjectStore) -> dict[str, Any]:
    """Return what a ``.qdpx`` export carries so that merging it merges three ways.

    The export speaks for the copy it was written from: its replica GUID and what that
    copy has seen of others. A project the file is imported into remembers the file's
    values as seen of that copy, as after any merge.
    """
    db = store_db(store)
    bases = [{"peer": b.peer, "sync": b.sync, "at": b.at, "state": b.state}
             for b in read_bases(db).values()]
    return {"format": EXPORT_FORMAT, "version": 1, "replica": replica_of(db), "bases": bases}


def parse_marker(data: bytes, fail: Callable[[str], Any]) -> tuple[str | None, list[BaseRecord]]:
    """Read an export's marker (untrusted): ``fail`` is called with what is wrong."""
    try:
        marker = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        return fail(f"is not valid JSON ({str(error)[:60]})")
    if not isinstance(marker, dict) or marker.get("format") != EXPORT_FORMAT:
        return fail(f"is not a {EXPORT_FORMAT} object")
    replica, bases = marker.get("replica"), marker.get("bases", [])
    if not isinstance(replica, (str, type(None))) or not isinstance(bases, list):
        return fail("lacks its replica GUID or its list of bases")
    records = []
    for n, base in enumerate(bases, 1):
        if not isinstance(base, dict) or not all(
                isinstance(base.get(k), str) for k in ("peer", "sync", "at")):
            return fail(f"base {n} lacks its peer, sync or at text")
        problem = state_problem(base.get("state"))
        if problem:
            return fail(f"base {n}: the state {problem}")
        records.append(BaseRecord(base["peer"], base["sync"], base["at"], base["state"]))
    return replica, records


# -- settled conflicts --------------------------------------------------------------------------
DecisionKey = tuple[str, str, str, str, str]
"""(kind, folded GUID, field, hash of our value, hash of theirs)."""


def read_decisions(db: Any) -> dict[DecisionKey, str]:
    """Return every stored choice by its key (none before m007)."""
    if not has_tables(db):
        return {}
    return {(k, g, f, o, t): c for k, g, f, o, t, c in db.execute(
        "SELECT kind, guid, field, ours, theirs, choice FROM merge_decisions")}


def store_decision(db: Any, key: DecisionKey, choice: str, now: str) -> None:
    """Remember a choice made for one field of a conflict."""
    db.execute("INSERT INTO merge_decisions(kind, guid, field, ours, theirs, choice, at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, guid, field, ours, theirs) "
               "DO UPDATE SET choice = excluded.choice, at = excluded.at", [*key, choice, now])
