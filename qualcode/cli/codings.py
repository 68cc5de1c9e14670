"""``qualcode codings import|export``: bring codings in from a spreadsheet, and take them out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import main, open_store, output_stream, project_argument
from qualcode.cli.coders import TYPO_HELP, check_new_coder, new_coder_option

LAYER_CHOICES = ["coder", "consensus"]
DONE_RULES = {
    "file": "Done marks: the units the file's done column says were done.",
    "named": "Done marks: the file has no done column, so every source it names was marked "
             "done (--no-mark-done to leave them open).",
    "forced": "Done marks: every source the file names (--mark-done).",
    "none": "Done marks: none added (--no-mark-done).",
}


@main.group()
def codings() -> None:
    """Import codings from CSV/TSV, or export them as CSV or JSON Lines.

    \b
    Examples:
      qualcode codings import study.qualcode alice.csv --coder alice
      qualcode codings export study.qualcode --coder alice -o alice.csv
    """


@codings.command("import")
@project_argument
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coder", required=True,
              help="Coder the codings belong to (created when new, unless the name looks "
                   "like a typo of an existing coder's: then add --new-coder).")
@new_coder_option(TYPO_HELP)
@click.option("--create-codes", is_flag=True,
              help="Add codes missing from the codebook (with missing parents) instead of "
                   "refusing the file.")
@click.option("--mark-done/--no-mark-done", default=None,
              help="Mark every source named in the file done, or mark nothing [default: "
                   "the units the file's done column says were done; a file without one "
                   "marks every source it names].")
@click.option("--layer", type=click.Choice(LAYER_CHOICES), default="coder", show_default=True,
              help="Write the coder's own layer or the consensus layer.")
def import_(project: Path, file: Path, coder: str, new_coder: bool, create_codes: bool,
            mark_done: bool | None, layer: str) -> None:
    """Import one coder's codings from a CSV (or .tsv) file: all rows, or none.

    Columns: source_id and code; optional start and end (Unicode code points from 0,
    end exclusive; leave both empty to code the whole unit). code is a bare name or a
    path Theme/Sub-theme/Code. A row with an empty code records "reviewed, no code
    applies". A done column (yes/no, as `codings export` writes) says which units were
    done and exactly those are marked; a file without one marks every source it names
    done. Other columns (such as an export's text) are ignored; coder and layer columns,
    when present, must match --coder and --layer. A CSV separated by semicolons (as
    Excel saves it in many locales), tabs or | is recognised from its header. Importing
    the same file twice adds nothing, and the whole import is one undoable action.
    A --coder not yet in the project is created, but one that looks like a typo of an
    existing coder (alcie beside alice) is refused unless --new-coder is given.

    \b
    Examples:
      qualcode codings import study.qualcode alice.csv --coder alice
      qualcode codings import study.qualcode bob.tsv --coder bob --create-codes
      qualcode codings import study.qualcode agreed.csv --coder lead --layer consensus
    """
    from qualcode.interchange.codings_import import import_codings_file
    from qualcode.model import Layer

    with open_store(project) as store:
        check_new_coder(store, coder, new_coder=new_coder, typo_only=True)
        known = bool(coder.strip()) and _is_coder(store, coder)
        result = import_codings_file(store, file, coder, create_codes=create_codes,
                                     mark_done=mark_done, layer=Layer(layer))
    created = (f"; {len(result.codes_created)} codes created" if result.codes_created else "")
    who = coder.strip() if known else f"{coder.strip()} (new coder)"
    click.echo(f"Imported {file} for {who} ({layer} layer): {result.added} codings added, "
               f"{result.unchanged} already present, {result.marked_done} units marked done"
               f"{created}.")
    click.echo(DONE_RULES[result.done_rule])


def _is_coder(store: Any, name: str) -> bool:
    """True when ``name`` is already a coder of the project (as the store matches names)."""
    from qualcode.errors import NotFoundError

    try:
        store.coder(name, create=False)
    except NotFoundError:
        return False
    return True


def _format_for(fmt: str | None, output: Path | None) -> str:
    if fmt is not None:
        return fmt
    if output is not None and output.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    return "csv"


@codings.command("export")
@project_argument
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default=None,
              help="Output format [default: from the -o suffix (.jsonl), else csv].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--coder", "coders", multiple=True,
              help="Only this coder's codings (repeat for several).")
@click.option("--layer", type=click.Choice([*LAYER_CHOICES, "all"]), default="all",
              show_default=True, help="Which layer to export.")
@click.option("--done-rows/--no-done-rows", default=True, show_default=True,
              help="Carry done status: done and unit columns, and a row with an empty code "
                   "for each unit a coder marked done without coding it. --no-done-rows "
                   "writes codings only (an import then marks every source it names done).")
@click.option("--bom", is_flag=True,
              help="Start the CSV with a UTF-8 byte-order mark (helps Excel read accents).")
def export(project: Path, fmt: str | None, output: Path | None, coders: tuple[str, ...],
           layer: str, done_rows: bool, bom: bool) -> None:
    """Export one row per coding, plus one per unit done without a coding.

    Columns: coder, layer, code (full path), code_guid, source_id, start, end, text (the
    coded passage), created_at, coding_guid, done (yes/no: the coder marked the row's
    unit done), unit (source for a coding; sentence or paragraph for a done mark on one).
    A row with an empty code is a unit done with no coding. In CSV, cells that a
    spreadsheet would run as a formula (starting with = + - @) get a leading ' ; JSON
    Lines keeps text exact. One coder's CSV export imports back with `qualcode codings
    import`, done marks included.

    \b
    Examples:
      qualcode codings export study.qualcode -o codings.csv
      qualcode codings export study.qualcode --coder alice --layer coder -o alice.csv
      qualcode codings export study.qualcode --format jsonl > codings.jsonl
    """
    from qualcode.interchange.codings_export import (
        export_columns,
        iter_coding_rows,
        write_codings_csv,
        write_codings_jsonl,
    )
    from qualcode.model import Layer

    chosen = _format_for(fmt, output)
    with open_store(project) as store:
        rows = iter_coding_rows(store, coders=coders,
                                layer=None if layer == "all" else Layer(layer),
                                done_rows=done_rows)
        with output_stream(output) as handle:
            columns = export_columns(done_rows)
            if chosen == "jsonl":
                count = write_codings_jsonl(rows, handle, columns=columns)
            else:
                count = write_codings_csv(rows, handle, bom=bom, columns=columns)
    if output is not None:
        click.echo(f"Exported {count} rows to {output}.")
