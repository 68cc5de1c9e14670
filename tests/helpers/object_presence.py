"""Presence object by object: the version the column path replaced, kept as a reference.

One Python object per source, unit and coding (moved here from
qualcode/agreement/presence.py, which production code no longer needs): tests check the
column path (qualcode.agreement.spans, qualcode.analysis.agreement_units) against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from qualcode.agreement.presence import AnalysisUnit, Span
from qualcode.model import Code, Codebook, Coding, Source
from qualcode.segmentation import paragraphs, sentences

UNIT_CHOICES = ("source", "sentence", "paragraph")


@dataclass(frozen=True, slots=True)
class PresenceTable:
    """Boolean presence of each column (code or theme) per coder and unit.

    ``presence`` has shape (coders, units, columns). ``excluded`` maps a reason to the
    number of units left out for it.
    """

    coders: tuple[str, ...]
    units: tuple[AnalysisUnit, ...]
    columns: tuple[Code, ...]
    presence: np.ndarray
    excluded: Mapping[str, int] = field(default_factory=dict)

    def for_coder(self, name: str) -> np.ndarray:
        """Return the (units, columns) matrix of one coder."""
        return self.presence[self.coders.index(name)]


def build_units(sources: Iterable[Source], unit: str = "source",
                group_by: str | None = None,
                cuts: Mapping[int, Sequence[tuple[int, int]]] | None = None) -> list[AnalysisUnit]:
    """Cut sources into units of analysis, optionally grouped by a metadata field.

    With ``group_by``, all spans of sources sharing the field's value form one unit
    (e.g. every finding of one study); sources without the field are grouped under
    ``"(missing)"``. ``cuts`` maps a source id to stored ``(start, end)`` spans that
    replace the rule-based cut for that source (units already stored in a project).

    >>> a = Source(1, "g1", "F1", "F1", "One. Two.", {"study": "S1"})
    >>> b = Source(2, "g2", "F2", "F2", "Three.", {"study": "S1"})
    >>> [u.key for u in build_units([a, b], "sentence")]
    ['F1#1', 'F1#2', 'F2#1']
    >>> [(u.key, len(u.spans)) for u in build_units([a, b], group_by="study")]
    [('S1', 2)]
    """
    if unit not in UNIT_CHOICES:
        raise ValueError(f"unit must be one of {', '.join(UNIT_CHOICES)}")
    cut = {"sentence": sentences, "paragraph": paragraphs}.get(unit)
    units: list[AnalysisUnit] = []
    groups: dict[str, list[Span]] = defaultdict(list)
    for source in sources:
        stored = cuts.get(source.id) if cuts is not None and cut is not None else None
        if stored is not None:
            spans = [(source.id, s, e) for s, e in sorted(stored)]
        else:
            spans = ([(source.id, 0, len(source.text))] if cut is None
                     else [(source.id, s, e) for s, e in cut(source.text)])
        if group_by is not None:
            value = source.metadata.get(group_by)
            groups["(missing)" if value in (None, "") else str(value)].extend(spans)
            continue
        if cut is None:
            units.append(AnalysisUnit(source.external_id, tuple(spans)))
        else:
            units.extend(AnalysisUnit(f"{source.external_id}#{i}", (span,))
                         for i, span in enumerate(spans, start=1))
    if group_by is not None:
        units = [AnalysisUnit(key, tuple(spans)) for key, spans in sorted(groups.items())]
    return units


Done = set[object]  # source ids (whole source done) and/or (source_id, start, end) spans


def _span_done(span: Span, done: Done) -> bool:
    """A span is done when its whole source, or that exact unit, was marked done."""
    return span[0] in done or span in done


def keep_done(units: Sequence[AnalysisUnit], done: Mapping[str, Done], *,
              require_all: bool = False) -> tuple[list[AnalysisUnit], dict[str, int]]:
    """Keep the spans every coder marked done; drop units left empty.

    ``done`` maps each coder to the source ids they marked done as a whole and/or the
    ``(source_id, start, end)`` spans of smaller units they marked done. With
    ``require_all`` (used for groups such as studies) a unit counts only when every
    coder finished every one of its spans; otherwise its finished spans are kept.
    Returns the kept units and the number of units dropped per reason.

    >>> units = [AnalysisUnit("S1", ((1, 0, 5), (2, 0, 5)))]
    >>> keep_done(units, {"a": {1, 2}, "b": {1}}, require_all=True)
    ([], {'not finished by b': 1})
    """
    coders = list(done)
    kept: list[AnalysisUnit] = []
    dropped: dict[str, int] = defaultdict(int)
    for unit in units:
        spans = tuple(s for s in unit.spans if all(_span_done(s, done[c]) for c in coders))
        if spans and (len(spans) == len(unit.spans) or not require_all):
            kept.append(unit if len(spans) == len(unit.spans) else AnalysisUnit(unit.key, spans))
            continue
        if all(not any(_span_done(s, done[c]) for s in unit.spans) for c in coders):
            dropped["not done by any compared coder"] += 1
            continue
        missing = [c for c in coders if not any(_span_done(s, done[c]) for s in unit.spans)]
        if missing:
            dropped["not done by " + ", ".join(missing)] += 1
        elif require_all:
            unfinished = [c for c in coders if not all(_span_done(s, done[c]) for s in unit.spans)]
            dropped["not finished by " + ", ".join(unfinished)] += 1
        else:
            dropped["done by the coders on different sources"] += 1
    return kept, dict(dropped)


def code_presence(units: Sequence[AnalysisUnit], codings: Sequence[Coding],
                  code_ids: Sequence[int]) -> np.ndarray:
    """Return a (units, codes) boolean matrix: does any coding overlap the unit?

    ``codings`` should be one coder's live codings of one layer. Overlap means sharing at
    least one code point; a zero-width coding counts for the unit containing its position.

    >>> units = [AnalysisUnit("a", ((1, 0, 5),)), AnalysisUnit("b", ((1, 5, 9),))]
    >>> coding = Coding(1, "g", 1, 1, 7, 3, 6)
    >>> code_presence(units, [coding], [7]).tolist()
    [[True], [True]]
    """
    column = {code_id: j for j, code_id in enumerate(code_ids)}
    matrix = np.zeros((len(units), len(code_ids)), dtype=bool)
    by_source: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for i, unit in enumerate(units):
        for source_id, start, end in unit.spans:
            by_source[source_id].append((i, start, end))
    spans = {sid: np.array(rows, dtype=np.int64).reshape(-1, 3) for sid, rows in by_source.items()}
    for coding in codings:
        j = column.get(coding.code_id)
        rows = spans.get(coding.source_id)
        if j is None or rows is None:
            continue
        starts, ends = rows[:, 1], rows[:, 2]
        if coding.start == coding.end:
            hit = (starts <= coding.start) & (coding.start < ends)
        else:
            hit = (coding.start < ends) & (starts < coding.end)
        matrix[rows[hit, 0], j] = True
    return matrix


def theme_membership(codebook: Codebook, code_ids: Sequence[int],
                     themes: Sequence[Code]) -> np.ndarray:
    """Return a (codes, themes) boolean matrix: is the code the theme or below it?"""
    member = np.zeros((len(code_ids), len(themes)), dtype=bool)
    position = {code_id: i for i, code_id in enumerate(code_ids)}
    for t, theme in enumerate(themes):
        for code in [theme, *codebook.descendants(theme)]:
            if code.id in position:
                member[position[code.id], t] = True
    return member


def presence_table(units: Sequence[AnalysisUnit], codings: Mapping[str, Sequence[Coding]],
                   codebook: Codebook, level: str = "code") -> PresenceTable:
    """Build the presence table of each coder, at the code or the theme level.

    Codes are every codebook node (a coding may point at a theme directly); themes are
    the top-level nodes, present when the theme or any node below it is coded.
    """
    nodes = list(codebook)
    ids = [c.id for c in nodes]
    per_coder = np.stack([code_presence(units, codings[name], ids) for name in codings]) \
        if codings else np.zeros((0, len(units), len(ids)), dtype=bool)
    if level == "code":
        keep = [j for j, c in enumerate(nodes) if c.codable]
        return PresenceTable(tuple(codings), tuple(units), tuple(nodes[j] for j in keep),
                             per_coder[:, :, keep])
    if level != "theme":
        raise ValueError("level must be 'code' or 'theme'")
    themes = codebook.roots()
    member = theme_membership(codebook, ids, themes).astype(np.int64)
    themed = (per_coder.astype(np.int64) @ member) > 0
    return PresenceTable(tuple(codings), tuple(units), tuple(themes), themed)
