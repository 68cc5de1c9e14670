"""``qualcode discover``: candidate themes among the units no coder has coded yet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli.base import main, open_store, project_argument

if TYPE_CHECKING:
    from qualcode.analysis.theme_discovery import ProjectDiscovery

KINDS = click.Choice(["source", "paragraph", "sentence"])


@main.command()
@project_argument
@click.option("--clusters", type=click.IntRange(min=1), default=8, show_default=True,
              help="At most this many candidate themes.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the factorisation (same seed, same candidates).")
@click.option("--examples", type=click.IntRange(min=0), default=3, show_default=True,
              help="Example units shown per candidate.")
@click.option("--unit", "kind", type=KINDS, default="source", show_default=True,
              help="Which stored units to group.")
@click.option("--spacy-model", default=None, metavar="NAME",
              help="Installed spaCy pipeline to lemmatise with (never downloaded); "
                   "default: built-in blank English + lookup lemmas.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def discover(project: Path, clusters: int, seed: int, examples: int, kind: str,
             spacy_model: str | None, fmt: str) -> None:
    """Group the units no coder has coded yet into candidate themes.

    Each candidate lists its top terms, how many units joined it and its most typical
    units. Units marked done with no code are included: nothing in the codebook fitted
    them. Nothing is written; turn a candidate into a code in the coding screen (ctrl+e)
    or with `qualcode codebook`.

    Example: qualcode discover study.qualcode --clusters 6 --seed 1
    """
    from qualcode.analysis.theme_discovery import as_json, discover_themes
    from qualcode.model import UnitKind

    with open_store(project) as store:
        result = discover_themes(store, clusters=clusters, seed=seed, examples=examples,
                                 kind=UnitKind(kind), spacy_model=spacy_model)
    if fmt == "json":
        click.echo(json.dumps(as_json(result), indent=2, ensure_ascii=False))
        return
    _print_table(result)


def _print_table(result: ProjectDiscovery) -> None:
    from rich.table import Table

    from qualcode.interchange.literal import literal_console

    console = literal_console()
    console.print(f"{result.uncoded} uncoded {result.kind.value} units, "
                  f"{len(result.candidates)} candidate themes (seed {result.seed})"
                  + (f"; {result.unplaced} units share no terms with the others"
                     if result.unplaced else ""))
    table = Table("#", "units", "top terms", "example units", show_lines=True)
    for candidate in result.candidates:
        shown = "\n".join(f"{e.source}: {e.text}" for e in candidate.examples)
        table.add_row(str(candidate.number), str(candidate.size), ", ".join(candidate.terms),
                      shown)
    console.print(table)
