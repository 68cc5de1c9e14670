"""Import errors all at once, and Excel's semicolon CSVs (issue 17, item 5).

A header with several problems (no id column AND no text column, an unnamed column, a
repeated one) is reported in ONE message naming each problem, for corpora (CSV, TSV,
XLSX) and codings files alike. A file whose header the expected separator leaves in one
column is read with the separator that splits it (semicolon, tab, vertical bar, comma),
so Excel's "CSV" from a French or German locale imports as is.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import main
from qualcode.model import SourceRecord
from qualcode.storage import Store


def _run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project."""
    path = tmp_path / "study.qualcode"
    with Store.create(path):
        pass
    return path


@pytest.fixture
def coded_project(tmp_path: Path) -> Path:
    """A project with two sources and one code, ready for codings files."""
    path = tmp_path / "coded.qualcode"
    with Store.create(path) as store:
        store.import_sources([SourceRecord("r1", "Hello, world; again."),
                              SourceRecord("r2", "Second; answer.")], path="c.csv")
        store.add_code("Care")
    return path


def _state(project: Path) -> list[str]:
    """The project's whole content, read through SQLite."""
    with Store.open(project) as store:
        return list(store.db.conn.iterdump())


def _sources(project: Path) -> dict[str, tuple[str, dict]]:
    with Store.open(project) as store:
        return {s.external_id: (s.text, dict(s.metadata)) for s in store.iter_sources()}


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _assert_one_line_error(result: Result, file: Path, parts: list[str]) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(file) in lines[0] and "Traceback" not in result.output
    for part in parts:
        assert part in lines[0], (part, lines[0])


# -- every header problem in one message ------------------------------------------------
CORPUS_HEADERS = {
    # header cells -> the parts the one message must hold
    "no id, no text": (["ID_", "body", "site"],
                       ["2 problems", "no id column 'id'", "no text column 'text'",
                        "--id-col", "--text-col", "the columns are 'ID_', 'body', 'site'"]),
    "no id, close text": (["key", "Text"],
                          ["2 problems", "no id column 'id'", "did you mean 'Text'? Use "
                           "--text-col 'Text'"]),
    "unnamed and no text": (["id", "", "site"],
                            ["2 problems", "column 2 of the header has no name",
                             "no text column 'text'"]),
    "repeated, no id, no text": (["site", "site", "note"],
                                 ["3 problems", "names column 'site' twice", "no id column",
                                  "no text column"]),
}


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
@pytest.mark.parametrize("case", list(CORPUS_HEADERS))
def test_corpus_header_problems_come_in_one_message(project: Path, tmp_path: Path,
                                                    suffix: str, case: str) -> None:
    header, parts = CORPUS_HEADERS[case]
    row = [f"v{i}" for i in range(len(header))]
    if suffix == ".xlsx":
        file = _xlsx(tmp_path / f"corpus{suffix}", [header, row])
    else:
        sep = "\t" if suffix == ".tsv" else ","
        file = tmp_path / f"corpus{suffix}"
        file.write_text(sep.join(header) + "\n" + sep.join(row) + "\n", encoding="utf-8")
    before = _state(project)
    result = _run("import", project, file)
    _assert_one_line_error(result, file, parts)
    assert _state(project) == before


def test_one_header_problem_keeps_its_plain_message(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "corpus.csv"
    file.write_text("id,txt\n1,a\n", encoding="utf-8")
    result = _run("import", project, file)
    _assert_one_line_error(result, file, ["no text column 'text'; the columns are 'id', 'txt'"])
    assert "problems" not in result.output


CODINGS_HEADERS = {
    "no source_id, no code, start only":
        ("id,label,start\n", ["2 problems", "missing required column(s) source_id, code",
                               "has a start column but no end column"]),
    "repeated and no code": ("source_id,source_id,end\n",
                             ["3 problems", "'source_id' appears twice",
                              "missing required column(s) code", "has a end column"]),
}


@pytest.mark.parametrize("case", list(CODINGS_HEADERS))
def test_codings_header_problems_come_in_one_message(coded_project: Path, tmp_path: Path,
                                                     case: str) -> None:
    header, parts = CODINGS_HEADERS[case]
    file = tmp_path / "codings.csv"
    file.write_text(header + "r1,Care,0\n", encoding="utf-8")
    before = _state(coded_project)
    result = _run("codings", "import", coded_project, file, "--coder", "alice")
    _assert_one_line_error(result, file, parts)
    assert _state(coded_project) == before


# -- separators --------------------------------------------------------------------------
SEPARATED = [";", "|", "\t"]


@pytest.mark.parametrize("separator", SEPARATED)
@pytest.mark.parametrize("quoted", [False, True])
def test_a_csv_with_another_separator_imports(project: Path, tmp_path: Path, separator: str,
                                              quoted: bool) -> None:
    """Excel (fr_FR, de_DE ...) writes ';'; texts keep their commas and the other signs."""
    q = '"' if quoted else ""
    rows = [["id", "text", "site"], ["1", "Bien, merci", "Lyon"], ["2", "Oui. Non", "Köln"]]
    text = "\r\n".join(separator.join(f"{q}{cell}{q}" for cell in row) for row in rows) + "\r\n"
    file = tmp_path / "excel.csv"
    file.write_text(text, encoding="utf-8-sig")
    result = _run("import", project, file)
    assert result.exit_code == 0, result.output
    assert _sources(project) == {"1": ("Bien, merci", {"site": "Lyon"}),
                                 "2": ("Oui. Non", {"site": "Köln"})}


def test_a_comma_csv_with_semicolons_in_its_texts_stays_comma(project: Path,
                                                              tmp_path: Path) -> None:
    file = tmp_path / "plain.csv"
    file.write_text('id,text\n1,"a; b; c"\n2,one;two\n', encoding="utf-8")
    assert _run("import", project, file).exit_code == 0
    assert _sources(project) == {"1": ("a; b; c", {}), "2": ("one;two", {})}


def test_a_tsv_that_is_really_comma_separated_imports(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "mislabelled.tsv"
    file.write_text("id,text\n1,hello\n", encoding="utf-8")
    assert _run("import", project, file).exit_code == 0
    assert _sources(project) == {"1": ("hello", {})}


def test_a_one_column_file_still_names_what_is_missing(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "one.csv"
    file.write_text("text\nhello\n", encoding="utf-8")
    result = _run("import", project, file)
    _assert_one_line_error(result, file, ["no id column 'id'; the columns are 'text'"])


@pytest.mark.parametrize("separator", SEPARATED)
def test_a_codings_csv_with_another_separator_imports(coded_project: Path, tmp_path: Path,
                                                      separator: str) -> None:
    rows = [["source_id", "code", "start", "end"], ["r1", "Care", "0", "5"],
            ["r2", "Care", "", ""]]
    file = tmp_path / "codings.csv"
    file.write_text("\n".join(separator.join(row) for row in rows) + "\n", encoding="utf-8")
    result = _run("codings", "import", coded_project, file, "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert "2 codings added" in result.output
    with Store.open(coded_project) as store:
        spans = sorted((c.start, c.end) for c in store.codings())
    assert spans == [(0, 5), (0, len("Second; answer."))]


@pytest.mark.parametrize("separator", SEPARATED)
def test_a_ratings_table_with_another_separator_gives_the_same_statistics(
        tmp_path: Path, separator: str) -> None:
    """`qualcode stats` reads its tables the same way: same figures as the comma file."""
    rows = [["id", "r1", "r2"], ["u1", "a", "a"], ["u2", "a", "b"], ["u3", "b", "b"],
            ["u4", "c", "c"], ["u5", "b", "c"]]
    comma = tmp_path / "comma.csv"
    comma.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("\n".join(separator.join(r) for r in rows) + "\n", encoding="utf-8")
    expected = _run("stats", comma, "--format", "json")
    assert expected.exit_code == 0, expected.output
    result = _run("stats", other, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.output.replace(str(other), "FILE") == expected.output.replace(str(comma),
                                                                               "FILE")
