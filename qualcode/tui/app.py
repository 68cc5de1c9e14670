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
from qualcode.storage import ProjectStore
from qualcode.tui.guard import GuardedApp, guard_actions
from qualcode.tui.keys import APP, CODING, bindings, palette_entries
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.session import CodingSession
from qualcode.tui.statistics_launch import open_statistics, statistics_commands
from qualcode.tui.suggester import Suggester
from qualcode.tui.suggesting import Fitter, default_fitter

STYLES = Path(__file__).parent / "styles"


@guard_actions
class CodingApp(GuardedApp, App[None]):
    """qualcode's coding screen for one coder on one project."""

    CSS_PATH = [STYLES / "app.tcss", STYLES / "dialogs.tcss"]
    ENABLE_COMMAND_PALETTE = True
    statistics_allowed = False
    """Set when the coder agreed to see statistics while coding blind (asked once)."""
    # Agreement and frequency screens (statistics_launch.py asks first when coding blind).
    BINDINGS = [Binding(keys, action, label, show=show)
                for keys, action, label, show in bindings(screen=APP)]

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
    for title, help_text, action in palette_entries(CODING):
        yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
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


def make_app(store: ProjectStore, coder: Coder | str, *, suggester: Suggester | None = None,
             reveal: bool = False, kind: UnitKind = UnitKind.SOURCE,
             suggest: str | None = None, learn: bool | Fitter = False,
             order: str = "queue", learn_from: Layer = Layer.CODER,
             spacy_model: str | None = None) -> CodingApp:
    """Build the coding app for one coder on an open project.

    ``coder`` is a :class:`~qualcode.model.Coder` or a name (created on first use).
    ``suggester`` fills the suggestion pane from the start; ``suggest`` is when the pane
    shows ("on", "after" the unit is done, "off"; default "on" with a suggester or
    ``learn``, else "off"). ``learn`` fits the coder's own model in the background and refits as
    they code (True: the project's stored suggester; or a fitter of your own). ``order`` "uncertain"
    puts the model's least sure units first. ``learn_from`` is the layer the default fitter learns
    from (the coder's own, or the consensus); ``spacy_model`` an installed spaCy pipeline it
    lemmatises with. ``reveal`` shows other coders' codings; by default the coder is blind to them.
    """
    who = store.coder(coder) if isinstance(coder, str) else coder
    fitter = (default_fitter(who, kind, layer=learn_from, spacy_model=spacy_model)
              if learn is True else (learn or None))
    session = CodingSession(store, who, reveal=reveal, kind=kind, suggester=suggester,
                            suggest=suggest, fitter=fitter, order=order)
    return CodingApp(session)
