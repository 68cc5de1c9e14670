"""Exemplar quotes for the theme table without holding every coded passage in memory.

The choice is the one the object-by-object reference in ``tests/reference_paths.py`` makes
(distinct passages, whitespace collapsed; one study at a time, the study with the
shortest passage first; passages shown for an earlier row last). Only the shortest
passages can be chosen, so :class:`QuotePicker` first measures every passage's collapsed
length (one pass over the texts, mostly without building the passage: a text with single
spaces only collapses to itself), then reads the texts of the shortest few per code and
runs the same choice on them. The result is exact: every passage as short as the longest
one read is read (identical passages have equal lengths, so duplicates are all seen), and
when the passages read cover fewer studies than quotes are wanted, more are read, up to
all of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.storage.arrays import CodingColumns, ColumnReads, source_rows, text_batches

if TYPE_CHECKING:
    from qualcode.storage import Store

Passage = tuple[int, int, str, str]  #: (source id, start, collapsed text, study key)
Pools = dict[str, list[tuple[int, int, int, str]]]
FIRST_READ = 64  #: passages read per code at first (then eight times more each round)


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and trim, as quotes are shown."""
    return " ".join(text.split())


def regular(text: str) -> bool:
    """True when ``collapse`` leaves the text unchanged.

    Every whitespace character but the space is non-printable, so a printable text
    without double, leading or trailing spaces has nothing to collapse.
    """
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def pools(passages: Iterable[Passage], used: set[str]) -> tuple[Pools, Pools]:
    """Split distinct non-empty passages into fresh and already-shown pools per study.

    ``passages`` come in (source, start, end, coding id) order; the first of identical
    passages counts.
    """
    seen: set[str] = set()
    fresh: Pools = {}
    stale: Pools = {}
    for source_id, start, text, study in passages:
        if not text or text in seen:
            continue
        seen.add(text)
        (stale if text in used else fresh).setdefault(study, []).append(
            (len(text), source_id, start, text))
    return fresh, stale


class QuotePicker:
    """Collapsed lengths of one layer's codings, and the exemplar choice per code."""

    def __init__(self, store: Store, codings: CodingColumns, study_of: Callable[[int, str], str],
                 reads: ColumnReads | None = None) -> None:
        self._store, self._study_of = store, study_of
        order = np.lexsort((codings.id, codings.end, codings.start, codings.source))
        self.source, self.start = codings.source[order], codings.start[order]
        self.end, self.code = codings.end[order], codings.code[order]
        self.length = self._lengths(reads)

    def _lengths(self, reads: ColumnReads | None) -> np.ndarray:
        """Collapsed length of every passage, one streaming pass over the sources' texts.

        The pass sees every text, so it also hands the sources' lengths to ``reads``
        (presence needs them) instead of leaving them to a second pass.
        """
        length = self.end - self.start
        id_parts, size_parts = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for batch in text_batches(self._store, 5_000):
            ids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
            texts = [r[2] for r in batch]
            sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            self._measure(ids, texts, sizes, length)
            id_parts.append(ids)
            size_parts.append(sizes)
        if reads is not None:
            reads.keep_lengths(np.concatenate(id_parts), np.concatenate(size_parts))
        return length

    def _measure(self, ids: np.ndarray, texts: list[str], sizes: np.ndarray,
                 length: np.ndarray) -> None:
        """Set the collapsed lengths of the passages of one batch of sources."""
        lo = int(np.searchsorted(self.source, ids[0], side="left"))
        hi = int(np.searchsorted(self.source, ids[-1], side="right"))
        if lo == hi:
            return
        plain = np.fromiter(map(regular, texts), dtype=bool, count=len(texts))
        row = np.searchsorted(ids, self.source[lo:hi])
        start, end = self.start[lo:hi], self.end[lo:hi]
        easy = (start == end) | (plain[row] & (start == 0) & (end == sizes[row]))
        for k in np.flatnonzero(~easy).tolist():
            text, s, e = texts[row[k]], int(start[k]), int(end[k])
            passage = text[s:e]
            if plain[row[k]] and passage[:1] != " " and passage[-1:] != " ":
                length[lo + k] = e - s
            else:
                length[lo + k] = len(collapse(passage))

    def pick(self, code_id: int, n: int, used: set[str],
             choose: Callable[[Pools, Pools, int], list[tuple[str, int, str]]]
             ) -> list[tuple[str, int, str, str, dict[str, object]]]:
        """Choose up to ``n`` passages of one code as ``choose`` does on all of them.

        Returns (study, source id, text, external id, metadata) per quote.
        """
        items = np.flatnonzero((self.code == code_id) & (self.length > 0))
        if n <= 0 or not len(items):
            return []
        ranked = items[np.lexsort((self.start[items], self.source[items], self.length[items]))]
        wanted = FIRST_READ
        while True:
            if wanted >= len(ranked):
                chosen, complete = ranked, True
            else:
                limit = self.length[ranked[wanted - 1]]
                count = int(np.searchsorted(self.length[ranked], limit, side="right"))
                chosen, complete = ranked[:count], count == len(ranked)
            sources = self._sources(sorted(set(self.source[chosen].tolist())))
            passages = []
            for k in np.sort(chosen).tolist():
                sid, s, e = int(self.source[k]), int(self.start[k]), int(self.end[k])
                name, text, _ = sources[sid]
                passages.append((sid, s, collapse(text[s:e]), self._study_of(sid, name)))
            fresh, stale = pools(passages, used)
            if complete or sum(1 for v in fresh.values() if v) >= n:
                break
            wanted *= 8
        return [(key, sid, text, sources[sid][0], json.loads(sources[sid][2]))
                for key, sid, text in choose(fresh, stale, n)]

    def _sources(self, ids: list[int]) -> dict[int, tuple[Any, ...]]:
        """(external id, text, metadata JSON) of the listed sources."""
        return source_rows(self._store, ("external_id", "text", "metadata"), ids)
