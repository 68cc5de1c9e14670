"""``qualcode report``: the whole evidence of a double-coded analysis, one page for a paper."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import main, open_store, project_argument


@main.command("report")
@project_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The report file (.html, or .md with --format md; figures go beside it).")
@click.option("--coders", nargs=2, default=None, metavar="A B",
              help="The two coders compared [default: the first two who marked units done].")
@click.option("--layer", default=None, metavar="consensus|CODER",
              help="Layer of the theme table, matrix and co-occurrence [default: as "
                   "'export themes' chooses].")
@click.option("--study-field", default=None, metavar="FIELD",
              help="Metadata field naming each source's study [default: as 'export themes'].")
@click.option("--unit", type=click.Choice(["source", "sentence", "paragraph"]), default="source",
              show_default=True, help="Unit of analysis for agreement.")
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default=None,
              help="html (one self-contained page) or md (Markdown, SVG figures beside it) "
                   "[default: from the file's extension].")
def report_command(project: Path, output: Path, coders: tuple[str, str] | None,
                   layer: str | None, study_field: str | None, unit: str,
                   fmt: str | None) -> None:
    """Write the report of PROJECT's double-coded thematic analysis for a paper.

    One page: a methods paragraph generated from the project (each number linked to its
    source); agreement per theme and code (kappa and AC1 with 95% CIs as a forest plot and
    a table: the numbers of 'qualcode agreement --format json'); the theme table with
    contributing studies and exemplar quotes; a code-by-study heat map; code frequencies
    per coder; co-occurrence; adjudication; code suggestions; provenance (version, project
    GUID, time, a hash of the codings counted). The HTML opens offline and prints to PDF
    one section per page.

    \b
    Examples:
      qualcode report study.qualcode -o report.html
      qualcode report study.qualcode --coders alice bob --layer consensus -o report.html
      qualcode report study.qualcode -o report.md
    """
    from qualcode.analysis.report import markdown, page
    from qualcode.analysis.report.sections import build_report
    from qualcode.storage.files import write_replacing

    chosen = fmt or ("md" if output.suffix.lower() in (".md", ".markdown", ".qmd") else "html")
    with open_store(project) as store:
        report = build_report(store, coders=list(coders) if coders else None, layer=layer,
                              study_field=study_field, unit=unit, name=Path(str(project)).stem)
    if chosen == "md":
        written = markdown.write(report, output)
        click.echo(f"Wrote {output} and {len(written) - 1} figures in "
                   f"{output.with_name(output.stem + '_files')}.")
        return
    write_replacing(output, page.render(report).encode("utf-8"))
    click.echo(f"Wrote {output} ({len(report.notes)} notes; open it in a browser, print to "
               "PDF for a supplement).")
