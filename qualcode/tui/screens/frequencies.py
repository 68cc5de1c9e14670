"""Code and theme frequencies per coder as bar charts, and per-theme kappa with CI bars.

A frequency is the number of sources a coder applied a code to (a theme counts a source
once however many of its codes were applied), over the coder's live codings; the consensus
layer is shown as a coder of its own when it has codings.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from qualcode.analysis.agreement_report import agreement_report
from qualcode.analysis.frequencies import layer_frequencies
from qualcode.errors import QualcodeError
from qualcode.interchange.literal import literal
from qualcode.model import Codebook
from qualcode.storage import ProjectStore
from qualcode.tui.dialogs.key_help import KeyHelp
from qualcode.tui.guard import guard_actions
from qualcode.tui.keys import FREQUENCIES, bindings, help_rows
from qualcode.tui.screens.agreement import coder_pairs
from qualcode.tui.widgets.ci_bar import count_bar
from qualcode.tui.widgets.kappa_table import kappa_table, pooled_line


def frequencies(store: ProjectStore, book: Codebook | None = None
                ) -> tuple[list[str], dict[str, dict[int, int]]]:
    """Return (coder names, {coder: {code id: sources coded}}) over ``book`` (read if None).

    Counted by :func:`qualcode.analysis.frequencies.layer_frequencies` (as the charts
    are). A theme's count is under its id: sources with the theme or any code under it. A
    codable theme's own codings are also counted under ``-id`` (its "(own codings)" row);
    every other node's count is its own codings'. Nodes no source has are left out.
    """
    book = book or store.codebook()
    per_layer = layer_frequencies(store, book=book)
    counts: dict[str, dict[int, int]] = {}
    for name, found in per_layer.items():
        per: dict[int, int] = {}
        for code in book:
            if code.parent_id is None:
                per[code.id] = found.nested[code.id]
                per[-code.id] = found.direct[code.id]
            else:
                per[code.id] = found.direct[code.id]
        counts[name] = {node: n for node, n in per.items() if n}
    return list(per_layer), counts


def frequency_table(book: Codebook, names: list[str], counts: dict[str, dict[int, int]], *,
                    themes: bool, bar_width: int) -> Table:
    """Return one bar per coder for each theme (or each code under its theme)."""
    largest = max((n for per in counts.values() for n in per.values()), default=0)
    table = Table(title="Themes: sources coded" if themes else "Codes: sources coded",
                  title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    table.add_column("", no_wrap=True, overflow="ellipsis", max_width=30)
    for name in names:
        table.add_column(literal(name), no_wrap=True)
    parents = {c.parent_id for c in book}
    for depth, code in book.walk():
        if themes and depth > 0:
            continue
        # As in the agreement report: a code that is a theme or has codes below it is
        # "(own codings)" here, so its row never shares a name with its theme's.
        own = not themes and code.codable and (depth == 0 or code.id in parents)
        label = literal("  " * depth + code.name + (" (own codings)" if own else ""),
                     style="bold" if depth == 0 else "" if code.codable else "italic")
        cells: list[RenderableType] = []
        for name in names:
            n = counts.get(name, {}).get(-code.id if own and depth == 0 else code.id, 0)
            if not themes and not code.codable:
                cells.append(Text(""))
                continue
            bar = count_bar(n, largest, width=bar_width)
            bar.append(f" {n}", style="bold")
            cells.append(bar)
        table.add_row(label, *cells)
    return table


@guard_actions
class FrequenciesScreen(Screen[None]):
    """Bar charts of code and theme frequencies, and per-theme kappa with CI bars."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"
    BINDINGS = [Binding(keys, action, label, show=show)
                for keys, action, label, show in bindings(screen=FREQUENCIES)]

    def __init__(self, store: ProjectStore) -> None:
        super().__init__()
        self.store = store
        self.pairs = coder_pairs(store)
        self.pair_index = 0

    def compose(self) -> ComposeResult:
        """Status line, the charts, the footer."""
        yield Static("", id="freq-status")
        with VerticalScroll(id="freq-body"):
            yield Static("", id="freq-charts")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Draw the charts."""
        self.redraw()
        self.query_one("#freq-body").focus()

    def redraw(self) -> None:
        """Count again and draw."""
        book = self.store.codebook()
        names, counts = frequencies(self.store, book)
        width = max(4, min(20, (self.app.size.width - 32) // max(len(names), 1) - 8))
        parts: list[RenderableType] = []
        if not names:
            parts.append(Text("Nothing is coded yet."))
        else:
            parts.append(frequency_table(book, names, counts, themes=True, bar_width=width))
            parts.append(Text(""))
            parts.append(frequency_table(book, names, counts, themes=False, bar_width=width))
        parts.append(Text(""))
        parts.append(self._kappa())
        self.query_one("#freq-charts", Static).update(Group(*parts))
        pair = " vs ".join(self.pairs[self.pair_index]) if self.pairs else "no pair"
        self.query_one("#freq-status", Static).update(
            literal(f"Frequencies per coder · per-theme κ: {pair}", style="bold"))

    def _kappa(self) -> RenderableType:
        if not self.pairs:
            return Text("Per-theme kappa needs two coders with units marked done.")
        a, b = self.pairs[self.pair_index]
        try:
            report = agreement_report(self.store, [a, b], level="theme")
        except QualcodeError as error:
            return literal(error)
        title = f"Per-theme κ, {a} vs {b} ({report.n_units} units)"
        return Group(kappa_table(report.rows, title=title),
                     Text(pooled_line(report.pooled_for(a, b, "theme")), style="dim"))

    def action_pair(self) -> None:
        """Per-theme kappa of the next pair."""
        if self.pairs:
            self.pair_index = (self.pair_index + 1) % len(self.pairs)
            self.redraw()

    def action_help(self) -> None:
        """The keys of this screen."""
        self.app.push_screen(KeyHelp("Frequencies", help_rows(FREQUENCIES),
                                     "\nA bar is the number of sources coded; the κ bars are "
                                     "95% confidence intervals, as on the agreement screen."))

    def action_leave(self) -> None:
        """Back to where the screen was opened from, or quit when it is the only one."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
