"""Changing a line-API widget's scrollable height without re-arranging the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Set ``view.virtual_size`` without the screen-wide layout pass the reactive asks for.

    Assigning ``virtual_size`` re-arranges every widget on the screen (20-80 ms here),
    yet for our panes nothing else moves: their scrollbar is always shown
    (``overflow-y: scroll``), so only the scrollbar and the pane itself need redrawing.
    Textual does the same internally when it resizes a widget without layout.
    """
    if size == view.virtual_size:
        return
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)  # scrollbar window and scroll clamping, as Textual does
    view.refresh()
