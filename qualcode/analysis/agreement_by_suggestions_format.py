"""``agreement --split-by-suggestions`` as CSV, Markdown and a rich table.

JSON is in agreement_format.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any, TextIO

from qualcode.analysis.agreement_by_suggestions import SplitRow, SplitSide
from qualcode.analysis.agreement_format import estimate_with_ci
from qualcode.interchange.safe_cells import safe_row

__all__ = ["SPLIT_COLUMNS", "SPLIT_LEGEND", "split_markdown", "split_table", "write_split_csv"]

_SIDE = ("n_units", "kappa", "kappa_ci_low", "kappa_ci_high", "ac1", "ac1_ci_low", "ac1_ci_high",
         "percent_agreement", "a_count", "b_count", "note")
SPLIT_COLUMNS = (("level", "code_id", "path", "name", "coder_a", "coder_b")
                 + tuple(f"shown_{k}" for k in _SIDE) + tuple(f"not_shown_{k}" for k in _SIDE)
                 + ("kappa_difference", "difference_ci_low", "difference_ci_high"))
"""CSV header of the split: the row, then each group's numbers, then the difference."""

SPLIT_LEGEND = (
    "Shown: units where code suggestions were shown to either coder before the unit was done "
    "(suggestion log, --suggest on); not shown: the other units counted. Each group has its own "
    "Cohen's kappa (95% Wald CI) and n; Δκ = κ(shown) − κ(not shown) with a Wald CI from "
    "independent groups. Higher agreement where suggestions were shown can mean the model "
    "anchored both coders rather than better coding; the groups are not randomised."
)


def _records(rows: Sequence[SplitRow]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        rec: dict[str, Any] = {k: getattr(r, k) for k in ("level", "code_id", "path", "name",
                                                          "coder_a", "coder_b")}
        for prefix, side in (("shown_", r.shown), ("not_shown_", r.not_shown)):
            rec.update({prefix + k: getattr(side, k) for k in _SIDE})
        rec.update(kappa_difference=r.kappa_difference, difference_ci_low=r.difference_ci_low,
                   difference_ci_high=r.difference_ci_high)
        out.append(rec)
    return out


def write_split_csv(rows: Sequence[SplitRow], handle: TextIO) -> int:
    """One line per (coder pair, code or theme); returns the number of lines written."""
    writer = csv.writer(handle)
    writer.writerow(SPLIT_COLUMNS)
    records = _records(rows)
    for rec in records:
        writer.writerow(safe_row("" if rec[c] is None else rec[c] for c in SPLIT_COLUMNS))
    return len(records)


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def side_text(side: SplitSide) -> str:
    """'0.74 (0.52–0.95), n 40' for one group."""
    if side.kappa is None:
        return f"{'n/a' if side.note.startswith('not applicable') else '–'}, n {side.n_units}"
    estimate = estimate_with_ci(side.kappa, side.kappa_ci_low, side.kappa_ci_high)
    return f"{estimate}, n {side.n_units}"


def difference_text(row: SplitRow) -> str:
    """'+0.20 (−0.10–0.50)' or an en dash."""
    if row.kappa_difference is None:
        return "–"
    if row.difference_ci_low is None or row.difference_ci_high is None:
        return f"{row.kappa_difference:+.2f}"
    return f"{row.kappa_difference:+.2f} ({row.difference_ci_low:.2f}–{row.difference_ci_high:.2f})"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def split_markdown(rows: Sequence[SplitRow]) -> str:
    """A Markdown table per coder pair, then the legend."""
    lines = ["**Agreement with and without suggestions shown before coding**", ""]
    pairs = list(dict.fromkeys((r.coder_a, r.coder_b) for r in rows))
    for a, b in pairs:
        lines += [f"*{_md(a)} vs {_md(b)}*", "",
                  "| Theme / code | κ shown (95% CI), n | κ not shown (95% CI), n | Δκ (95% CI) |",
                  "|---|---:|---:|---:|"]
        for r in (r for r in rows if (r.coder_a, r.coder_b) == (a, b)):
            name = f"**{_md(r.name)}**" if r.level == "theme" else _md(r.name)
            lines.append(f"| {name} | {side_text(r.shown)} | {side_text(r.not_shown)} | "
                         f"{difference_text(r)} |")
        lines.append("")
    lines.append(SPLIT_LEGEND)
    return "\n".join(lines)


def split_table(rows: Sequence[SplitRow], a: str, b: str) -> Any:
    """The rich table of one coder pair (theme rows bold)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{a} vs {b}: with and without suggestions shown before coding"),
                  title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    table.add_column("Theme / code", overflow="fold", min_width=14, ratio=1)
    for head in ("κ shown (95% CI), n", "κ not shown (95% CI), n", "Δκ (95% CI)"):
        table.add_column(head, justify="right", no_wrap=True)
    for r in (r for r in rows if (r.coder_a, r.coder_b) == (a, b)):
        table.add_row(Text(r.name), side_text(r.shown), side_text(r.not_shown), difference_text(r),
                      style="bold" if r.level == "theme" else None)
    return table
