"""What each section of the report says and shows, independent of HTML or Markdown.

A section is a title, an anchor, paragraphs, figures (SVG elements) and tables; the
methods paragraph is built here from the report's facts, each number linking to the
section it comes from.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from qualcode.analysis.agreement_format import pct
from qualcode.analysis.report import svg
from qualcode.analysis.report.sections import Report, ac1_interval, agreement_table
from qualcode.interchange.writers.table import Column, Row, Table

Sentence = list[tuple[str, str | None]]
"""A paragraph as pieces of text, each with the anchor it links to (None: plain text)."""


@dataclass
class Section:
    """One section: anchor, title, paragraphs, figures and tables, in that order."""

    anchor: str
    title: str
    paragraphs: list[Sentence] = field(default_factory=list)
    figures: list[tuple[str, ET.Element]] = field(default_factory=list)  #: (file stem, svg)
    tables: list[Table] = field(default_factory=list)


def _plain(text: str) -> Sentence:
    return [(text, None)]


def methods(report: Report) -> Section:
    """The methods paragraph (coding and reliability items of ENTREQ), numbers linked."""
    f = report.facts
    section = Section("methods", "Methods: coding and reliability")
    studies = ([(f" from {f.studies} studies", "matrix")] if f.studies else [])
    text: Sentence = [("The corpus held ", None), (f"{f.sources} sources", "provenance"),
                      *studies, (". ", None)]
    if len(f.coders) >= 2:
        unit = {"source": "whole sources", "sentence": "sentences",
                "paragraph": "paragraphs"}[f.unit]
        text += [(f"{len(f.coders)} coders ({', '.join(f.coders)}) coded independently, each "
                  "in their own layer, against a shared codebook (theme > sub-theme > code). "
                  f"The unit of analysis was {unit}; agreement was computed over the ", None),
                 (f"{f.units_counted} units both coders had marked done", "agreement"),
                 (f" ({f.units_excluded} units not finished by both were left out). ", None),
                 ("Per code and per theme (a theme counts when it or anything below it is "
                  "coded) we report Cohen's kappa with 95% Wald intervals (Fleiss, Cohen and "
                  "Everitt 1969), Gwet's AC1 with its 95% interval (Gwet 2008), PABAK and the "
                  "prevalence and bias indices (Byrt, Bishop and Carlin 1993); a code neither "
                  "coder used is reported as not applicable, and an interval whose standard "
                  "error is zero as not estimable. ", None)]
    else:
        text += [("Fewer than two coders had finished units, so no agreement is reported. ",
                  None)]
    if f.adjudicated:
        text += [("Disagreements were discussed and settled in a consensus layer; ", None),
                 ("each coder's agreement with it", "adjudication"), (" is reported. ", None)]
    shown = {k: v for k, v in f.suggestions_shown.items() if v}
    if shown:
        said = ", ".join(f"{name} on {count}" for name, count in shown.items())
        text += [("Code suggestions (a classifier trained on the coders' earlier codings) "
                  f"were shown before units were marked done to {said} of the units counted; ",
                  None), ("agreement is also reported split by exposure", "suggestions"),
                 (". ", None)]
    else:
        text += [("No code suggestions were shown on the units counted. ", None)]
    text += [("The figures were produced with qualcode; ", None),
             ("the provenance section", "provenance"),
             (" identifies the data they count.", None)]
    section.paragraphs.append(text)
    return section


def agreement(report: Report) -> Section | None:
    """Forest plot of kappa and AC1 with 95% CIs, and the table of every number."""
    if report.agreement is None:
        return None
    section = Section("agreement", "Agreement per theme and code")
    table = agreement_table(report.agreement)
    pair = report.agreement.rows[:1]
    rows = []
    for row in report.agreement.rows:
        if pair and (row.coder_a, row.coder_b) != (pair[0].coder_a, pair[0].coder_b):
            continue
        low, high = ac1_interval(row)
        parts = (row.name or row.path).split("/")
        label = "\u2003" * (len(parts) - 1) + parts[-1]  # indented by depth, as the table
        rows.append((label, [(row.kappa, row.kappa_ci_low, row.kappa_ci_high),
                             (row.ac1, low, high)]))
    section.paragraphs.append(_plain(
        f"{report.agreement.n_units} units counted ({report.agreement.unit_source}). Points are "
        "estimates, lines their 95% intervals; a row without a point is not estimable or not "
        "applicable (see its note in the table)."))
    section.figures.append(("agreement", svg.forest_plot(
        rows, ("Cohen's kappa", "Gwet's AC1"), "Cohen's kappa and Gwet's AC1 with 95% "
        "confidence intervals per theme and code")))
    section.tables.append(table)
    return section


def _table_only(anchor: str, title: str, table: Table | None) -> Section | None:
    """A section that is one table (None when the project has nothing for it)."""
    if table is None:
        return None
    section = Section(anchor, title)
    section.tables.append(table)
    return section


def themes(report: Report) -> Section | None:
    """The theme table, as ``qualcode export themes`` gives it."""
    return _table_only("themes", "Themes, contributing studies and exemplar quotes",
                       report.themes)


def study_matrix(report: Report) -> Section | None:
    """The code-by-study matrix of unit counts, as a heat map and its table."""
    table = report.study_matrix
    if table is None:
        return None
    section = Section("matrix", "Codes by study")
    rows = [(str(row.cells[0]), [int(c) if isinstance(c, int) else 0 for c in row.cells[1:]])
            for row in table.rows if any(isinstance(c, int) for c in row.cells[1:])]
    section.figures.append(("matrix", svg.heat_map(
        rows, [c.header for c in table.columns[1:]], "Units coded per code and study")))
    section.tables.append(table)
    return section


def frequencies(report: Report) -> Section | None:
    """Code frequencies per coder, as bars and their table."""
    table = report.frequencies
    if table is None:
        return None
    section = Section("frequencies", "Code frequencies per coder")
    rows = [(str(row.cells[0]), [int(c) for c in row.cells[1:] if isinstance(c, int)])
            for row in table.rows]
    section.figures.append(("frequencies", svg.bars(
        rows, [c.header for c in table.columns[1:]], "Sources coded per code and coder")))
    section.tables.append(table)
    return section


def cooccurrence(report: Report) -> Section | None:
    """The code co-occurrence table."""
    return _table_only("cooccurrence", "Co-occurrence of codes", report.cooccurrence)


def adjudication(report: Report) -> Section:
    """How disagreements were settled: each coder's pooled agreement with the consensus."""
    section = Section("adjudication", "Adjudication")
    if not report.consensus:
        section.paragraphs.append(_plain("No consensus layer: disagreements were not "
                                         "adjudicated in qualcode."))
        return section
    columns = (Column("coder", "Coder", "text"), Column("units", "Units", "int"),
               Column("kappa", "Pooled κ with the consensus (codes)", "float"),
               Column("agree", "Mean agreement", "float"))
    rows = []
    for found in report.consensus:
        pooled = found.pooled_for(found.coders[0], found.coders[1], "code")
        agree = [r.percent_agreement for r in found.rows
                 if r.level == "code" and r.percent_agreement is not None]
        rows.append(Row((found.coders[0], found.n_units, pooled.kappa if pooled else None,
                         sum(agree) / len(agree) if agree else None)))
    if report.settled is not None:
        units, settled = report.settled
        section.paragraphs.append(_plain(
            f"{units} units had a disagreement between {report.facts.coders[0]} and "
            f"{report.facts.coders[1]} on at least one code; the consensus layer settled "
            f"{settled} of them (marked them done)."))
    section.paragraphs.append(_plain("Agreement of each coder with the consensus layer, over "
                                     "the units both had marked done."))
    section.tables.append(Table("Agreement with the consensus", columns, tuple(rows)))
    return section


def suggestions(report: Report) -> Section:
    """Exposure to code suggestions per coder, and agreement split by exposure."""
    section = Section("suggestions", "Code suggestions")
    found = report.agreement
    if found is None or not any(found.suggestions_shown.values()):
        section.paragraphs.append(_plain("No code suggestions were shown on the units "
                                         "counted."))
        return section
    columns = (Column("coder", "Coder", "text"), Column("shown", "Units shown suggestions",
                                                          "int"),
               Column("share", "Share of units counted", "text"))
    section.tables.append(Table("Exposure to suggestions", columns, tuple(
        Row((name, count, pct(count / found.n_units if found.n_units else None)))
        for name, count in found.suggestions_shown.items())))
    if found.split:
        from qualcode.analysis.agreement_by_suggestions_format import side_text

        split_columns = (Column("name", "Theme / code", "label"),
                         Column("shown", "κ, units shown suggestions", "text"),
                         Column("not_shown", "κ, other units", "text"))
        section.tables.append(Table("Agreement split by exposure to suggestions",
                                    split_columns, tuple(
                                        Row((r.name, side_text(r.shown), side_text(r.not_shown)))
                                        for r in found.split)))
    return section


def provenance(report: Report) -> Section:
    """Version, project GUID, time written and the hash of the codings counted."""
    section = Section("provenance", "Provenance")
    columns = (Column("what", "What", "text"), Column("value", "Value", "text"))
    section.tables.append(Table("Provenance", columns, tuple(
        Row((k, v)) for k, v in report.provenance.items())))
    for note in report.notes:
        section.paragraphs.append(_plain(note))
    return section


def sections(report: Report) -> list[Section]:
    """Every section the report has, in reading order."""
    made = [methods(report), agreement(report), themes(report), study_matrix(report),
            frequencies(report), cooccurrence(report), adjudication(report),
            suggestions(report), provenance(report)]
    return [s for s in made if s is not None]
