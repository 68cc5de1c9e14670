"""``qualcode backup`` and ``qualcode check``: keep a project safe and know that it is sound."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qualcode.cli.base import main, project_argument


@main.command("backup")
@project_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the copy here (must not exist) [default: "
                   "PROJECT.backups/<timestamp>-manual.qualcode].")
def backup_command(project: Path, output: Path | None) -> None:
    """Copy PROJECT to a backup file, safely, even while coders are working in it.

    The copy is one consistent snapshot taken with SQLite's online backup API, checked,
    and renamed into place only when complete. It is a project like any other: open it
    with any qualcode command, or copy it over the project to restore it (with no coder
    working). Automatic backups taken before migrations and merges land in the same
    PROJECT.backups folder (the newest 10 are kept); manual ones are never deleted. A
    partial copy that an interrupted backup left behind (a hidden .part file) is removed.
    The copy remembers the state it shares with PROJECT: give it to a colleague, and
    merging their copy back later takes their one-sided edits without asking (see
    'qualcode merge').

    \b
    Examples:
      qualcode backup study.qualcode
      qualcode backup study.qualcode -o /media/usb/study-monday.qualcode
    """
    from qualcode.storage.backup import backup, backups_folder, remove_stale_parts

    folder = backups_folder(project) if output is None else (output.parent or Path("."))
    for stale in remove_stale_parts(folder):
        click.echo(f"Removed {stale}, left by a backup that was interrupted.")
    target = backup(project, output, own_copy=True)
    click.echo(f"Backed up {project} to {target} ({target.stat().st_size:,} bytes).")


@main.command("check")
@project_argument
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table for people, or JSON for scripts.")
def check_command(project: Path, fmt: str) -> None:
    """Check PROJECT without changing it: exit 0 when sound, 1 when a problem is found.

    Checks SQLite's integrity and foreign keys, the schema version, that every unit and
    coding lies inside its source's text, that nothing points at a missing source,
    code, coder or unit (codings, done marks, memos, codes' parents), that the event
    log is well formed (so undo works), and that every source's metadata is JSON SQLite
    reads as written. Warnings (such as migrations still to apply) do not change the
    exit status.

    \b
    Examples:
      qualcode check study.qualcode
      qualcode check study.qualcode --format json
    """
    from qualcode.storage.check import check_project, has_errors

    findings = check_project(project)
    if fmt == "json":
        click.echo(json.dumps({"project": str(project), "ok": not has_errors(findings),
                               "findings": [f.as_dict() for f in findings]},
                              ensure_ascii=False, indent=2))
    elif not findings:
        click.echo(f"{project}: ok (integrity, foreign keys, schema, offsets, metadata, "
                   "orphans, event log)")
    else:
        from rich.table import Table

        from qualcode.interchange.literal import literal, literal_console

        table = Table(title=f"qualcode check {project}", title_justify="left")
        for column in ("severity", "check", "problem"):
            table.add_column(column, overflow="fold")
        for finding in findings:
            style = "red" if finding.severity == "error" else "yellow"
            table.add_row(literal(finding.severity, style), finding.check, finding.message)
        literal_console().print(table)
    if has_errors(findings):
        click.get_current_context().exit(1)
