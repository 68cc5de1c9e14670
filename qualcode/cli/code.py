"""``qualcode code``: open the coding screen for one coder."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import main, open_store, project_argument
from qualcode.cli.coders import check_new_coder, new_coder_option


@main.command()
@project_argument
@click.option("--coder", required=True,
              help="Your coder name (a new one needs --new-coder, so a typo is caught).")
@new_coder_option()
@click.option("--reveal", is_flag=True, default=False,
              help="Show other coders' codings (off by default: coders work blind).")
@click.option("--suggest", type=click.Choice(["on", "after", "off"]), default="on",
              show_default=True,
              help="Code suggestions learnt from your done units: shown while you decide, "
                   "only after you mark a unit done (no anchoring), or not at all.")
@click.option("--order", type=click.Choice(["queue", "uncertain"]), default="queue",
              show_default=True,
              help="Unit order: as imported, or the units the suggester is least sure "
                   "about first (active learning; ctrl+o switches in the app).")
@click.option("--learn-from", type=click.Choice(["coder", "consensus"]), default="coder",
              show_default=True,
              help="What the suggester learns from: your own done units, or the consensus "
                   "layer (e.g. a third coder joining after adjudication).")
@click.option("--spacy-model", default=None, metavar="NAME",
              help="Installed spaCy pipeline to lemmatise with (never downloaded); default: "
                   "built-in blank English + lookup lemmas.")
def code(project: Path, coder: str, new_coder: bool, reveal: bool, suggest: str, order: str,
         learn_from: str, spacy_model: str | None) -> None:
    """Code the units of a project in the terminal, keyboard first.

    Every action is saved the moment it is shown; press ? in the app for the keys.
    Suggestions are fitted in the background and refitted as you code; every suggestion
    shown, and whether you accepted it (alt+1..3), is logged in the project.

    A name that is not a coder of the project is refused with the closest existing
    one (a typo must not start an empty layer); start a new coder with --new-coder.

    \b
    Examples:
      qualcode code study.qualcode --coder alice
      qualcode code study.qualcode --coder carol --new-coder
      qualcode code study.qualcode --coder bob --suggest after --order uncertain
      qualcode code study.qualcode --coder dana --new-coder --learn-from consensus
    """
    # Textual is imported here, not at the top, so `qualcode --help` stays instant.
    from qualcode.model import Layer
    from qualcode.tui.app import make_app

    if spacy_model:
        from qualcode.nlp.pipeline import build_pipeline

        build_pipeline(spacy_model)  # a missing pipeline is one clear line, before the screen
    store = open_store(project)
    try:
        check_new_coder(store, coder, new_coder=new_coder)
        learn = suggest != "off" or order == "uncertain"
        app = make_app(store, store.coder(coder), reveal=reveal, suggest=suggest, learn=learn,
                       order=order, learn_from=Layer(learn_from), spacy_model=spacy_model)
        app.run()
    finally:
        store.close()
