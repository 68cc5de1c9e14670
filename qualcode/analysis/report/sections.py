"""Gather a report's sections from a project, each as numbers and tables, nothing drawn.

Every number comes from a function another command uses: agreement from
:func:`~qualcode.analysis.agreement_report.agreement_report` (the numbers of
``qualcode agreement --format json``), the theme table from ``export themes``, the
matrix and co-occurrence from ``export matrix`` / ``export cooccurrence``, frequencies
from the frequencies screen's computation.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from qualcode.agreement.intervals import clipped
from qualcode.analysis.agreement_records import CONSENSUS, AgreementReport, AgreementRow
from qualcode.analysis.agreement_report import agreement_report
from qualcode.analysis.export_defaults import AUTO, resolve_layer
from qualcode.analysis.frequencies import LayerFrequencies, coded_layers, layer_frequencies
from qualcode.analysis.matrices import cooccurrence, matrix
from qualcode.analysis.theme_table import theme_table, to_table
from qualcode.errors import QualcodeError
from qualcode.interchange.writers.table import Column, Estimate, Row, Table
from qualcode.model import Codebook, Layer, UnitKind
from qualcode.storage.arrays import source_rows

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

Z95 = 1.959963984540054
"""Standard normal quantile of a two-sided 95 % interval (AC1's Wald interval)."""


@dataclass(frozen=True)
class Facts:
    """What the methods paragraph says, each a number with the section it comes from."""

    sources: int
    studies: int | None
    study_field: str | None
    coders: tuple[str, ...]
    unit: str
    units_counted: int
    units_excluded: int
    blind: bool
    adjudicated: bool
    suggestions_shown: dict[str, int]


@dataclass(frozen=True)
class Report:
    """Every section's numbers; ``None`` for a section the project has nothing for."""

    project: str
    facts: Facts
    agreement: AgreementReport | None
    agreement_json: dict[str, object] | None
    themes: Table | None
    study_matrix: Table | None
    frequencies: Table | None
    cooccurrence: Table | None
    consensus: list[AgreementReport] = field(default_factory=list)
    settled: tuple[int, int] | None = None  #: (units with a disagreement, of them settled)
    provenance: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def ac1_interval(row: AgreementRow) -> tuple[float | None, float | None]:
    """AC1's 95 % Wald interval from its SE, cut to [-1, 1]; None when not estimable."""
    if row.ac1 is None or row.ac1_se is None or not row.ac1_se > 0:
        return None, None
    return clipped(row.ac1 - Z95 * row.ac1_se), clipped(row.ac1 + Z95 * row.ac1_se)


def agreement_table(report: AgreementReport) -> Table:
    """The agreement rows of the first pair as a table (the forest plot's numbers)."""
    columns = (Column("name", "Theme / code", "label", 40), Column("level", "Level", "text", 6),
               Column("n", "Units", "int", 6),
               Column("kappa", "Cohen's κ (95% CI)", "estimate", 18),
               Column("ac1", "Gwet's AC1 (95% CI)", "estimate", 18),
               Column("pabak", "PABAK", "float", 6),
               Column("prevalence", "Prevalence index", "float", 8),
               Column("bias", "Bias index", "float", 8),
               Column("agree", "Agreement", "float", 8), Column("note", "Note", "text", 30))
    pair = report.rows[:1] and (report.rows[0].coder_a, report.rows[0].coder_b)
    rows = []
    for row in report.rows:
        if (row.coder_a, row.coder_b) != pair:
            continue
        low, high = ac1_interval(row)
        rows.append(Row((row.name or row.path, row.level, row.n_units,
                         Estimate(row.kappa, row.kappa_ci_low, row.kappa_ci_high),
                         Estimate(row.ac1, low, high), row.pabak, row.prevalence_index,
                         row.bias_index, row.percent_agreement,
                         row.note or row.ci_note), depth=0,
                        level="theme" if row.level == "theme" else ""))
    title = f"Agreement of {pair[0]} and {pair[1]}" if pair else "Agreement"
    notes = tuple(report.warnings)
    return Table(title, columns, tuple(rows), notes=notes)


def frequencies_table(book: Codebook, found: dict[str, LayerFrequencies]) -> Table:
    """Sources coded with each node (itself or below it), one column per layer."""
    layers = list(found)
    columns = (Column("code", "Theme / code", "label", 40),
               *(Column(layer, layer, "int", 8) for layer in layers))
    rows = tuple(Row((code.name, *(found[layer].nested.get(code.id, 0) for layer in layers)),
                     depth=depth, level="theme" if depth == 0 else code.kind.value)
                 for depth, code in book.walk())
    return Table("Code frequencies per coder (sources coded with the node or below it)",
                 columns, rows)


def codings_hash(store: ProjectStore) -> str:
    """SHA-256 of the live codings counted (coder, layer, source, code, span), sorted."""
    book = store.codebook()
    coders = {c.id: c.name for c in store.coders()}
    paths = {code.id: book.path(code) for code in book}
    codings = store.codings()
    sources = source_rows(store, ("external_id",), sorted({c.source_id for c in codings}))
    lines = sorted("\t".join((coders.get(c.coder_id, "?"), c.layer.value,
                              str(sources[c.source_id][0]), paths[c.code_id], str(c.start),
                              str(c.end))) for c in codings)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _qualcode_version() -> str:
    try:
        return version("qualcode")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _pair(store: ProjectStore, coders: list[str] | None) -> list[str]:
    if coders:
        return coders
    done = [c.name for c in store.coders() if store.done_count(c.id)]
    return done[:2] if len(done) >= 2 else []


def build_report(store: ProjectStore, *, coders: list[str] | None = None,
                 layer: str | None = None, study_field: str | None = None,
                 unit: UnitKind | str = UnitKind.SOURCE, name: str = "") -> Report:
    """Gather every section of the report of one project."""
    notes: list[str] = []
    book = store.codebook()
    pair = _pair(store, coders)
    report = json = None
    if len(pair) >= 2:
        from qualcode.analysis.agreement_format import report_json

        report = agreement_report(store, pair, unit=unit, split_by_suggestions=True)
        json = report_json(report)
    else:
        notes.append("Agreement is not reported: fewer than two coders have marked units "
                     "done.")
    layers = coded_layers(store)
    themes = matrix_table = cooc = None
    chosen_layer = None
    if layers and len(book):
        try:
            chosen_layer = resolve_layer(store, layer)
        except QualcodeError:
            if layer is not None or not pair:
                raise
            chosen_layer = pair[0]  # no consensus yet: the first coder's, and say so
            notes.append(f"The theme table, matrix and co-occurrence count {pair[0]}'s "
                         "codings: the consensus layer has none yet (choose with --layer).")
        field_choice = study_field if study_field else AUTO
        table = theme_table(store, layer=chosen_layer, study_field=field_choice, quotes=2,
                            kappa_coders=pair if len(pair) == 2 else None,
                            auto_kappa=False,
                            kappa_report=report if report and report.unit is UnitKind.SOURCE
                            and len(pair) == 2 else None)
        themes = to_table(table)
        if table.study_field:
            matrix_table = matrix(store, rows="code", cols="study", layer=chosen_layer,
                                  tick=False, study_field=table.study_field)
        cooc = cooccurrence(store, level="code", layer=chosen_layer)
    else:
        notes.append("Theme table, matrix and co-occurrence are not reported: nothing is "
                     "coded yet.")
    frequencies = frequencies_table(book, layer_frequencies(store, book=book)) if layers else None
    consensus = []
    adjudicated = any(store.done_count(c.id, layer=Layer.CONSENSUS) for c in store.coders())
    settled = None
    if adjudicated and len(pair) == 2:
        settled = settled_disagreements(store, pair[0], pair[1], unit)
    if adjudicated:
        for coder in pair:
            try:
                consensus.append(agreement_report(store, [coder, CONSENSUS], unit=unit))
            except QualcodeError as error:
                notes.append(f"Agreement of {coder} with the consensus: {error}")
    studies = None
    field_name = study_field
    if themes is not None and matrix_table is not None:
        studies = len(matrix_table.columns) - 1
        field_name = study_field or "study"
    facts = Facts(sources=store.source_count(), studies=studies, study_field=field_name,
                  coders=tuple(pair), unit=str(UnitKind(unit).value),
                  units_counted=report.n_units if report else 0,
                  units_excluded=sum(report.excluded.values()) if report else 0,
                  blind=True, adjudicated=bool(adjudicated),
                  suggestions_shown=dict(report.suggestions_shown) if report else {})
    info = store.project_info()
    provenance = {"qualcode version": _qualcode_version(),
                  "project GUID": str(info.get("guid", "")),
                  "written at (UTC)": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
                  "SHA-256 of the codings counted": codings_hash(store),
                  "layer of the theme table": chosen_layer or "none"}
    return Report(name, facts, report, json, themes, matrix_table, frequencies, cooc,
                  consensus, settled, provenance, notes)


def settled_disagreements(store: ProjectStore, coder_a: str, coder_b: str,
                          unit: UnitKind | str) -> tuple[int, int]:
    """Units where the two coders differ on any code, and how many of those the consensus
    layer has marked done (settled by adjudication)."""
    from qualcode.analysis.agreement_report import disagreements

    found = disagreements(store, coder_a, coder_b, level="code", unit=unit)
    units = {d.unit.key: d.unit.spans for d in found}
    whole: set[int] = set()
    parts: set[tuple[int, int, int]] = set()
    for source_id, _, _, kind, start, end, _ in store.done_marks_by_source(
            layer=Layer.CONSENSUS):
        if kind == UnitKind.SOURCE:
            whole.add(source_id)
        else:
            parts.add((source_id, start, end))
    done = sum(1 for spans in units.values()
               if all(source in whole or (source, start, end) in parts
                      for source, start, end in spans))
    return len(units), done


def finite(value: float | None) -> bool:
    """True for a number that can be drawn (not None, not NaN)."""
    return value is not None and not math.isnan(value)
