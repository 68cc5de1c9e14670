"""Matrices and co-occurrence, counted by hand from the layers in test_theme_table, and
formula injection neutralised in every CSV and XLSX export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.store_engines import ENGINES, engine_store
from helpers.theme_project import ALICE, BOB, CONSENSUS, PARENTS, SOURCES, TREE, build_project
from qualcode.analysis.matrices import cooccurrence, matrix
from qualcode.analysis.theme_table import theme_table, to_table
from qualcode.errors import QualcodeError
from qualcode.interchange import writers
from qualcode.interchange.safe_cells import FORMULA_TRIGGERS, restore_cell
from qualcode.interchange.writers import Column, Estimate, Row, Table
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

THEMES = list(TREE)
STUDIES = list(dict.fromkeys(s[1] for s in SOURCES))
CODES = ["Listening", "Talking", "Empathy", "=Time", "Nothing"]  # codable, codebook order


@pytest.fixture
def project(store: Store) -> Store:
    return build_project(store)


def _under(code: str, node: str) -> bool:
    return code == node or node in PARENTS[code]


def _units(layer: dict[int, list[str]], node: str, *, nested: bool = True) -> set[int]:
    return {i for i, codes in layer.items()
            if any(_under(c, node) if nested else c == node for c in codes)}


def _cells(table: Table) -> dict[str, list[object]]:
    return {row.cells[0]: list(row.cells[1:]) for row in table.rows}  # type: ignore[misc]


def test_theme_by_study_ticks_and_counts(project: Store) -> None:
    ticks = _cells(matrix(project, rows="theme", cols="study"))
    counts = _cells(matrix(project, rows="theme", cols="study", tick=False))
    for theme in THEMES:
        units = _units(CONSENSUS, theme)
        per_study = [sum(1 for i in units if SOURCES[i][1] == s) for s in STUDIES]
        assert ticks[theme] == [n > 0 for n in per_study] + [sum(n > 0 for n in per_study)]
        assert counts[theme] == per_study + [len(units)]


def test_study_columns_use_labels(project: Store) -> None:
    table = matrix(project, cols="study", study_label="author_year")
    headers = [c.header for c in table.columns]
    assert headers == ["Theme", "Torppa 2008", "Kjeldmand 2008", "Olds 2019", "Ng 2022",
                       "No. of studies"]


def test_code_rows_keep_the_hierarchy_with_heading_rows(project: Store) -> None:
    table = matrix(project, rows="code", cols="coder", tick=False)
    assert table.hierarchical
    names = [(r.depth, r.cells[0]) for r in table.rows]
    assert names[:5] == [(0, "Relationship"), (1, "Communication"), (2, "Listening"),
                         (2, "Talking"), (1, "Empathy")]
    assert [c.header for c in table.columns[1:]] == ["alice", "bob", "consensus"]
    rows = _cells(table)
    assert rows["Relationship"] == [None, None, None]  # a heading, not a count
    for code in CODES:
        assert rows[code] == [len(_units(layer, code, nested=False))
                              for layer in (ALICE, BOB, CONSENSUS)]


def test_source_columns(project: Store) -> None:
    table = matrix(project, rows="theme", cols="source", layer="bob")
    rows = _cells(table)
    for theme in THEMES:
        units = _units(BOB, theme)
        assert rows[theme] == [i in units for i in range(len(SOURCES))] + [len(units)]


@pytest.mark.parametrize("level", ["code", "theme"])
def test_cooccurrence_counts_units_with_both(project: Store, level: str) -> None:
    table = cooccurrence(project, level=level, layer="alice")
    names = CODES if level == "code" else THEMES
    assert [r.cells[0] for r in table.rows] == names
    nested = level == "theme"
    units = {n: _units(ALICE, n, nested=nested) for n in names}
    rows = _cells(table)
    for a, b in combinations(names, 2):
        assert rows[a][names.index(b)] == rows[b][names.index(a)] == len(units[a] & units[b])
    for a in names:
        assert rows[a][names.index(a)] == len(units[a])


def test_bad_choices_are_clear_errors(project: Store) -> None:
    with pytest.raises(QualcodeError, match="unknown --cols"):
        matrix(project, cols="page")
    with pytest.raises(QualcodeError, match="unknown --rows"):
        matrix(project, rows="study")
    with pytest.raises(QualcodeError, match="unknown --level"):
        cooccurrence(project, level="sub")


# -- formula injection -----------------------------------------------------------------------
def _exports(project: Store) -> list[Table]:
    return [to_table(theme_table(project, quotes=3)),
            to_table(theme_table(project, layer="bob", quotes=3)),
            matrix(project, rows="code", cols="study", tick=False),
            matrix(project, rows="code", cols="coder"),
            cooccurrence(project, level="code")]


def _hostile() -> Table:
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "'=1", "plain"]
    columns = (Column("label", "=label", "label"), Column("text", "+text"),
               Column("list", "@list", "list"), Column("est", "-est", "estimate"))
    rows = tuple(Row((c, c, (c, "x"), Estimate(0.5, 0.1, 0.9))) for c in cells)
    return Table("=title", columns, rows, notes=("=note",), hierarchical=True,
                 paths=tuple(cells))


def _starts_dangerous(value: object) -> bool:
    """A text cell a spreadsheet would run; a plain negative number (our kappas) is data."""
    if not isinstance(value, str) or value[:1] not in FORMULA_TRIGGERS:
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def test_every_csv_export_neutralises_formulas(project: Store) -> None:
    seen_neutralised = set()
    for table in [*_exports(project), _hostile()]:
        for row in csv.reader(io.StringIO(writers.render(table, "csv"))):
            for value in row:
                assert not _starts_dangerous(value), value
                for line in value.split("\n")[1:]:  # list cells: first line only matters
                    assert line == restore_cell(line) or line.startswith("'")
                if value != restore_cell(value):
                    seen_neutralised.add(restore_cell(value))
    assert {"=Time", "+cmd|' /C calc'!A0", "=1+1", "\t=1", "\r=1", "@SUM(A1)",
            "-est"} <= seen_neutralised


def test_every_xlsx_export_neutralises_formulas(project: Store, tmp_path) -> None:
    seen = set()
    for n, table in enumerate([*_exports(project), _hostile()]):
        path = tmp_path / f"t{n}.xlsx"
        writers.write(table, "xlsx", path)
        for row in load_workbook(path).active.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                assert not _starts_dangerous(cell.value), cell.value
                if isinstance(cell.value, str) and cell.value != restore_cell(cell.value):
                    seen.add(restore_cell(cell.value))
    assert {"=Time", "+cmd|' /C calc'!A0", "=1+1", "\t=1", "\r=1", "=label"} <= seen
