"""The Textual app and :func:`make_app`, the one way to build it (CLI and tests alike)."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from qualcode.model import Coder, Layer, UnitKind
from qualcode.storage import Store
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.session import CodingSession
from qualcode.tui.statistics_launch import open_statistics, statistics_commands
from qualcode.tui.suggester import Suggester
from qualcode.tui.suggesting import Fitter, default_fitter

STYLES = Path(__file__).parent / "styles"


class CodingApp(App[None]):
    """qualcode's coding screen for one coder on one project."""

    CSS_PATH = [STYLES / "app.tcss", STYLES / "dialogs.tcss"]
    ENABLE_COMMAND_PALETTE = True
    # Agreement and frequency screens (statistics_launch.py asks first when coding blind).
    BINDINGS = [Binding("ctrl+k", "statistics('agreement')", "Agreement", show=False),
                Binding("ctrl+t", "statistics('frequencies')", "Frequencies", show=False)]

    def action_statistics(self, which: str) -> None:
        """Open the agreement or frequency screen."""
        open_statistics(self, which)

    def __init__(self, session: CodingSession) -> None:
        super().__init__()
        self.session = session
        self.title = session.store.path.name
        self.sub_title = session.coder.name

    def get_default_screen(self) -> Screen:
        """Start on the coding screen."""
        return CodingScreen(self.session)

    def on_mount(self) -> None:
        """Once the first screen is drawn, take the start-up heap out of the collector's way."""
        self.call_after_refresh(self._freeze_heap)

    @staticmethod
    def _freeze_heap() -> None:
        # A full collection walks every object Textual, Rich and SQLite set up at start-up
        # (70-80 ms here): a key press that triggers one misses several frames. Freezing
        # them leaves the collector only what was allocated since.
        gc.collect()
        gc.freeze()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Offer every coding action, and every code, in the command palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        yield from statistics_commands(self)
        if not isinstance(screen, CodingScreen):
            return
        yield from screen_commands(screen)


def screen_commands(screen: CodingScreen) -> Iterable[SystemCommand]:
    """Return the coding screen's actions as palette commands."""
    actions = (
        ("Done and next (d)", "Mark the unit done and go to the next not-done unit",
         screen.action_done_next),
        ("Mark not done", "Take back the done mark of this unit", screen.action_mark_not_done),
        ("Undo (u)", "Undo your last action", screen.action_undo),
        ("Redo (r)", "Redo what you undid", screen.action_redo),
        ("Memo (m)", "Memo on the coding under the cursor, or on the unit", screen.action_memo),
        ("Search units (/)", "Filter the queue by text, done state, code, metadata",
         screen.action_search),
        ("Clear the unit filter", "Show every unit in the queue", screen.action_clear_filter),
        ("Next unit (ctrl+down)", "Open the next unit of the queue", screen.action_next_unit),
        ("Previous unit (ctrl+up)", "Open the previous unit of the queue",
         screen.action_previous_unit),
        ("Next not-done unit (ctrl+g)", "Go to the next unit not done yet",
         screen.action_next_not_done),
        ("Add a code (ctrl+n)", "Add a code to the shared codebook", screen.action_add_code),
        ("Pin an exemplar quote (ctrl+x)", "Pin the selection or the unit as an exemplar "
         "quote of its code, shown first in the theme table", screen.action_pin_quote),
        ("Filter the codebook (ctrl+f)", "Type to narrow the codebook tree",
         screen.action_filter_codes),
        ("Show or hide the unit queue (ctrl+l)", "Toggle the queue pane",
         screen.action_toggle_queue),
        ("Show or hide the suggestions (ctrl+s)", "Give the suggestion pane's rows to the "
         "codebook, or take them back", screen.action_toggle_suggestions),
        ("Show or hide the code definitions (ctrl+y)", "Give the definition box's rows to "
         "the codebook tree, or take them back", screen.action_toggle_definitions),
        ("Unit details (ctrl+d)", "Every metadata field of the unit's source, whole",
         screen.action_unit_details),
        ("Remove coding under cursor (delete)", "Remove your innermost coding at the cursor",
         screen.action_remove_under_cursor),
        ("Back to the text (escape)", "Put the keyboard on the text pane",
         screen.action_focus_text),
        ("Help (?)", "Keyboard help", screen.action_help),
        ("Accept suggestion 1 (alt+1)", "Apply the top suggested code",
         screen.action_accept_suggestion_1),
        ("Accept suggestion 2 (alt+2)", "Apply the second suggested code",
         screen.action_accept_suggestion_2),
        ("Accept suggestion 3 (alt+3)", "Apply the third suggested code",
         screen.action_accept_suggestion_3),
        ("Queue order: most uncertain first / queue order (ctrl+o)",
         "Switch the order of the unit queue", screen.action_toggle_order),
        ("Candidate themes (ctrl+e)", "Group the units nobody has coded; make one a code",
         screen.action_discover),
    )
    for title, help_text, callback in actions:
        yield SystemCommand(title, help_text, callback)
    book = screen.session.codebook
    for _, code in book.walk():
        if code.codable:
            key = f" ({code.shortcut})" if code.shortcut else ""
            yield SystemCommand(f"Apply code: {markup_escape(book.path(code))}{key}",
                                "Toggle on the selection, or on the whole unit",
                                partial(screen.action_apply_code, code.id))


def markup_escape(text: str) -> str:
    """Return ``text`` as Textual content markup that shows it as typed.

    The command palette reads every command title as markup. In that markup only a "["
    with no backslash before it opens a tag, and a text's "\\[" reads as "["; so a
    backslash before every "[" keeps each bracket, and each backslash the user typed,
    as it was (textual.markup.escape misses "\\[" and a trailing backslash).
    """
    return text.replace("[", "\\[")


def make_app(store: Store, coder: Coder | str, *, suggester: Suggester | None = None,
             reveal: bool = False, kind: UnitKind = UnitKind.SOURCE,
             suggest: str | None = None, learn: bool | Fitter = False,
             order: str = "queue", learn_from: Layer = Layer.CODER,
             spacy_model: str | None = None) -> CodingApp:
    """Build the coding app for one coder on an open project.

    ``coder`` is a :class:`~qualcode.model.Coder` or a name (created on first use).
    ``suggester`` fills the suggestion pane from the start; ``suggest`` is when the pane
    shows ("on", "after" the unit is done, "off"; default "on" with a suggester or
    ``learn``, else "off"). ``learn`` fits the coder's own model in the background and refits as they code
    (True: the project's stored suggester; or a fitter of your own). ``order`` "uncertain"
    puts the model's least sure units first. ``learn_from`` is the layer the default
    fitter learns from (the coder's own, or the consensus); ``spacy_model`` an installed
    spaCy pipeline it lemmatises with. ``reveal`` shows other coders' codings; by
    default the coder is blind to them.
    """
    who = store.coder(coder) if isinstance(coder, str) else coder
    fitter = (default_fitter(who, kind, layer=learn_from, spacy_model=spacy_model)
              if learn is True else (learn or None))
    session = CodingSession(store, who, reveal=reveal, kind=kind, suggester=suggester,
                            suggest=suggest, fitter=fitter, order=order)
    return CodingApp(session)
