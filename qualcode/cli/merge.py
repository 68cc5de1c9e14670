"""``qualcode merge``: bring another coder's project file (or a .qdpx) into this one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import main, open_store, project_argument
from qualcode.cli.coders import actor_id, new_actor_option

POSITIONS = ("auto", "codepoints", "crlf-as-one", "utf16", "crlf-as-one-utf16")
SHOWN = 10


def _counts(counts: dict[str, int]) -> str:
    # "1 coder", "2 coders"; labels are plural nouns, possibly with a qualifier after them.
    def label(what: str, n: int) -> str:
        head, _, rest = what.partition(" (")
        if n == 1 and head.endswith("s"):
            head = head[:-1]
        return head + (f" ({rest}" if rest else "")
    return ", ".join(f"{n} {label(what, n)}" for what, n in counts.items() if n)


def echo_report(report: Any, verb: str, target: Path) -> None:
    """Print what a merge or REFI import did, and what it left out, in a few lines.

    ``verb`` is "Merged" or "Imported" (only merge has a dry run).
    """
    if not report.dry_run and not report.changed():
        settled = f" ({_settled(report)})" if report.settled else ""
        click.echo(f"Nothing to {'merge' if verb == 'Merged' else 'import'}: {target} already "
                   f"holds everything in {report.label}{settled}; no event logged, no "
                   "backup taken.")
        _echo_items(report)
        return
    added = _counts(report.added) or "nothing new"
    if report.dry_run:
        line = f"Dry run, nothing changed. Merging {report.label} into {target} would add {added}"
    else:
        line = f"{verb} {report.label} into {target}: added {added}"
    for label, counts in (("updated", report.updated), ("removed", report.removed)):
        if _counts(counts):
            line += f"; {label} {_counts(counts)}"
    unchanged = _counts(report.unchanged)
    click.echo(line + (f"; already there: {unchanged}" if unchanged else "") + ".")
    if report.resolved:
        click.echo(f"Conflicts decided ({len(report.resolved)}):")
        for conflict, choice in report.resolved[:SHOWN]:
            click.echo(f"  {choice}: {conflict.line()}")
        if len(report.resolved) > SHOWN:
            click.echo(f"  ... and {len(report.resolved) - SHOWN} more (see 'qualcode log')")
    if report.settled:
        click.echo(f"{_settled(report).capitalize()}.")
    _echo_items(report)


def _settled(report: Any) -> str:
    """Say how many conflicts were settled by choices made in earlier merges."""
    n = len(report.settled)
    return (f"{n} conflict{'s' if n != 1 else ''} settled as chosen in an earlier merge "
            "(see 'qualcode log')")


def _echo_items(report: Any) -> None:
    """Print what was left out and the notes, the first SHOWN of each."""
    for title, items in (("Left out", report.skipped), ("Notes", report.notes)):
        if items:
            click.echo(f"{title} ({len(items)}):")
            for item in items[:SHOWN]:
                click.echo(f"  {item}")
            if len(items) > SHOWN:
                click.echo(f"  ... and {len(items) - SHOWN} more (every one: --format json on "
                           "'qualcode import', or the event in 'qualcode log --format jsonl')")


def decisions_line(payload: Any) -> str:
    """Return the choices a merge event kept, in words ('' when it kept none)."""
    decisions = payload.get("decisions") if isinstance(payload, dict) else None

    def name(d: dict[str, Any]) -> str:  # a code by its own name: the log's line is short
        label = str(d.get("label"))
        return label.rsplit("/", 1)[-1] if str(d.get("kind")).startswith("code") else label
    return "; ".join(
        f"{d.get('choice')}: {d.get('kind')} {name(d)!r} ({', '.join(d.get('fields', []))})"
        for d in decisions or [] if isinstance(d, dict))


def echo_conflicts(error: Any) -> None:
    """List the conflicts of a refused merge on stderr, one per line."""
    for conflict in error.conflicts:
        click.echo(f"  {conflict.line()}", err=True)


def counting_option(value: str) -> Any:
    """Return the Counting an option value names (None for auto)."""
    from qualcode.interchange.refi.offsets import Counting

    return None if value == "auto" else Counting(value)


@main.command("merge")
@project_argument
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--prefer", type=click.Choice(["ours", "theirs"]),
              help="Decide every conflict this way (ours: keep the project's version).")
@click.option("--ours", "ours", metavar="GUID", multiple=True,
              help="Keep the project's version for the conflict with this GUID (repeatable).")
@click.option("--theirs", "theirs", metavar="GUID", multiple=True,
              help="Take OTHER's version for the conflict with this GUID (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--coder", metavar="NAME", help="Record the codebook changes under this coder.")
@new_actor_option
@click.option("--positions", type=click.Choice(POSITIONS), default="auto", show_default=True,
              help="How a .qdpx counts text positions (auto: from the quoted passages).")
@click.option("--mark-done", is_flag=True,
              help="For a .qdpx from another tool: mark every source done for each coder "
                   "who coded in it.")
def merge_command(project: Path, other: Path, prefer: str | None, ours: tuple[str, ...],
                  theirs: tuple[str, ...], dry_run: bool, coder: str | None, positions: str,
                  mark_done: bool) -> None:
    """Bring OTHER's codes, sources, coders, codings, done marks and memos into PROJECT.

    OTHER is another qualcode project (for example a copy a second coder worked in) or a
    REFI-QDA .qdpx. Everything is matched by GUID, never by name; what is already
    there is left alone, so merging twice changes nothing ("nothing to merge": no backup,
    no event). Codes and source texts merge three ways against what the two copies last
    shared (a copy made with 'qualcode backup', a .qdpx export, the last merge): a field
    changed on one side only is taken. Where both changed a field differently (or,
    with no common state known, wherever they differ; a name taken by another GUID)
    the merge stops, lists the conflicts and changes nothing until you choose:
    --prefer for all, or --ours / --theirs GUID one by one. A choice is kept in the
    project (shown in 'qualcode log'): the same conflict is not raised again. A coding
    deleted in OTHER is deleted here too. The project is backed up first.

    \b
    Examples:
      qualcode merge study.qualcode bob.qualcode
      qualcode merge study.qualcode bob.qualcode --prefer theirs
      qualcode merge study.qualcode from-nvivo.qdpx --dry-run
    """
    from qualcode.interchange.merge_input import merge_into
    from qualcode.storage.merge_apply import MergeConflicts

    if set(ours) & set(theirs):
        raise click.UsageError("a GUID cannot be both --ours and --theirs")
    choices = {**{g: "ours" for g in ours}, **{g: "theirs" for g in theirs}}
    with open_store(project) as store:
        actor = actor_id(store, coder)  # a likely typo of a coder's name is refused
        try:
            # Ignored below: click's Choice gives only the Literal's values.
            report = merge_into(store, other, prefer=prefer, choices=choices,  # type: ignore[arg-type]
                                actor_id=actor, dry_run=dry_run,
                                counting=counting_option(positions), mark_done=mark_done)
        except MergeConflicts as error:
            echo_conflicts(error)
            raise
    echo_report(report, "Merged", project)
