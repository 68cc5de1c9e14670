"""The suggestion log as tables: what each coder was shown, what they took, what they kept.

The coding screen logs every suggestion it shows (:mod:`qualcode.storage.suggestion_log`).
A methodologist who wants to know whether suggestions steered the coders (anchoring)
needs that log beside the units and codes it refers to, in a file they can analyse:
:func:`suggestion_log_table` gives one row per suggestion shown, and
:func:`acceptance_table` one row per coder with the shares accepted and kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.interchange.writers.table import Column, Row, Table
from qualcode.storage.suggestion_log import acceptance_summary, logged_with_units

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

LOG_COLUMNS = (
    Column("coder", "Coder", "text", 10),
    Column("source_id", "Source", "text", 12),
    Column("start", "Start", "int", 7),
    Column("end", "End", "int", 7),
    Column("code", "Code", "text", 30),
    Column("rank", "Rank", "int", 5),
    Column("score", "Score", "float", 7),
    Column("mode", "Mode", "text", 6),
    Column("shown_after_done", "Shown after done", "tick", 8),
    Column("shown_at", "Shown at (UTC)", "text", 20),
    Column("accepted_at", "Accepted at (UTC)", "text", 20),
    Column("present_now", "Code on unit now", "tick", 8),
    Column("model", "Model", "text", 16),
)
"""One column per field of a logged suggestion, plus whether the code is on the unit now."""


def suggestion_log_table(store: ProjectStore, coder: str | None = None) -> Table:
    """Return every logged suggestion (oldest first), optionally for one coder only."""
    coder_id = None if coder is None else store.coder(coder, create=False).id
    paths = _code_paths(store)
    rows = []
    for (name, source, start, end, code_id, rank, score, mode, done, shown, accepted,
         present, model) in logged_with_units(store, coder_id):
        rows.append(Row((name, source, int(start), int(end), paths[code_id],
                         int(rank), round(float(score), 4), mode, bool(done), shown,
                         accepted or "", bool(present), model)))
    notes = ("One row per suggestion shown in the coding screen (a unit shown again with "
             "the same suggestions is logged once). Mode on: shown while the coder "
             "decided; after: shown only once the unit was marked done. Accepted at: "
             "when the accept key applied it. Code on unit now: the coder's own codings "
             "have that code on the unit today, however it got there.",)
    who = f" of {coder}" if coder else ""
    return Table(title=f"Suggestions shown{who}", columns=LOG_COLUMNS, rows=tuple(rows),
                 notes=notes)


def acceptance_table(store: ProjectStore) -> Table:
    """Return, per coder who was shown suggestions, the counts and shares taken and kept."""
    columns = (
        Column("coder", "Coder", "text", 10),
        Column("units", "Units shown suggestions", "int", 10),
        Column("shown", "Unit-code pairs shown", "int", 10),
        Column("shown_before_done", "Shown before done", "int", 10),
        Column("accepted", "Accepted", "int", 9),
        Column("accepted_share", "Accepted share", "float", 9),
        Column("present", "Code on unit now", "int", 9),
        Column("present_share", "Kept share", "float", 9),
    )
    rows = tuple(Row((s.coder, s.units, s.shown, s.shown_before_done, s.accepted,
                      _share(s.accepted_share), s.present, _share(s.present_share)))
                 for s in acceptance_summary(store))
    notes = ("Counts are of distinct (unit, code) pairs. Accepted: taken with the accept "
             "key. Code on unit now: the coder has the suggested code on that unit today "
             "by any route (accept key or the code's own key); compare the two to see how "
             "often coders reached a suggested code themselves.",)
    return Table(title="Suggestions accepted per coder", columns=columns, rows=rows,
                 notes=notes)


def _code_paths(store: ProjectStore) -> dict[int, str]:
    """Codebook paths by code id; a code deleted since it was suggested keeps its name."""
    book = store.codebook()
    paths = {code.id: book.path(code) for code in book.codes}
    for code_id, name in store.deleted_code_names().items():
        paths[code_id] = f"{name} (deleted)"
    return paths


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
