"""Room on a small screen: hide the suggestions or the code definitions, read all metadata.

At 80x24 the side pane holds the codebook tree, the highlighted code's definition and
the suggestions, which leaves the tree a handful of rows; each of these keys gives rows
back (and takes them away again), and the unit's metadata, cut to one line in the
header, opens whole in a dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.tui.dialogs.unit_details import UnitDetails

if TYPE_CHECKING:
    from qualcode.tui.session import CodingSession


class LayoutMixin:
    """The coding screen's show/hide keys for the side pane, and the unit details dialog.

    Mixed into :class:`~qualcode.tui.screens.coding.CodingScreen`, which provides
    ``session``, ``query_one``, ``app`` and ``_say``.
    """

    session: CodingSession

    # Provided by CodingScreen / Screen / SuggestionsMixin (annotations only: a method
    # defined here would come first in the screen's MRO and hide theirs).
    query_one: Any
    app: Any
    refresh_suggestions: Any

    def _say(self, message: str) -> None:  # pragma: no cover - CodingScreen overrides
        raise NotImplementedError

    def action_toggle_suggestions(self) -> None:
        """Show or hide the suggestions pane (its rows go to the codebook)."""
        if not self.session.suggesting.enabled:
            self._say("suggestions are off (qualcode code --suggest on shows them)")
            return
        pane = self.query_one("#suggestions")
        pane.display = not pane.display
        if pane.display:
            # Hidden suggestions were neither shown nor logged: rank the unit now.
            self.refresh_suggestions()
        else:
            self.session.suggesting.hide()  # nothing on screen for alt+1…3 to accept
        self._say("suggestions shown" if pane.display
                  else "suggestions hidden (ctrl+s shows them)")

    def action_toggle_definitions(self) -> None:
        """Show or hide the highlighted code's definition box under the codebook tree."""
        details = self.query_one("#code-details-scroll")
        details.display = not details.display
        # Without the box the tree may take the whole pane (its CSS caps it at 65%).
        self.query_one("#code-tree").styles.max_height = (None if details.display
                                                           else "100%")
        self._say("code definitions shown" if details.display
                  else "code definitions hidden (ctrl+y shows them)")

    def action_unit_details(self) -> None:
        """Open every metadata field of the unit's source, whole and scrollable."""
        view = self.session.view
        if view is None:
            self._say("no unit in view")
            return
        self.app.push_screen(UnitDetails(view.source, view.unit))
