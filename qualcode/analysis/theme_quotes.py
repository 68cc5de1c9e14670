"""Exemplar quotes for the theme table without holding every coded passage in memory.

What a reviewer would choose (the object-by-object reference in
``tests/helpers/reference_paths.py`` makes the same choice): a coded span that cuts a
sentence is widened to the whole sentences it touches, unless that makes it longer than
:data:`MAX_WORDS`; passages are compared with whitespace collapsed, and ranked by :func:`rank`:
first those of a readable length (:data:`MIN_WORDS` to :data:`MAX_WORDS` words, closest to
:data:`TARGET_WORDS` first), then longer ones, and fragments under :data:`MIN_WORDS` words only when
nothing else is left. Quotes are taken one study (or source) at a time, the study with the best
passage first, and within a study one source at a time; passages shown for an earlier row come after
the others, and fragments after both. Quotes the user pinned (:mod:`qualcode.storage.pins`) come
before all of these.

Only the best-ranked passages can be chosen, so :class:`QuotePicker` first measures every
passage (one pass over the texts, mostly without building the passage: a text with single
spaces only collapses to itself), then reads the texts of the best few per code and runs
the same choice on them. The result is exact: every passage ranked as well as the last one
read is read (identical passages rank equally, so duplicates are all seen), and when the
passages read cover fewer studies than quotes are wanted, more are read, up to all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.segmentation import sentences
from qualcode.storage.arrays import (
    CodingColumns,
    ColumnReads,
    source_rows,
    text_batches,
)

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

Rank = tuple[int, int, int]  #: (tier, distance from the target in words, length)
Passage = tuple[int, int, str, str]  #: (source id, start, collapsed text, study key)
Item = tuple[Rank, int, int, str]  #: (rank, source id, start, collapsed text)
Pools = dict[str, list[Item]]
FIRST_READ = 64  #: passages read per code at first (then eight times more each round)
MIN_WORDS = 5
"""Passages shorter than this are fragments ("I waited all day"): used only as a last resort."""
TARGET_WORDS = 20
"""The length a quote is best at: a sentence or two."""
MAX_WORDS = 60
"""Longer passages read as paragraphs: used after every readable one; a span is not
widened to its sentences beyond this."""
FRAGMENT = 2
"""The tier of passages under :data:`MIN_WORDS` words (see :func:`rank`)."""


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and trim, as quotes are shown."""
    return " ".join(text.split())


def regular(text: str) -> bool:
    """True when ``collapse`` leaves the text unchanged.

    Every whitespace character but the space is non-printable, so a printable text
    without double, leading or trailing spaces has nothing to collapse.
    """
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def words_in(collapsed: str) -> int:
    """Number of words of a collapsed passage (its spaces plus one)."""
    return collapsed.count(" ") + 1 if collapsed else 0


def rank(words: int, length: int) -> Rank:
    """Readable passages first (closest to the target), then long ones, fragments last.

    >>> rank(20, 100) < rank(8, 40) < rank(70, 400) < rank(4, 16)
    True
    """
    tier = 0 if MIN_WORDS <= words <= MAX_WORDS else (1 if words > MAX_WORDS else FRAGMENT)
    return tier, abs(words - TARGET_WORDS), length


def widened(text: str, start: int, end: int,
            bounds: Sequence[tuple[int, int]] | None = None) -> tuple[int, int]:
    """Widen ``start..end`` to the whole sentences it touches, unless they exceed MAX_WORDS.

    ``bounds`` are the text's sentences when the caller already cut them.

    >>> text = "We waited. I waited all day for a nurse. Nobody came."
    >>> text[slice(*widened(text, 13, 24))]
    'I waited all day for a nurse.'
    """
    if start >= end:
        return start, end
    spans = sentences(text) if bounds is None else bounds
    touched = [(s, e) for s, e in spans if s < end and e > start]
    if not touched:
        return start, end
    s, e = min(start, touched[0][0]), max(end, touched[-1][1])
    if (s, e) != (start, end) and words_in(collapse(text[s:e])) > MAX_WORDS:
        return start, end
    return s, e


def pools(
    passages: Iterable[Passage], used: set[str], exclude: AbstractSet[str] = frozenset()
) -> tuple[Pools, Pools]:
    """Split distinct non-empty passages into fresh and already-shown pools per study.

    ``passages`` come in (source, start, end, coding id) order; the first of identical
    passages counts; passages in ``exclude`` (the row's pinned quotes) are left out.
    """
    seen: set[str] = set(exclude)
    fresh: Pools = {}
    stale: Pools = {}
    for source_id, start, text, study in passages:
        if not text or text in seen:
            continue
        seen.add(text)
        (stale if text in used else fresh).setdefault(study, []).append(
            (rank(words_in(text), len(text)), source_id, start, text))
    return fresh, stale


def one_source_at_a_time(items: list[Item], shown: AbstractSet[int] = frozenset()) -> list[Item]:
    """Reorder a study's ranked passages so each source gives one before any gives two.

    Sources in ``shown`` (already quoted for the row) count as having given one.
    """
    nth: dict[int, int] = {}
    keyed = []
    for position, item in enumerate(items):
        count = nth.get(item[1], 1 if item[1] in shown else 0)
        nth[item[1]] = count + 1
        keyed.append((count, position, item))
    return [item for _, _, item in sorted(keyed)]


def round_robin(by_study: Pools, order: dict[str, int], n: int,
                shown_studies: AbstractSet[str] = frozenset(),
                shown_sources: AbstractSet[int] = frozenset()) -> list[tuple[str, int, str]]:
    """Take (study, source id, text) one study at a time, the study with the best first.

    Studies and sources already quoted for the row (``shown_*``) come after the others.
    """
    for key, items in by_study.items():
        items.sort()
        by_study[key] = one_source_at_a_time(items, shown_sources)
    queue = sorted((k for k in by_study if by_study[k]),
                   key=lambda k: (k in shown_studies, by_study[k][0][1] in shown_sources,
                                  by_study[k][0][0], order.get(k, 0), k))
    picked: list[tuple[str, int, str]] = []
    depth = 0
    while len(picked) < n and any(len(by_study[k]) > depth for k in queue):
        for key in queue:
            if len(picked) < n and len(by_study[key]) > depth:
                _, source_id, _, text = by_study[key][depth]
                picked.append((key, source_id, text))
        depth += 1
    return picked


def _split(pool: Pools) -> tuple[Pools, Pools]:
    """A pool's passages of a readable or long length, and its fragments."""
    whole = {k: [i for i in v if i[0][0] != FRAGMENT] for k, v in pool.items()}
    fragments = {k: [i for i in v if i[0][0] == FRAGMENT] for k, v in pool.items()}
    return whole, fragments


def choose(fresh: Pools, stale: Pools, order: dict[str, int], n: int,
           shown_studies: AbstractSet[str] = frozenset(),
           shown_sources: AbstractSet[int] = frozenset()) -> list[tuple[str, int, str]]:
    """Up to ``n`` quotes: fresh passages, then those shown for an earlier row; fragments
    (fresh, then shown) only after both. Each study and source quoted already (the
    row's pinned quotes, or an earlier pick) waits until the others have given one."""
    picked: list[tuple[str, int, str]] = []
    studies, sources = set(shown_studies), set(shown_sources)
    (fresh_whole, fresh_bits), (stale_whole, stale_bits) = _split(fresh), _split(stale)
    for pool in (fresh_whole, stale_whole, fresh_bits, stale_bits):
        got = round_robin(pool, order, n - len(picked), studies, sources)
        picked += got
        studies.update(key for key, _, _ in got)
        sources.update(source_id for _, source_id, _ in got)
    return picked


def enough(fresh: Pools, n: int, shown_studies: AbstractSet[str] = frozenset(),
           shown_sources: AbstractSet[int] = frozenset()) -> bool:
    """True when ``n`` studies or more not quoted yet have a fresh passage that is not a
    fragment, from a source not quoted yet.

    Then :func:`choose` takes the best such passage of each of the ``n`` best of those
    studies, which the best-ranked passages alone decide: any passage not read ranks
    below every one read, so it cannot move a study ahead or be a study's first.
    """
    return sum(1 for key, items in fresh.items() if key not in shown_studies and any(
        i[0][0] != FRAGMENT and i[1] not in shown_sources for i in items)) >= n


class QuotePicker:
    """Measured passages of one layer's codings, and the exemplar choice per code."""

    def __init__(self, store: ProjectStore, codings: CodingColumns,
                 study_of: Callable[[int, str], str],
                 reads: ColumnReads | None = None) -> None:
        self._store, self._study_of = store, study_of
        order = np.lexsort((codings.id, codings.end, codings.start, codings.source))
        self.source, self.start = codings.source[order], codings.start[order]
        self.end, self.code = codings.end[order], codings.code[order]
        # The quoted stretch (a coded span widened to its sentences) and its measures.
        self.quote_start, self.quote_end = self.start.copy(), self.end.copy()
        self.length = self.end - self.start
        self.words = np.zeros_like(self.length)
        self._measure_all(reads)
        self.score = self._scores()

    def _measure_all(self, reads: ColumnReads | None) -> None:
        """Measure every passage in one streaming pass over the sources' texts.

        The pass sees every text, so it also hands the sources' lengths to ``reads``
        (presence needs them) instead of leaving them to a second pass.
        """
        id_parts, size_parts = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for batch in text_batches(self._store, 5_000):
            ids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
            texts = [r[2] for r in batch]
            sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            self._measure(ids, texts, sizes)
            id_parts.append(ids)
            size_parts.append(sizes)
        if reads is not None:
            reads.keep_lengths(np.concatenate(id_parts), np.concatenate(size_parts))

    def _measure(self, ids: np.ndarray, texts: list[str], sizes: np.ndarray) -> None:
        """Set the quoted stretch, collapsed length and words of one batch's passages."""
        lo = int(np.searchsorted(self.source, ids[0], side="left"))
        hi = int(np.searchsorted(self.source, ids[-1], side="right"))
        if lo == hi:
            return
        plain = np.fromiter(map(regular, texts), dtype=bool, count=len(texts))
        row = np.searchsorted(ids, self.source[lo:hi])
        start, end = self.start[lo:hi], self.end[lo:hi]
        whole = (start == 0) & (end == sizes[row])
        # A whole regular text is its own quote: its words are its spaces plus one.
        easy = whole & plain[row] & (start < end)
        if easy.any():
            spaces = np.fromiter(map(str.count, texts, repeat(" ")), dtype=np.int64,
                                 count=len(texts))
            self.words[lo:hi][easy] = spaces[row[easy]] + 1
        cut: dict[int, list[tuple[int, int]]] = {}  # sentences of each text, cut once
        for k in np.flatnonzero(~easy & (start < end)).tolist():
            text, s, e = texts[row[k]], int(start[k]), int(end[k])
            if not whole[k]:  # a whole text's sentences cover what collapsing keeps
                bounds = cut.get(int(row[k]))
                if bounds is None:
                    bounds = cut[int(row[k])] = sentences(text)
                s, e = widened(text, s, e, bounds)
                self.quote_start[lo + k], self.quote_end[lo + k] = s, e
            passage = collapse(text[s:e])
            self.length[lo + k] = len(passage)
            self.words[lo + k] = words_in(passage)

    def _scores(self) -> np.ndarray:
        """One integer per passage ordering as :func:`rank` does (smaller is better)."""
        if not len(self.length):
            return np.zeros(0, dtype=np.int64)
        span = int(self.length.max()) + 1  # distance <= words <= length < span
        tier = np.where(self.words < MIN_WORDS, FRAGMENT, np.where(self.words > MAX_WORDS, 1, 0))
        distance = np.abs(self.words - TARGET_WORDS)
        return (tier * span + distance) * span + self.length

    def pick(self, code_id: int, n: int, used: set[str], order: dict[str, int],
             exclude: AbstractSet[str] = frozenset(), shown_studies: AbstractSet[str] = frozenset(),
             shown_sources: AbstractSet[int] = frozenset()
             ) -> list[tuple[str, int, str, str, dict[str, object], int]]:
        """Choose up to ``n`` passages of one code as :func:`choose` does on all of them.

        ``exclude`` are the row's pinned passages, ``shown_*`` their studies and sources.
        Returns (study, source id, text, external id, metadata, coded start) per quote.
        """
        items = np.flatnonzero((self.code == code_id) & (self.length > 0))
        if n <= 0 or not len(items):
            return []
        ranked = items[np.lexsort((self.start[items], self.source[items], self.score[items]))]
        wanted = FIRST_READ
        while True:
            if wanted >= len(ranked):
                chosen, complete = ranked, True
            else:
                limit = self.score[ranked[wanted - 1]]
                count = int(np.searchsorted(self.score[ranked], limit, side="right"))
                chosen, complete = ranked[:count], count == len(ranked)
            sources = self._sources(sorted(set(self.source[chosen].tolist())))
            passages = []
            for k in np.sort(chosen).tolist():
                sid, s, e = int(self.source[k]), int(self.quote_start[k]), int(self.quote_end[k])
                name, text, _ = sources[sid]
                passages.append((sid, int(self.start[k]), collapse(text[s:e]),
                                 self._study_of(sid, name)))
            fresh, stale = pools(passages, used, exclude)
            if complete or enough(fresh, n, shown_studies, shown_sources):
                break
            wanted *= 8
        starts = {(sid, text): start for sid, start, text, _ in passages}
        return [(key, sid, text, sources[sid][0], json.loads(sources[sid][2]),
                 starts[(sid, text)])
                for key, sid, text in choose(fresh, stale, order, n, shown_studies,
                                             shown_sources)]

    def _sources(self, ids: list[int]) -> dict[int, tuple[Any, ...]]:
        """(external id, text, metadata JSON) of the listed sources."""
        return source_rows(self._store, ("external_id", "text", "metadata"), ids)
