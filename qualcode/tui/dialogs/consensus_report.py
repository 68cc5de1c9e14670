"""Each coder's agreement with the consensus layer, per theme (adjudication's ``c``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualcode.analysis.agreement_report import CONSENSUS, AgreementReport
from qualcode.tui.guard import guard_actions
from qualcode.tui.widgets.kappa_table import kappa_table, pooled_line


def consensus_renderable(reports: Sequence[AgreementReport], *, settled: int, total: int,
                         agreed_left: int) -> RenderableType:
    """Return the report: progress, then per coder the pooled κ and per-theme κ with CIs."""
    parts: list[RenderableType] = [
        Text(f"{settled} of {total} disputed units settled.", style="bold")]
    if agreed_left:
        parts.append(Text(f"{agreed_left} units the coders agreed on are not in the consensus "
                          "yet: press g on the adjudication screen to copy them, so they "
                          "count below.", style="italic"))
    if not reports:
        parts.append(Text("\nNothing is in the consensus layer yet: settle a unit first."))
    for report in reports:
        coder = report.coders[0]
        excluded = ", ".join(f"{n} {why}" for why, n in report.excluded.items()) or "none"
        parts.append(Text(f"\n{coder} vs consensus: {report.n_units} units counted "
                          f"(excluded: {excluded})", style="bold"))
        for level in ("code", "theme"):
            line = pooled_line(report.pooled_for(coder, CONSENSUS, level))
            if line:
                parts.append(Text(f"  {level}s: {line}"))
        themes = [r for r in report.rows if r.level == "theme"]
        if themes:
            parts.append(kappa_table(themes))
    parts.append(Text("escape, c or q closes", style="dim"))
    return Group(*parts)


@guard_actions
class ConsensusReport(ModalScreen[None]):
    """Agreement of each coder with the consensus, drawn over the adjudication screen."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "agreement.tcss"

    BINDINGS = [Binding("escape,c,q", "close", "Close")]

    def __init__(self, body: RenderableType) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        """The report."""
        with VerticalScroll(id="report-body", classes="dialog"):
            yield Static(self.body)

    def on_mount(self) -> None:
        """Let the arrows scroll."""
        self.query_one("#report-body").focus()

    def action_close(self) -> None:
        """Back to adjudicating."""
        self.dismiss(None)
