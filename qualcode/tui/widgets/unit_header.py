"""The lines above the text: which unit, its metadata, done mark, memo, and its codes."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.color import Color
from textual.widgets import Static

from qualcode.model import Codebook
from qualcode.tui.colours import badge
from qualcode.tui.session import UnitView

MAX_METADATA = 4


def header_text(view: UnitView, codebook: Codebook, colours: dict[int, Color],
                width: int = 0, where: str = "") -> Text:
    """Return the header of a unit: id, place in the queue and metadata on one line (cut
    to ``width`` when given), then its done mark, memo and this coder's codes."""
    source = view.source
    first = Text()
    first.append(source.external_id, style="bold")
    if where:
        first.append(f" · {where}", style="dim")
    if source.name and source.name != source.external_id:
        first.append(f"  {source.name}")
    for key, value in list(source.metadata.items())[:MAX_METADATA]:
        first.append(f"  {key}=", style="dim")
        first.append(" ".join(str(value).split()))
    if width > 0:
        # What the line cannot hold is one key away: say which key.
        extra = len(source.metadata) - MAX_METADATA
        more = Text(f"  +{extra} more: ctrl+d" if extra > 0 else "", style="dim")
        if first.cell_len + more.cell_len > width:
            more = Text("… ctrl+d", style="dim")
            first.truncate(max(0, width - more.cell_len), overflow="crop")
        first.append_text(more)
        first.truncate(width, overflow="ellipsis")
    text = Text(no_wrap=False)
    text.append_text(first)
    text.append("\n")
    text.append("✓ done" if view.done else "○ not done",
                style="bold green" if view.done else "dim")
    if view.memo is not None:
        text.append("  ✎ memo", style="italic")
    wholes, spans = view.wholes(), view.spans()
    if not wholes and not spans:
        # Done with no code is a decision, not unfinished work: say so.
        text.append(" — no code applies" if view.done else "  no codes yet", style="dim")
    for coding in wholes:
        _chip(text, coding.code_id, codebook, colours, whole=True,
              memo=coding.guid in view.coding_memos)
    counts: dict[int, int] = {}
    for coding in spans:
        counts[coding.code_id] = counts.get(coding.code_id, 0) + 1
    for code_id, count in counts.items():
        _chip(text, code_id, codebook, colours, count=count)
    return text


def _chip(text: Text, code_id: int, codebook: Codebook, colours: dict[int, Color], *,
          whole: bool = False, count: int = 1, memo: bool = False) -> None:
    """One code on the unit: whole-unit codes in bold with '(unit)', span codes underlined
    like their spans (with ×n for several); a code's key in brackets, its margin letter
    otherwise."""
    try:
        code = codebook.by_id(code_id)
        name, key, has_key = code.name, badge(code), bool(code.shortcut)
    except KeyError:
        name, key, has_key = f"code {code_id}", "?", False
    colour = colours.get(code_id)
    key_style = f"bold {colour.hex}" if colour else "bold"
    text.append("  ")
    # No space inside a chip: Rich wraps at any white space, non-breaking ones included.
    text.append(f"[{key}]" if has_key else f"{key}:", style=key_style)
    text.append(name, style="bold" if whole else "underline")
    if whole:
        text.append(" (unit)", style="dim")
    elif count > 1:
        text.append(f"×{count}", style="dim")
    if memo:
        text.append(" ✎", style="dim")


class UnitHeader(Static):
    """Shows :func:`header_text` for the unit in view."""

    MAX_LINES = 4

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Ignored below: Static's keywords passed through as given.
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._args: tuple[UnitView, Codebook, dict[int, Color], str] | None = None
        self._width = 0

    def show(self, view: UnitView, codebook: Codebook, colours: dict[int, Color], *,
             new_unit: bool = False, where: str = "") -> None:
        """Redraw for a unit, re-arranging the screen only when the header must grow.

        A layout pass re-arranges and redraws every pane (20-80 ms), so the header
        never shrinks while the terminal keeps its width: after the first few units its
        height settles and no key press pays for a layout. ``new_unit`` is accepted
        for callers that want to say so; it does not change the policy.
        """
        self._args = (view, codebook, colours, where)
        self._fit(shrink=False)

    def _fit(self, *, shrink: bool) -> None:
        if self._args is None:
            return
        width = self.content_region.width
        view, codebook, colours, where = self._args
        text = header_text(view, codebook, colours, width=width, where=where)
        if width <= 0:  # not laid out yet: on_resize fits it
            self.update(text)
            return
        lines = min(self.MAX_LINES, max(2, len(text.wrap(self.app.console, width))))
        lines += self.styles.gutter.height  # the height set in CSS includes the border
        current = int(self.styles.height.value) if self.styles.height is not None else 0
        if lines > current or (shrink and lines != current):
            self.styles.height = lines
            self.update(text)
        else:
            self.update(text, layout=False)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the height to a new width (a terminal resize lays out everything anyway)."""
        if event.size.width != self._width:
            self._width = event.size.width
            self._fit(shrink=True)
