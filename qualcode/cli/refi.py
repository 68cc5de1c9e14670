"""REFI-QDA from the shell: ``qualcode export qdc|qdpx``, and the import of .qdc/.qdpx files.

``qualcode import PROJECT FILE.qdpx`` and ``qualcode codebook import PROJECT FILE.qdc``
reach :func:`import_refi` and :func:`import_qdc_codebook` from their own commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import open_store, project_argument
from qualcode.cli.coders import actor_id
from qualcode.cli.export import export

REFI_SUFFIXES = (".qdc", ".qdpx")


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


@export.command("qdc")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdc file to write.")
def export_qdc_command(project: Path, output: Path) -> None:
    """Write PROJECT's codebook as a REFI-QDA .qdc (for NVivo, ATLAS.ti, MAXQDA, QualCoder).

    Each code keeps its GUID, name, colour and codable flag; its definition, inclusion
    and exclusion criteria, examples and shortcut key go into the Description as
    labelled lines (Include:, Exclude:, Example:, Shortcut:), which qualcode reads back.

    \b
    Example:
      qualcode export qdc study.qualcode -o codebook.qdc
    """
    from qualcode.interchange.refi import export_qdc

    with open_store(project) as store:
        count = export_qdc(store, output)
    click.echo(f"Wrote {output}: {_plural(count, 'code')}.")


@export.command("qdpx")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdpx file to write.")
@click.option("--coder", "coders", metavar="NAME", multiple=True,
              help="Only this coder's codings, done marks and memos, and only them as "
                   "users (repeatable) [default: every coder].")
@click.option("--no-consensus", is_flag=True, help="Leave the consensus layer out.")
def export_qdpx_command(project: Path, output: Path, coders: tuple[str, ...],
                        no_consensus: bool) -> None:
    """Write PROJECT as a REFI-QDA .qdpx project (codebook, texts, codings, memos).

    Each coder is a REFI-QDA user and their codings carry their user GUID; the
    consensus layer is written under a user "consensus (adjudicated by NAME)". Texts go
    in as UTF-8 exactly as stored; positions count code points (CR and LF one each),
    end exclusive. Metadata fields become typed variables (Boolean, Integer, Float,
    Date, DateTime or Text; lists, objects and nulls as JSON text); done marks become
    sets named "done: NAME". With --coder only those coders' codings, done marks and
    memos go, and only they are users.

    \b
    Examples:
      qualcode export qdpx study.qualcode -o study.qdpx
      qualcode export qdpx study.qualcode -o alice.qdpx --coder alice --no-consensus
    """
    from qualcode.interchange.refi import export_qdpx

    with open_store(project) as store:
        wanted = {store.coder(name, create=False).id for name in coders} or None
        report = export_qdpx(store, output, coders=wanted, consensus=not no_consensus)
    counts = report.counts
    # The consensus layer is counted apart: its codings are not one more coder's work.
    consensus = counts["consensus codings"]
    codings = (f"{_plural(counts['codings'] - consensus, 'coding')} by "
               f"{_plural(counts['users'], 'coder')}"
               + (f" and {consensus} in the consensus layer" if consensus else ""))
    click.echo(f"Wrote {output}: {_plural(counts['codes'], 'code')}, "
               f"{_plural(counts['sources'], 'source')}, {codings}, "
               f"{_plural(counts['memos'], 'memo')}, "
               f"{_plural(counts['done marks'], 'done mark')}.")
    for note in report.notes:
        click.echo(f"Note: {note}")


def import_qdc_codebook(store: Any, file: Path, actor_id: int | None) -> Any:
    """Add or update codes from a .qdc (GUIDs matched by fold_guid); return the report."""
    from qualcode.errors import CodebookError
    from qualcode.interchange.refi import read_qdc, to_specs

    codes, notes = read_qdc(file)
    try:
        report = store.import_codebook(to_specs(codes), actor_id=actor_id)
    except CodebookError as error:
        raise CodebookError(error.message, path=str(file)) from None
    for note in notes:
        click.echo(f"Note: {note}")
    return report


def report_json(report: Any, project: Path) -> str:
    """Return a merge or .qdpx import report as one JSON object, every item whole."""
    import json

    counts = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
    return json.dumps({
        "file": report.label, "project": str(project), "dry_run": report.dry_run,
        "added": counts(report.added), "updated": counts(report.updated),
        "removed": counts(report.removed), "unchanged": counts(report.unchanged),
        "decided": [{"choice": choice, "conflict": conflict.line()}
                    for conflict, choice in report.resolved],
        "left_out": list(report.skipped), "notes": list(report.notes)},
        ensure_ascii=False, indent=2)


def import_refi(project: Path, file: Path, coder: str | None, fmt: str | None = None) -> None:
    """Import a .qdc (into the codebook) or a .qdpx (the whole project) into PROJECT.

    ``fmt`` "json" prints a .qdpx import's report as JSON, every item whole.
    """
    from qualcode.cli.merge import echo_conflicts, echo_report
    from qualcode.errors import StoreError
    from qualcode.interchange.merge_input import merge_into
    from qualcode.storage.merge_apply import MergeConflicts

    with open_store(project) as store:
        actor = actor_id(store, coder)  # a likely typo of a coder's name is refused
        if file.suffix.lower() == ".qdc":
            report = import_qdc_codebook(store, file, actor)
            click.echo(f"Imported {file}: {report.added} added, {report.updated} updated, "
                       f"{report.unchanged} unchanged.")
            return
        try:
            # A project with work in it is backed up first, as before a merge; an empty
            # one has nothing to lose.
            result = merge_into(store, file, actor_id=actor, backup=store.source_count() > 0)
        except MergeConflicts as error:
            echo_conflicts(error)
            raise StoreError(f"{len(error.conflicts)} conflicts with what the project holds; "
                             "nothing was imported. Decide them with 'qualcode merge "
                             f"{project} {file} --prefer ours|theirs'", path=str(file)) from None
    if fmt == "json":
        click.echo(report_json(result, project))
    else:
        echo_report(result, "Imported", project)
