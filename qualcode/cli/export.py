"""``qualcode export``: theme tables, matrices and charts for papers (REFI-QDA lives beside).

Other modules add their own subcommands to :data:`export` (``qdc``, ``qdpx``), so the
group's name stays as it is. The heavy work is imported inside each command.
"""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import F, main, open_store, project_argument

FORMAT_CHOICES = ["md", "csv", "xlsx", "html", "latex"]


@main.group()
def export() -> None:
    """Export tables, matrices and charts for a manuscript, or exchange files.

    \b
    Examples:
      qualcode export themes study.qualcode --layer consensus -o themes.xlsx
      qualcode export matrix study.qualcode --rows theme --cols study -o matrix.md
      qualcode export chart study.qualcode --kind kappa -o kappa.svg
      qualcode export suggestions study.qualcode --summary
    """


def _table_options(func: F) -> F:
    """Add --format, -o and --bom, shared by every table export."""
    func = click.option("--bom", is_flag=True,
                        help="Start a CSV with a UTF-8 byte-order mark (helps Excel read "
                             "accents).")(func)
    func = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                        default=None,
                        help="Write to this file (replaced only when complete) instead of "
                             "standard output; xlsx needs a file.")(func)
    return click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default=None,
                        help="Output format [default: from the -o suffix (.md .csv .xlsx "
                             ".html .tex), else md].")(func)


_layer_option = click.option(
    "--layer", default=None, metavar="consensus|CODER",
    help="Whose codings: the consensus layer, or one coder's own codings [default: the "
         "consensus when it has codings, else the only coder who has].")
_study_field_option = click.option(
    "--study-field", default=None, metavar="FIELD",
    help="Source metadata field that groups sources into studies (or wards, sites...) "
         "[default: study_id, else a field named study, else none].")
_study_label_option = click.option(
    "--study-label", default=None, metavar="FIELD",
    help="Show studies by this metadata field (e.g. author_year) instead of their ids.")


def _format(fmt: str | None, output: Path | None) -> str:
    """Settle the format before any work, so a wrong suffix fails at once."""
    from qualcode.errors import QualcodeError
    from qualcode.interchange import writers

    chosen = writers.format_for(fmt, output)
    if chosen == "xlsx" and output is None:
        raise QualcodeError("xlsx is a binary format; name a file with -o FILE.xlsx")
    return chosen


def _write(table: object, chosen: str, output: Path | None, bom: bool) -> None:
    from qualcode.interchange import writers

    # Ignored below: table is the Table the caller built.
    writers.write(table, chosen, output, bom=bom)  # type: ignore[arg-type]
    if output is not None:
        click.echo(f"Wrote {output} ({chosen}).", err=True)


@export.command("themes")
@project_argument
@_layer_option
@_table_options
@_study_field_option
@_study_label_option
@click.option("--no-studies", is_flag=True,
              help="Leave studies out: no study columns, and no mention in the notes.")
@click.option("--quotes", default=2, show_default=True, type=click.IntRange(min=0),
              help="Exemplar quotes per code (0 for none).")
@click.option("--quote-type-field", default="finding_type", show_default=True,
              metavar="FIELD",
              help="Metadata field telling a participant's words from the authors' "
                   "interpretation (values containing 'participant' or 'author').")
@click.option("--kappa-coders", nargs=2, default=None, metavar="A B",
              help="Add Cohen's kappa with its 95% CI per row for these two coders "
                   "[default: the two coders who marked units done, if exactly two].")
@click.option("--no-kappa", is_flag=True, help="Leave the kappa column out.")
@click.option("--quote-speaker", is_flag=True,
              help="Name the speaker of each quote (transcripts imported with --speakers).")
@click.option("--hide-empty", is_flag=True,
              help="Leave out rows with no coding in the layer.")
def themes(project: Path, layer: str | None, fmt: str | None, output: Path | None, bom: bool,
           study_field: str | None, study_label: str | None, no_studies: bool, quotes: int,
           quote_type_field: str, kappa_coders: tuple[str, str] | None, no_kappa: bool,
           quote_speaker: bool, hide_empty: bool) -> None:
    """Theme table for a manuscript: theme > sub-theme > code, one row each.

    Columns: definition; contributing studies and their number; number of units coded
    with the row or anything below it; exemplar quotes (pinned ones first, then whole
    sentences of a readable length, one study or source at a time, each with its study
    and whether participant or author words); and Cohen's kappa with its 95% CI when two
    coders can be compared. Pin a quote with qualcode quote pin.

    \b
    Examples:
      qualcode export themes study.qualcode --layer consensus -o themes.xlsx
      qualcode export themes study.qualcode --layer alice --study-label author_year
      qualcode export themes study.qualcode --quotes 3 --kappa-coders alice bob -o t.tex
      qualcode export themes study.qualcode --layer alice --quote-speaker
    """
    from qualcode.analysis.export_defaults import AUTO
    from qualcode.analysis.theme_table import theme_table, to_table

    chosen = _format(fmt, output)
    with open_store(project) as store:
        table = theme_table(
            store, layer=layer, study_field=None if no_studies else (study_field or AUTO),
            study_label=study_label, quotes=quotes, quote_field=quote_type_field,
            kappa_coders=None if no_kappa else kappa_coders, auto_kappa=not no_kappa,
            hide_empty=hide_empty, quote_speaker=quote_speaker)
    for warning in table.warnings:
        click.echo(f"Warning (kappa): {warning}", err=True)
    _write(to_table(table), chosen, output, bom)


@export.command("matrix")
@project_argument
@click.option("--rows", type=click.Choice(["theme", "code"]), default="theme",
              show_default=True, help="One row per theme, or per codebook node.")
@click.option("--cols", type=click.Choice(["study", "source", "coder"]), default="study",
              show_default=True,
              help="One column per study, per source, or per coder (each coder's own layer, "
                   "plus the consensus when it has codings).")
@click.option("--tick/--count", default=True, show_default=True,
              help="Tick where the row is coded, or count the units (sources) coded.")
@_layer_option
@_study_field_option
@_study_label_option
@_table_options
def matrix_(
    project: Path,
    rows: str,
    cols: str,
    tick: bool,
    layer: str | None,
    study_field: str | None,
    study_label: str | None,
    fmt: str | None,
    output: Path | None,
    bom: bool,
) -> None:
    """Theme-by-study (or code, source, coder) matrix of ticks or counts.

    \b
    Examples:
      qualcode export matrix study.qualcode --rows theme --cols study --study-label author_year
      qualcode export matrix study.qualcode --rows code --cols coder --count -o codes.xlsx
    """
    from qualcode.analysis.export_defaults import AUTO
    from qualcode.analysis.matrices import matrix

    chosen = _format(fmt, output)
    with open_store(project) as store:
        table = matrix(store, rows=rows, cols=cols, layer=layer, tick=tick,
                       study_field=study_field or AUTO, study_label=study_label)
    _write(table, chosen, output, bom)


@export.command("cooccurrence")
@project_argument
@click.option("--level", type=click.Choice(["code", "theme"]), default="code",
              show_default=True, help="Codes, or themes (a theme or anything below it).")
@_layer_option
@_table_options
def cooccurrence_(project: Path, level: str, layer: str | None, fmt: str | None,
                  output: Path | None, bom: bool) -> None:
    """Co-occurrence matrix: units (sources) where both codes are coded; diagonal = code's units.

    \b
    Examples:
      qualcode export cooccurrence study.qualcode --level theme
      qualcode export cooccurrence study.qualcode --layer alice -o cooccurrence.csv
    """
    from qualcode.analysis.matrices import cooccurrence

    chosen = _format(fmt, output)
    with open_store(project) as store:
        table = cooccurrence(store, level=level, layer=layer)
    _write(table, chosen, output, bom)


@export.command("suggestions")
@project_argument
@click.option("--coder", default=None, metavar="NAME", help="Only this coder's log.")
@click.option("--summary", is_flag=True,
              help="One row per coder (shown, accepted, kept) instead of the full log.")
@_table_options
def suggestions_(project: Path, coder: str | None, summary: bool, fmt: str | None,
                 output: Path | None, bom: bool) -> None:
    """The suggestion log: every suggestion shown while coding, and whether it was taken.

    For measuring how suggestions influenced the coders (and so agreement).

    \b
    Examples:
      qualcode export suggestions study.qualcode --summary
      qualcode export suggestions study.qualcode --coder alice -o alice-suggestions.csv
    """
    from qualcode.analysis.suggestion_report import (
        acceptance_table,
        suggestion_log_table,
    )

    chosen = _format(fmt, output)
    with open_store(project) as store:
        table = acceptance_table(store) if summary else suggestion_log_table(store, coder)
    _write(table, chosen, output, bom)


@export.command("chart")
@project_argument
@click.option("--kind", type=click.Choice(["frequencies", "kappa"]), required=True,
              help="Units coded per code or theme, or Cohen's kappa per theme or code with "
                   "95% CI whiskers.")
@click.option("--level", type=click.Choice(["code", "theme"]), default=None,
              help="Codes or themes [default: code for frequencies, theme for kappa].")
@click.option("--layer", "layers", multiple=True, metavar="consensus|CODER",
              help="Frequencies: whose codings (repeat for grouped bars) [default: the "
                   "consensus when it has codings, else the only coder who has].")
@click.option("--coders", nargs=2, default=None, metavar="A B",
              help="Kappa: the two coders to compare [default: the two who marked units "
                   "done, if exactly two].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The figure file: .svg (vector, text kept as text) or .png.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png"]), default=None,
              help="Figure format [default: from the -o suffix].")
@click.option("--title", default=None, help="Replace the figure's title.")
@click.option("--dpi", default=300, show_default=True, type=click.IntRange(50, 1200),
              help="Resolution of a PNG.")
def chart(project: Path, kind: str, level: str | None, layers: tuple[str, ...],
          coders: tuple[str, str] | None, output: Path, fmt: str | None, title: str | None,
          dpi: int) -> None:
    """Figure for a paper: code/theme frequencies, or kappa per theme with 95% CIs.

    Needs matplotlib (pip install 'qualcode[charts]').

    \b
    Examples:
      qualcode export chart study.qualcode --kind frequencies --layer alice --layer bob -o freq.svg
      qualcode export chart study.qualcode --kind kappa --level theme -o kappa.png
    """
    from qualcode.analysis import charts
    from qualcode.analysis.export_defaults import default_layer
    from qualcode.analysis.theme_table import auto_kappa_coders
    from qualcode.errors import QualcodeError

    chosen = charts.chart_format(fmt, output)
    with open_store(project) as store:
        if kind == "frequencies":
            data = charts.frequencies(store, level=level or "code",
                                      layers=layers or (default_layer(store),))
            charts.draw_frequencies(data, output, fmt=chosen, title=title, dpi=dpi)
        else:
            pair = coders or auto_kappa_coders(store)
            if not pair:
                raise QualcodeError("name the two coders to compare with --coders A B "
                                    "(kappa needs two coders who marked units done)")
            series = charts.kappa_series(store, pair, level=level or "theme")
            charts.draw_kappa(series, output, fmt=chosen, title=title, dpi=dpi)
    click.echo(f"Wrote {output} ({chosen}).", err=True)
