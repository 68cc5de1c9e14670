"""Done status in codings files: the ``done`` and ``unit`` columns, read and written.

A codings file that has a ``done`` column says, on every row, whether the unit the row
belongs to was marked done by the row's coder (``yes``/``no``). A coding row belongs to
its whole source (``unit`` empty or ``source``), so every row of one source carries the
same value. A row with an empty ``code`` and ``done`` = ``yes`` is a done mark with no
coding: on the whole source (``unit`` ``source``, no offsets) it is the decision "no code
applies"; with ``unit`` ``sentence`` or ``paragraph`` and that unit's ``start``/``end``
it marks that smaller unit done. Importing such a file marks exactly the units it says
were done; a file without a ``done`` column keeps the older rule (every source it names
is marked done), see :func:`qualcode.interchange.codings_import.import_codings_file`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.errors import FormatError
from qualcode.model import UnitKind
from qualcode.segmentation import paragraphs, sentences

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["DONE_COLUMNS", "DoneMarks", "done_cell", "parse_done", "parse_unit"]

DONE_COLUMNS = ("done", "unit")
"""The columns an export adds so that the file carries done status."""

_DONE_VALUES = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}
_CUTTERS = {UnitKind.SENTENCE: sentences, UnitKind.PARAGRAPH: paragraphs}


def done_cell(done: bool) -> str:
    """The text of a ``done`` cell: ``yes`` or ``no``."""
    return "yes" if done else "no"


def parse_done(cell: str, where: str, line: int) -> bool:
    """Read a ``done`` cell (yes/no, true/false, 1/0, any case)."""
    value = _DONE_VALUES.get(cell.strip().casefold())
    if value is None:
        shown = repr(cell.strip()) if cell.strip() else "empty"
        raise FormatError(f"done is {shown}; write yes or no (or remove the done column to "
                          "mark every source the file names done)", path=where, line=line)
    return value


def parse_unit(cell: str, where: str, line: int) -> UnitKind:
    """Read a ``unit`` cell: empty or ``source`` (the whole source), ``sentence``, ``paragraph``."""
    text = cell.strip().casefold()
    try:
        return UnitKind(text) if text else UnitKind.SOURCE
    except ValueError:
        raise FormatError(f"unit {cell.strip()!r} is not source, sentence or paragraph; fix it "
                          "(empty means the whole source)", path=where, line=line) from None


@dataclass
class DoneMarks:
    """The done status a file gives, checked row by row during the first pass."""

    where: str
    whole: dict[str, tuple[bool, int]] = field(default_factory=dict)
    """Source id -> (done, first line saying so)."""
    smaller: list[tuple[str, UnitKind, int, int, int]] = field(default_factory=list)
    """(source id, kind, start, end, line) of sentences and paragraphs marked done."""

    def add(self, source_id: str, unit: UnitKind, done: bool, start: int | None,
            end: int | None, line: int) -> None:
        """Take one row's done status; refuse a source said to be both done and not done."""
        if unit is not UnitKind.SOURCE:
            if done and start is not None and end is not None:
                self.smaller.append((source_id, unit, start, end, line))
            return
        earlier = self.whole.setdefault(source_id, (done, line))
        if earlier[0] != done:
            raise FormatError(f"source {source_id!r} is done = {done_cell(done)} here but "
                              f"{done_cell(earlier[0])} on line {earlier[1]}; give every row "
                              "of a source the same done value", path=self.where, line=line)

    def unit_ids(self, store: ProjectStore, source_ids: dict[str, int]) -> list[int]:
        """Return the ids of the units marked done, storing sentence or paragraph units
        (qualcode's own cut of the whole source) where the project holds none yet."""
        ids = [store.whole_unit(source_ids[ext]).id for ext, (done, _) in self.whole.items()
               if done]
        known: dict[tuple[str, UnitKind], dict[tuple[int, int], int]] = {}
        for ext, kind, start, end, line in self.smaller:
            units = known.get((ext, kind))
            if units is None:
                source_id = source_ids[ext]
                cut = _CUTTERS[kind](store.source(source_id).text)
                units = known[(ext, kind)] = {(u.start, u.end): u.id for u in
                                              store.store_units(source_id, kind, cut)}
            unit_id = units.get((start, end))
            if unit_id is None:
                raise FormatError(f"no {kind.value} of source {ext!r} spans {start}..{end}; a "
                                  f"done {kind.value} row gives the exact start and end of one "
                                  f"of its {kind.value}s (as exported)", path=self.where,
                                  line=line)
            ids.append(unit_id)
        return ids
