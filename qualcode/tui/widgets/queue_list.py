"""The unit queue: a virtual list over :class:`~qualcode.storage.queue.UnitQueue`.

One widget for the whole queue, whatever its length: rows are fetched a page at a time
when they scroll into view, so 100,000 units cost what the screen shows.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.storage.queue import QueueRow, UnitQueue
from qualcode.tui.guard import reported
from qualcode.tui.widgets.virtual import set_virtual_size

PAGE = 64


class QueueList(ScrollView, can_focus=True):
    """Rows of the filtered queue: done mark, id, this coder's coding count, excerpt."""

    COMPONENT_CLASSES = {"queue-list--cursor", "queue-list--current", "queue-list--done",
                         "queue-list--count"}
    DEFAULT_CSS = """
    QueueList { overflow-x: hidden; overflow-y: scroll; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(False)", show=False),
        Binding("end", "edge(True)", show=False),
        Binding("enter", "open", "Open unit", show=False),
    ]

    class Chosen(Message):
        """The coder picked a unit to open."""

        def __init__(self, unit_id: int) -> None:
            super().__init__()
            self.unit_id = unit_id

    def __init__(self, queue: UnitQueue, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue = queue
        self.cursor = 0
        self.current_unit: int | None = None
        self.current_position: int | None = None
        self._pages: dict[int, list[QueueRow]] = {}
        self._count = 0

    # -- data --------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the queue (after a filter change or a change of membership)."""
        self._pages.clear()
        self._count = self.queue.count()
        set_virtual_size(self, Size(self.scrollable_content_region.width, self._count))
        self.cursor = min(self.cursor, max(0, self._count - 1))
        self.refresh()

    def update_unit(self, unit_id: int) -> None:
        """Refresh the row of one unit in place (its done mark or coding count changed)."""
        for rows in self._pages.values():
            for index, row in enumerate(rows):
                if row.unit_id == unit_id:
                    fresh = self.queue.rows([unit_id], first_position=row.position)
                    if fresh:
                        rows[index] = fresh[0]
                    self.refresh_line(row.position)
                    return

    def row(self, position: int) -> QueueRow | None:
        """Return the row at a position, fetching its page when needed."""
        if not 0 <= position < self._count:
            return None
        number = position // PAGE
        rows = self._pages.get(number)
        if rows is None:
            previous = self._pages.get(number - 1)
            rows = []  # drawn blank when the query fails: said once, not once per line
            with reported(self):
                if previous and len(previous) == PAGE:
                    # Keyset paging from the page above: no OFFSET scan when scrolling down.
                    rows = self.queue.page_after(previous[-1].unit_id, PAGE,
                                                 position=previous[-1].position)
                else:
                    rows = self.queue.page(number * PAGE, PAGE)
            if len(self._pages) > 64:
                self._pages.clear()
            self._pages[number] = rows
        index = position - number * PAGE
        return rows[index] if index < len(rows) else None

    @property
    def count(self) -> int:
        """Number of rows in the filtered queue."""
        return self._count

    def _cached_position(self, unit_id: int) -> int | None:
        """Find a unit among the rows already fetched (they are exact until a reload)."""
        near = self.cursor // PAGE
        for number in (near, near + 1, near - 1, *self._pages):
            for row in self._pages.get(number, ()):
                if row.unit_id == unit_id:
                    return row.position
        return None

    def show_unit(self, unit_id: int) -> None:
        """Mark the unit in view and move the cursor to it (if the filter keeps it)."""
        before = (self.cursor, self.current_position)
        self.current_unit = unit_id
        position = self._cached_position(unit_id)
        if position is None:
            position = self.queue.position_of(unit_id)  # counts rows: milliseconds at 100k
        self.current_position = position
        if position is not None:
            self.cursor = position
            self._follow(centre=True)  # a scroll redraws the whole list by itself
        # Otherwise only the rows that lost or gained the cursor and the ▶ mark change.
        for row in {*before, self.cursor, position}:
            if row is not None:
                self.refresh_line(row)

    # -- movement ----------------------------------------------------------------------
    def _follow(self, *, centre: bool = False) -> None:
        """Scroll the cursor into view; a jump from far away puts it a third of the way down."""
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        outside = self.cursor < top or self.cursor >= top + height
        if centre and outside:
            self.scroll_to(y=max(0, self.cursor - height // 3), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _set_cursor(self, position: int) -> None:
        before = self.cursor
        self.cursor = min(max(position, 0), max(0, self._count - 1))
        self._follow()
        self.refresh_line(before)
        self.refresh_line(self.cursor)

    def action_move(self, delta: int) -> None:
        """Move the cursor by rows."""
        self._set_cursor(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        """Move the cursor by a screenful."""
        self._set_cursor(self.cursor + delta * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: bool) -> None:
        """Go to the first or last row."""
        self._set_cursor(self._count - 1 if end else 0)

    def action_open(self) -> None:
        """Open the unit under the cursor."""
        row = self.row(self.cursor)
        if row is not None:
            self.post_message(self.Chosen(row.unit_id))

    def on_click(self, event: events.Click) -> None:
        """Open the clicked unit."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self._set_cursor(round(self.scroll_y) + offset.y)
        self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        """Keep the virtual width equal to the pane's."""
        set_virtual_size(self, Size(self.scrollable_content_region.width, self._count))

    # -- drawing -----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """Draw one row."""
        width = self.scrollable_content_region.width
        position = round(self.scroll_y) + y
        base = self.rich_style
        row = self.row(position)
        if row is None:
            return Strip.blank(width, base)
        style = base
        if row.unit_id == self.current_unit:
            style += self.get_component_rich_style("queue-list--current", partial=True)
        if position == self.cursor and self.has_focus:
            style += self.get_component_rich_style("queue-list--cursor", partial=True)
        mark = "✓" if row.done else "·"
        mark_style = style + (self.get_component_rich_style("queue-list--done", partial=True)
                              if row.done else Style())
        count = f"{row.codings:>2} " if row.codings else "   "
        excerpt = " ".join(row.excerpt.split())
        segments = [
            Segment("▶" if row.unit_id == self.current_unit else " ", style),
            Segment(mark + " ", mark_style),
            Segment(row.external_id[:12] + " ", style + Style(bold=True)),
            Segment(count, style + self.get_component_rich_style("queue-list--count",
                                                                  partial=True)),
            Segment(excerpt, style),
        ]
        return Strip(segments).crop(0, width).adjust_cell_length(width, style)

    def on_focus(self) -> None:
        """Show the cursor."""
        self.refresh()

    def on_blur(self) -> None:
        """Hide the cursor."""
        self.refresh()
