"""Presence and "done" over units of analysis held as span arrays: the path used at scale.

The rules are those of :mod:`qualcode.agreement.presence` (which works on objects, one
coding at a time, and stays the reference the tests compare with): a coding is present in
a unit when it shares a code point with any span of the unit (a zero-width coding: when
its position lies in the span); a span is done for a coder when its whole source or that
exact span was marked done. Here every step is a sort, a binary search or a bincount, so
a million units and a few million codings take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

NONE_DONE = "not done by any compared coder"


@dataclass(frozen=True, slots=True)
class SpanUnits:
    """Units of analysis as parallel span columns, sorted by (source, start).

    Span ``i`` is ``(source[i], start[i], end[i])``, belongs to unit ``unit[i]`` and is the
    ``ordinal[i]``-th span (from 1) cut from its source. ``n_units`` counts units, including
    any without spans (a group whose sources gave no sentence).
    """

    source: np.ndarray
    start: np.ndarray
    end: np.ndarray
    unit: np.ndarray
    ordinal: np.ndarray
    n_units: int

    @classmethod
    def build(cls, source: np.ndarray, start: np.ndarray, end: np.ndarray, unit: np.ndarray,
              n_units: int, ordinal: np.ndarray | None = None) -> SpanUnits:
        """Sort the columns by (source, start); ``ordinal`` defaults to 1 for every span."""
        order = np.lexsort((start, source))
        ordinal = np.ones(len(order), dtype=np.int64) if ordinal is None else ordinal
        s, st, e, u, o = (np.asarray(c, dtype=np.int64)[order]
                          for c in (source, start, end, unit, ordinal))
        return cls(s, st, e, u, o, n_units=int(n_units))

    def subset(self, keep: np.ndarray, units: np.ndarray) -> SpanUnits:
        """Keep the spans where ``keep`` is true and the units listed (in order) in ``units``."""
        renumber = np.full(self.n_units, -1, dtype=np.int64)
        renumber[units] = np.arange(len(units))
        return SpanUnits(self.source[keep], self.start[keep], self.end[keep],
                         renumber[self.unit[keep]], self.ordinal[keep], len(units))


def _sequential(units: SpanUnits, c_source: np.ndarray, c_start: np.ndarray,
                c_end: np.ndarray, c_col: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Coding by coding, for spans that nest inside one another (no binary search)."""
    bounds = np.searchsorted(units.source, c_source, side="left"), \
        np.searchsorted(units.source, c_source, side="right")
    for k in range(len(c_source)):
        lo, hi = int(bounds[0][k]), int(bounds[1][k])
        starts, ends = units.start[lo:hi], units.end[lo:hi]
        if c_start[k] == c_end[k]:
            hit = (starts <= c_start[k]) & (c_start[k] < ends)
        else:
            hit = (c_start[k] < ends) & (starts < c_end[k])
        matrix[units.unit[lo:hi][hit], c_col[k]] = True
    return matrix


def overlap_presence(units: SpanUnits, c_source: np.ndarray, c_start: np.ndarray,
                     c_end: np.ndarray, c_col: np.ndarray, n_cols: int) -> np.ndarray:
    """Return the (units, columns) boolean matrix: does a coding of the column overlap the unit?

    Codings are given as columns (source, start, end, column index). Within a source the
    spans a coding overlaps are a contiguous run when span ends grow with span starts (any
    segmentation, stored units that do not nest): two binary searches find it.
    """
    matrix = np.zeros((units.n_units, n_cols), dtype=bool)
    if not len(units.source) or not len(c_source):
        return matrix
    src, st, en = units.source, units.start, units.end
    same = src[1:] == src[:-1]
    scale = int(max(int(en.max()), int(c_end.max()), int(c_start.max()))) + 2
    uniq = src[np.concatenate(([True], ~same))]  # src is sorted
    if np.any(same & (en[1:] < en[:-1])) or len(uniq) * scale >= 2 ** 62:
        return _sequential(units, c_source, c_start, c_end, c_col, matrix)
    rank = np.searchsorted(uniq, src)
    key_start, key_end = rank * scale + st, rank * scale + en
    pos = np.minimum(np.searchsorted(uniq, c_source), len(uniq) - 1)
    valid = uniq[pos] == c_source
    base = pos[valid] * scale
    cs, ce, col = c_start[valid], c_end[valid], c_col[valid]
    lo = np.searchsorted(key_end, base + cs, side="right")  # first span ending after the start
    zero = cs == ce
    hi = np.where(zero, np.searchsorted(key_start, base + cs, side="right"),
                  np.searchsorted(key_start, base + ce, side="left"))
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total:
        first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        spans = first + np.arange(total)
        matrix[units.unit[spans], np.repeat(col, counts)] = True
    return matrix


Done = tuple[np.ndarray, set[tuple[int, int, int]]]
"""One coder's done marks: source ids done as a whole, and (source, start, end) spans done."""


def _span_done(units: SpanUnits, done: Done) -> np.ndarray:
    whole, spans = done
    out = np.isin(units.source, whole)
    if spans:
        todo = np.flatnonzero(~out)
        # Plain Python ints from tolist(): set lookups of tuples built from numpy scalars
        # one index at a time cost about five times as much.
        keys = zip(units.source[todo].tolist(), units.start[todo].tolist(),
                   units.end[todo].tolist(), strict=True)
        out[todo] = np.fromiter((key in spans for key in keys), dtype=bool, count=len(todo))
    return out


def keep_done_spans(units: SpanUnits, done: Mapping[str, Done], *, require_all: bool = False
                    ) -> tuple[SpanUnits, np.ndarray, dict[str, int]]:
    """Keep the spans every coder marked done; drop units left empty (as ``keep_done``).

    Returns the kept spans (units renumbered), the original index of each kept unit, and
    the number of units dropped per reason, reasons in order of the first unit dropped.
    """
    coders = list(done)
    n = units.n_units
    per_coder = [_span_done(units, done[c]) for c in coders]
    every = np.logical_and.reduce(per_coder) if per_coder else np.zeros(len(units.unit), bool)
    n_spans = np.bincount(units.unit, minlength=n)
    n_every = np.bincount(units.unit, weights=every, minlength=n).astype(np.int64)
    n_by = [np.bincount(units.unit, weights=d, minlength=n).astype(np.int64) for d in per_coder]
    kept = (n_every > 0) & ((n_every == n_spans) | (not require_all))
    dropped = np.flatnonzero(~kept)
    # One integer per dropped unit names its reason: bit c set = coder c did none of it;
    # 0 = everyone did some, then (with require_all) -2 - (bits of the coders unfinished).
    missing = np.zeros(len(dropped), dtype=np.int64)
    unfinished = np.zeros(len(dropped), dtype=np.int64)
    for c, by in enumerate(n_by):
        missing |= (by[dropped] == 0).astype(np.int64) << c
        unfinished |= (by[dropped] < n_spans[dropped]).astype(np.int64) << c
    apart = -2 - (1 << 40)
    key = np.where(missing != 0, missing, -2 - unfinished if require_all else apart)
    values, first, tally = np.unique(key, return_index=True, return_counts=True)
    everyone = (1 << len(coders)) - 1
    counts = {_reason(int(values[k]), coders, everyone, apart): int(tally[k])
              for k in np.argsort(first, kind="stable")}
    kept_index = np.flatnonzero(kept)
    keep_span = every & kept[units.unit]
    return units.subset(keep_span, kept_index), kept_index, counts


def _reason(key: int, coders: Sequence[str], everyone: int, apart: int) -> str:
    """The words of ``keep_done`` for a dropped unit's reason key."""
    if key == everyone:
        return NONE_DONE
    if key > 0:
        return "not done by " + ", ".join(c for i, c in enumerate(coders) if key >> i & 1)
    if key == apart:
        return "done by the coders on different sources"
    bits = -2 - key
    return "not finished by " + ", ".join(c for i, c in enumerate(coders) if bits >> i & 1)
