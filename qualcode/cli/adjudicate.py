"""``qualcode adjudicate``: settle two coders' disagreements into the consensus layer."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import main, open_store, project_argument
from qualcode.cli.coders import check_new_coder, new_coder_option


@main.command()
@project_argument
@click.option("--coders", nargs=2, required=True, metavar="A B",
              help="The two coders whose disagreements to settle.")
@click.option("--as", "adjudicator", required=True, metavar="NAME",
              help="Who adjudicates (may be one of the coders; a name new to the project "
                   "needs --new-coder, so a typo is caught).")
@new_coder_option()
@click.option("--level", type=click.Choice(["code", "theme"]), default="code",
              show_default=True, help="Walk disagreements on codes or on themes.")
@click.option("--unit", type=click.Choice(["source", "sentence", "paragraph"]),
              default="source", show_default=True, help="Unit of analysis.")
@click.option("--group-by", metavar="FIELD", default=None,
              help="Group sources by a metadata field (e.g. study_id) into one unit each.")
def adjudicate(project: Path, coders: tuple[str, str], adjudicator: str, new_coder: bool,
               level: str, unit: str, group_by: str | None) -> None:
    """Walk the units where two coders disagree and settle each into the consensus layer.

    Keys: a take A, b take B, o both, n neither, e edit, u undo, g copy the agreed
    units, c each coder's agreement with the consensus, ? help, q quit. Both coders'
    codings stay as they are; every decision is saved and undoable.

    \b
    Examples:
      qualcode adjudicate study.qualcode --coders alice bob --as carol --new-coder
      qualcode adjudicate study.qualcode --coders alice bob --as carol
    """
    from qualcode.errors import QualcodeError
    from qualcode.model import is_reserved_name

    if is_reserved_name(adjudicator):  # consensus, coder, all: names qualcode gives meaning
        raise QualcodeError(f"{adjudicator.strip()!r} cannot be a coder's name (it names the "
                            "consensus layer, a layer or 'all'); adjudicate under your own "
                            "name, e.g. --as carol")
    # Textual is imported here, not at the top, so `qualcode --help` stays instant.
    from qualcode.tui.adjudication_app import make_adjudication_app

    store = open_store(project)
    try:
        check_new_coder(store, adjudicator, new_coder=new_coder)
        app = make_adjudication_app(store, adjudicator, coders[0], coders[1], level=level,
                                    unit=unit, group_by=group_by)
        app.run()
    finally:
        store.close()
