"""``qualcode export``: theme tables, matrices and charts for papers (REFI-QDA lives beside)."""

from __future__ import annotations

import click

from qualcode.cli.base import main


@main.group()
def export() -> None:
    """Export tables, matrices and charts for a manuscript, or exchange files.

    \b
    Examples:
      qualcode export themes study.qualcode --layer consensus -o themes.xlsx
      qualcode export matrix study.qualcode --rows theme --cols study -o matrix.md
      qualcode export chart study.qualcode --kind kappa -o kappa.svg
    """


@export.command("themes")
def themes() -> None:
    """Theme table (being written)."""
    raise click.ClickException("qualcode export themes is not implemented yet")
