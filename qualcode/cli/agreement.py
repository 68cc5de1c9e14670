"""``qualcode agreement`` (a project's coders) and ``qualcode stats`` (any ratings table)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, TextIO

import click

from qualcode.cli.base import main, open_store, output_stream, project_argument

FORMATS = ["table", "csv", "json", "markdown"]
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown"}


def split_names(path: Path, values: tuple[str, ...], more: tuple[str, ...], *,
                commas: bool = True) -> tuple[Path, list[str]]:
    """The file and the names given after an option that takes several.

    Names typed after ``--coders``/``--raters`` land as extra arguments; when the option
    comes before the file (``--coders a b study.qualcode``), the file is the last of them.
    """
    extra = list(more)
    if extra and not path.exists() and Path(extra[-1]).exists():
        extra = [str(path), *extra[:-1]]
        path = Path(more[-1])
    if not commas:
        return path, [*values, *extra]
    names = [n.strip() for value in (*values, *extra) for n in value.split(",") if n.strip()]
    return path, names


def _clean_json(value: Any) -> Any:
    """NaN/inf are not JSON: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def dump_json(data: Any, handle: TextIO) -> None:
    """Write JSON (UTF-8 text, NaN as null) with a final newline."""
    json.dump(_clean_json(data), handle, ensure_ascii=False, indent=2, allow_nan=False)
    handle.write("\n")


@main.command("agreement")
@project_argument
@click.argument("more_coders", nargs=-1, metavar="[CODER]...")
@click.option("--coders", "coders", multiple=True, metavar="A B [C ...]",
              help="Coders to compare (two or more; 'consensus' = the consensus layer). "
                   "Names follow --coders, separated by spaces or commas.")
@click.option(
    "--level",
    type=click.Choice(["code", "theme", "both"]),
    default="both",
    show_default=True,
    help="Report codes, themes (a code or anything below it), or both.",
)
@click.option("--unit", type=click.Choice(["source", "sentence", "paragraph"]), default="source",
              show_default=True, help="Unit of analysis.")
@click.option("--group-by", "group_by", metavar="FIELD", default=None,
              help="Pool units by a metadata field (e.g. study_id): a code is present for a "
                   "group if present in any of its units.")
@click.option("--partial-groups", is_flag=True,
              help="With --group-by, count a group over the units every coder finished in it "
                   "instead of requiring every unit of the group done.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, show_default=True,
              metavar="N", help="Add percentile bootstrap CIs over units from N resamples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: from the -o suffix (.csv .json .md), else table].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--disagreements", "show_disagreements", is_flag=True,
              help="Also list the units (with text) where the coders differ, per code or "
                   "theme; with --format csv, write only that list.")
@click.option("--speaker", "speaker", metavar="NAME[,NAME]", default=None,
              help="With --unit paragraph: count only these speakers' turns (transcripts "
                   "imported with --speakers).")
@click.option("--exclude-speaker", "exclude_speaker", metavar="NAME[,NAME]", default=None,
              help="With --unit paragraph: leave these speakers' turns out (e.g. Interviewer).")
@click.option("--split-by-suggestions", "split", is_flag=True,
              help="Also compare agreement on units where code suggestions were shown to a "
                   "coder before the unit was done with the other units (per code and theme, "
                   "with CIs and counts); with --format csv, write only that comparison.")
def agreement(project: Path, more_coders: tuple[str, ...], coders: tuple[str, ...], level: str,
              unit: str, group_by: str | None, partial_groups: bool, bootstrap: int, seed: int,
              fmt: str | None, output: Path | None, show_disagreements: bool,
              speaker: str | None, exclude_speaker: str | None, split: bool) -> None:
    """Inter-coder agreement per code and per theme over the units every coder marked done.

    Per code and theme: Cohen's kappa with its 95% CI, Gwet's AC1, PABAK, percent
    agreement, the number of units and the Landis & Koch label; pooled and mean kappa at
    the bottom. With three or more coders: a table per pair plus Krippendorff's alpha and
    Fleiss' kappa over all of them. See the README for exactly what is counted.

    \b
    Examples:
      qualcode agreement study.qualcode --coders alice bob
      qualcode agreement study.qualcode --coders alice bob --level theme --bootstrap 1000
      qualcode agreement study.qualcode --coders alice bob --group-by study_id --format markdown
      qualcode agreement study.qualcode --coders alice consensus --disagreements
      qualcode agreement study.qualcode --coders alice bob --split-by-suggestions
      qualcode agreement study.qualcode --coders alice bob --unit paragraph \
          --exclude-speaker Interviewer
    """
    from qualcode.analysis.agreement_report import agreement_report, disagreements
    from qualcode.model import UnitKind

    project, names = split_names(project, coders, more_coders)
    chosen = fmt or (SUFFIX_FORMATS.get(output.suffix.lower(), "table") if output else "table")
    kind = UnitKind(unit)
    speakers = speaker_filter(speaker, exclude_speaker)
    with open_store(project) as store:
        report = agreement_report(store, names, level=level, unit=kind, group_by=group_by,
                                  bootstrap=bootstrap, seed=seed, partial_groups=partial_groups,
                                  split_by_suggestions=split, speakers=speakers)
        found = None
        if show_disagreements:
            pairs = list(dict.fromkeys((r.coder_a, r.coder_b) for r in report.rows))
            found = {(a, b): disagreements(store, a, b, level=level, unit=kind,
                                           group_by=group_by, partial_groups=partial_groups,
                                           speakers=speakers)
                     for a, b in pairs}
    _write(report, found, chosen, output)


def speaker_filter(speaker: str | None, exclude: str | None) -> Any:
    """Turn --speaker / --exclude-speaker into a SpeakerFilter (None when neither is given)."""
    from qualcode.analysis.agreement_units import SpeakerFilter

    if speaker is None and exclude is None:
        return None
    if speaker is not None and exclude is not None:
        raise click.UsageError("--speaker and --exclude-speaker contradict each other; use one")

    def names(value: str) -> frozenset[str]:
        found = frozenset(n.strip() for n in value.split(",") if n.strip())
        if not found:
            raise click.UsageError("name at least one speaker, e.g. --speaker P1,P2")
        return found

    if speaker is not None:
        return SpeakerFilter(include=names(speaker))
    return SpeakerFilter(exclude=names(exclude or ""))


def _write(report: Any, found: Any, chosen: str, output: Path | None) -> None:
    from qualcode.analysis import agreement_format as af

    with output_stream(output) as handle:
        if chosen == "json":
            dump_json(af.report_json(report, found), handle)
        elif chosen == "csv":
            if report.split:
                from qualcode.analysis.agreement_by_suggestions_format import write_split_csv

                write_split_csv(report.split, handle)
            elif found is not None:
                af.write_disagreements_csv(found, handle)
            else:
                af.write_csv(report, handle)
        elif chosen == "markdown":
            handle.write(af.to_markdown(report, found))
        else:
            from qualcode.analysis.agreement_table import render_report
            from qualcode.interchange.literal import literal_console

            console = (literal_console(file=handle, width=120, color_system=None) if output
                       else literal_console())
            render_report(report, console, found)
    if output is not None:
        click.echo(f"Wrote the agreement report ({chosen}) to {output}.", err=True)


@main.command("stats")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--raters", multiple=True, metavar="COL [COL ...]",
              help="Rater columns (names follow --raters, separated by spaces; quote names "
                   "with spaces) [default: every column except the id column].")
@click.argument("more_raters", nargs=-1, metavar="[COL]...")
@click.option("--id-col", default=None, metavar="COL",
              help="Column holding the unit id, not a rating [default: a column named id, unit, "
                   "item or subject, if any].")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx file [default: the first].")
@click.option("--level", type=click.Choice(["nominal", "ordinal", "interval", "ratio"]),
              default="nominal", show_default=True,
              help="Level of measurement for Krippendorff's alpha (ordinal, interval and ratio "
                   "need numeric ratings).")
@click.option("--weights", type=click.Choice(["linear", "quadratic"]), default=None,
              help="Also report Cohen's weighted kappa (two raters).")
@click.option("--scores", type=click.Choice(["ranks", "values"]), default="ranks",
              show_default=True,
              help="Where --weights places the categories: equal steps in their order (ranks, "
                   "as scikit-learn and the Python API) or at their numbers (values).")
@click.option("--categories", "categories", default=None, metavar="A,B,C",
              help="Every possible category, in order, comma-separated (one nobody chose still "
                   "counts for Brennan-Prediger and AC1) [default: the ratings seen].")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def stats(file: Path, raters: tuple[str, ...], more_raters: tuple[str, ...], id_col: str | None,
          sheet: str | None, level: str, weights: str | None, scores: str,
          categories: str | None, fmt: str, output: Path | None) -> None:
    """Agreement of any ratings table (CSV, TSV or XLSX), without a project.

    One row per unit, one column per rater; an empty cell is a missing rating. Reports
    percent agreement, Cohen's kappa with SE and 95% CI (two raters), weighted kappa (with
    --weights), Scott's pi, Fleiss' kappa, Krippendorff's alpha at --level, Gwet's AC1 with
    SE and Brennan-Prediger. A statistic undefined for the data is shown as null, with the
    reason under warnings.

    \b
    Examples:
      qualcode stats ratings.csv
      qualcode stats ratings.xlsx --id-col case --raters r1 r2 --weights quadratic
      qualcode stats reliability.tsv --level interval --format json
      qualcode stats scale.csv --weights linear --scores values --categories 1,2,3,4,5
    """
    from qualcode.analysis.ratings_stats import ratings_statistics
    from qualcode.interchange.readers.ratings import read_ratings

    file, names = split_names(file, raters, more_raters, commas=False)
    table = read_ratings(file, raters=names, id_col=id_col, sheet=sheet)
    result = ratings_statistics(table, level=level, weights=weights, scores=scores,
                                categories=categories.split(",") if categories else None)
    with output_stream(output) as handle:
        if fmt == "json":
            dump_json(result, handle)
        else:
            from qualcode.interchange.literal import literal_console

            console = (literal_console(file=handle, width=100, color_system=None) if output
                       else literal_console())
            _render_stats(result, console)


def _render_stats(result: dict[str, Any], console: Any) -> None:
    from rich import box
    from rich.table import Table

    def num(v: float | None) -> str:
        return "null" if v is None else f"{v:.4f}"

    cats = ", ".join(str(c) for c in result["categories"])
    console.print(f"{result['n_units']} units, {result['n_raters']} raters "
                  f"({', '.join(result['raters'])}); categories: {cats}")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for head, justify in (("statistic", "left"), ("value", "right"), ("SE", "right"),
                          ("95% CI", "right")):
        # Ignored below: the literals are rich's JustifyMethod values.
        table.add_column(head, justify=justify)  # type: ignore[arg-type]
    rows: list[tuple[str, Any]] = [
        ("percent agreement", result["percent_agreement"]),
        ("Cohen's kappa", result["cohen_kappa"]),
        (f"weighted kappa ({result['weights']}, {result['scores']})", result["weighted_kappa"])
        if result["weights"] else ("", None),
        ("Scott's pi", result["scott_pi"]),
        ("Fleiss' kappa", result["fleiss_kappa"]),
        (f"Krippendorff's alpha ({result['level']})", result["krippendorff_alpha"]),
        ("Gwet's AC1", result["gwet_ac1"]),
        ("Brennan-Prediger", result["brennan_prediger"]),
    ]
    for name, value in rows:
        if not name:
            continue
        if isinstance(value, dict):
            ci = (
                ""
                if "ci_low" not in value
                else ("not estimable" if value["value"] is not None else "null")
                if value["ci_low"] is None
                else f"{value['ci_low']:.4f} to {value['ci_high']:.4f}"
            )
            table.add_row(name, num(value["value"]), num(value["se"]), ci)
        else:
            table.add_row(name, num(value), "", "")
    console.print(table)
    for w in result["warnings"]:
        console.print(f"Warning: {w}.")
