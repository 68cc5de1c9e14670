"""Per-row kappa with its confidence interval drawn as a bar, as a rich table."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from qualcode.analysis.agreement_report import AgreementRow, PooledKappa
from qualcode.interchange.literal import literal
from qualcode.tui.widgets.ci_bar import ci_bar, scale_for


def number(value: float | None, *, percent: bool = False) -> str:
    """Format a statistic: two decimals, a percentage, or '–' when undefined."""
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" if percent else f"{value:.2f}"


def pooled_line(pooled: PooledKappa | None) -> str:
    """Return 'pooled κ 0.62 (mean 0.58, 17 of 21 codes)' for a pair, or ''."""
    if pooled is None:
        return ""
    return (f"pooled κ {number(pooled.kappa)} (mean {number(pooled.mean_kappa)}, "
            f"{pooled.n_rows_with_kappa} of {pooled.n_rows} with κ)")


def kappa_table(rows: Sequence[AgreementRow], *, title: str = "", bar_width: int = 13,
                name_width: int = 28) -> Table:
    """Return rows as a table: name, n, % agreement, κ, 95% CI bar with its ends, label."""
    scale = scale_for(r.kappa_ci_low for r in rows)
    # A Text title keeps no title_style: the style goes on the Text.
    table = Table(
        title=literal(title, style="bold") if title else None,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("", max_width=name_width, no_wrap=True, overflow="ellipsis")
    table.add_column("n", justify="right", min_width=3, no_wrap=True)
    table.add_column("%", justify="right", min_width=4, no_wrap=True)
    table.add_column("κ", justify="right", min_width=5, no_wrap=True)
    table.add_column(f"95% CI ({scale[0]:g}..{scale[1]:g})", no_wrap=True,
                     min_width=bar_width)
    table.add_column("label", no_wrap=True, overflow="ellipsis", max_width=14)
    for row in rows:
        name = row.path.split("/")[-1] if row.level == "code" else row.path
        name += row.name[len(row.path):] if row.name.startswith(row.path) else ""  # own codings
        table.add_row(literal(("  " if row.level == "code" else "") + name), str(row.n_units),
                      number(row.percent_agreement, percent=True), number(row.kappa),
                      ci_bar(row.kappa, row.kappa_ci_low, row.kappa_ci_high,
                             width=bar_width, scale=scale), row.label)
    return table
