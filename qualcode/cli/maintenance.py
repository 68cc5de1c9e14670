"""``qualcode backup`` and ``qualcode check``: keep a project safe and know that it is sound."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qualcode.cli.base import ProjectLocation, main, open_store, project_argument


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
      qualcode backup postgresql://lead@db.example.org/review?project=balint -o monday.qualcode

    A project on a PostgreSQL server is backed up into a project file (-o FILE, default
    PROJECTNAME-<timestamp>.qualcode here), a complete copy as 'qualcode copy' makes.
    """
    from qualcode.storage.backends.urls import ServerPath
    from qualcode.storage.backup import backup, backups_folder, remove_stale_parts

    if isinstance(project, ServerPath):
        _back_up_server_project(project, output)
        return
    folder = backups_folder(project) if output is None else (output.parent or Path("."))
    for stale in remove_stale_parts(folder):
        click.echo(f"Removed {stale}, left by a backup that was interrupted.")
    target = backup(project, output, own_copy=True)
    click.echo(f"Backed up {project} to {target} ({target.stat().st_size:,} bytes).")


def _back_up_server_project(project: Path, output: Path | None) -> None:
    """Copy a server project into a new project file (one transaction, nothing partial)."""
    from datetime import datetime, timezone

    from qualcode.storage.copy import copy_project

    if output is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        output = Path(f"{project.name or 'project'}-{stamp}.qualcode")
    with open_store(project) as store:
        copy_project(store, output)
    click.echo(f"Backed up {project} to {output} ({output.stat().st_size:,} bytes).")


@main.command("copy")
@project_argument
@click.argument("target", type=ProjectLocation())
def copy_command(project: Path, target: Path) -> None:
    """Copy the whole of PROJECT to TARGET, a new project file or server project.

    Everything is copied: codebook, sources and units, both layers of codings, done
    marks, memos, the event log (undo goes on where it was), suggestion models and log,
    pinned quotes, speakers and pages, settings and the project's GUID. Move a project
    from a file to a PostgreSQL server and back: both sides export the same codings,
    agreement and .qdpx. TARGET must not exist yet; a copy that fails leaves nothing.

    \b
    Examples:
      qualcode copy study.qualcode "postgresql://lead@db.example.org/review?project=balint"
      qualcode copy "postgresql://lead@db.example.org/review?project=balint" back.qualcode
    """
    from qualcode.storage.copy import copy_project

    with open_store(project) as store:
        report = copy_project(store, target)
    total = sum(report.rows.values())
    click.echo(f"Copied {project} to {target}: {total:,} rows in {len(report.rows)} tables "
               f"({report.rows.get('sources', 0):,} sources, {report.rows.get('codings', 0):,} "
               f"codings, {report.rows.get('events', 0):,} events).")


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
