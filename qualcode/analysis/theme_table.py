"""The theme table of a meta-synthesis: theme > sub-theme > code, with studies, quotes and kappa.

One row per codebook node in display order. For each row: its definition, the studies
contributing to it (sources grouped by a metadata field), how many studies and units
(sources) have it or anything below it coded in the chosen layer, exemplar quotes, and,
when two coders' work can be compared, Cohen's kappa with its 95% CI from
:func:`qualcode.analysis.agreement_report.agreement_report`.

Exemplar quotes are the passages the user pinned to the row's code (``qualcode quote
pin``), then passages chosen deterministically from the codings applied to the row
itself, as :mod:`qualcode.analysis.theme_quotes` describes: whole sentences of a
readable length first, fragments last, from different studies (or sources) and
participants before any gives a second; a passage already shown for an earlier row is
used again only when the row has nothing else.

The layer and the study field default as :mod:`qualcode.analysis.export_defaults`
says, so a survey coded by one person needs no options.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualcode.analysis.export_defaults import (
    AUTO,
    CONSENSUS,
    Auto,
    StudyChoice,
    choose_studies,
    resolve_layer,
)
from qualcode.analysis.matrices import (
    StudyColumns,
    layer_columns,
    source_presence,
    study_columns,
)
from qualcode.analysis.theme_quotes import (
    MAX_WORDS,
    MIN_WORDS,
    QuotePicker,
    collapse,
)
from qualcode.errors import QualcodeError, StoreError
from qualcode.interchange.writers.table import Column, Estimate, Row, Table
from qualcode.model import Code, Codebook, Layer
from qualcode.storage.arrays import ColumnReads, coders_with_done, source_rows
from qualcode.storage.pins import pinned_quotes

if TYPE_CHECKING:
    from qualcode.analysis.agreement_report import AgreementReport
    from qualcode.storage import ProjectStore

__all__ = ["Quote", "ThemeRow", "ThemeTable", "auto_kappa_coders", "pinned_by_code",
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
    pinned: bool = False  #: chosen by the user (qualcode quote pin)
    speaker: str = ""  #: who says it (transcripts imported with --speakers), when asked for

    def display(self) -> str:
        """Return the quote as printed: the passage in quotation marks, then (study; kind).

        A quotation mark at one end only (a sentence cut from a quoted passage) is dropped
        before the passage is quoted.

        >>> Quote('"We talked.', "r2", "", "r2", "").display()
        '\u201cWe talked.\u201d (r2)'
        """
        text = self.text
        opens, closes = text[:1] in QUOTE_CHARS, text[-1:] in QUOTE_CHARS
        if opens != closes and len(text) > 1:
            text = (text[1:] if opens else text[:-1]).strip()
        if not (len(text) > 1 and text[:1] in QUOTE_CHARS and text[-1:] in QUOTE_CHARS):
            text = f"\u201c{text}\u201d"
        where = "; ".join(p for p in (self.speaker, self.study_label, self.kind) if p)
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
    grouping: StudyChoice  #: the study field and how it was chosen
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


def auto_kappa_coders(store: ProjectStore) -> tuple[str, ...]:
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


def theme_table(store: ProjectStore, *, layer: str | None = None,
                study_field: str | None | Auto = AUTO,
                study_label: str | None = None, quotes: int = 2,
                quote_field: str | None = "finding_type",
                kappa_coders: Sequence[str] | None = None, auto_kappa: bool = True,
                hide_empty: bool = False, quote_speaker: bool = False,
                kappa_report: AgreementReport | None = None) -> ThemeTable:
    """Build the theme table of one layer (``consensus`` or a coder's name).

    ``layer=None`` and ``study_field=AUTO`` choose as
    :mod:`~qualcode.analysis.export_defaults` says; ``study_field=None`` leaves
    studies out; ``quote_field`` names the metadata field
    telling participant words from author interpretation (ignored when the project has
    no such field). Kappa is computed for ``kappa_coders`` when given, else (with
    ``auto_kappa``) when exactly two coders have marked units done. ``quote_speaker``
    names the speaker of each quote (transcripts imported with ``--speakers``).
    ``kappa_report``, an agreement report of ``kappa_coders`` over whole sources that the
    caller already made (the paper's report), is used instead of computing it again.
    """
    if quotes < 0:
        raise QualcodeError(f"--quotes must be 0 or more, got {quotes}")
    book = store.codebook()
    if not len(book):
        raise QualcodeError("the codebook is empty; import one with qualcode codebook import")
    # One read of the lengths and of each coder's codings serves presence, quotes and kappa.
    reads = ColumnReads(store)
    layer = resolve_layer(store, layer)
    codings = layer_columns(store, layer, reads)
    fields = store.metadata_fields()
    grouping = choose_studies(fields, study_field)
    if study_label is not None and grouping.how == "none found":
        raise StoreError(f"--study-label {study_label} labels studies, and no source metadata "
                         "field is named study_id or study; name the field that groups the "
                         "sources with --study-field FIELD")
    studies = study_columns(store, grouping.field, study_label, fields=fields) \
        if grouping.field else None
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
    report = kappa_report
    if coders and report is None:
        from qualcode.analysis.agreement_report import agreement_report

        report = agreement_report(store, coders, level="both", reads=reads)
    nested = source_presence(store, codings, book, reads).nested
    order = {key: i for i, key in enumerate(studies.keys)} if studies else {}
    pins = pinned_by_code(store) if quotes else {}
    speaker_at = speaker_lookup(store) if quotes and quote_speaker else None
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
            quotes=_quotes(picker, code.id, quotes, used, order, studies, quote_field,
                           pins.get(code.id, ()), speaker_at),
            kappa=_kappa_for(report, book, depth, code)))
    return ThemeTable(rows=tuple(rows), layer=layer, study_field=grouping.field,
                      study_label=study_label if grouping.field else None,
                      grouping=grouping, quotes=quotes, quote_field=quote_field,
                      kappa_coders=coders, kappa_units=report.n_units if report else 0,
                      warnings=tuple(report.warnings) if report else ())


PinnedPassage = tuple[int, str, str, dict[str, object], int]
"""(source id, collapsed text, external id, metadata, start) of a pinned quote."""


def pinned_by_code(store: ProjectStore) -> dict[int, list[PinnedPassage]]:
    """The live pinned quotes of every code, oldest pin first, read in one go."""
    pins = pinned_quotes(store)
    rows = source_rows(store, ("external_id", "text", "metadata"),
                       sorted({p.source_id for p in pins}))
    by_code: dict[int, list[PinnedPassage]] = {}
    for pin in pins:
        name, text, metadata = rows[pin.source_id]
        by_code.setdefault(pin.code_id, []).append(
            (pin.source_id, collapse(text[pin.start:pin.end]), name, json.loads(metadata),
             pin.start))
    return by_code


def _quotes(picker: QuotePicker | None, code_id: int, n: int, used: set[str],
            order: dict[str, int], studies: StudyColumns | None, quote_field: str | None,
            pinned: Sequence[PinnedPassage],
            speaker_at: Callable[[int, int], str] | None = None) -> tuple[Quote, ...]:
    """The row's exemplar quotes: its pinned ones, then those :mod:`theme_quotes` picks."""
    if picker is None or n <= 0:
        return ()
    # (study key, source id, text, external id, metadata, pinned, start)
    chosen: list[tuple[str, int, str, str, dict[str, object], bool, int]] = []
    for source_id, text, name, metadata, start in pinned:
        if text and len(chosen) < n and all(text != c[2] for c in chosen):
            key = studies.of(source_id) if studies else name
            chosen.append((key, source_id, text, name, metadata, True, start))
    for key, source_id, text, name, metadata, start in picker.pick(
            code_id, n - len(chosen), used, order, exclude={c[2] for c in chosen},
            shown_studies={c[0] for c in chosen}, shown_sources={c[1] for c in chosen}):
        chosen.append((key, source_id, text, name, metadata, False, start))
    quotes: list[Quote] = []
    for key, source_id, text, name, metadata, is_pin, start in chosen:
        kind = quote_kind(metadata.get(quote_field)) if quote_field else ""
        speaker = speaker_at(source_id, start) if speaker_at else ""
        quotes.append(Quote(text, name, key if studies else "",
                            studies.label(key) if studies else name, kind, is_pin, speaker))
        used.add(text)
    return tuple(quotes)


def speaker_lookup(store: ProjectStore) -> Callable[[int, int], str]:
    """Return ``speaker_at(source id, offset)``: who speaks the paragraph holding the offset."""
    cache: dict[int, list[tuple[int, int, str]]] = {}

    def speaker_at(source_id: int, offset: int) -> str:
        turns = cache.get(source_id)
        if turns is None:
            turns = cache[source_id] = [(p.start, p.end, p.speaker)
                                        for p in store.paragraph_attributes(source_id)
                                        if p.speaker]
        for start, end, speaker in turns:
            if start <= offset < end:
                return speaker
        return ""

    return speaker_at


def _notes(table: ThemeTable) -> tuple[str, ...]:
    what = "the consensus layer" if table.layer == CONSENSUS else f"{table.layer}'s codings"
    notes = [f"Units are sources coded with the row or anything below it in {what}."]
    grouping = table.grouping
    where = grouping.note(table.study_label)
    if where:
        notes.append(where)
    if table.quotes:
        kind = (f" and whether it is a participant's words or the authors' interpretation "
                f"(field {table.quote_field})" if table.quote_field else "")
        many = "quote" if table.quotes == 1 else "quotes"
        spread = (f"from different {grouping.plural} and sources where possible, each with "
                  f"its {grouping.singular}" if table.study_field else
                  "from different sources where possible, each with its source id")
        pinned = "pinned quotes first, then " if any(
            q.pinned for r in table.rows for q in r.quotes) else ""
        notes.append(f"Up to {table.quotes} exemplar {many} per code: {pinned}coded passages "
                     f"widened to whole sentences, of {MIN_WORDS} to {MAX_WORDS} words where "
                     f"possible, {spread}{kind}.")
    if table.kappa_coders:
        a, b = table.kappa_coders
        notes.append(f"Kappa: Cohen's kappa between {a} and {b} with its asymptotic 95% CI, "
                     f"over the {table.kappa_units} units both marked done; a theme is "
                     f"present where it or anything below it is coded; sub-theme rows have "
                     f"none; n/a where kappa is undefined (e.g. a code neither coder used); "
                     f"a kappa without an interval has a standard error of 0 (perfect "
                     f"agreement, or a coder who gave every unit the same value), where a "
                     f"Wald interval would have zero width.")
    return tuple(notes)


def to_table(table: ThemeTable) -> Table:
    """Return the theme table as a writer :class:`Table` (columns depend on the options)."""
    columns = [Column("name", "Theme / sub-theme / code", "label", 34),
               Column("definition", "Definition", "text", 40)]
    if table.study_field:
        columns += [Column("studies", table.grouping.heading, "text", 24),
                    Column("n_studies", f"No. of {table.grouping.plural}", "int", 9)]
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
        # Ignored below: cells mix text, numbers and quote tuples, as Row allows.
        rows.append(Row(tuple(cells), depth=r.depth, level=r.level))  # type: ignore[arg-type]
    layer = "consensus" if table.layer == CONSENSUS else table.layer
    return Table(title=f"Themes, sub-themes and codes ({layer})", columns=tuple(columns),
                 rows=tuple(rows), notes=_notes(table), hierarchical=True,
                 paths=tuple(r.path for r in table.rows))
