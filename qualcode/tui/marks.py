"""Coded spans flattened into runs, so drawing a row finds its codes by bisection.

Spans overlap freely (two codes on one phrase, a span inside a span); a sweep over
their boundaries turns them into non-overlapping runs, each with the spans active on it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mark:
    """A coded span as the text pane draws it (offsets into the unit's text)."""

    start: int
    end: int
    code_id: int
    badge: str
    coding_id: int = 0


class Runs:
    """Maximal stretches of text with the same set of marks over them.

    >>> runs = Runs([Mark(0, 10, 1, "a"), Mark(5, 15, 2, "b")])
    >>> [(r, [m.badge for m in runs.active[i]]) for i, r in enumerate(zip(runs.starts, runs.ends))]
    [((0, 5), ['a']), ((5, 10), ['a', 'b']), ((10, 15), ['b'])]
    """

    def __init__(self, marks: Sequence[Mark]) -> None:
        self.marks = list(marks)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.active: list[tuple[Mark, ...]] = []
        points = sorted({m.start for m in marks} | {m.end for m in marks})
        opening: dict[int, list[Mark]] = {}
        closing: dict[int, list[Mark]] = {}
        for mark in marks:
            if mark.end > mark.start:
                opening.setdefault(mark.start, []).append(mark)
                closing.setdefault(mark.end, []).append(mark)
        live: dict[Mark, None] = {}
        for here, following in zip(points, points[1:], strict=False):
            for mark in closing.get(here, ()):
                live.pop(mark, None)
            for mark in opening.get(here, ()):
                live[mark] = None
            if live:
                self.starts.append(here)
                self.ends.append(following)
                self.active.append(tuple(sorted(live, key=lambda m: (m.start, -m.end))))

    def __len__(self) -> int:
        return len(self.starts)

    def index_at(self, offset: int) -> int | None:
        """Return the run covering ``offset``, if any."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return index
        return None

    def between(self, start: int, end: int) -> list[int]:
        """Return the indexes of runs overlapping ``[start, end)``, in order."""
        first = max(0, bisect_right(self.starts, start) - 1)
        found = []
        for index in range(first, len(self.starts)):
            if self.starts[index] >= end:
                break
            if self.ends[index] > start:
                found.append(index)
        return found

    def badges_between(self, start: int, end: int) -> list[Mark]:
        """Return the distinct marks (by code) present on ``[start, end)``, in text order."""
        seen: dict[int, Mark] = {}
        for index in self.between(start, end):
            for mark in self.active[index]:
                seen.setdefault(mark.code_id, mark)
        return list(seen.values())
