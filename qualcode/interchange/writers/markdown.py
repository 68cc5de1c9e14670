"""Markdown pipe tables that paste into a manuscript (pandoc, GitHub, most editors)."""

from __future__ import annotations

import re

from qualcode.interchange.writers.cells import text_parts
from qualcode.interchange.writers.table import Column, Row, Table

INDENT = "\u00a0" * 4
"""Indent per hierarchy level: no-break spaces, which table cells do not trim away."""

# ASCII punctuation that would start emphasis, code, links, HTML or end the cell; CommonMark
# and pandoc both accept a backslash before any ASCII punctuation.
_SPECIAL = re.compile(r"([\\|*_`\[\]<>~])")
_NUMERIC = ("int", "float", "estimate")


def escape(text: str) -> str:
    """Escape Markdown syntax and keep a cell on one line.

    >>> escape("a | b *c*")
    'a \\\\| b \\\\*c\\\\*'
    """
    flat = " ".join(text.split())  # a newline would end the table row
    return _SPECIAL.sub(r"\\\1", flat)


def _cell(value: object, column: Column, row: Row) -> str:
    # Ignored below: a text column's value is text.
    parts = [escape(p) for p in text_parts(value, column)]  # type: ignore[arg-type]
    text = "<br>".join(p for p in parts if p) if column.kind == "list" else parts[0]
    if column.kind == "label" and text:
        if row.level == "theme":
            text = f"**{text}**"
        elif row.level == "subtheme":
            text = f"*{text}*"
        text = INDENT * row.depth + text
    return text


def render(table: Table) -> str:
    """Return the table as a Markdown pipe table, its title as a pandoc caption, then notes."""
    header = "| " + " | ".join(escape(c.header) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c.kind in _NUMERIC else ":---:" if c.kind == "tick"
                          else "---" for c in table.columns) + "|"
    lines = [header, rule]
    for row in table.rows:
        cells = [_cell(v, c, row) for v, c in zip(row.cells, table.columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    out = "\n".join(lines) + "\n"
    if table.title:
        out += f"\nTable: {escape(table.title)}\n"
    for note in table.notes:
        out += f"\n*Note.* {escape(note)}\n"
    return out
