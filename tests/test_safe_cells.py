"""Formula-safe cells (NUL included) and XLSX cells holding control characters."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from qualcode.cli import main
from qualcode.interchange.safe_cells import FORMULA_TRIGGERS, restore_cell, safe_cell, safe_row
from qualcode.interchange.writers import xlsx
from qualcode.interchange.writers.table import Column, Row, Table
from qualcode.model import SourceRecord
from qualcode.storage import Store


def test_a_cell_starting_with_nul_is_neutralised() -> None:
    for value in ("\x00=HYPERLINK(\"http://evil\")", "\x00", "'\x00=1", "\x00plain"):
        assert safe_cell(value) == "'" + value
        assert restore_cell(safe_cell(value)) == value
    assert safe_cell("a\x00b") == "a\x00b"  # NUL inside a value starts nothing


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r\x00ab ")), max_size=8))
def test_safe_and_restore_stay_an_exact_pair_with_nul(value: str) -> None:
    safe = safe_cell(value)
    assert not safe.startswith(FORMULA_TRIGGERS)
    assert restore_cell(safe) == value


def _table(*texts: str, notes: tuple[str, ...] = ()) -> Table:
    return Table("Quotes\x01", (Column("id", "id", "label"), Column("quote", "Quote", "text")),
                 tuple(Row((f"r{i}", text)) for i, text in enumerate(texts)), notes=notes)


def test_xlsx_shows_unstorable_control_characters_as_pictures_and_says_so() -> None:
    data = xlsx.render(_table("before\x00after", "\x00=1+1", "bell\x07 and tab\tkept",
                              "plain", notes=("A note with \x1b escape",)))
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)]
    assert cells == ["before\u2400after", "'\u2400=1+1", "bell\u2407 and tab\tkept", "plain"]
    assert len(cells[0]) == len("before\x00after")  # one character for one
    notes = [row[0] for row in sheet.iter_rows(min_row=7, values_only=True) if row[0]]
    assert notes[0] == "Note. A note with \u241b escape"
    assert notes[1].startswith("Note. 3 cells held control characters a workbook cannot store")
    assert sheet.title == "Quotes"


def test_xlsx_without_control_characters_has_no_pictures_note() -> None:
    sheet = load_workbook(io.BytesIO(xlsx.render(_table("plain", "=1")))).active
    assert not any("control characters" in str(row[0])
                   for row in sheet.iter_rows(values_only=True) if row[0])


def test_theme_table_export_of_a_quote_holding_nul(tmp_path: Path) -> None:
    """End to end: the command that raised openpyxl's IllegalCharacterError now writes."""
    project = tmp_path / "p.qualcode"
    with Store.create(project) as store:
        store.import_sources([SourceRecord("r1", "Listened\x00 better.")])
        code = store.add_code("Listening")
        alice = store.coder("alice")
        store.add_coding(alice.id, 1, code.id)
    out = tmp_path / "themes.xlsx"
    result = CliRunner().invoke(main, ["export", "themes", str(project), "--layer", "alice",
                                       "--no-studies", "-o", str(out)])
    assert result.exit_code == 0, result.output
    values = [v for row in load_workbook(out).active.iter_rows(values_only=True)
              for v in row if isinstance(v, str)]
    assert any("Listened\u2400 better." in v for v in values), values


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                   "'=already quoted"])
def test_safe_cell_quotes_formula_starts(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert restore_cell(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["plain", "", "'quoted text", "a=b", " =1", "1-2"])
def test_safe_cell_leaves_other_text_alone(value: str) -> None:
    assert safe_cell(value) == value
    assert restore_cell(value) == value


def test_safe_row_leaves_numbers_and_none() -> None:
    assert safe_row([1, None, "=x", 2.5]) == [1, None, "'=x", 2.5]


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r\x00ab ")), max_size=8) | st.text())
def test_safe_cell_is_reversible_and_never_starts_a_formula(value: str) -> None:
    safe = safe_cell(value)
    assert not safe.startswith(FORMULA_TRIGGERS)
    assert restore_cell(safe) == value
