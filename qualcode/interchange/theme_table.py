"""The theme table of a meta-synthesis: theme > sub-theme > code, with studies, quotes and kappa.

One row per codebook node in display order. For each row: its definition, the studies
contributing to it (sources grouped by a metadata field), how many studies and units
(sources) have it or anything below it coded in the chosen layer, exemplar quotes, and,
when two coders' work can be compared, Cohen's kappa with its 95% CI from
:func:`qualcode.interchange.agreement_report.agreement_report`.

Exemplar quotes are chosen deterministically from the codings applied to the row itself:
distinct coded passages, shortest first within a study, taken one study at a time (the
study with the shortest passage first) so that the quotes of a row come from different
studies before any study gives a second one; a passage already shown for an earlier row
is used again only when the row has nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualcode.errors import QualcodeError, StoreError
from qualcode.interchange.matrices import (
    CONSENSUS,
    StudyColumns,
    layer_columns,
    source_presence,
    study_columns,
)
from qualcode.interchange.theme_quotes import Pools, QuotePicker
from qualcode.interchange.writers.table import Column, Estimate, Row, Table
from qualcode.model import Code, Codebook, Layer
from qualcode.storage.arrays import ColumnReads, coders_with_done

if TYPE_CHECKING:
    from qualcode.interchange.agreement_report import AgreementReport
    from qualcode.storage import Store

__all__ = ["Quote", "ThemeRow", "ThemeTable", "auto_kappa_coders", 
           "quote_kind", "theme_table", "to_table"]

QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


@dataclass(frozen=True)
class Quote:
    """An exemplar passage with where it comes from and whose words it is."""

    text: str
    source: str
    study: str
    study_label: str
    kind: str  #: "participant", "author", another value of the field, or "" when unknown

    def display(self) -> str:
        """Return the quote as printed: the passage in quotation marks, then (study; kind)."""
        text = self.text
        if not (text[:1] in QUOTE_CHARS and text[-1:] in QUOTE_CHARS):
            text = f"\u201c{text}\u201d"
        where = "; ".join(p for p in (self.study_label, self.kind) if p)
        return f"{text} ({where})" if where else text


@dataclass(frozen=True)
class ThemeRow:
    """One row of the theme table: a codebook node and what was found for it."""

    code: Code
    depth: int
    level: str  #: theme, subtheme or code
    path: str
    studies: tuple[str, ...]  #: study keys, in corpus order
    study_labels: tuple[str, ...]
    n_units: int
    quotes: tuple[Quote, ...]
    kappa: Estimate | None  #: None when no kappa is reported for this row


@dataclass(frozen=True)
class ThemeTable:
    """The theme table and what it was computed from (for its notes)."""

    rows: tuple[ThemeRow, ...]
    layer: str
    study_field: str | None
    study_label: str | None
    quotes: int
    quote_field: str | None
    kappa_coders: tuple[str, ...]
    kappa_units: int
    warnings: tuple[str, ...] = ()


def quote_kind(value: object) -> str:
    """Map a finding-type value to ``participant`` or ``author``; other values read as is.

    >>> quote_kind("participant_quote"), quote_kind("author_interpretation"), quote_kind("")
    ('participant', 'author', '')
    """
    text = "" if value is None else str(value).strip()
    folded = text.casefold()
    if "participant" in folded:
        return "participant"
    if "author" in folded:
        return "author"
    return text.replace("_", " ")


def _round_robin(by_study: dict[str, list[tuple[int, int, int, str]]], order: dict[str, int],
                 n: int) -> list[tuple[str, int, str]]:
    """Take (study, source id, text) one study at a time, the study with the shortest first."""
    for items in by_study.values():
        items.sort()
    queue = sorted((k for k in by_study if by_study[k]),
                   key=lambda k: (by_study[k][0][0], order.get(k, 0), k))
    picked: list[tuple[str, int, str]] = []
    depth = 0
    while len(picked) < n and any(len(by_study[k]) > depth for k in queue):
        for key in queue:
            if len(picked) < n and len(by_study[key]) > depth:
                _, source_id, _, text = by_study[key][depth]
                picked.append((key, source_id, text))
        depth += 1
    return picked


def auto_kappa_coders(store: Store) -> tuple[str, ...]:
    """Return the two coders to compare when exactly two have marked units done, else ()."""
    ids = coders_with_done(store, Layer.CODER)
    names = tuple(c.name for c in store.coders() if c.id in ids)
    return names if len(names) == 2 else ()


def _kappa_for(report: AgreementReport | None, book: Codebook, depth: int,
               code: Code) -> Estimate | None:
    """Theme rows take the theme-level kappa; codes without children the code-level one."""
    if report is None:
        return None
    if depth == 0:
        wanted = ("theme", code.id)
    elif code.codable and not book.children(code.id):
        wanted = ("code", code.id)
    else:
        return None  # a sub-theme: agreement is reported for themes and codes only
    for row in report.rows:
        if (row.level, row.code_id) == wanted:
            return Estimate(row.kappa, row.kappa_ci_low, row.kappa_ci_high)
    return None


def theme_table(store: Store, *, layer: str = CONSENSUS, study_field: str | None = "study_id",
                study_label: str | None = None, quotes: int = 2,
                quote_field: str | None = "finding_type",
                kappa_coders: Sequence[str] | None = None, auto_kappa: bool = True,
                hide_empty: bool = False) -> ThemeTable:
    """Build the theme table of one layer (``consensus`` or a coder's name).

    ``study_field=None`` leaves studies out; ``quote_field`` names the metadata field
    telling participant words from author interpretation (ignored when the project has
    no such field). Kappa is computed for ``kappa_coders`` when given, else (with
    ``auto_kappa``) when exactly two coders have marked units done.
    """
    if quotes < 0:
        raise QualcodeError(f"--quotes must be 0 or more, got {quotes}")
    book = store.codebook()
    if not len(book):
        raise QualcodeError("the codebook is empty; import one with qualcode codebook import")
    # One read of the lengths and of each coder's codings serves presence, quotes and kappa.
    reads = ColumnReads(store)
    codings = layer_columns(store, layer, reads)
    fields = store.metadata_fields()
    if study_field and study_field not in fields:
        raise StoreError(f"no source has a metadata field {study_field!r} naming its study "
                         f"(fields: {', '.join(fields) or 'none'}); name one with "
                         "--study-field FIELD or leave studies out with --no-studies")
    studies = study_columns(store, study_field, study_label, fields=fields) \
        if study_field else None
    if quote_field is not None and quote_field not in fields:
        quote_field = None
    coders = tuple(kappa_coders) if kappa_coders else (auto_kappa_coders(store)
                                                       if auto_kappa else ())
    if coders and len(coders) != 2:
        raise QualcodeError("--kappa-coders takes exactly two coders, e.g. "
                            "--kappa-coders alice bob")
    # The quote pass streams every text, so it runs first and measures the sources too.
    picker = QuotePicker(store, codings, (lambda sid, name: studies.of(sid)) if studies
                         else (lambda sid, name: name), reads) if quotes else None
    report = None
    if coders:
        from qualcode.interchange.agreement_report import agreement_report

        report = agreement_report(store, coders, level="both", reads=reads)
    nested = source_presence(store, codings, book, reads).nested
    order = {key: i for i, key in enumerate(studies.keys)} if studies else {}
    rows: list[ThemeRow] = []
    used: set[str] = set()
    for t, (depth, code) in enumerate(book.walk()):
        present = np.flatnonzero(nested[:, t])
        if hide_empty and not len(present):
            continue
        keys = tuple(studies.keys[k] for k in np.flatnonzero(np.bincount(
            studies.code[present], minlength=len(studies.keys)))) if studies \
            else ()  # study numbers follow first appearance: corpus order
        rows.append(ThemeRow(
            code=code, depth=depth, level="theme" if depth == 0 else code.kind.value,
            path=book.path(code), studies=keys,
            study_labels=tuple(studies.label(k) for k in keys) if studies else (),
            n_units=len(present),
            quotes=_quotes(picker, code.id, quotes, used, order, studies, quote_field),
            kappa=_kappa_for(report, book, depth, code)))
    return ThemeTable(rows=tuple(rows), layer=layer, study_field=study_field,
                      study_label=study_label, quotes=quotes, quote_field=quote_field,
                      kappa_coders=coders, kappa_units=report.n_units if report else 0,
                      warnings=tuple(report.warnings) if report else ())


def _quotes(picker: QuotePicker | None, code_id: int, n: int, used: set[str],
            order: dict[str, int], studies: StudyColumns | None,
            quote_field: str | None) -> tuple[Quote, ...]:
    """The row's exemplar quotes (the choice is described in :mod:`theme_quotes`)."""
    if picker is None or n <= 0:
        return ()

    def choose(fresh: Pools, stale: Pools, n: int) -> list[tuple[str, int, str]]:
        picked = _round_robin(fresh, order, n)
        return picked + _round_robin(stale, order, n - len(picked))

    quotes: list[Quote] = []
    for key, _, text, name, metadata in picker.pick(code_id, n, used, choose):
        kind = quote_kind(metadata.get(quote_field)) if quote_field else ""
        quotes.append(Quote(text, name, key if studies else "",
                            studies.label(key) if studies else name, kind))
        used.add(text)
    return tuple(quotes)


def _notes(table: ThemeTable) -> tuple[str, ...]:
    what = "the consensus layer" if table.layer == CONSENSUS else f"{table.layer}'s codings"
    notes = [f"Units are sources coded with the row or anything below it in {what}."]
    if table.study_field:
        notes.append(f"Studies are the values of the source metadata field {table.study_field}"
                     + (f", shown by {table.study_label}." if table.study_label else "."))
    if table.quotes:
        kind = (f" and whether it is a participant's words or the authors' interpretation "
                f"(field {table.quote_field})" if table.quote_field else "")
        many = "quote" if table.quotes == 1 else "quotes"
        notes.append(f"Up to {table.quotes} exemplar {many} per code, from different studies "
                     f"where possible, each with its study{kind}.")
    if table.kappa_coders:
        a, b = table.kappa_coders
        notes.append(f"Kappa: Cohen's kappa between {a} and {b} with its asymptotic 95% CI, "
                     f"over the {table.kappa_units} units both marked done; a theme is "
                     f"present where it or anything below it is coded; sub-theme rows have "
                     f"none; n/a where kappa is undefined (e.g. a code neither coder used).")
    return tuple(notes)


def to_table(table: ThemeTable) -> Table:
    """Return the theme table as a writer :class:`Table` (columns depend on the options)."""
    columns = [Column("name", "Theme / sub-theme / code", "label", 34),
               Column("definition", "Definition", "text", 40)]
    if table.study_field:
        columns += [Column("studies", "Contributing studies", "text", 24),
                    Column("n_studies", "No. of studies", "int", 9)]
    columns.append(Column("n_units", "No. of units", "int", 9))
    if table.quotes:
        columns.append(Column("quotes", "Exemplar quotes", "list", 60))
    if table.kappa_coders:
        columns.append(Column("kappa", "Kappa (95% CI)", "estimate", 18))
    rows = []
    for r in table.rows:
        cells: list[object] = [r.code.name, r.code.description]
        if table.study_field:
            cells += [", ".join(r.study_labels), len(r.studies)]
        cells.append(r.n_units)
        if table.quotes:
            cells.append(tuple(q.display() for q in r.quotes))
        if table.kappa_coders:
            cells.append(r.kappa)
        rows.append(Row(tuple(cells), depth=r.depth, level=r.level))  # type: ignore[arg-type]
    layer = "consensus" if table.layer == CONSENSUS else table.layer
    return Table(title=f"Themes, sub-themes and codes ({layer})", columns=tuple(columns),
                 rows=tuple(rows), notes=_notes(table), hierarchical=True,
                 paths=tuple(r.path for r in table.rows))
