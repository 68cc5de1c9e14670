"""A LaTeX ``longtable`` with ``booktabs`` rules, every text escaped."""

from __future__ import annotations

from qualcode.interchange.writers.cells import TICK, text_parts
from qualcode.interchange.writers.table import Column, Row, Table

PREAMBLE = ("% qualcode table: needs \\usepackage{booktabs,longtable,array} and amssymb "
            "for \\checkmark;\n% a wide table fits a landscape page (pdflscape); compile "
            "with LuaLaTeX or XeLaTeX if\n% the text holds characters outside Latin-1 "
            "(emoji, CJK).\n")
_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def escape(text: str) -> str:
    """Escape LaTeX's special characters; newlines become spaces.

    >>> escape("50% of R&D_1 {x}")
    '50\\\\% of R\\\\&D\\\\_1 \\\\{x\\\\}'
    """
    return "".join(_ESCAPES.get(ch, ch) for ch in " ".join(text.split()))


# Rough share of the line each narrow column takes; text columns split what is left.
_NARROW = {"int": 0.07, "float": 0.06, "estimate": 0.16, "tick": 0.035}


def _specs(columns: tuple[Column, ...]) -> str:
    """Column specs: numbers right, ticks centred, text in ragged-right paragraph columns
    whose widths share the rest of the line in proportion to their width hints."""
    text_share = max(0.25, 0.92 - sum(_NARROW.get(c.kind, 0.0) for c in columns))
    text_total = sum(c.width for c in columns if c.kind not in _NARROW) or 1
    specs = []
    for column in columns:
        if column.kind == "tick":
            specs.append("c")
        elif column.kind in _NARROW:
            specs.append("r")
        else:
            share = text_share * column.width / text_total
            specs.append(f">{{\\raggedright\\arraybackslash}}p{{{share:.3f}\\linewidth}}")
    return "".join(specs)


def _cell(value: object, column: Column, row: Row) -> str:
    parts = text_parts(value, column)  # type: ignore[arg-type]  # a text column's value is text
    if column.kind == "tick":
        return r"$\checkmark$" if parts[0] == TICK else ""
    text = r" \newline ".join(escape(p) for p in parts if p)
    if column.kind == "label" and text:
        if row.level == "theme":
            text = rf"\textbf{{{text}}}"
        elif row.level == "subtheme":
            text = rf"\textit{{{text}}}"
        text = r"\hspace*{1em}" * row.depth + text
    return text


def render(table: Table) -> str:
    """Return the longtable (a fragment to \\input into a document)."""
    n = len(table.columns)
    header = " & ".join(escape(c.header) for c in table.columns) + r" \\"
    lines = [PREAMBLE.rstrip("\n"),
             r"\begin{longtable}{@{}" + _specs(table.columns) + "@{}}"]
    if table.title:
        lines.append(rf"\caption{{{escape(table.title)}}} \\")
    lines += [r"\toprule", header, r"\midrule", r"\endfirsthead",
              r"\toprule", header, r"\midrule", r"\endhead",
              r"\midrule", rf"\multicolumn{{{n}}}{{r}}{{\footnotesize continued}} \\",
              r"\endfoot", r"\bottomrule"]
    # The notes sit under the closing rule of the last page only.
    for note in table.notes:
        lines.append(rf"\multicolumn{{{n}}}{{@{{}}p{{\linewidth}}@{{}}}}"
                     rf"{{\footnotesize\emph{{Note.}} {escape(note)}}} \\")
    lines.append(r"\endlastfoot")
    for row in table.rows:
        cells = [_cell(v, c, row) for v, c in zip(row.cells, table.columns, strict=True)]
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\end{longtable}")
    return "\n".join(lines) + "\n"
