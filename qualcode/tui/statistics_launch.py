"""Opening the agreement and frequency screens from the coding app, blind mode respected.

A coder working blind sees other coders' work only as statistics, and only after saying
yes once per session to "this reveals agreement with other coders".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from qualcode.tui.dialogs.confirm import ConfirmDialog
from qualcode.tui.keys import APP, palette_entries

if TYPE_CHECKING:
    from qualcode.tui.app import CodingApp

REVEAL_QUESTION = (
    "This reveals agreement with other coders: kappa and frequencies per code, computed "
    "from their codings (their codings themselves stay hidden). You are coding blind; "
    "seeing agreement now may change how you code the units you have not done yet.")


def open_statistics(app: CodingApp, which: str) -> None:
    """Show the agreement ('agreement') or frequency ('frequencies') screen, asking first
    when the coder is blind and has not agreed to see statistics in this session."""
    store, me = app.session.store, app.session.coder.name

    def show() -> None:
        # Imported on demand: the statistics stack must not slow the coding screen's start.
        from qualcode.tui.screens.agreement import AgreementScreen, coder_pairs
        from qualcode.tui.screens.frequencies import FrequenciesScreen

        if which == "agreement":
            mine = [p for p in coder_pairs(store) if me in p]
            app.push_screen(AgreementScreen(store, mine[0] if mine else None))
        else:
            app.push_screen(FrequenciesScreen(store))

    if app.session.reveal or app.statistics_allowed:
        show()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            app.statistics_allowed = True  # asked once per session
            show()

    app.push_screen(ConfirmDialog("Show agreement with other coders?", REVEAL_QUESTION,
                                  yes="Show"), answered)


def statistics_commands(app: CodingApp) -> Iterable[SystemCommand]:
    """Palette entries for the agreement and frequency screens."""
    for title, help_text, action in palette_entries(APP):
        yield SystemCommand(title, help_text, partial(app.run_action, action))
