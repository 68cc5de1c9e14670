"""The app behind ``qualcode adjudicate``: the adjudication screen on its own."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.screen import Screen

from qualcode.model import UnitKind
from qualcode.storage import ProjectStore
from qualcode.tui.adjudication_session import AdjudicationSession
from qualcode.tui.guard import GuardedApp, guard_actions
from qualcode.tui.screens.adjudication import AdjudicationScreen

STYLES = Path(__file__).parent / "styles"


@guard_actions
class AdjudicationApp(GuardedApp, App[None]):
    """One adjudicator settling two coders' disagreements."""

    CSS_PATH = [STYLES / "dialogs.tcss", STYLES / "agreement.tcss"]

    def __init__(self, session: AdjudicationSession) -> None:
        super().__init__()
        self.session = session
        self.title = session.store.path.name
        self.sub_title = f"adjudication by {session.adjudicator.name}"

    def get_default_screen(self) -> Screen:
        """Start on the adjudication screen."""
        return AdjudicationScreen(self.session)


def make_adjudication_app(store: ProjectStore, adjudicator: str, coder_a: str, coder_b: str, *,
                          level: str = "code", unit: UnitKind | str = UnitKind.SOURCE,
                          group_by: str | None = None) -> AdjudicationApp:
    """Build the adjudication app; raises a QualcodeError for unknown coders or fields."""
    session = AdjudicationSession(store, adjudicator, coder_a, coder_b,
                                  level=level, unit=UnitKind(unit), group_by=group_by)
    return AdjudicationApp(session)
