"""Numbers JSON and SQLite cannot hold never enter a project, and never break a later command.

The rule (README, "What qualcode refuses, and why"; :mod:`qualcode.storage.metadata`):
NaN and ±Infinity are refused with one line naming the file, the line or row, the column
and the value; a number too large for SQLite (a whole number outside signed 64 bits, a
decimal such as ``1e400`` that overflows) is stored as the text written; ids are text, and
a JSONL number id stays as typed; CSV values are text and are never read as numbers.
Every case is generated here: JSONL, CSV and XLSX files (XLSX with openpyxl, and with
cell values patched into the sheet XML as other programs write them), and metadata
damaged with raw SQL in an existing project.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from helpers.robust_harness import digest, make_project, one_line_error, run_cli
from qualcode.errors import FormatError
from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.storage.metadata import REPAIR_HINT, encode_metadata, metadata_problem

BIG = 10 ** 30
HUGE_DIGITS = "9" * 5000  # Python refuses int() of a string over 4,300 digits


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project (sources r1..r3), copied for each case."""
    return make_project(tmp_path_factory.mktemp("numbers") / "base.qualcode")


@pytest.fixture
def project(base_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the base project."""
    copy = tmp_path / "study.qualcode"
    shutil.copy(base_project, copy)
    return copy


def stored(project: Path) -> dict[str, str]:
    """Map each new source's external id to its stored metadata text (r1..r3 left out)."""
    conn = sqlite3.connect(project)
    try:
        rows = conn.execute("SELECT external_id, metadata FROM sources WHERE external_id "
                            "NOT IN ('r1', 'r2', 'r3') ORDER BY id").fetchall()
    finally:
        conn.close()
    return dict(rows)


def assert_refused(project: Path, corpus: Path, *needles: str) -> str:
    """Import ``corpus``: one line naming the file and ``needles``; the project unchanged."""
    before = digest(project)
    run = run_cli(["import", str(project), str(corpus)])
    problem = one_line_error(run, corpus)
    assert problem is None, problem
    line = run.stderr.strip()
    for needle in needles:
        assert needle in line, (needle, line)
    assert digest(project) == before
    return line


def assert_imported(project: Path, corpus: Path) -> dict[str, str]:
    """Import ``corpus`` successfully; return what was stored (and prove ``check`` is clean)."""
    run = run_cli(["import", str(project), str(corpus)])
    assert run.exception is None and run.exit_code == 0, (run.stderr, run.exception)
    check = run_cli(["check", str(project), "--format", "json"])
    assert check.exit_code == 0, check.stdout
    assert not [f for f in json.loads(check.stdout)["findings"] if f["check"] == "metadata"]
    return stored(project)


# -- JSONL -----------------------------------------------------------------------------------
NOT_JSON = ["Infinity", "-Infinity", "NaN"]
TOO_BIG = {  # spelling in the file -> the text stored
    "1e400": "1e400", "-1e400": "-1e400", "1E+400": "1E+400", "1e-400": "1e-400",
    str(2 ** 63): str(2 ** 63), str(-(2 ** 63) - 1): str(-(2 ** 63) - 1), str(BIG): str(BIG),
    "12345678901234567890123": "12345678901234567890123", HUGE_DIGITS: HUGE_DIGITS,
}
IN_RANGE = {str(2 ** 63 - 1): 2 ** 63 - 1, str(-(2 ** 63)): -(2 ** 63), "1.0": 1.0,
            "-0.5": -0.5, "1e308": 1e308}


def jsonl(tmp_path: Path, second_line: str) -> Path:
    """A JSONL corpus whose line 2 is ``second_line`` (line 1 is sound)."""
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"id": "ok", "text": "fine", "age": 3}\n' + second_line + "\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("token", NOT_JSON)
@pytest.mark.parametrize("where", ["metadata", "nested", "id"])
def test_jsonl_nan_and_infinity_are_refused_naming_line_field_and_value(
        project: Path, tmp_path: Path, token: str, where: str) -> None:
    line = {"metadata": f'{{"id": "a", "text": "t", "n": {HUGE_DIGITS}, "age": {token}}}',
            "nested": f'{{"id": "a", "text": "t", "scores": [1, {{"x": {token}}}]}}',
            "id": f'{{"id": {token}, "text": "t"}}'}[where]
    field = {"metadata": "'age'", "nested": "'scores'[1]['x']", "id": "'id'"}[where]
    corpus = jsonl(tmp_path, line)
    assert_refused(project, corpus, "line 2", f"field {field}", f"holds {token}",
                   f'"{token}" in quotes to keep it as text')


@pytest.mark.parametrize("spelling", sorted(TOO_BIG))
def test_jsonl_numbers_sqlite_cannot_hold_are_stored_as_the_text_written(
        project: Path, tmp_path: Path, spelling: str) -> None:
    corpus = jsonl(tmp_path, f'{{"id": "a", "text": "t", "age": {spelling}, '
                             f'"list": [{spelling}]}}')
    got = assert_imported(project, corpus)
    text = TOO_BIG[spelling]
    assert got["a"] == json.dumps({"age": text, "list": [text]}, sort_keys=True)


@pytest.mark.parametrize("spelling", sorted(IN_RANGE))
def test_jsonl_numbers_sqlite_holds_stay_numbers(project: Path, tmp_path: Path,
                                                 spelling: str) -> None:
    got = assert_imported(project, jsonl(tmp_path, f'{{"id": "a", "text": "t", "n": {spelling}}}'))
    assert json.loads(got["a"]) == {"n": IN_RANGE[spelling]}
    assert type(json.loads(got["a"])["n"]) is type(IN_RANGE[spelling])


@pytest.mark.parametrize("spelling", ["1e400", "-1e400", "1.0", "1.50", "1E2", str(2 ** 63),
                                      str(-(2 ** 63) - 1), str(BIG), "12345678901234567890123",
                                      HUGE_DIGITS, "7"])
def test_jsonl_number_ids_stay_the_text_typed(project: Path, tmp_path: Path,
                                              spelling: str) -> None:
    got = assert_imported(project, jsonl(tmp_path, f'{{"id": {spelling}, "text": "t"}}'))
    assert list(got) == ["ok", spelling]


def test_jsonl_number_text_is_refused_not_taken_as_its_spelling(project: Path,
                                                                tmp_path: Path) -> None:
    assert_refused(project, jsonl(tmp_path, '{"id": "a", "text": 1.0}'), "line 2",
                   "must be a string, found a number")


# -- CSV -------------------------------------------------------------------------------------
CSV_VALUES = ["inf", "-inf", "nan", "NaN", "Infinity", "1e400", "-1e400", str(BIG),
              "12345678901234567890123", "-0", "1.0", HUGE_DIGITS]


def test_csv_values_are_text_and_never_become_numbers(project: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.csv"
    rows = ["id,text,value"] + [f"{v},text {i},{v}" for i, v in enumerate(CSV_VALUES)]
    corpus.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = assert_imported(project, corpus)
    assert list(got) == CSV_VALUES  # ids too: exactly as in the file
    assert [json.loads(text)["value"] for text in got.values()] == CSV_VALUES
    assert all(f'"value": "{v}"' in got[v] for v in CSV_VALUES)


# -- XLSX ------------------------------------------------------------------------------------
def workbook(path: Path, rows: list[list[object]], raw: dict[str, str] | None = None) -> Path:
    """Write ``rows`` with openpyxl; ``raw`` patches a numeric cell's stored text.

    ``raw`` maps a placeholder number written by openpyxl to the text put in its ``<v>``
    instead, as a program other than Excel might write it (``NaN``, ``inf``, ``1E400``).
    """
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                for placeholder, text in (raw or {}).items():
                    data = data.replace(f"<v>{placeholder}</v>".encode(), f"<v>{text}</v>".encode())
            dst.writestr(item, data)
    return path


def test_xlsx_written_by_openpyxl_infinite_huge_and_error_cells(project: Path,
                                                               tmp_path: Path) -> None:
    """openpyxl writes inf and NaN as empty cells and 10**30 as 1e+30; error cells stay text."""
    book = workbook(tmp_path / "book.xlsx", [
        ["id", "text", "x"],
        ["inf", "a", float("inf")], ["nan", "b", float("nan")], ["-inf", "c", -float("inf")],
        [BIG, "d", BIG], ["big", "e", 2 ** 63], ["num", "f", "#NUM!"], ["div", "g", "#DIV/0!"],
    ])
    got = assert_imported(project, book)
    assert got == {"inf": '{"x": null}', "nan": '{"x": null}', "-inf": '{"x": null}',
                   "1e+30": '{"x": 1e+30}', "big": '{"x": 9.223372036854776e+18}',
                   "num": '{"x": "#NUM!"}', "div": '{"x": "#DIV/0!"}'}


@pytest.mark.parametrize("text", ["NaN", "inf", "-inf", "#NUM!", "#DIV/0!", "1.2.3",
                                  HUGE_DIGITS])
def test_xlsx_number_cells_openpyxl_cannot_cast_are_one_line(project: Path, tmp_path: Path,
                                                             text: str) -> None:
    book = workbook(tmp_path / "book.xlsx", [["id", "text", "x"], ["a", "t", 1],
                                             ["b", "t", 424242]], {"424242": text})
    shown = repr(text) if len(text) <= 40 else f"{text[:20]!r}... (5,000 characters)"
    assert_refused(project, book, "line 3", "cell C3 (column 'x')", "stored as a number",
                   f"holds {shown}", "save the workbook again")


@pytest.mark.parametrize("text", ["1E400", "-1E400"])
def test_xlsx_number_cells_that_overflow_are_refused(project: Path, tmp_path: Path,
                                                     text: str) -> None:
    metadata = workbook(tmp_path / "book.xlsx", [["id", "text", "x"], ["a", "t", 1],
                                                 ["b", "t", 424242]], {"424242": text})
    assert_refused(project, metadata, "line 3", "metadata column 'x'", "inf",
                   "write a finite number")
    ident = workbook(tmp_path / "ids.xlsx", [["id", "text"], [424242, "t"]], {"424242": text})
    assert_refused(project, ident, "line 2", "cell A2 (the id column 'id')", "inf",
                   "put text or a finite number in the cell")


@pytest.mark.parametrize("text", ["NaN", "inf", "#NUM!"])
def test_stats_reads_ratings_workbooks_through_the_same_cell_guard(tmp_path: Path,
                                                                   text: str) -> None:
    book = workbook(tmp_path / "ratings.xlsx", [["item", "r1", "r2"], ["a", 1, 1],
                                                ["b", 424242, 0], ["c", 1, 0]],
                    {"424242": text})
    run = run_cli(["stats", str(book)])
    assert one_line_error(run, book) is None, run
    assert f"line 3: cell B3 is stored as a number but holds {text!r}" in run.stderr


@pytest.mark.parametrize("serial", ["1E300", "1E20", "99999999"])
def test_xlsx_date_cells_outside_the_calendar_are_refused_not_stored_as_value_errors(
        project: Path, tmp_path: Path, serial: str) -> None:
    import datetime as dt

    book = workbook(tmp_path / "book.xlsx", [["id", "text", "when"], ["a", "t", 1],
                                             ["b", "t", dt.datetime(2020, 1, 1)]],
                    {"43831": serial})
    assert_refused(project, book, "line 3", "cell C3 (column 'when') is stored as a date",
                   "a date or text in the cell")


def test_xlsx_whole_numbers_beyond_64_bits_are_stored_as_their_digits(project: Path,
                                                                    tmp_path: Path) -> None:
    book = workbook(tmp_path / "book.xlsx", [["id", "text", "x"], ["a", "t", 424242]],
                    {"424242": "99999999999999999999999"})
    assert assert_imported(project, book) == {"a": '{"x": "99999999999999999999999"}'}


# -- the storage guard, for every caller -----------------------------------------------------
def test_the_storage_guard_refuses_nan_and_stores_big_integers_as_text(project: Path) -> None:
    assert encode_metadata({"a": 2 ** 64, "b": [-(2 ** 63) - 1, {"c": 2 ** 63 - 1}], "d": "x"}) \
        == '{"a": "18446744073709551616", "b": ["-9223372036854775809", ' \
           '{"c": 9223372036854775807}], "d": "x"}'
    before = digest(project)
    for bad in (float("nan"), float("inf"), [1, -float("inf")], {"deep": float("nan")},
                10 ** 5000):
        with pytest.raises(FormatError) as caught, Store.open(project) as store:
            store.import_sources([SourceRecord("n1", "t", metadata={"ok": 1, "bad": bad},
                                               line=7)], path="api.jsonl")
        assert str(caught.value).startswith("api.jsonl, line 7: metadata column 'bad' holds ")
        assert "write a finite number" in str(caught.value)
    assert digest(project) == before


# -- metadata already in a project -----------------------------------------------------------
DAMAGED = {  # source -> metadata written over it with raw SQL
    "r1": "NaN", "r2": '{"study": Infinity}', "r3": '{"study": 1e999}',
    "r4": '{"study": "S1"', "r5": "[1, 2]", "r6": '{"study": -Infinity, "x": NaN}',
}


def coded_project(path: Path) -> Path:
    """Sources r1..r8, two coders who coded and finished every one, then closed."""
    make_project(path, units=8)
    with Store.open(path) as store:
        code = next(c for c in store.codebook() if c.name == "Listening")
        for name in ("alice", "bob"):
            coder = store.coder(name)
            for source in store.iter_sources():
                store.add_coding(coder.id, source.id, code.id)
                store.mark_done(store.whole_unit(source.id).id, coder.id)
    return path


def damage(path: Path, metadata: dict[str, str]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for external_id, text in metadata.items():
            conn.execute("UPDATE sources SET metadata = ? WHERE external_id = ?",
                         (text, external_id))
    finally:
        conn.close()


def test_check_names_every_unreadable_row_and_the_repair(tmp_path: Path) -> None:
    project = coded_project(tmp_path / "study.qualcode")
    damage(project, DAMAGED)
    before = digest(project)
    run = run_cli(["check", str(project), "--format", "json"])
    assert run.exit_code == 1 and run.exception is None
    findings = [f for f in json.loads(run.stdout)["findings"] if f["check"] == "metadata"]
    assert [f["severity"] for f in findings] == ["error"]
    message = findings[0]["message"]
    assert findings[0]["count"] == len(DAMAGED)
    for external_id in ("r1", "r2", "r3", "r4", "r5"):  # the first five are named
        assert f"source {external_id!r}" in message
    for words in ("holds NaN", "holds Infinity", "holds 1e999", "not valid JSON",
                  "not a JSON object", REPAIR_HINT):
        assert words in message, (words, message)
    assert all(metadata_problem(text) for text in DAMAGED.values())
    assert metadata_problem('{"a": [1, {"b": "NaN"}], "c": 9223372036854775807}') is None
    table = run_cli(["check", str(project)])
    assert table.exit_code == 1 and "metadata" in table.stdout
    assert digest(project) == before


def test_check_warns_of_whole_numbers_sqlite_reads_rounded(tmp_path: Path) -> None:
    project = make_project(tmp_path / "study.qualcode")
    damage(project, {"r2": '{"n": [1, {"m": 99999999999999999999}]}'})
    run = run_cli(["check", str(project), "--format", "json"])
    assert run.exit_code == 0  # a warning: SQLite still reads it
    findings = [f for f in json.loads(run.stdout)["findings"] if f["check"] == "metadata"]
    assert [(f["severity"], f["examples"]) for f in findings] == [("warning", ["r2"])]
    assert "read rounded" in findings[0]["message"]


COMMANDS = [
    ["status"],
    ["export", "themes", "--layer", "alice", "--no-studies"],
    ["export", "themes", "--layer", "alice", "--study-field", "study"],
    ["export", "matrix", "--layer", "alice", "--study-field", "study"],
    ["export", "cooccurrence", "--layer", "alice"],
    ["agreement", "--coders", "alice", "bob"],
    ["agreement", "--coders", "alice", "bob", "--group-by", "study"],
    ["codings", "export"],
    ["log"],
]


@pytest.mark.parametrize("bad", sorted(set(DAMAGED.values())))
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_commands_on_unreadable_metadata_work_or_say_one_line(tmp_path: Path, bad: str,
                                                              command: list[str]) -> None:
    project = coded_project(tmp_path / "study.qualcode")
    damage(project, {"r2": bad})
    split = 2 if command[0] in ("export", "codings") else 1
    run = run_cli([*command[:split], str(project), *command[split:]])
    assert run.exception is None, f"{type(run.exception).__name__}: {run.exception}"
    assert run.exit_code in (0, 1), run.stderr
    if run.exit_code == 1:
        lines = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
        assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
        assert "source 'r2'" in lines[0] and "qualcode check" in lines[0], lines[0]
        assert REPAIR_HINT in lines[0]
    reads_metadata = "--group-by" in command or "--study-field" in command
    if reads_metadata and "1e999" not in bad:  # SQLite reads 1e999, as infinity
        assert run.exit_code == 1


def test_any_other_malformed_json_query_says_check_not_restore(tmp_path: Path) -> None:
    """A query no guard covers still ends in one line pointing at check, not at a backup."""
    from qualcode.storage.failures import explain

    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("SELECT key FROM json_each('{\"a\": NaN}')").fetchall()
    message = str(explain(caught.value, tmp_path / "study.qualcode"))
    assert "malformed JSON" in message and "not a sound" not in message
    assert f"qualcode check {tmp_path / 'study.qualcode'}" in message


def test_reading_sources_never_stops_on_their_metadata(tmp_path: Path) -> None:
    """The coding screen and codings exports read sources: they go on, metadata or not."""
    import asyncio
    import math

    from qualcode.tui.app import make_app

    project = coded_project(tmp_path / "study.qualcode")
    damage(project, DAMAGED)
    with Store.open(project) as store:
        read = {s.external_id: dict(s.metadata) for s in store.iter_sources()}
        assert read["r1"] == {} and read["r4"] == {} and read["r5"] == {}  # not an object
        assert read["r2"] == {"study": math.inf} and math.isinf(read["r3"]["study"])

        async def open_screen() -> str:
            app = make_app(store, "alice")
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                return type(app.screen).__name__

        assert asyncio.run(open_screen()) == "CodingScreen"


def test_import_update_repairs_what_check_found(tmp_path: Path) -> None:
    project = coded_project(tmp_path / "study.qualcode")
    damage(project, {"r2": '{"study": Infinity}', "r3": '{"study": "S1"'})
    fixed = tmp_path / "fixed.jsonl"
    fixed.write_text("".join(json.dumps({"id": i, "text": t, "study": s}) + "\n" for i, t, s in [
        ("r2", "Sessions were too long after a night shift. \U0001F634", "S01"),
        ("r3", "Nothing to add.", "S02")]), encoding="utf-8")
    run = run_cli(["import", str(project), str(fixed), "--update"])
    assert run.exit_code == 0, run.stderr
    assert run_cli(["check", str(project)]).exit_code == 0
    grouped = run_cli(["agreement", str(project), "--coders", "alice", "bob",
                       "--group-by", "study"])
    assert grouped.exit_code == 0, grouped.stderr
