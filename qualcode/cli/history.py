"""``qualcode log``, ``undo`` and ``redo``: the event log and each coder's undo stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import main, open_store, project_argument
from qualcode.cli.log_layout import fits_in_columns, print_folded_log

PAYLOAD_WIDTH = 70


@main.command("log")
@project_argument
@click.option("--coder", help="Only this coder's events.")
@click.option("--last", "last", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many of the most recent events to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="A table, or one JSON object per event (the whole payload).")
def log_command(project: Path, coder: str | None, last: int, fmt: str) -> None:
    """Show the append-only event log: who did what and when, newest last.

    \b
    Examples:
      qualcode log study.qualcode --last 10
      qualcode log study.qualcode --coder alice --format jsonl
    """
    with open_store(project) as store:
        names: dict[int | None, str] = {c.id: c.name for c in store.coders()}
        coder_id = store.coder(coder, create=False).id if coder else None
        events = store.events(coder_id=coder_id)[-last:]
    if fmt == "jsonl":
        for event in events:
            click.echo(json.dumps({"id": event.id, "guid": event.guid, "at": event.at,
                                   "coder": names.get(event.coder_id), "action": event.action,
                                   "undoes": event.undoes, "payload": event.payload},
                                  ensure_ascii=False))
        return
    from rich.table import Table

    from qualcode.interchange.literal import literal_console

    rows = [(str(event.id), event.at[:19].replace("T", " "), names.get(event.coder_id, "-"),
             event.action, _details(event)) for event in events]
    console = literal_console()
    if not fits_in_columns(rows, console.width):
        print_folded_log(console, f"{project}: event log", rows)
        return
    table = Table("id", "at (UTC)", "coder", "action", title=f"{project}: event log")
    table.add_column("details", no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _details(event: Any) -> str:
    """An event's payload as one JSON line (cut at PAYLOAD_WIDTH), or the event it undoes."""
    details = json.dumps(dict(event.payload), ensure_ascii=False)
    from qualcode.cli.merge import decisions_line

    if decisions_line(event.payload):  # a merge's choices first: later merges keep them
        details = f"decided {decisions_line(event.payload)}; {details}"
    if event.undoes is not None:
        details = f"event {event.undoes}"
    if len(details) > PAYLOAD_WIDTH:
        details = details[:PAYLOAD_WIDTH - 1] + "…"
    return details


def _step(project: Path, coder: str, steps: int, *, redo: bool) -> None:
    """Undo or redo up to ``steps`` of one coder's actions and say what changed."""
    from qualcode.interchange.literal import visible
    from qualcode.storage.event_words import describe_event
    from qualcode.storage.undo import merge_after

    verb = "Redid" if redo else "Undid"
    with open_store(project) as store:
        who = store.coder(coder, create=False)
        merge, undone = None, False
        for _ in range(steps):
            event = store.redo(who.id) if redo else store.undo(who.id)
            if event is None:
                click.echo(f"Nothing more to {'redo' if redo else 'undo'} for {who.name}.")
                merge = merge or (None if redo else merge_after(store, None))
                break
            undone = True
            # What was taken back in the coder's words (code and unit), not the event type.
            click.echo(f"{verb} event {event.id}: {visible(describe_event(store, event))} "
                       f"(made {event.at[:19].replace('T', ' ')} UTC).")
            # A merge newer than the action undone: that action was part of it, or before it.
            merge = merge or (None if redo else merge_after(store, event.id))
    if merge is not None:
        _merge_note(project, merge, after=undone)


def _merge_note(project: Path, merge: Any, *, after: bool) -> None:
    """Say that undo does not take a merge back, and which backup does."""
    payload = merge.payload
    backup = payload.get("backup")
    how = (f"restore the automatic backup taken just before it: {backup} (with nobody "
           f"coding, move {project} and any -wal and -shm beside it aside, then copy the "
           "backup to its name)" if backup else
           f"restore a backup taken before it (see {project}.backups and 'qualcode backup')")
    click.echo(f"Note: {payload.get('file', 'a file')} was merged into {project} "
               f"{'after or with the action undone ' if after else ''}(event {merge.id}, "
               f"{merge.at[:19]}). Undo takes back only a coder's own part of a merge (the "
               f"codings and done marks it brought them, their memos), never code edits, "
               f"deletions or sources it brought; to undo the whole merge, {how}.")


@main.command("undo")
@project_argument
@click.option("--coder", required=True, help="Whose last action to undo.")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many actions to undo, newest first.")
def undo_command(project: Path, coder: str, steps: int) -> None:
    """Undo a coder's most recent actions (the same stack as the coding screen's u key).

    Undo is itself logged, so it can be redone. A merge ('qualcode merge') is not one
    undoable step: undo says so and names the automatic backup taken just before the
    merge, which is what restores the project as it was. Each line names what was
    taken back: the code and unit (+Fear on R001 (whole unit)), the file, the code edit.

    \b
    Examples:
      qualcode undo study.qualcode --coder alice
      qualcode undo study.qualcode --coder alice --steps 3
    """
    _step(project, coder, steps, redo=False)


@main.command("redo")
@project_argument
@click.option("--coder", required=True, help="Whose undone action to apply again.")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many undone actions to redo.")
def redo_command(project: Path, coder: str, steps: int) -> None:
    """Apply again the actions a coder undid last (the coding screen's r key).

    \b
    Examples:
      qualcode redo study.qualcode --coder alice
      qualcode redo study.qualcode --coder alice --steps 2
    """
    _step(project, coder, steps, redo=True)
