"""The agreement screen: per theme and code, two coders' agreement with CI bars, sortable.

Built on :func:`qualcode.analysis.agreement_report.agreement_report`; nothing is
computed here. Only statistics are shown, never another coder's codings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qualcode.analysis.agreement_report import (
    CONSENSUS,
    AgreementReport,
    AgreementRow,
    agreement_report,
)
from qualcode.errors import QualcodeError
from qualcode.model import Layer, UnitKind
from qualcode.storage import ProjectStore
from qualcode.storage.arrays import coders_with_done
from qualcode.storage.consensus import consensus_done_sources
from qualcode.tui.dialogs.key_help import KeyHelp
from qualcode.tui.guard import guard_actions
from qualcode.tui.keys import AGREEMENT, bindings, help_rows
from qualcode.tui.widgets.ci_bar import ci_bar, scale_for
from qualcode.tui.widgets.kappa_table import number, pooled_line

SORTS: tuple[tuple[str, Callable[[AgreementRow], float | None]], ...] = (
    ("codebook order", lambda r: None),
    ("n", lambda r: r.n_units),
    ("% agreement", lambda r: r.percent_agreement),
    ("kappa", lambda r: r.kappa),
    ("CI width", lambda r: None if r.kappa_ci_low is None or r.kappa_ci_high is None
     else r.kappa_ci_high - r.kappa_ci_low),
    ("AC1", lambda r: r.ac1),
    ("PABAK", lambda r: r.pabak),
)
LEVELS = ("both", "theme", "code")
UNITS = (UnitKind.SOURCE, UnitKind.SENTENCE, UnitKind.PARAGRAPH)
HELP_NOTES = (
    "\nOnly units both coders marked done are counted; the header says how many were left "
    "out and why. The bar is the 95% confidence interval of kappa (Fleiss, Cohen & Everitt "
    "1969): ├──┤ the interval, ● the estimate, ┊ zero when the scale goes below it, ◂ ▸ an "
    "interval beyond the scale. Undefined values show –, with the reason in the note.")


def sort_rows(rows: Sequence[AgreementRow], column: int, descending: bool) -> list[AgreementRow]:
    """Sort rows by a column of :data:`SORTS`, keeping each theme's codes under it.

    Themes are sorted among themselves and codes within their theme; an undefined value
    sorts last either way. Column 0 keeps codebook order.
    """
    if column == 0:
        return list(rows)
    key = SORTS[column][1]

    def order(items: list[AgreementRow]) -> list[AgreementRow]:
        known = [(value, r) for r in items if (value := key(r)) is not None]
        unknown = [r for r in items if key(r) is None]
        ordered = sorted(known, key=lambda pair: pair[0], reverse=descending)
        return [r for _, r in ordered] + unknown

    groups: list[tuple[AgreementRow | None, list[AgreementRow]]] = []
    for row in rows:
        if row.level == "theme":
            groups.append((row, []))
        elif groups and groups[-1][0] is not None and row.path.startswith(
                groups[-1][0].path + "/"):
            groups[-1][1].append(row)
        else:
            groups.append((None, [row]))
    if all(theme is None for theme, _ in groups):  # codes only: one flat list
        return order([r for _, codes in groups for r in codes])
    themed = [(t, codes) for t, codes in groups if t is not None]
    loose = [r for t, codes in groups if t is None for r in codes]
    ranked = order([t for t, _ in themed])
    rank = {id(t): i for i, t in enumerate(ranked)}
    result: list[AgreementRow] = []
    for theme, codes in sorted(themed, key=lambda pair: rank[id(pair[0])]):
        result.append(theme)
        result.extend(order(codes))
    return result + order(loose)


def coder_pairs(store: ProjectStore) -> list[tuple[str, str]]:
    """Pairs of coders who marked something done, then each with the consensus (if any)."""
    done = coders_with_done(store, Layer.CODER)
    names = [coder.name for coder in store.coders() if coder.id in done]
    pairs = list(combinations(names, 2))
    if consensus_done_sources(store):
        pairs += [(name, CONSENSUS) for name in names]
    return pairs


@guard_actions
class AgreementScreen(Screen[None]):
    """Agreement of one pair of coders per theme and code."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"
    BINDINGS = [Binding(keys, action, label, show=show)
                for keys, action, label, show in bindings(screen=AGREEMENT)]

    def __init__(self, store: ProjectStore, pair: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.pairs = coder_pairs(store)
        self.pair_index = self.pairs.index(pair) if pair in self.pairs else 0
        self.level_index = 0
        self.unit_index = 0
        self.sort_index = 0
        self.descending = True
        self.report: AgreementReport | None = None
        self.error = ""

    def compose(self) -> ComposeResult:
        """Status line, header (units counted and excluded), the table, the footer."""
        yield Static("", id="agr-status")
        yield Static("", id="agr-header")
        yield DataTable(id="agr-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Compute the first report and draw it."""
        self.recompute()
        self.query_one(DataTable).focus()

    @property
    def pair(self) -> tuple[str, str] | None:
        """The coder pair in view."""
        return self.pairs[self.pair_index] if self.pairs else None

    def recompute(self) -> None:
        """Ask the agreement report again (pair, level or unit changed)."""
        self.report, self.error = None, ""
        if self.pair is None:
            self.error = ("No two coders have marked units done yet: agreement needs two "
                          "coders' finished units.")
        else:
            try:
                self.report = agreement_report(self.store, list(self.pair),
                                               level=LEVELS[self.level_index],
                                               unit=UNITS[self.unit_index])
            except QualcodeError as error:
                self.error = str(error)
        self.redraw()

    def redraw(self) -> None:
        """Fill the status, header and table from the report."""
        sort_name = SORTS[self.sort_index][0]
        direction = "" if self.sort_index == 0 else (" ↓" if self.descending else " ↑")
        status = Text(no_wrap=True, overflow="ellipsis")
        pair = " vs ".join(self.pair) if self.pair else "no coders"
        status.append(f"Agreement: {pair}", style="bold")
        status.append(f" · {LEVELS[self.level_index]} · unit {UNITS[self.unit_index].value}"
                      f" · sorted by {sort_name}{direction}")
        self.query_one("#agr-status", Static).update(status)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        report = self.report
        if report is None:
            self.query_one("#agr-header", Static).update(Text(self.error, style="bold"))
            return
        self.query_one("#agr-header", Static).update(self._header(report))
        scale = scale_for(r.kappa_ci_low for r in report.rows)
        longest = max((len(r.path.split("/")[-1]) + 2 * r.path.count("/") for r in report.rows),
                      default=12)
        # Fixed columns and padding take 70 cells: the names get what is left (at least 22).
        table.add_column("Theme / code", width=max(22, min(longest, self.app.size.width - 70)))
        for name, width in (("n", 4), ("%", 4), ("κ", 5)):
            table.add_column(Text(name, justify="right"), width=width)
        table.add_column(f"95% CI {scale[0]:g}..{scale[1]:g}", width=15)
        for name in ("AC1", "PABAK"):
            table.add_column(Text(name, justify="right"), width=5)
        table.add_column("label", width=14)
        table.add_column("note")
        shown = sort_rows(report.rows, self.sort_index, self.descending)
        themed = any(r.level == "theme" for r in shown)
        for row in shown:
            table.add_row(*self._cells(row, themed, scale))

    @staticmethod
    def _header(report: AgreementReport) -> Text:
        excluded = "; ".join(f"{n} {why}" for why, n in report.excluded.items()) or "none"
        text = Text(f"{report.n_units} units counted ({report.unit_source or report.unit.value}"
                    f"); excluded: {excluded}")
        a, b = report.coders[:2]
        for level in ("code", "theme"):
            line = pooled_line(report.pooled_for(a, b, level))
            if line:
                text.append(f"\n{level}s: {line}")
        for warning in report.warnings:
            text.append(f"\n⚠ {warning}", style="italic")
        return text

    @staticmethod
    def _cells(row: AgreementRow, themed: bool, scale: tuple[float, float]) -> list[object]:
        own = row.name[len(row.path):] if row.name.startswith(row.path) else ""  # " (own codings)"
        if row.level == "theme":
            name = Text(row.path, style="bold")
        elif themed:
            parts = row.path.split("/")
            # No-break spaces: the table would trim ordinary leading spaces.
            name = Text("\u00a0\u00a0" * (len(parts) - 1) + parts[-1] + own)
        else:
            name = Text(row.path + own)
        return [name, Text(str(row.n_units), justify="right"),
                Text(number(row.percent_agreement, percent=True), justify="right"),
                Text(number(row.kappa), justify="right"),
                ci_bar(row.kappa, row.kappa_ci_low, row.kappa_ci_high, width=15, scale=scale),
                Text(number(row.ac1), justify="right"), Text(number(row.pabak), justify="right"),
                row.label, Text(row.note, style="italic")]

    # -- actions -----------------------------------------------------------------------
    def action_sort(self) -> None:
        """Sort by the next column."""
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.redraw()

    def action_invert(self) -> None:
        """Reverse the order."""
        self.descending = not self.descending
        self.redraw()

    def action_pair(self) -> None:
        """Next coder pair."""
        if self.pairs:
            self.pair_index = (self.pair_index + 1) % len(self.pairs)
            self.recompute()

    def action_level(self) -> None:
        """Themes and codes, themes, codes."""
        self.level_index = (self.level_index + 1) % len(LEVELS)
        self.recompute()

    def action_unit(self) -> None:
        """Next unit of analysis."""
        self.unit_index = (self.unit_index + 1) % len(UNITS)
        self.recompute()

    def action_help(self) -> None:
        """The keys of this screen."""
        self.app.push_screen(KeyHelp("Agreement", help_rows(AGREEMENT), HELP_NOTES))

    def action_leave(self) -> None:
        """Back to where the screen was opened from, or quit when it is the only one."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
