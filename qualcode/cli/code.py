"""``qualcode code``: open the coding screen for one coder."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import main, open_store, project_argument


@main.command()
@project_argument
@click.option("--coder", required=True, help="Your coder name (created on first use).")
@click.option("--reveal", is_flag=True, default=False,
              help="Show other coders' codings (off by default: coders work blind).")
def code(project: Path, coder: str, reveal: bool) -> None:
    """Code the units of a project in the terminal, keyboard first.

    Every action is saved the moment it is shown; press ? in the app for the keys.

    Example: qualcode code study.qualcode --coder alice
    """
    # Textual is imported here, not at the top, so `qualcode --help` stays instant.
    from qualcode.tui.app import make_app

    store = open_store(project)
    try:
        app = make_app(store, store.coder(coder), reveal=reveal)
        app.run()
    finally:
        store.close()
