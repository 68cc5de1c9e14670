"""``qualcode init`` and ``qualcode status``: create a project and see where coding stands."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from qualcode.cli.base import main, open_store, project_argument
from qualcode.interchange.literal import literal_console
from qualcode.storage.suggestion_log import AcceptanceSummary, acceptance_summary


@main.command()
@project_argument
def init(project: Path) -> None:
    """Create an empty project: a file, or a schema on a PostgreSQL server.

    Example: qualcode init study.qualcode
    """
    store = open_store(project, create=True)
    store.close()
    # Quoted as a shell needs it: a server URL's ? and & would be read by the shell.
    click.echo(f"Created {project}. Next: qualcode import {shlex.quote(str(project))} "
               "corpus.csv")


@main.command()
@project_argument
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def status(project: Path, fmt: str) -> None:
    """Show, per coder, units done, codings, codings per code and suggestions taken.

    Example: qualcode status study.qualcode
    """
    with open_store(project) as store:
        units = store.unit_count()
        book = store.codebook()
        rows = store.status()
        suggested = acceptance_summary(store)
        if fmt == "json":
            click.echo(json.dumps({
                "sources": store.source_count(), "units": units, "codes": len(book),
                "coders": [{"coder": r["coder"].name, "done": r["done"], "codings": r["codings"],
                            "per_code": {book.path(book.by_id(code_id)): count
                                         for code_id, count in r["per_code"].items()}}
                           for r in rows],
                "suggestions": [{"coder": s.coder, "units": s.units, "shown": s.shown,
                                 "shown_before_done": s.shown_before_done,
                                 "accepted": s.accepted, "present": s.present}
                                for s in suggested]}, indent=2, ensure_ascii=False))
            return
        console = literal_console()
        console.print(Text.assemble((str(project), "bold"),
                                    f": {store.source_count()} sources, {units} units, "
                                    f"{len(book)} codebook entries, {len(rows)} coders"))
        if not rows:
            console.print("No coder has started yet.")
            return
        summary = Table("coder", "units done", "share", "codings", title="Progress")
        for row in rows:
            share = f"{row['done'] / units:.0%}" if units else "-"
            summary.add_row(row["coder"].name, str(row["done"]), share, str(row["codings"]))
        console.print(summary)
        per_code = Table("code", *[r["coder"].name for r in rows], title="Codings per code")
        for depth, code in book.walk():
            counts = [str(r["per_code"].get(code.id, 0)) for r in rows]
            per_code.add_row("  " * depth + code.name, *counts)
        if len(book):
            console.print(per_code)
        if suggested:
            console.print(_suggestion_table(suggested))


def _suggestion_table(suggested: list[AcceptanceSummary]) -> Table:
    """Per coder: unit-code pairs suggested, and how many were accepted and are kept."""
    table = Table("coder", "pairs shown", "before done", "accepted", "kept",
                  title="Suggestions (qualcode export suggestions for the full log)")
    for s in suggested:
        table.add_row(s.coder, str(s.shown), str(s.shown_before_done),
                      f"{s.accepted} ({s.accepted_share:.0%})",
                      f"{s.present} ({s.present_share:.0%})")
    return table
