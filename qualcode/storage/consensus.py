"""The consensus layer: what adjudication decides, written one unit (one event) at a time.

Two coders' layers are never touched. Adjudicating a unit replaces the consensus codings
inside the unit's spans with the planned ones and, when the caller says a source is
complete, marks it done in the consensus layer (a review row with ``layer='consensus'``),
so the agreement report can compare each coder with the pseudo-coder ``consensus``.

A decision is planned by :func:`plan_unit` (pure, no database) and written by
:func:`settle` (one ``BEGIN IMMEDIATE`` transaction, one ``consensus.settle`` event that
undo reverts and redo applies again). Choices:

``a`` / ``b``
    The unit as that coder coded it (every code of theirs, with their spans).
``both``
    Every code either coder applied.
``neither``
    Everything except the disputed codes: the codes both coders agreed on stay.
``edit``
    The codes the adjudicator picked; a picked code one or both coders used keeps their
    spans, a code neither used covers the whole unit.

Where both coders applied a code that goes into the consensus, their spans are merged
(overlapping or touching spans become one), so the consensus has one coding per stretch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.errors import StoreError
from qualcode.model import Coding, Layer
from qualcode.storage.codings import CodingStore
from qualcode.storage.connection import log_event, utc_now, write_transaction
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

CHOICES = ("a", "b", "both", "neither", "edit")
"""What an adjudicator can decide for one unit."""

Span = tuple[int, int, int]
"""(source_id, start, end): one stretch of a unit, in code points, end exclusive."""

CONSENSUS_ACTION = "consensus.settle"


@dataclass(frozen=True, slots=True)
class PlannedCoding:
    """A consensus coding to be written: code and span, not yet stored."""

    source_id: int
    code_id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class UnitPlan:
    """What one unit's consensus will hold: its spans and the codings inside them."""

    key: str
    spans: tuple[Span, ...]
    codings: tuple[PlannedCoding, ...]
    choice: str = "both"


@dataclass(frozen=True, slots=True)
class SettleResult:
    """What :func:`settle` wrote: coding ids added and removed, units marked done, event id."""

    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    reviewed: tuple[int, ...] = ()
    event_id: int | None = None
    detail: dict[str, object] = field(default_factory=dict)


def _inside(coding: Coding, span: Span) -> tuple[int, int] | None:
    """Return the part of a coding inside a span, or None when they do not meet."""
    source_id, start, end = span
    if coding.source_id != source_id or not coding.overlaps(start, end):
        return None
    if coding.start == coding.end:
        return coding.start, coding.end
    return max(coding.start, start), min(coding.end, end)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching ``(start, end)`` spans into the fewest spans.

    >>> merge_spans([(5, 9), (0, 3), (3, 4), (8, 12), (20, 20)])
    [(0, 4), (5, 12), (20, 20)]
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def plan_unit(key: str, spans: Sequence[Span], a_codings: Sequence[Coding],
              b_codings: Sequence[Coding], choice: str, *, disputed: Collection[int] = (),
              picked: Collection[int] | None = None) -> UnitPlan:
    """Plan the consensus of one unit from the two coders' codings and a choice.

    ``disputed`` holds the code ids the coders disagree on (at theme level: every code
    under a disputed theme); ``picked`` the codes chosen with ``edit``. Codings outside
    the unit's spans are ignored; those crossing its edge are clipped to it.

    >>> a = [Coding(1, "g1", 1, 7, 10, 0, 20), Coding(2, "g2", 1, 7, 11, 0, 5)]
    >>> b = [Coding(3, "g3", 2, 7, 10, 10, 30)]
    >>> plan = plan_unit("S1", [(7, 0, 30)], a, b, "neither", disputed={11})
    >>> [(c.code_id, c.start, c.end) for c in plan.codings]
    [(10, 0, 30)]
    """
    if choice not in CHOICES:
        raise StoreError(f"unknown adjudication choice {choice!r}; use one of "
                         f"{', '.join(CHOICES)}")
    if choice == "edit" and picked is None:
        raise StoreError("an 'edit' decision needs the codes picked for the unit")
    per_code: dict[int, dict[str, list[Coding]]] = defaultdict(lambda: {"a": [], "b": []})
    for side, codings in (("a", a_codings), ("b", b_codings)):
        for coding in codings:
            if any(_inside(coding, span) is not None for span in spans):
                per_code[coding.code_id][side].append(coding)
    wanted: dict[int, list[Coding] | None] = {}
    for code_id, sides in per_code.items():
        if choice == "a" and sides["a"]:
            wanted[code_id] = sides["a"]
        elif choice == "b" and sides["b"]:
            wanted[code_id] = sides["b"]
        elif choice == "both" or (choice == "neither" and code_id not in disputed):
            wanted[code_id] = sides["a"] + sides["b"]
    if choice == "edit":
        chosen = set(picked or ())
        wanted = {code_id: per_code[code_id]["a"] + per_code[code_id]["b"]
                  if code_id in per_code else None for code_id in chosen}
    planned: list[PlannedCoding] = []
    for code_id in sorted(wanted):
        sources = wanted[code_id]
        for span in spans:
            source_id, start, end = span
            if sources is None:  # picked by the adjudicator, used by neither coder
                planned.append(PlannedCoding(source_id, code_id, start, end))
                continue
            parts = [p for p in (_inside(c, span) for c in sources) if p is not None]
            planned.extend(PlannedCoding(source_id, code_id, s, e) for s, e in merge_spans(parts))
    return UnitPlan(key, tuple(spans), tuple(planned), choice)


def consensus_codings(store: ProjectStore, spans: Sequence[Span]) -> list[Coding]:
    """Return the live consensus codings that meet a unit's spans (any adjudicator)."""
    found: dict[int, Coding] = {}
    for source_id in sorted({span[0] for span in spans}):
        for coding in store.codings(layer=Layer.CONSENSUS, source_id=source_id):
            if any(_inside(coding, span) is not None for span in spans):
                found[coding.id] = coding
    return sorted(found.values(), key=lambda c: (c.source_id, c.start, c.code_id, c.id))


def consensus_done_sources(store: ProjectStore) -> set[int]:
    """Return the ids of sources whose whole-source unit is done in the consensus layer."""
    rows = store_db(store).execute(
        "SELECT DISTINCT u.source_id FROM reviews r JOIN units u ON u.id = r.unit_id "
        "WHERE r.layer = 'consensus' AND u.kind = 'source'")
    return {row[0] for row in rows}


def settle(store: ProjectStore, adjudicator_id: int, plans: Sequence[UnitPlan], *,
           done_source_ids: Collection[int] = (), detail: dict[str, object] | None = None
           ) -> SettleResult:
    """Write planned units to the consensus layer: one transaction, one undoable event.

    Inside each unit's spans the earlier consensus codings are replaced by the planned
    ones; a consensus coding reaching beyond the unit keeps its outside parts (it is
    split), so neighbouring units are not changed. Each source in ``done_source_ids`` is
    marked done in the consensus layer by the adjudicator.
    """
    db = store_db(store)
    if not isinstance(store, CodingStore):  # store_db's guard, for the coding writer below
        raise TypeError(f"{type(store).__name__} cannot settle consensus codings")
    added: list[int] = []
    removed: list[int] = []
    reviewed: list[int] = []
    now = utc_now()
    with write_transaction(db):
        for plan in plans:
            for old in consensus_codings(store, plan.spans):
                if old.id in removed:
                    continue
                removed.append(old.id)
                db.execute("UPDATE codings SET deleted_at = ? WHERE id = ?", [now, old.id])
                for start, end in _outside(old, plan.spans):
                    added.append(store._insert_coding(old.coder_id, old.source_id,
                                                      old.code_id, start, end, Layer.CONSENSUS))
            for item in plan.codings:
                added.append(store._insert_coding(adjudicator_id, item.source_id, item.code_id,
                                                  item.start, item.end, Layer.CONSENSUS))
        for source_id in sorted(set(done_source_ids)):
            row = db.execute("SELECT id FROM units WHERE source_id = ? AND kind = 'source'",
                             [source_id]).fetchone()
            if row is None:
                raise StoreError(f"source {source_id} has no whole-source unit")
            cursor = db.execute("INSERT INTO reviews(unit_id, coder_id, layer, "
                                "done_at) VALUES (?, ?, 'consensus', ?) ON CONFLICT DO NOTHING",
                                [row[0], adjudicator_id, now])
            if cursor.rowcount == 1:
                reviewed.append(row[0])
        info = dict(detail or {})
        # A bulk copy can cover thousands of units: the log keeps the first few keys.
        info.update({"units": [p.key for p in plans][:50],
                     "choices": sorted({p.choice for p in plans}),
                     "added": added, "removed": removed, "review_unit_ids": reviewed,
                     "layer": Layer.CONSENSUS.value})
        event_id = log_event(db, CONSENSUS_ACTION, info, coder_id=adjudicator_id)
    return SettleResult(tuple(added), tuple(removed), tuple(reviewed), event_id, info)


def _outside(coding: Coding, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Return the parts of a coding that lie outside every one of the spans."""
    pieces = [(coding.start, coding.end)]
    for source_id, start, end in spans:
        if source_id != coding.source_id:
            continue
        kept: list[tuple[int, int]] = []
        for s, e in pieces:
            if s == e:
                if not start <= s < end:
                    kept.append((s, e))
                continue
            if s < start:
                kept.append((s, min(e, start)))
            if e > end:
                kept.append((max(s, end), e))
        pieces = kept
    return [(s, e) for s, e in pieces if e > s]

