"""Units of analysis, done marks and presence read from a project as arrays.

This is the gathering half of :mod:`qualcode.analysis.agreement_report`: the same
units and presence as the object-by-object reference (``build_units`` and
``presence_table`` in ``tests/helpers/object_presence.py``), read with a few queries into numpy
columns (:mod:`qualcode.agreement.spans`) instead of one object per source, unit and
coding. :class:`UnitList` builds an :class:`AnalysisUnit` only when one is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

from qualcode.agreement.presence import AnalysisUnit, rolled_up
from qualcode.agreement.spans import Done, SpanUnits, overlap_presence
from qualcode.errors import QualcodeError
from qualcode.model import Code, Codebook, Layer, UnitKind
from qualcode.segmentation import paragraphs, sentences
from qualcode.storage.arrays import (
    CodingColumns,
    ColumnReads,
    done_mark_columns,
    external_ids,
    field_values,
    iter_texts,
    source_lengths,
    stored_unit_spans,
)
from qualcode.storage.blank_codings import blank_coding_ids

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

MISSING_GROUP = "(missing)"


class UnitList(Sequence[AnalysisUnit]):
    """The kept units of analysis, as a sequence of :class:`AnalysisUnit` built on demand."""

    def __init__(self, store: ProjectStore, spans: SpanUnits, groups: Sequence[str] | None,
                 whole: bool) -> None:
        self._store, self.spans, self._groups, self._whole = store, spans, groups, whole
        order = np.lexsort((spans.start, spans.source, spans.unit))
        self._order = order
        self._first = np.searchsorted(spans.unit[order], np.arange(spans.n_units + 1))

    def __len__(self) -> int:
        return self.spans.n_units

    @overload
    def __getitem__(self, index: int) -> AnalysisUnit: ...

    @overload
    def __getitem__(self, index: slice) -> list[AnalysisUnit]: ...

    def __getitem__(self, index: int | slice) -> AnalysisUnit | list[AnalysisUnit]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._unit(index % len(self))

    def pick(self, indices: Iterable[int]) -> dict[int, AnalysisUnit]:
        """Return the units at these indices, their sources' names read in one batch."""
        wanted = sorted({int(i) for i in indices})
        names: dict[int, str] = {}
        if self._groups is None and wanted:
            first = self.spans.source[self._order[self._first[wanted]]]
            names = external_ids(self._store, sorted({int(s) for s in first}))
        return {i: self._unit(i, names) for i in wanted}

    def _unit(self, index: int, names: dict[int, str] | None = None) -> AnalysisUnit:
        rows = self._order[self._first[index]:self._first[index + 1]]
        s = self.spans
        spans = tuple((int(s.source[r]), int(s.start[r]), int(s.end[r])) for r in rows)
        if self._groups is not None:
            key = self._groups[index]
        else:
            source = spans[0][0]
            name = (names or {}).get(source) or external_ids(self._store, [source])[source]
            key = name if self._whole else f"{name}#{int(s.ordinal[rows[0]])}"
        return AnalysisUnit(key, spans)

    def __iter__(self) -> Iterator[AnalysisUnit]:
        return (self[i] for i in range(len(self)))


def _cut_spans(store: ProjectStore, kind: UnitKind
               ) -> tuple[list[np.ndarray], str, tuple[np.ndarray, np.ndarray]]:
    """(source, start, end, ordinal) columns of sentences or paragraphs, how they were cut,
    and (ids, lengths) of every source, measured on the same pass over the texts."""
    stored = stored_unit_spans(store, kind)
    have = set(np.unique(stored[:, 0]).tolist())
    cut = sentences if kind == UnitKind.SENTENCE else paragraphs
    made: list[tuple[int, int, int]] = []
    ids: list[int] = []
    lengths: list[int] = []
    for source_id, _, text in iter_texts(store):
        ids.append(source_id)
        lengths.append(len(text))
        if source_id not in have:
            made.extend((source_id, s, e) for s, e in cut(text))
    table = np.concatenate([stored, np.array(made, dtype=np.int64).reshape(-1, 3)])
    table = table[np.lexsort((table[:, 2], table[:, 1], table[:, 0]))]
    starts = np.searchsorted(table[:, 0], table[:, 0], side="left")
    ordinal = np.arange(len(table)) - starts + 1
    how = (f"{kind.value}s stored in the project" if have and len(have) == len(ids)
           else f"{kind.value}s cut by qualcode's rule-based segmentation"
           + (" (stored ones where present)" if have else ""))
    measured = (np.array(ids, dtype=np.int64), np.array(lengths, dtype=np.int64))
    return [table[:, 0], table[:, 1], table[:, 2], ordinal], how, measured


@dataclass(frozen=True, slots=True)
class SpeakerFilter:
    """Which speakers' turns count: only ``include`` (when given), never ``exclude``."""

    include: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()

    def describe(self) -> str:
        """Say which turns count, for the report's unit line."""
        if self.include is not None:
            return f"only turns of {', '.join(sorted(self.include))}"
        return f"turns of {', '.join(sorted(self.exclude))} left out"

    def check(self, store: ProjectStore, kind: UnitKind) -> None:
        """Refuse a filter on other units, or naming a speaker the project does not have."""
        known = store.speakers()
        if kind != UnitKind.PARAGRAPH:
            raise QualcodeError("--speaker and --exclude-speaker count paragraphs (speaker "
                                "turns); add --unit paragraph")
        if not known:
            raise QualcodeError("no paragraph of the project has a speaker; import the "
                                "transcripts with --speakers (qualcode import ... --speakers)")
        unknown = sorted(((self.include or frozenset()) | self.exclude) - set(known))
        if unknown:
            raise QualcodeError(f"no paragraph is spoken by {', '.join(map(repr, unknown))}; "
                                f"speakers in the project: {', '.join(known)}")

    def keeps(self, speaker: str | None) -> bool:
        """True when a paragraph of this speaker (None: unknown) counts."""
        if self.include is not None:
            return speaker in self.include
        return speaker not in self.exclude


def _speaker_keep(store: ProjectStore, source: np.ndarray, start: np.ndarray,
                  speakers: SpeakerFilter) -> np.ndarray:
    """Boolean column: which paragraphs the speaker filter keeps."""
    said = {(source_id, begin): who for source_id, begin, who in store.speaker_spans()}
    return np.fromiter((speakers.keeps(said.get((int(a), int(b))))
                        for a, b in zip(source, start, strict=True)),
                       dtype=bool, count=len(source))


def build_span_units(store: ProjectStore, kind: UnitKind, group_by: str | None,
                     reads: ColumnReads | None = None,
                     speakers: SpeakerFilter | None = None
                     ) -> tuple[SpanUnits, list[str] | None, str]:
    """Return every unit of analysis of the project, its group keys (or None) and how cut.

    ``speakers`` keeps only the paragraphs of some speakers (paragraph units only).
    """
    if kind == UnitKind.SOURCE:
        ids, lengths = reads.source_lengths() if reads else source_lengths(store)
        source, start, end = ids, np.zeros_like(ids), lengths
        ordinal, how = np.ones_like(ids), "whole sources"
    else:
        # Cutting streams every text anyway: measure them there instead of reading twice.
        (source, start, end, ordinal), how, (ids, lengths) = _cut_spans(store, kind)
        if reads is not None:
            reads.keep_lengths(ids, lengths)
    if speakers is not None:
        speakers.check(store, kind)
        keep = _speaker_keep(store, source, start, speakers)
        source, start, end, ordinal = source[keep], start[keep], end[keep], ordinal[keep]
        how = f"{how}, {speakers.describe()}"
    if group_by is None:
        unit = np.arange(len(source))
        return SpanUnits.build(source, start, end, unit, len(source), ordinal), None, how
    values = [MISSING_GROUP if v is None else v for v in field_values(store, group_by)]
    keys = sorted(set(values))
    rank = {k: i for i, k in enumerate(keys)}
    group_of_source = np.array([rank[v] for v in values], dtype=np.int64)
    unit = group_of_source[np.searchsorted(ids, source)]
    return SpanUnits.build(source, start, end, unit, len(keys), ordinal), keys, how


def done_marks(store: ProjectStore, layer: Layer, coder_id: int | None) -> Done:
    """The done marks of one coder (or of the consensus layer when ``coder_id`` is None)."""
    whole, spans = done_mark_columns(store, layer, coder_id)
    whole.sort()  # then unique by neighbours: ten times numpy 2's hashing np.unique here
    first = np.ones(len(whole), dtype=bool)
    first[1:] = whole[1:] != whole[:-1]
    return whole[first], spans


def node_matrix(units: SpanUnits, codings: CodingColumns, nodes: Sequence[Code]) -> np.ndarray:
    """Return the (units, nodes) presence of each listed codebook node, coded directly."""
    ids = np.array([c.id for c in nodes], dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    pos = np.minimum(np.searchsorted(ids[order], codings.code), max(len(ids) - 1, 0))
    known = (ids[order][pos] == codings.code) if len(ids) else np.zeros(len(codings), bool)
    return overlap_presence(units, codings.source[known], codings.start[known],
                            codings.end[known], order[pos[known]], len(nodes))


def level_columns(book: Codebook, direct: np.ndarray, level: str
                  ) -> tuple[tuple[Code, ...], np.ndarray]:
    """From (units, codebook nodes in iteration order) presence to a level's columns.

    Code level: the codable nodes. Theme level: the top-level nodes, present where the
    theme or any node below it is.
    """
    nodes = list(book)
    if level == "code":
        keep = [j for j, c in enumerate(nodes) if c.codable]
        return tuple(nodes[j] for j in keep), direct[:, keep]
    themes = book.roots()
    return tuple(themes), rolled_up(book, nodes, direct, themes)


def layer_presence(store: ProjectStore, units: SpanUnits, book: Codebook, layer: Layer,
                   coder_id: int | None, reads: ColumnReads | None = None) -> np.ndarray:
    """Presence of every codebook node (iteration order) per unit, for one coder's layer.

    Codings that cover only whitespace are left out: the gap between two sentences
    overlaps its source but no sentence, so it would count at one level and not another.
    """
    codings = (reads or ColumnReads(store)).codings(layer=layer, coder_id=coder_id)
    blank = blank_coding_ids(store, layer=layer, coder_id=coder_id)
    if len(blank):
        keep = ~np.isin(codings.id, blank)
        codings = CodingColumns(codings.id[keep], codings.source[keep], codings.code[keep],
                                codings.start[keep], codings.end[keep])
    return node_matrix(units, codings, list(book))
