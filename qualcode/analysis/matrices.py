"""Theme-by-study tick/count matrices, code co-occurrence, and the counting they share.

What is counted: the unit is a whole source (a finding, an answer). A code is present in
a unit when any live coding of the layer with that code overlaps it (the presence rules
of :mod:`qualcode.agreement.presence`); a theme or sub-theme when it or anything below
it is. A *layer* is ``consensus`` (the adjudicated codings, whoever wrote them) or one
coder's own codings. Every live coding of the layer counts, whether or not the unit was
marked done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.agreement.presence import rolled_up
from qualcode.agreement.spans import SpanUnits
from qualcode.analysis.agreement_units import node_matrix
from qualcode.analysis.export_defaults import (
    AUTO,
    CONSENSUS,
    Auto,
    choose_studies,
    resolve_layer,
)
from qualcode.errors import QualcodeError, StoreError
from qualcode.interchange.writers.table import Column, ColumnKind, Row, Table
from qualcode.model import Code, Codebook, Coding, Layer
from qualcode.storage.arrays import (
    CodingColumns,
    ColumnReads,
    field_column,
    field_values,
    has_codings,
    source_names,
)

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["CONSENSUS", "SourcePresence", "StudyColumns", "cooccurrence", "layer_codings",
           "layer_columns", "matrix", "nested_presence", "source_presence", "study_columns"]

MISSING = "(missing)"
"""Study key of sources that have no value in the study field."""


def layer_codings(store: ProjectStore, layer: str | None) -> list[Coding]:
    """Return the live codings of ``consensus`` or of one coder; refuse an empty layer.

    ``None`` is the default layer (:func:`~qualcode.analysis.export_defaults.default_layer`).
    """
    return _layer(store, resolve_layer(store, layer), store.codings)


def layer_columns(store: ProjectStore, layer: str | None,
                  reads: ColumnReads | None = None) -> CodingColumns:
    """Return the live codings of ``consensus`` or one coder as columns (as ``layer_codings``)."""
    return _layer(store, resolve_layer(store, layer), (reads or ColumnReads(store)).codings)


def _layer(store: ProjectStore, layer: str, read: Callable[..., Any]) -> Any:
    if layer == CONSENSUS:
        codings = read(layer=Layer.CONSENSUS)
        if not len(codings):
            coders = ", ".join(c.name for c in store.coders()) or "none"
            raise StoreError("the consensus layer has no codings yet; adjudicate first "
                             "(qualcode adjudicate) or export one coder's layer with "
                             f"--layer CODER (coders: {coders})")
        return codings
    coder = store.coder(layer, create=False)
    codings = read(coder_id=coder.id, layer=Layer.CODER)
    if not len(codings):
        raise StoreError(f"coder {layer!r} has no codings; choose another --layer")
    return codings


@dataclass(frozen=True)
class SourcePresence:
    """Which codebook nodes are present in which sources (ids in id order), directly or nested.

    ``direct`` and ``nested`` have shape (sources, nodes); ``nested`` counts a node as
    present when it or any node below it is coded. Nodes are in codebook display order.
    """

    ids: np.ndarray
    nodes: tuple[Code, ...]
    direct: np.ndarray
    nested: np.ndarray

    def column(self, code: Code) -> int:
        """Return the column of a node."""
        return self.nodes.index(code)


def nested_presence(book: Codebook, nodes: Sequence[Code], direct: np.ndarray) -> np.ndarray:
    """A node is present where it or any node below it is coded (columns as ``nodes``)."""
    return rolled_up(book, nodes, direct, nodes)


def source_presence(store: ProjectStore, codings: CodingColumns, book: Codebook,
                    reads: ColumnReads | None = None) -> SourcePresence:
    """Return the presence of every node per source (whole-source units), from columns."""
    ids, lengths = (reads or ColumnReads(store)).source_lengths()
    units = SpanUnits.build(ids, np.zeros_like(ids), lengths, np.arange(len(ids)), len(ids))
    nodes = tuple(code for _, code in book.walk())
    direct = node_matrix(units, codings, nodes)
    return SourcePresence(ids, nodes, direct, nested_presence(book, nodes, direct))


@dataclass(frozen=True)
class StudyColumns:
    """Sources grouped into studies as one study number per source (sources in id order)."""

    field: str
    keys: tuple[str, ...]  #: in order of first appearance
    labels: dict[str, str]
    ids: np.ndarray
    code: np.ndarray  #: index into ``keys`` of each source

    def label(self, key: str) -> str:
        """Return a study's label (the label field's value, else its key)."""
        return self.labels.get(key, key)

    def of(self, source_id: int) -> str:
        """Return the study key of one source."""
        return self.keys[int(self.code[np.searchsorted(self.ids, source_id)])]


def study_columns(store: ProjectStore, field: str, label_field: str | None = None, *,
                  fields: Sequence[str] | None = None) -> StudyColumns:
    """Group every source into studies by ``field``, read as columns.

    ``fields`` is the project's metadata fields when the caller already read them.
    """
    known = store.metadata_fields() if fields is None else fields
    for name, option in ((field, "--study-field"), (label_field, "--study-label")):
        if name is not None and name not in known:
            raise StoreError(f"no source has a metadata field {name!r} for {option} "
                             f"(fields: {', '.join(known) or 'none'})")
    ids, found = field_column(store, field)
    keys: dict[str, int] = {}
    values = [MISSING if v is None else v for v in found]
    code = np.array([keys.setdefault(v, len(keys)) for v in values], dtype=np.int64)
    labels: dict[str, str] = {}
    if label_field is not None:
        for key, label in zip(values, field_values(store, label_field), strict=True):
            if label is not None and key not in labels:
                labels[key] = label
    return StudyColumns(field, tuple(keys), labels, ids, code)


ROW_CHOICES = ("theme", "code")
COL_CHOICES = ("study", "source", "coder")


def _row_nodes(book: Codebook, rows: str) -> list[tuple[int, Code]]:
    if rows == "theme":
        return [(0, code) for code in book.roots()]
    if rows == "code":
        return list(book.walk())
    raise QualcodeError(f"unknown --rows {rows!r}; use {' or '.join(ROW_CHOICES)}")


def _label_row(depth: int, code: Code, cells: list[object], rows: str) -> Row:
    level = "theme" if depth == 0 else code.kind.value
    # Ignored below: cells are the counts Row holds.
    return Row((code.name, *cells), depth=depth if rows == "code" else 0,  # type: ignore[arg-type]
               level=level if rows == "code" else "")


def matrix(store: ProjectStore, *, rows: str = "theme", cols: str = "study",
           layer: str | None = None, tick: bool = True, study_field: str | Auto = AUTO,
           study_label: str | None = None) -> Table:
    """Return a theme (or code) by study, source or coder matrix of ticks or unit counts.

    A theme row is present where it or anything below it is coded; with ``rows="code"``
    every codebook node is listed in order, and non-codable nodes (themes, sub-themes)
    are headings with empty cells, so a cell counts exactly that code. ``cols="coder"``
    compares every coder's own layer (and the consensus, when it has codings); ``layer``
    is then not used. ``layer`` None and ``study_field`` AUTO are the defaults of
    :mod:`~qualcode.analysis.export_defaults`.
    """
    if cols not in COL_CHOICES:
        raise QualcodeError(f"unknown --cols {cols!r}; use {', '.join(COL_CHOICES)}")
    book = store.codebook()
    nodes = _row_nodes(book, rows)
    reads = ColumnReads(store)
    headers: list[str] = []
    per_column: list[SourcePresence] = []
    if cols == "coder":
        names = [c.name for c in store.coders()
                 if has_codings(store, layer=Layer.CODER, coder_id=c.id)]
        if has_codings(store, layer=Layer.CONSENSUS):
            names.append(CONSENSUS)
        if not names:
            raise StoreError("nobody has coded anything yet; nothing to compare")
        for name in names:
            per_column.append(source_presence(store, layer_columns(store, name, reads), book,
                                              reads))
            headers.append(name)
        what = "coders' own layers" + (" and the consensus layer" if CONSENSUS in names else "")
    else:
        layer = resolve_layer(store, layer)
        presence = source_presence(store, layer_columns(store, layer, reads), book, reads)
        if cols == "study":
            fields = store.metadata_fields()
            studies = choose_studies(fields, study_field, instead="use --cols source or "
                                     "--cols coder")
            if studies.field is None:
                raise StoreError("no source metadata field names a study (looked for "
                                 f"study_id and study; fields: {', '.join(fields) or 'none'});"
                                 " name one with --study-field FIELD, or use --cols source "
                                 "or --cols coder")
            index = study_columns(store, studies.field, study_label, fields=fields)
            headers = [index.label(key) for key in index.keys]
            group, n_groups = index.code, len(index.keys)
        else:
            headers = source_names(store)
            group, n_groups = np.arange(len(headers)), len(headers)
        what = f"the {layer} layer" if layer == CONSENSUS else f"{layer}'s codings"
    out_rows: list[Row] = []
    paths: list[str] = []
    for depth, code in nodes:
        paths.append(book.path(code))
        if rows == "code" and not code.codable:
            out_rows.append(_label_row(depth, code, [None] * (len(headers) + (cols != "coder")),
                                       rows))
            continue
        if cols == "coder":
            counts = [int(p.nested[:, p.column(code)].sum()) if rows == "theme"
                      else int(p.direct[:, p.column(code)].sum()) for p in per_column]
            cells: list[object] = [c > 0 if tick else c for c in counts]
        else:
            present = (presence.nested if rows == "theme" else presence.direct)[
                :, presence.column(code)]
            counts = np.bincount(group[present], minlength=n_groups).tolist()
            cells = [c > 0 if tick else c for c in counts]
            cells.append(sum(c > 0 for c in counts) if tick else int(present.sum()))
        out_rows.append(_label_row(depth, code, cells, rows))
    kind: ColumnKind = "tick" if tick else "int"
    columns = [Column("name", "Theme" if rows == "theme" else "Theme / sub-theme / code",
                      "label", 34)]
    columns += [Column(f"c{i}", h, kind, max(6, min(len(h) + 2, 16)))
                for i, h in enumerate(headers)]
    unit_word = {"study": studies.plural if cols == "study" else "",
                 "source": "sources"}.get(cols)
    if unit_word:
        columns.append(Column("total", f"No. of {unit_word}" if tick else "Total units",
                              "int", 10))
    rows_word = "Themes" if rows == "theme" else "Codes"
    notes = [
        (f"Ticks mark where the row is coded at least once in {what}." if tick else
         f"Cells count units (sources) where the row is coded in {what}.")
        + (" A theme counts where it or anything below it is coded." if rows == "theme" else
           " Themes and sub-themes that are not codable are headings."),
    ]
    if cols == "study":
        notes.append(studies.note(study_label) or "")
    by = studies.singular if cols == "study" else cols
    return Table(title=f"{rows_word} by {by}", columns=tuple(columns),
                 rows=tuple(out_rows), notes=tuple(notes), hierarchical=rows == "code",
                 paths=tuple(paths))


def _display_names(book: Codebook, codes: Sequence[Code]) -> list[str]:
    """Names, or paths where two listed codes share a name."""
    counts: dict[str, int] = {}
    for code in codes:
        counts[code.name] = counts.get(code.name, 0) + 1
    return [book.path(c) if counts[c.name] > 1 else c.name for c in codes]


def cooccurrence(store: ProjectStore, *, level: str = "code", layer: str | None = None) -> Table:
    """Return the symmetric matrix of units where two codes (or themes) are both present.

    The diagonal counts the units where the code (theme) is present at all; ``layer``
    None is the default layer.
    """
    if level not in ("code", "theme"):
        raise QualcodeError(f"unknown --level {level!r}; use code or theme")
    layer = resolve_layer(store, layer)
    book = store.codebook()
    presence = source_presence(store, layer_columns(store, layer), book)
    if level == "theme":
        codes = book.roots()
        matrix_in = presence.nested[:, [presence.column(c) for c in codes]]
    else:
        codes = [c for c in presence.nodes if c.codable]
        matrix_in = presence.direct[:, [presence.column(c) for c in codes]]
    # float64 goes through BLAS; the counts stay exact (far below 2**53).
    as_float = matrix_in.astype(np.float64)
    counts = (as_float.T @ as_float).astype(np.int64)
    names = _display_names(book, codes)
    columns = [Column("name", "Theme" if level == "theme" else "Code", "label", 30)]
    columns += [Column(f"c{i}", n, "int", max(6, min(len(n) + 2, 14))) for i, n in enumerate(names)]
    rows = tuple(Row((names[i], *(int(v) for v in counts[i]))) for i in range(len(codes)))
    what = f"the {layer} layer" if layer == CONSENSUS else f"{layer}'s codings"
    notes = (f"Cells count units (sources) where both the row and the column {level} are "
             f"coded in {what}; the diagonal counts units where the {level} is coded."
             + (" A theme counts where it or anything below it is coded."
                if level == "theme" else ""),)
    return Table(title=f"{level.capitalize()} co-occurrence", columns=tuple(columns),
                 rows=rows, notes=notes, paths=tuple(book.path(c) for c in codes))
