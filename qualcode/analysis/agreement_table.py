"""The agreement report as rich tables for the terminal: theme rows bold, their codes indented.

Every string that may hold a name or text from the project goes out as a Text (see
qualcode.interchange.literal), so it prints as typed on any console.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from qualcode.analysis.agreement_format import (
    boot_ci,
    counted_text,
    excluded_text,
    fmt,
    kappa_ci,
    outline,
    pct,
    short_note,
    unit_text,
)
from qualcode.analysis.agreement_report import (
    AgreementReport,
    AgreementRow,
    Disagreement,
    MultiRaterRow,
)
from qualcode.interchange.literal import literal

__all__ = ["render_report"]


SHORT_NOTES = {
    "kappa undefined: no variation": "undefined",
    "high agreement, low kappa: see AC1, PABAK": "paradox",
    "no units": "no units",
    "one coder never used it": "one-sided",
    "not applicable: nobody used it": "n/a",
}


def _new_table(title: str, roomy: bool) -> Table:
    # Narrow terminals get one-space gaps so the numbers, label and note still fit in 80 columns.
    # A Text title keeps no title_style: the style goes on the Text.
    return Table(title=literal(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False, padding=(0, 1 if roomy else 0))


def _name(depth: int, label: str, level: str | None) -> Text:
    style = {"theme": "bold", None: "italic dim"}.get(level, "")
    return literal("  " * depth + label, style=style)


def _pair_table(report: AgreementReport, a: str, b: str, width: int) -> Table:
    boot = report.bootstrap > 0
    table = _new_table(f"{a} vs {b}", width >= 120)
    table.add_column("Theme / code", overflow="fold", min_width=14, ratio=1)
    table.add_column("κ (95% CI)", justify="right", no_wrap=True)
    if boot:
        table.add_column("boot CI", justify="right", no_wrap=True)
    for head in ("AC1", "PABAK", "agree", "n"):
        table.add_column(head, justify="right", no_wrap=True)
    table.add_column("Landis-Koch", no_wrap=True)
    table.add_column("notes", no_wrap=True)
    width = 9 if boot else 8
    for depth, label, row in outline([r for r in report.rows if (r.coder_a, r.coder_b) == (a, b)]):
        if row is None:
            table.add_row(_name(depth, label, None), *[""] * width)
            continue
        row = cast(AgreementRow, row)
        cells: list[Text | str] = [_name(depth, label, row.level), kappa_ci(row)]
        if boot:
            cells.append(boot_ci(row.boot_ci_low, row.boot_ci_high))
        cells += [fmt(row.ac1), fmt(row.pabak), pct(row.percent_agreement), str(row.n_units),
                  row.label, SHORT_NOTES.get(short_note(row), "")]
        table.add_row(*cells, style="bold" if row.level == "theme" else None)
    return table


def _multi_table(report: AgreementReport, width: int) -> Table:
    table = _new_table(f"All coders ({', '.join(report.coders)})", width >= 120)
    table.add_column("Theme / code", overflow="fold", min_width=14, ratio=1)
    table.add_column("α (nominal)", justify="right", no_wrap=True)
    table.add_column("Fleiss κ (95% CI)", justify="right", no_wrap=True)
    table.add_column("agree", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("Landis-Koch", no_wrap=True)
    for depth, label, m in outline(report.multi_rater):
        if m is None:
            table.add_row(_name(depth, label, None), "", "", "", "", "")
            continue
        m = cast(MultiRaterRow, m)
        fk = fmt(m.fleiss_kappa) if m.fleiss_ci_low is None or m.fleiss_ci_high is None else (
            f"{fmt(m.fleiss_kappa)} ({m.fleiss_ci_low:.2f}–{m.fleiss_ci_high:.2f})")
        table.add_row(_name(depth, label, m.level), fmt(m.krippendorff_alpha), fk,
                      pct(m.percent_agreement), str(m.n_units), m.label,
                      style="bold" if m.level == "theme" else None)
    return table


def render_report(report: AgreementReport, console: Console,
                  found: dict[tuple[str, str], Sequence[Disagreement]] | None = None) -> None:
    """Print the header, a table per coder pair, pooled kappas, all-coder table and notes."""
    console.print(literal(f"Agreement of {', '.join(report.coders)}", style="bold"))
    console.print(literal(f"Unit of analysis: {unit_text(report)}"))
    console.print(literal(f"{counted_text(report)}; {excluded_text(report)}."))
    pairs = list(dict.fromkeys((r.coder_a, r.coder_b) for r in report.rows))
    for a, b in pairs:
        console.print()
        console.print(_pair_table(report, a, b, console.width))
        for p in (p for p in report.pooled if (p.coder_a, p.coder_b) == (a, b)):
            ci = (f" (bootstrap CI {boot_ci(p.boot_ci_low, p.boot_ci_high)})"
                  if report.bootstrap else "")
            console.print(f"Pooled κ over {p.n_rows} {p.level}s: {fmt(p.kappa)}{ci}; "
                          f"mean κ: {fmt(p.mean_kappa)} (over {p.n_rows_with_kappa} "
                          f"{p.level}s with a defined κ)")
    if report.multi_rater:
        console.print()
        console.print(_multi_table(report, console.width))
    if report.split:
        from qualcode.analysis.agreement_by_suggestions_format import SPLIT_LEGEND, split_table

        for a, b in dict.fromkeys((r.coder_a, r.coder_b) for r in report.split):
            console.print()
            console.print(split_table(report.split, a, b))
        console.print(SPLIT_LEGEND)
    kinds = {SHORT_NOTES.get(short_note(r), "") for r in report.rows}
    if kinds & {"undefined", "paradox", "n/a"} or report.warnings:
        console.print()
    if "n/a" in kinds:
        console.print("n/a: neither coder used the code on the units counted, so there is no "
                      "agreement to measure.")
    if any(r.kappa is not None and r.kappa_ci_low is None for r in report.rows):
        console.print("no CI: the standard error is 0 (perfect agreement, or a coder who gave "
                      "every unit the same value), so a Wald interval would have zero width.")
    if "undefined" in kinds:
        console.print("undefined: both coders gave every unit the same value, so chance "
                      "agreement is 1 and kappa is 0/0; report agreement, AC1 or PABAK.")
    if "one-sided" in kinds:
        console.print("one-sided: only one coder used the code on the units counted, so "
                      "kappa is 0 whatever the agreement.")
    if "paradox" in kinds:
        console.print("paradox: high agreement but low kappa because one value dominates, "
                      "which inflates chance agreement (Feinstein & Cicchetti 1990); AC1 and "
                      "PABAK are less affected.")
    for w in report.warnings:
        console.print(literal(f"Warning: {w}.", style="yellow"))
    if found is not None:
        _render_disagreements(console, found)


def _render_disagreements(console: Console,
                          found: dict[tuple[str, str], Sequence[Disagreement]]) -> None:
    for (a, b), items in found.items():
        console.print()
        console.print(literal(f"Disagreements, {a} vs {b}: {len(items)}", style="bold"))
        for d in items:
            who = a if d.a_present else b
            console.print(Text.assemble((d.unit.key, "bold"), f"  {d.name or d.path}  ",
                                        (f"coded by {who} only", "italic")))
            console.print(literal("    " + " ".join(d.text.split())), overflow="fold")
