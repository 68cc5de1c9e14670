"""XLSX styled for reading: bold frozen header, wrapped text, widths, emboldened themes."""

from __future__ import annotations

import io
import re
from typing import Any

from qualcode.interchange.safe_cells import safe_cell
from qualcode.interchange.writers.cells import TICK
from qualcode.interchange.writers.csv_writer import headers, values
from qualcode.interchange.writers.table import Table

HEADER_FILL = "D9D9D9"
THEME_FILL = "EAF1F8"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# The C0 control characters XML 1.0 cannot hold (all but tab, line feed and carriage
# return): openpyxl refuses them. Each is written as its visible Unicode control picture
# (NUL as U+2400), one character for one, so offsets and lengths still match the text.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PICTURES_NOTE = ("{n} cells held control characters a workbook cannot store (such as NUL); "
                 "each is shown as its Unicode control picture (\u2400 for NUL, U+2400 to "
                 "U+241F). The CSV export keeps them as they are.")


class _Cells:
    """Makes values safe to write: formula-neutral, storable; counts cells with pictures."""

    def __init__(self) -> None:
        self.pictured = 0

    def __call__(self, value: Any) -> Any:
        value = safe_cell(value)
        if isinstance(value, str) and _UNSTORABLE.search(value):
            self.pictured += 1
            return _pictures(value)
        return value


def _pictures(text: str) -> str:
    return _UNSTORABLE.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def _sheet_title(title: str) -> str:
    clean = _BAD_SHEET_CHARS.sub(" ", title).strip() or "Table"
    return clean[:31]  # Excel's limit


def _widths(table: Table) -> list[int]:
    widths: list[int] = []
    for column in table.columns:
        widths += [column.width, 9, 9] if column.kind == "estimate" else [column.width]
    return widths


def _kinds(table: Table) -> list[str]:
    kinds: list[str] = []
    for column in table.columns:
        kinds += ["float"] * 3 if column.kind == "estimate" else [column.kind]
    return kinds


def render(table: Table) -> bytes:
    """Return the workbook bytes: one sheet, the table from A1, notes below it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    if not isinstance(sheet, Worksheet):  # a new workbook opens on one plain worksheet
        raise TypeError(f"a new workbook opened on {type(sheet).__name__}, not a worksheet")
    sheet.title = _sheet_title(table.title)
    book.properties.title = _pictures(table.title)
    kinds = _kinds(table)
    head = headers(table, hierarchy=False)
    cell_value = _Cells()
    sheet.append([cell_value(h) for h in head])
    bottom = Border(bottom=Side(style="thin"))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        cell.border = bottom
    label_col = next((i for i, c in enumerate(table.columns) if c.kind == "label"), None)
    label_index = None if label_col is None else sum(
        3 if c.kind == "estimate" else 1 for c in table.columns[:label_col])
    for row in table.rows:
        flat: list[Any] = []
        for value, column in zip(row.cells, table.columns, strict=True):
            if column.kind == "tick":
                flat.append(TICK if value else "")
            else:
                flat += values(value, column)
        sheet.append([cell_value(v) if v != "" else None for v in flat])
        for j, cell in enumerate(sheet[sheet.max_row]):
            kind = kinds[j]
            cell.alignment = Alignment(
                wrap_text=kind in ("text", "list", "label"), vertical="top",
                horizontal="center" if kind == "tick" else None,
                indent=row.depth if j == label_index else 0)
            if kind == "float":
                cell.number_format = "0.00"
            if cell.data_type == "f":  # never let a value become a formula
                cell.data_type = "s"
            if row.level == "theme":
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor=THEME_FILL)
            elif row.level == "subtheme":
                cell.font = Font(italic=True)
    for j, width in enumerate(_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    # Freeze the header row, and the row labels too so they stay put when scrolling right.
    sheet.freeze_panes = sheet.cell(
        row=2, column=1 if label_index is None else label_index + 2).coordinate
    notes = list(table.notes)
    if cell_value.pictured:
        notes.append(PICTURES_NOTE.format(n=cell_value.pictured))
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([cell_value(f"Note. {note}")])
            sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
