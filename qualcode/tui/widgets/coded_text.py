"""The text pane: a unit's text with this coder's codings, a cursor and a selection.

Drawn a row at a time (Textual's line API), so a 300,000-character transcript costs
only the rows on screen. Coded stretches are tinted in their code's colour *and*
underlined (bold where codes overlap), and a margin left of each row names the codes
on it by their key or initial: the marking survives a monochrome terminal and
colour blindness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.tui.boundaries import Boundaries
from qualcode.tui.colours import tint
from qualcode.tui.marks import Mark, Runs
from qualcode.tui.widgets.virtual import set_virtual_size
from qualcode.tui.wrap import TextLayout, display_text

MARGIN = 4
"""Cells left of the text: up to three code badges and a space."""


@dataclass(frozen=True, slots=True)
class Selection:
    """A selected stretch of the unit's text, ``start < end``."""

    start: int
    end: int


class CodedText(ScrollView, can_focus=True):
    """A read-only, selectable view of one unit's text with its codings marked."""

    ALLOW_SELECT = False  # selection is ours: it maps to code-point offsets for coding
    COMPONENT_CLASSES = {"coded-text--cursor", "coded-text--selection",
                         "coded-text--margin", "coded-text--match"}
    DEFAULT_CSS = """
    CodedText { overflow-x: hidden; overflow-y: scroll; }
    """
    BINDINGS = [
        Binding("left", "char(-1, False)", show=False),
        Binding("right", "char(1, False)", show=False),
        Binding("shift+left", "char(-1, True)", show=False),
        Binding("shift+right", "char(1, True)", show=False),
        Binding("up", "line(-1, False)", show=False),
        Binding("down", "line(1, False)", show=False),
        Binding("shift+up", "line(-1, True)", show=False),
        Binding("shift+down", "line(1, True)", show=False),
        Binding("pageup", "page(-1, False)", show=False),
        Binding("pagedown", "page(1, False)", show=False),
        Binding("shift+pageup", "page(-1, True)", show=False),
        Binding("shift+pagedown", "page(1, True)", show=False),
        Binding("home", "row_edge(False, False)", show=False),
        Binding("end", "row_edge(True, False)", show=False),
        Binding("shift+home", "row_edge(False, True)", show=False),
        Binding("shift+end", "row_edge(True, True)", show=False),
        Binding("ctrl+home", "text_edge(False, False)", show=False),
        Binding("ctrl+end", "text_edge(True, False)", show=False),
        Binding("ctrl+shift+home", "text_edge(False, True)", show=False),
        Binding("ctrl+shift+end", "text_edge(True, True)", show=False),
        Binding("ctrl+left", "word(False, False)", show=False),
        Binding("ctrl+right", "word(True, False)", show=False),
        Binding("ctrl+shift+left,alt+left", "word(False, True)", "Extend by word", show=False),
        Binding("ctrl+shift+right,alt+right", "word(True, True)", "Extend by word",
                show=False),
        Binding("ctrl+shift+up,alt+up", "sentence(False)", "Extend by sentence", show=False),
        Binding("ctrl+shift+down,alt+down", "sentence(True)", "Extend by sentence",
                show=False),
        Binding("escape", "clear_selection", "Clear selection", show=False),
        Binding("delete,backspace", "remove_coding", "Remove coding", show=False),
    ]

    class RemoveRequested(Message):
        """The coder asked to remove the coding under the cursor."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def __init__(self, *, on_move: Callable[[], None] | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        """``on_move`` is called (synchronously) whenever the cursor or selection changes."""
        super().__init__(id=id, classes=classes)
        # A direct call, not a message: a message arrives after the frame is drawn and
        # costs a second frame for the line that describes the selection.
        self.on_move = on_move
        self.text = ""
        self.cursor = 0
        self.selection_anchor: int | None = None
        self._layout = TextLayout("", 1)
        self._bounds = Boundaries("")
        self._runs = Runs([])
        self._colours: dict[int, Color] = {}
        self._matches = Runs([])
        self._goal_column: int | None = None
        self._dragging = False
        self._drag_origin = 0
        self._styles: dict[tuple[int, bool], Style] = {}
        self._drawn = (0, 0)  # cursor and anchor as last drawn, to redraw only what moved

    # -- content -----------------------------------------------------------------------
    def load(self, text: str, marks: list[Mark], colours: dict[int, Color], *,
             search: str = "") -> None:
        """Show a new text with its marks; the cursor goes to the first search match or 0."""
        self.text = text
        self._bounds = Boundaries(text)
        self._layout = TextLayout(text, self._text_width())
        self.selection_anchor = None
        self._goal_column = None
        self._matches = Runs(self._find(search))
        self.cursor = self._matches.starts[0] if len(self._matches) else 0
        self._runs = Runs(marks)
        self._colours = colours
        self._styles.clear()
        self._drawn = (self.cursor, self.cursor)
        self.refresh()
        self._update_virtual_size()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._follow_cursor()
        self._moved()

    def set_marks(self, marks: list[Mark], colours: dict[int, Color]) -> None:
        """Replace the coded spans (after coding, undo, ...); the text and cursor stay.

        Only the rows of spans that appeared or went are redrawn: repainting the whole
        pane costs a frame, a row costs next to nothing.
        """
        changed = set(self._runs.marks) ^ set(marks)
        full = colours != self._colours
        self._runs = Runs(marks)
        self._colours = colours
        if full:
            self._styles.clear()
            self.refresh()
            return
        for mark in changed:
            self._refresh_span(mark.start, mark.end)

    def _refresh_span(self, start: int, end: int) -> None:
        """Redraw the rows showing ``[start, end]``."""
        first = self._layout.row_of(min(start, end))
        last = self._layout.row_of(max(start, end))
        self.refresh_lines(first, last - first + 1)

    def _find(self, search: str) -> list[Mark]:
        """Return the places a search term occurs (case-insensitive), as marks."""
        term = search.strip().casefold()
        if not term:
            return []
        haystack = self.text.casefold()
        if len(haystack) != len(self.text):
            return []  # casefolding changed lengths (e.g. ß): offsets would not line up
        found: list[Mark] = []
        start = haystack.find(term)
        while start >= 0 and len(found) < 10_000:
            found.append(Mark(start, start + len(term), 0, ""))
            start = haystack.find(term, start + len(term))
        return found

    @property
    def selection(self) -> Selection | None:
        """The selected stretch, or None when nothing is selected."""
        if self.selection_anchor is None or self.selection_anchor == self.cursor:
            return None
        return Selection(
            min(self.selection_anchor, self.cursor), max(self.selection_anchor, self.cursor)
        )

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` with the cursor at ``end``."""
        self.selection_anchor = self._clamp(start)
        self._place(end)

    # -- geometry ----------------------------------------------------------------------
    def _text_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        return max(8, width - MARGIN)

    def _update_virtual_size(self) -> None:
        set_virtual_size(self, Size(self.scrollable_content_region.width, len(self._layout)))

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap when the pane's width changes, keeping the cursor in view."""
        if self._text_width() != self._layout.width:
            self._layout = TextLayout(self.text, self._text_width())
            self._update_virtual_size()
            self._follow_cursor()
        self.refresh()

    def _clamp(self, offset: int) -> int:
        return min(max(offset, 0), len(self.text))

    def _follow_cursor(self) -> None:
        row = self._layout.row_of(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def _moved(self) -> None:
        """Redraw the rows the cursor and selection left or reached, and tell the screen."""
        now = (
            self.cursor,
            self.selection_anchor if self.selection_anchor is not None else self.cursor,
        )
        before = self._drawn
        self._drawn = now
        self._refresh_span(min(*before, *now), max(*before, *now))
        if self.on_move is not None:
            self.on_move()

    def _place(self, offset: int, *, keep_goal: bool = False) -> None:
        self.cursor = self._clamp(offset)
        if not keep_goal:
            self._goal_column = None
        self._follow_cursor()
        self._moved()

    def _move(self, offset: int, select: bool, *, keep_goal: bool = False) -> None:
        if select:
            if self.selection_anchor is None:
                self.selection_anchor = self.cursor
        else:
            self.selection_anchor = None
        self._place(offset, keep_goal=keep_goal)

    # -- keyboard actions --------------------------------------------------------------
    def action_char(self, delta: int, select: bool) -> None:
        """Move the cursor by characters."""
        if not select and self.selection is not None:
            edge = self.selection.start if delta < 0 else self.selection.end
            self._move(edge, False)
            return
        self._move(self.cursor + delta, select)

    def action_line(self, delta: int, select: bool) -> None:
        """Move the cursor up or down by screen rows, keeping its column."""
        layout = self._layout
        if self._goal_column is None:
            self._goal_column = layout.column_of(self.cursor)
        row = layout.row_of(self.cursor) + delta
        if row < 0:
            target = 0
        elif row >= len(layout):
            target = len(self.text)
        else:
            target = layout.offset_at(row, self._goal_column)
        self._move(target, select, keep_goal=True)

    def action_page(self, delta: int, select: bool) -> None:
        """Move the cursor by a screenful."""
        self.action_line(delta * max(1, self.scrollable_content_region.height - 1), select)

    def action_row_edge(self, end: bool, select: bool) -> None:
        """Move to the start or end of the cursor's row."""
        row = self._layout.row_of(self.cursor)
        target = self._layout.ends[row] if end else self._layout.starts[row]
        self._move(target, select)

    def action_text_edge(self, end: bool, select: bool) -> None:
        """Move to the start or end of the text."""
        self._move(len(self.text) if end else 0, select)

    def action_word(self, forward: bool, select: bool) -> None:
        """Move, or extend the selection, by one word."""
        bounds = self._bounds
        if select and self.selection_anchor is None:
            word = bounds.word_around(self.cursor)
            if word is not None:
                self.selection_anchor = word[0] if forward else word[1]
                self.cursor = word[1] if forward else word[0]
                self._place(self.cursor)
                return
        target = (bounds.word_end_after(self.cursor) if forward
                  else bounds.word_start_before(self.cursor))
        self._move(target, select)

    def action_sentence(self, forward: bool) -> None:
        """Extend the selection by one sentence (the first press selects the sentence)."""
        bounds = self._bounds
        if self.selection is None:
            start, end = bounds.sentence_around(self.cursor)
            if forward:
                self.select(start, end)
            else:
                self.selection_anchor = end
                self._place(start)
            return
        target = (bounds.sentence_end_after(self.cursor) if forward
                  else bounds.sentence_start_before(self.cursor))
        self._move(target, True)

    def action_clear_selection(self) -> None:
        """Drop the selection (and let escape do its next job when there is none)."""
        if self.selection is None:
            raise SkipAction()
        self.selection_anchor = None
        self._moved()

    def action_remove_coding(self) -> None:
        """Ask the screen to remove the coding under the cursor."""
        self.post_message(self.RemoveRequested(self.cursor))

    # -- mouse -------------------------------------------------------------------------
    def _offset_at(self, event: events.MouseEvent) -> int:
        position = event.get_content_offset_capture(self)
        row = round(self.scroll_y) + position.y
        if row >= len(self._layout):
            return len(self.text)
        return self._layout.offset_at(row, max(0, position.x - MARGIN))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Place the cursor and start a drag selection."""
        if event.button != 1:
            return
        self.focus()
        self._dragging = True
        self.capture_mouse()
        self._drag_origin = self._offset_at(event)
        self.selection_anchor = None
        self._place(self._drag_origin)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Extend the selection while dragging, scrolling at the edges."""
        if not self._dragging:
            return
        position = event.get_content_offset_capture(self)
        if position.y < 0:
            self.scroll_to(y=self.scroll_y - 1, animate=False, immediate=True)
        elif position.y >= self.scrollable_content_region.height:
            self.scroll_to(y=self.scroll_y + 1, animate=False, immediate=True)
        self.selection_anchor = self._drag_origin
        self._place(self._offset_at(event))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """Finish a drag."""
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        """Double-click selects a word, triple-click a sentence."""
        if event.chain == 2:
            word = self._bounds.word_around(self.cursor)
            if word is not None:
                self.select(*word)
        elif event.chain >= 3:
            self.select(*self._bounds.sentence_around(self.cursor))

    # -- drawing -----------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """Drop cached styles when the theme changes."""
        super().notify_style_update()
        self._styles.clear()

    def _code_style(self, marks: tuple[Mark, ...]) -> Style:
        """Tint in the colour of the innermost code, underline, bold where codes overlap."""
        key = (marks[-1].code_id, len(marks) > 1)
        style = self._styles.get(key)
        if style is None:
            base = self.rich_style
            background = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
            colour = self._colours.get(marks[-1].code_id, Color.parse("#888888"))
            style = Style(bgcolor=tint(colour, background).rich_color, underline=True,
                          bold=len(marks) > 1)
            self._styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        """Draw one screen row: the margin of code badges, then the text."""
        width = self.scrollable_content_region.width
        row = round(self.scroll_y) + y
        base = self.rich_style
        if row >= len(self._layout):
            return Strip.blank(width, base)
        start, end = self._layout.starts[row], self._layout.ends[row]
        segments = self._margin(start, end, base)
        segments += self._row_segments(start, end, base)
        return Strip(segments).adjust_cell_length(width, base)

    def _margin(self, start: int, end: int, base: Style) -> list[Segment]:
        marks = self._runs.badges_between(start, max(end, start + 1))
        margin_style = base + self.get_component_rich_style("coded-text--margin", partial=True)
        segments: list[Segment] = []
        shown = marks if len(marks) <= MARGIN - 1 else marks[:MARGIN - 2]
        for mark in shown:
            colour = self._colours.get(mark.code_id, Color.parse("#888888"))
            segments.append(Segment(mark.badge[:1], margin_style + Style(color=colour.rich_color,
                                                                          bold=True)))
        if len(shown) < len(marks):
            segments.append(Segment("+", margin_style))
        used = len(shown) + (len(shown) < len(marks))
        segments.append(Segment(" " * (MARGIN - used), margin_style))
        return segments

    def _row_segments(self, start: int, end: int, base: Style) -> list[Segment]:
        text = display_text(self.text[start:end])
        points = {start, end}
        runs = self._runs.between(start, end)
        for index in runs:
            points.update((max(start, self._runs.starts[index]), min(end, self._runs.ends[index])))
        matches = self._matches.between(start, end)
        for index in matches:
            points.update((max(start, self._matches.starts[index]),
                           min(end, self._matches.ends[index])))
        selection = self.selection
        if selection is not None:
            points.update(p for p in (selection.start, selection.end) if start < p < end)
        if start <= self.cursor < end:
            points.update((self.cursor, self.cursor + 1))
        selected = self.get_component_rich_style("coded-text--selection", partial=True)
        cursor_style = self.get_component_rich_style("coded-text--cursor", partial=True)
        found = self.get_component_rich_style("coded-text--match", partial=True)
        ordered = sorted(p for p in points if start <= p <= end)
        segments = []
        for left, right in zip(ordered, ordered[1:], strict=False):
            style = base
            run = self._runs.index_at(left)
            if run is not None:
                style += self._code_style(self._runs.active[run])
            if self._matches.index_at(left) is not None:
                style += found
            if selection is not None and selection.start <= left < selection.end:
                style += selected
            if left == self.cursor and self.has_focus:
                style += cursor_style
            segments.append(Segment(text[left - start:right - start], style))
        if self.cursor == end and self.has_focus and (
                end == len(self.text) or self.text[end] == "\n"):
            segments.append(Segment(" ", base + cursor_style))
        return segments

    def on_focus(self) -> None:
        """Show the cursor."""
        self.refresh()

    def on_blur(self) -> None:
        """Hide the cursor."""
        self.refresh()
