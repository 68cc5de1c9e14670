"""The suggestion log (table ``suggestion_log``): what a coder was shown, and what they took.

Every suggestion the coding screen shows for a unit is one row (code, score, rank, the
mode it was shown in, whether the unit was already done, when); pressing the accept key
stamps the row with the time and the coding it made. This is an audit trail for measuring
how suggestions influence agreement, not a user action: rows are not events and are not
undone (undoing an accepted coding leaves ``accepted_at``; :func:`acceptance_summary`
reports separately whether the suggested code is still present).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.model import Suggestion
from qualcode.storage.connection import utc_now, write_transaction
from qualcode.storage.queue import LIVE, OVERLAP
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

MODES = ("on", "after")
"""``on``: shown while the coder decides; ``after``: shown only once the unit was done."""


@dataclass(frozen=True, slots=True)
class LoggedSuggestion:
    """One row of the suggestion log."""

    id: int
    coder_id: int
    unit_id: int
    code_id: int
    score: float
    rank: int
    mode: str
    unit_done: bool
    model: str
    shown_at: str
    accepted_at: str | None
    coding_id: int | None


@dataclass(frozen=True, slots=True)
class AcceptanceSummary:
    """One coder's suggestions: how many were shown, accepted, and are in their codings now.

    Counts are of distinct (unit, code) pairs, so a unit opened twice counts once.
    """

    coder: str
    units: int
    shown: int
    accepted: int
    present: int
    shown_before_done: int

    @property
    def accepted_share(self) -> float | None:
        """Accepted pairs over shown pairs (None when nothing was shown)."""
        return self.accepted / self.shown if self.shown else None

    @property
    def present_share(self) -> float | None:
        """Shown pairs whose code the coder has on that unit now, over shown pairs."""
        return self.present / self.shown if self.shown else None


_COLUMNS = ("id, coder_id, unit_id, code_id, score, rank, mode, unit_done, model, shown_at, "
            "accepted_at, coding_id")


def _row(row: Sequence[Any]) -> LoggedSuggestion:
    return LoggedSuggestion(int(row[0]), int(row[1]), int(row[2]), int(row[3]),
                            float(row[4]), int(row[5]), str(row[6]), bool(row[7]),
                            str(row[8]), str(row[9]), row[10],
                            None if row[11] is None else int(row[11]))


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"suggestion mode must be one of {', '.join(MODES)}, not {mode!r}")


def log_shown(store: ProjectStore, *, coder_id: int, unit_id: int,
              suggestions: Sequence[Suggestion], mode: str, unit_done: bool,
              model: str = "") -> list[int]:
    """Log suggestions shown for a unit (rank 1 first); return their row ids.

    Showing the same list again in the same mode and done state (the coder came back to
    the unit) adds nothing, so the log counts what a coder saw, not how often they looked.
    """
    _check_mode(mode)
    if not suggestions:
        return []
    wanted = [(s.code_id, rank) for rank, s in enumerate(suggestions, start=1)]
    with write_transaction(store_db(store)):
        last = _last_showing(store, coder_id, unit_id)
        if last and [(r.code_id, r.rank) for r in last] == wanted \
                and last[0].mode == mode and last[0].unit_done == unit_done:
            return [r.id for r in last]
        now = utc_now()
        ids = []
        for rank, item in enumerate(suggestions, start=1):
            ids.append(store_db(store).insert_id(
                "INSERT INTO suggestion_log(coder_id, unit_id, code_id, score, rank, mode, "
                "unit_done, model, shown_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [coder_id, unit_id, item.code_id, float(item.score), rank, mode,
                 int(unit_done), model, now]))
    return ids


def _last_showing(store: ProjectStore, coder_id: int, unit_id: int) -> list[LoggedSuggestion]:
    """Return the rows of the latest showing of suggestions for this coder and unit."""
    rows = store_db(store).execute(
        f"SELECT {_COLUMNS} FROM suggestion_log WHERE coder_id = ? AND unit_id = ? AND "
        "shown_at = (SELECT max(shown_at) FROM suggestion_log WHERE coder_id = ? AND "
        "unit_id = ?) ORDER BY rank", [coder_id, unit_id, coder_id, unit_id]).fetchall()
    return [_row(r) for r in rows]


def log_accepted(store: ProjectStore, *, coder_id: int, unit_id: int, code_id: int,
                 coding_id: int | None) -> int | None:
    """Stamp the latest showing of this code for this unit as accepted; return its row id.

    Returns None when the code was not among the suggestions shown (nothing is written).
    """
    with write_transaction(store_db(store)):
        row = store_db(store).execute(
            "SELECT id FROM suggestion_log WHERE coder_id = ? AND unit_id = ? AND code_id = ? "
            "ORDER BY id DESC LIMIT 1", [coder_id, unit_id, code_id]).fetchone()
        if row is None:
            return None
        store_db(store).execute("UPDATE suggestion_log SET accepted_at = ?, coding_id = ? "
                                 "WHERE id = ?", [utc_now(), coding_id, row[0]])
    return int(row[0])


def logged(store: ProjectStore, *, coder_id: int | None = None,
           unit_id: int | None = None) -> list[LoggedSuggestion]:
    """Return log rows, oldest first, optionally for one coder and/or one unit."""
    clauses, params = [], []
    if coder_id is not None:
        clauses.append("coder_id = ?")
        params.append(coder_id)
    if unit_id is not None:
        clauses.append("unit_id = ?")
        params.append(unit_id)
    where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
    return [_row(r) for r in store_db(store).execute(
        f"SELECT {_COLUMNS} FROM suggestion_log {where}ORDER BY id", params)]


def acceptance_summary(store: ProjectStore) -> list[AcceptanceSummary]:
    """Return, per coder who was shown suggestions, how many they accepted and kept.

    ``present`` counts shown (unit, code) pairs where the coder's layer has that code on the
    unit now, however it got there (accept key, shortcut, or an undone-then-redone coding):
    compare it with ``accepted`` to see how often suggestions were taken by other routes.
    """
    rows = store_db(store).execute(
        f"""
        WITH pairs AS (
            SELECT coder_id, unit_id, code_id,
                   max(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
                   max(CASE WHEN mode = 'on' AND unit_done = 0 THEN 1 ELSE 0 END) AS before_done
            FROM suggestion_log GROUP BY coder_id, unit_id, code_id
        )
        SELECT k.name, count(DISTINCT p.unit_id), count(*), sum(p.accepted),
               sum(CASE WHEN EXISTS (SELECT 1 FROM units u JOIN codings c
                                     ON c.source_id = u.source_id
                           WHERE u.id = p.unit_id AND c.coder_id = p.coder_id
                           AND c.layer = 'coder' AND c.code_id = p.code_id
                           AND {LIVE} AND {OVERLAP}) THEN 1 ELSE 0 END),
               sum(p.before_done)
        FROM pairs p JOIN coders k ON k.id = p.coder_id
        GROUP BY k.id, k.name ORDER BY k.id
        """).fetchall()
    return [AcceptanceSummary(str(r[0]), int(r[1]), int(r[2]), int(r[3] or 0), int(r[4] or 0),
                              int(r[5] or 0)) for r in rows]


def shown_before_done_spans(store: ProjectStore, coder_id: int) -> list[tuple[int, int, int]]:
    """Return (source id, start, end) of each unit the coder saw suggestions on before done.

    A showing counts when it was made in mode ``on`` while the unit was not yet done;
    ``after`` showings (the unit was done first) do not. Spans are distinct and sorted.
    """
    rows = store_db(store).execute(
        'SELECT DISTINCT u.source_id, u.start, u."end" FROM suggestion_log l '
        "JOIN units u ON u.id = l.unit_id WHERE l.coder_id = ? AND l.mode = 'on' "
        'AND l.unit_done = 0 ORDER BY u.source_id, u.start, u."end"', [coder_id]).fetchall()
    return [(int(s), int(a), int(b)) for s, a, b in rows]


_REPORT_QUERY = f"""
    SELECT k.name, s.external_id, u.start, u."end", l.code_id, l.rank, l.score, l.mode,
           l.unit_done, l.shown_at, l.accepted_at,
           CASE WHEN EXISTS (SELECT 1 FROM codings c WHERE c.source_id = u.source_id
                   AND c.coder_id = l.coder_id AND c.layer = 'coder'
                   AND c.code_id = l.code_id AND {LIVE} AND {OVERLAP}) THEN 1 ELSE 0 END,
           l.model
    FROM suggestion_log l
    JOIN coders k ON k.id = l.coder_id
    JOIN units u ON u.id = l.unit_id
    JOIN sources s ON s.id = u.source_id
    {{where}}
    ORDER BY l.id
"""


def logged_with_units(store: ProjectStore, coder_id: int | None = None) -> list[tuple[Any, ...]]:
    """Return each logged suggestion (oldest first) with its unit, and if its code is there now.

    A row: coder name, source external id, unit start and end, code id, rank, score, mode,
    unit done when shown, shown at, accepted at (or None), the coder's own live codings
    have the code on the unit now, model.
    """
    where = "" if coder_id is None else "WHERE k.id = ?"
    params = [] if coder_id is None else [coder_id]
    return store_db(store).execute(_REPORT_QUERY.format(where=where), params).fetchall()
