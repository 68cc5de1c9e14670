"""Agreement reports as JSON, CSV and Markdown (the rich terminal table is in agreement_table.py).

JSON keeps every number at full precision (``null`` where undefined, with the reason in
the row's ``note``); CSV holds one line per row for spreadsheets and R; Markdown is a
table per coder pair that pastes into a manuscript, with a legend saying how each number
was computed.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any, TextIO, cast

from qualcode.analysis.agreement_report import (
    AgreementReport,
    AgreementRow,
    Disagreement,
    MultiRaterRow,
)
from qualcode.interchange.safe_cells import safe_row

__all__ = ["CSV_COLUMNS", "DISAGREEMENT_COLUMNS", "METHODS", "disagreement_records",
           "excluded_text", "report_json", "to_markdown", "write_csv", "write_disagreements_csv"]

METHODS = {
    "presence": "a code is present for (unit, coder) when any coding of that coder with that "
                "code overlaps the unit; a theme when the theme or any code below it is",
    "units": "only units every compared coder marked done are counted",
    "kappa": "Cohen's kappa (1960) per code, presence vs absence",
    "kappa_ci": ("95% Wald interval from the Fleiss, Cohen & Everitt (1969) large-sample SE, "
                 "truncated to [-1, 1]; null where the SE is 0 (perfect agreement, a coder who "
                 "gave every unit the same value), which would give a zero-width interval "
                 "(Brown, Cai & DasGupta 2001), with the reason in ci_note"),
    "ac1": "Gwet's AC1 (Gwet 2008); ac1_se is Gwet's (2014) linearisation over units, "
           "1/(n(n-1)) sum (g*_i - g)^2, the same formula as qualcode stats",
    "not_applicable": "a code or theme neither coder used on the units counted has no kappa, "
                      "AC1, PABAK or agreement (label 'not applicable')",
    "name": "unique row name: the path, or 'PATH (own codings)' for the code-level row of a "
            "theme or of a code with codes below it",
    "pabak": "prevalence- and bias-adjusted kappa, 2 po - 1 (Byrt, Bishop & Carlin 1993)",
    "prevalence_index": "p11 - p00 (Byrt et al. 1993)",
    "bias_index": "p10 - p01 (Byrt et al. 1993)",
    "kappa_max": "largest kappa the two coders' marginals allow",
    "boot_ci": "95% percentile bootstrap over units (seeded); null where every resample gave "
               "the same value",
    "suggestions": "suggestions_shown: per coder, units counted where code suggestions were shown "
                   "before the unit was done (suggestion log, mode 'on'); split_by_suggestions "
                   "compares agreement on units shown to either coder with the others",
    "pooled": "pooled kappa: mean observed and mean chance agreement over the rows of a level, "
              "then kappa (De Vries et al. 2008); mean_kappa is the plain mean of the defined "
              "row kappas",
    "label": "Landis & Koch (1977) bands",
    "multi_rater": "Krippendorff's alpha (nominal) and Fleiss' kappa (1971) over all coders",
}
"""How each reported number is computed; written into the JSON as ``methods``."""

CSV_COLUMNS = tuple(f.name for f in fields(AgreementRow)) + (
    "krippendorff_alpha", "fleiss_kappa", "fleiss_se", "fleiss_ci_low", "fleiss_ci_high")
"""CSV header: every :class:`AgreementRow` field, then the all-coder columns."""

DISAGREEMENT_COLUMNS = ("coder_a", "coder_b", "level", "path", "name", "unit", "source_ids",
                        "a_present", "b_present", "text")


def noun(report: AgreementReport, count: int) -> str:
    """'unit(s)' or, for grouped reports, 'group(s)'."""
    word = "group" if report.group_by else "unit"
    return word if count == 1 else word + "s"


def counted_text(report: AgreementReport) -> str:
    """'87 units counted' (or groups)."""
    return f"{report.n_units} {noun(report, report.n_units)} counted"


def excluded_text(report: AgreementReport) -> str:
    """'12 units excluded (7 not done by bob, 5 ...)' or 'no units excluded'."""
    total = sum(report.excluded.values())
    if not total:
        return f"no {noun(report, 0)} excluded"
    parts = ", ".join(f"{n} {why}" for why, n in sorted(report.excluded.items(),
                                                         key=lambda kv: (-kv[1], kv[0])))
    return f"{total} {noun(report, total)} excluded ({parts})"


def unit_text(report: AgreementReport) -> str:
    """The unit of analysis in words, e.g. 'groups of whole sources by study_id (...)'."""
    if report.group_by is None:
        return report.unit_source
    rule = ("counted over the units every coder finished in it" if report.partial_groups
            else "counted only when every coder finished all its units")
    return f"groups of {report.unit_source} by {report.group_by}; a group is {rule}"


def disagreement_records(found: dict[tuple[str, str], Sequence[Disagreement]]
                         ) -> list[dict[str, Any]]:
    """One plain dict per disagreement (keys :data:`DISAGREEMENT_COLUMNS`), pair by pair;
    ``source_ids`` are the sources' own ids (as imported), never database row ids."""
    out = []
    for (a, b), items in found.items():
        for d in items:
            out.append({"coder_a": a, "coder_b": b, "level": d.level, "path": d.path,
                        "name": d.name or d.path,
                        "unit": d.unit.key, "source_ids": list(d.sources),
                        "a_present": d.a_present, "b_present": d.b_present, "text": d.text})
    return out


def report_json(report: AgreementReport,
                found: dict[tuple[str, str], Sequence[Disagreement]] | None = None
                ) -> dict[str, Any]:
    """The report as JSON-ready data (documented keys; ``None`` for undefined values)."""
    out: dict[str, Any] = {
        "coders": list(report.coders),
        "unit": report.unit.value,
        "unit_source": report.unit_source,
        "group_by": report.group_by,
        "partial_groups": report.partial_groups,
        "level": report.level,
        "n_units": report.n_units,
        "excluded": dict(report.excluded),
        "bootstrap": report.bootstrap,
        "seed": report.seed,
        "rows": [asdict(r) for r in report.rows],
        "pooled": [asdict(p) for p in report.pooled],
        "multi_rater": [asdict(m) for m in report.multi_rater],
        "suggestions_shown": dict(report.suggestions_shown),
        "warnings": list(report.warnings),
        "methods": dict(METHODS),
    }
    if found is not None:
        out["disagreements"] = disagreement_records(found)
    if report.split:
        out["split_by_suggestions"] = [asdict(r) for r in report.split]
    return out


def _csv_cell(value: Any) -> Any:
    return "" if value is None else value


def write_csv(report: AgreementReport, handle: TextIO) -> int:
    """One line per row (pair x code/theme), then one per all-coder row; returns the line count.

    All-coder lines have ``coder_a`` = ``all`` and empty pairwise columns.
    """
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in report.rows:
        values = asdict(row)
        writer.writerow(safe_row(_csv_cell(values.get(c)) for c in CSV_COLUMNS))
        count += 1
    for m in report.multi_rater:
        values = _multi_values(m)
        writer.writerow(safe_row(_csv_cell(values.get(c)) for c in CSV_COLUMNS))
        count += 1
    return count


def _multi_values(m: MultiRaterRow) -> dict[str, Any]:
    values = asdict(m)
    values.update(coder_a="all", coder_b="")
    return values


def write_disagreements_csv(found: dict[tuple[str, str], Sequence[Disagreement]],
                            handle: TextIO) -> int:
    """One line per (coder pair, unit, code or theme) where the coders differ."""
    writer = csv.writer(handle)
    writer.writerow(DISAGREEMENT_COLUMNS)
    rows = disagreement_records(found)
    for rec in rows:
        # "; " rather than a space: an id as imported may hold spaces ("Smith 2019 F3").
        rec = dict(rec, source_ids="; ".join(rec["source_ids"]))
        writer.writerow(safe_row(rec[c] for c in DISAGREEMENT_COLUMNS))
    return len(rows)


# -- Markdown ----------------------------------------------------------------------------------
def fmt(value: float | None, digits: int = 2) -> str:
    """A number to ``digits`` decimals, or an en dash when undefined."""
    return "–" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """A proportion as a whole percentage."""
    return "–" if value is None else f"{value:.0%}"


def estimate_with_ci(value: float | None, low: float | None, high: float | None) -> str:
    """'0.74 (0.52–0.95)', '1.00 (no CI)' when the interval is not estimable, '–' for none.

    >>> estimate_with_ci(0.7412, 0.52, 0.951), estimate_with_ci(1.0, None, None)
    ('0.74 (0.52–0.95)', '1.00 (no CI)')
    """
    if value is None:
        return "–"
    if low is None or high is None:
        return f"{fmt(value)} (no CI)"
    return f"{value:.2f} ({low:.2f}–{high:.2f})"


def kappa_ci(row: AgreementRow) -> str:
    """A row's kappa with its interval (:func:`estimate_with_ci`)."""
    return estimate_with_ci(row.kappa, row.kappa_ci_low, row.kappa_ci_high)


def boot_ci(low: float | None, high: float | None) -> str:
    """'0.50–0.90' or an en dash."""
    return "–" if low is None or high is None else f"{low:.2f}–{high:.2f}"


def short_note(row: AgreementRow) -> str:
    """A few words for the notes column; the full sentence is in ``row.note``."""
    if row.n_units == 0:
        return "no units"
    if row.label == "not applicable":
        return "not applicable: nobody used it"
    if row.kappa is None:
        return "kappa undefined: no variation"
    if (row.a_count == 0) != (row.b_count == 0):
        return "one coder never used it"
    if row.note:
        return "high agreement, low kappa: see AC1, PABAK"
    return ""


def _suffix(row: AgreementRow | MultiRaterRow) -> str:
    """' (own codings)' when the row's unique name adds it to the path, else ''."""
    return row.name[len(row.path):] if row.name.startswith(row.path) else ""


def outline(rows: Sequence[AgreementRow | MultiRaterRow]
            ) -> list[tuple[int, str, AgreementRow | MultiRaterRow | None]]:
    """``(depth, name, row)`` lines in codebook order, with a heading line (row None) for each
    theme and sub-theme without a row of its own the first time one of its codes appears
    (so ``--level code`` keeps its themes); a code at depth d is indented d steps.
    A code with codes below it is their heading itself, named ``NAME (own codings)``.
    """
    out: list[tuple[int, str, AgreementRow | MultiRaterRow | None]] = []
    shown: set[tuple[str, ...]] = set()
    for row in rows:
        parts = tuple(row.path.split("/"))
        if row.level == "code":
            for k in range(1, len(parts)):
                if parts[:k] not in shown:
                    shown.add(parts[:k])
                    out.append((k - 1, parts[k - 1], None))
        shown.add(parts)
        out.append((0 if row.level == "theme" else len(parts) - 1, parts[-1] + _suffix(row), row))
    return out


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def to_markdown(report: AgreementReport,
                found: dict[tuple[str, str], Sequence[Disagreement]] | None = None) -> str:
    """Markdown tables (one per coder pair, one for all coders) with a legend."""
    lines = [f"Agreement of {', '.join(report.coders)}. Unit of analysis: {unit_text(report)}; "
             f"{counted_text(report)}, {excluded_text(report)}.", ""]
    boot = report.bootstrap > 0
    pairs = list(dict.fromkeys((r.coder_a, r.coder_b) for r in report.rows))
    for a, b in pairs:
        if len(pairs) > 1 or len(report.coders) > 2:
            lines += [f"**{_md(a)} vs {_md(b)}**", ""]
        head = ["Theme / code", "κ (95% CI)"] + (["κ bootstrap CI"] if boot else []) + [
            "AC1", "PABAK", "Agreement", "n", "Interpretation", "Notes"]
        lines += ["| " + " | ".join(head) + " |", "|" + "|".join(
            ["---"] + ["---:"] * (len(head) - 3) + ["---", "---"]) + "|"]
        for depth, label, row in outline([r for r in report.rows
                                          if (r.coder_a, r.coder_b) == (a, b)]):
            name = _md_name(depth, label, row)
            if row is None:
                lines.append("| " + " | ".join([name] + [""] * (len(head) - 1)) + " |")
                continue
            row = cast(AgreementRow, row)
            cells = [name, kappa_ci(row)] + ([boot_ci(row.boot_ci_low, row.boot_ci_high)]
                                            if boot else []) + [
                fmt(row.ac1), fmt(row.pabak), pct(row.percent_agreement), str(row.n_units),
                row.label, short_note(row)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        for p in (p for p in report.pooled if (p.coder_a, p.coder_b) == (a, b)):
            ci = f" (bootstrap 95% CI {boot_ci(p.boot_ci_low, p.boot_ci_high)})" if boot else ""
            lines.append(f"Pooled κ over {p.n_rows} {p.level}s: {fmt(p.kappa)}{ci}; mean κ over "
                         f"the {p.n_rows_with_kappa} with a defined κ: {fmt(p.mean_kappa)}.  ")
        lines.append("")
    if report.multi_rater:
        lines += ["**All coders**", "",
                  "| Theme / code | Krippendorff's α (nominal) | Fleiss' κ (95% CI) | Agreement | "
                  "n |",
                  "|---|---:|---:|---:|---:|"]
        for depth, label, m in outline(report.multi_rater):
            name = _md_name(depth, label, m)
            if m is None:
                lines.append(f"| {name} | | | | |")
                continue
            m = cast(MultiRaterRow, m)
            fk = fmt(m.fleiss_kappa) if m.fleiss_ci_low is None else (
                f"{m.fleiss_kappa:.2f} ({m.fleiss_ci_low:.2f}–{m.fleiss_ci_high:.2f})")
            lines.append(f"| {name} | {fmt(m.krippendorff_alpha)} | {fk} | "
                         f"{pct(m.percent_agreement)} | {m.n_units} |")
        lines.append("")
    lines.append(_legend(boot))
    if report.split:
        from qualcode.analysis.agreement_by_suggestions_format import split_markdown

        lines += ["", split_markdown(report.split)]
    for w in report.warnings:
        lines.append(f"\nWarning: {w}.")
    if found:
        lines += ["", "**Disagreements**", ""]
        for rec in disagreement_records(found):
            who = rec["coder_a"] if rec["a_present"] else rec["coder_b"]
            lines.append(f"- {_md(rec['unit'])}, {_md(rec['name'])} (coded by {_md(who)} only): "
                         f"{_md(' '.join(rec['text'].split()))}")
    return "\n".join(lines).rstrip() + "\n"


def _md_name(depth: int, label: str, row: AgreementRow | MultiRaterRow | None) -> str:
    """Themes bold, sub-theme headings italic, codes indented with non-breaking spaces."""
    pad = "&nbsp;" * (3 * depth)
    if row is None:
        return f"{pad}*{_md(label)}*"
    if row.level == "theme":
        return f"**{_md(label)}**"
    return pad + _md(label)


def _legend(boot: bool) -> str:
    text = ("κ: Cohen's kappa for presence of the code or theme per unit, with a 95% Wald CI "
            "from the Fleiss, Cohen & Everitt (1969) standard error, truncated to [-1, 1]; "
            "AC1: Gwet (2008); PABAK: "
            "Byrt, Bishop & Carlin (1993); agreement: share of units the coders agree on; "
            "interpretation: Landis & Koch (1977); pooled κ: De Vries et al. (2008). "
            "No CI: the standard error is 0 (perfect agreement, or a coder who gave every unit "
            "the same value), so a Wald interval would have zero width; not applicable: "
            "neither coder used it on the units counted.")
    if boot:
        text += " Bootstrap CI: 95% percentile interval over units."
    return text
