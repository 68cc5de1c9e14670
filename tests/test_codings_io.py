"""Codings in and out: ``qualcode codings import`` / ``export`` (formula guard: test_safe_cells)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpers.store_engines import ENGINES, engine_location
from qualcode.cli import main
from qualcode.interchange.codings_export import CODING_COLUMNS, EXPORT_COLUMNS
from qualcode.interchange.codings_import import read_coding_rows
from qualcode.interchange.safe_cells import FORMULA_TRIGGERS
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store

# Code points, not UTF-16 units or bytes: the family emoji is 5 code points (3 people and
# 2 zero-width joiners), "e\u0301" is 2 (e + combining acute), the flag is 2.
TEXTS = {
    "r1": "The group helped me listen to patients.",
    "r2": "Caf\u00e9 and cafe\u0301 \U0001F469\u200D\U0001F469\u200D\U0001F467 felt like family.",
    "r3": "Nothing to add.",
    "-4": "=HYPERLINK(\"http://example.invalid\",\"click\") \U0001F1EB\U0001F1F7 ok",
}
SPAN_EMOJI = (TEXTS["r2"].index("cafe\u0301"), TEXTS["r2"].index(" felt"))


def _make_project(path: Path) -> Path:
    """Create a project with the corpus and codebook every test starts from."""
    Store.create(path).close()
    return _fill_project(path)


def _fill_project(path: Path) -> Path:
    """Give an empty project the corpus and codebook every test starts from."""
    with Store.open(path) as store:
        store.import_sources([SourceRecord(k, v) for k, v in TEXTS.items()], path="corpus.csv")
        theme = store.add_code("Communication", kind=CodeKind.THEME)
        sub = store.add_code("Skills", kind=CodeKind.SUBTHEME, parent_id=theme.id)
        store.add_code("Listening", parent_id=sub.id)
        store.add_code("Belonging", parent_id=theme.id)
        other = store.add_code("Workload", kind=CodeKind.THEME)
        store.add_code("Belonging", parent_id=other.id)  # same name, another theme
        store.add_code("Time pressure", parent_id=other.id)
        store.add_code("@mention")  # a top-level code a spreadsheet would read as a formula
    return path


@pytest.fixture(params=ENGINES)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The project with the standard corpus and codebook, as a file and on a server."""
    for path in engine_location(request, tmp_path, "study.qualcode"):
        _fill_project(path)
        yield path


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _counts(project: Path) -> dict[str, int]:
    with Store.open(project) as store:
        return {table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("codings", "reviews", "codes", "events", "coders")}


def _codings(project: Path, coder: str, layer: Layer = Layer.CODER) -> set[tuple]:
    """Return a coder's codings as (source id, code path, start, end)."""
    with Store.open(project) as store:
        book = store.codebook()
        coder_id = store.coder(coder, create=False).id
        return {(store.source(c.source_id).external_id, book.path(book.by_id(c.code_id)),
                 c.start, c.end) for c in store.codings(coder_id=coder_id, layer=layer)}


def _done(project: Path, coder: str, layer: Layer = Layer.CODER) -> set[str]:
    with Store.open(project) as store:
        coder_id = store.coder(coder, create=False).id
        return {store.source(store.unit(r.unit_id).source_id).external_id
                for r in store.reviews(coder_id=coder_id, layer=layer)}


HAPPY = (
    "source_id,code,start,end\n"
    "r1,Listening,20,26\n"                       # bare name, span "listen"
    "r1,Communication/Belonging,,\n"             # path, whole unit
    f"r2,Workload/Time pressure,{SPAN_EMOJI[0]},{SPAN_EMOJI[1]}\n"
    "r3,,,\n"                                    # reviewed, no code applies
)


# -- import: the happy path ---------------------------------------------------------------
def test_import_whole_units_spans_and_no_code_rows(project: Path, tmp_path: Path) -> None:
    result = _run("codings", "import", project, _write(tmp_path / "a.csv", HAPPY),
                  "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert "3 codings added, 0 already present, 3 units marked done" in result.output
    assert "the file has no done column, so every source it names was marked done" in \
        result.output
    assert _codings(project, "alice") == {
        ("r1", "Communication/Skills/Listening", 20, 26),
        ("r1", "Communication/Belonging", 0, len(TEXTS["r1"])),
        ("r2", "Workload/Time pressure", *SPAN_EMOJI),
    }
    assert _done(project, "alice") == {"r1", "r2", "r3"}
    with Store.open(project) as store:
        assert TEXTS["r1"][20:26] == "listen"
        coding = next(c for c in store.codings() if c.source_id == store.source_by_external_id(
            "r2").id)
        assert store.source(coding.source_id).excerpt(coding.start, coding.end) == \
            "cafe\u0301 \U0001F469\u200D\U0001F469\u200D\U0001F467"


def test_import_tsv_bom_crlf_blank_lines_and_extra_columns(project: Path, tmp_path: Path) -> None:
    text = ("\ufeffSource_ID\tnote\tCODE\tStart\tEnd\r\n"
            "r1\t\"a\ttabbed\nnote\"\tcommunication/skills/listening\t4\t9\r\n"
            "\r\n"
            "r3\t\t\t\t\r\n")
    result = _run("codings", "import", project, _write(tmp_path / "a.tsv", text),
                  "--coder", "bob")
    assert result.exit_code == 0, result.output
    assert _codings(project, "bob") == {("r1", "Communication/Skills/Listening", 4, 9)}
    assert _done(project, "bob") == {"r1", "r3"}


def test_import_same_file_twice_adds_nothing(project: Path, tmp_path: Path) -> None:
    file = _write(tmp_path / "a.csv", HAPPY)
    _run("codings", "import", project, file, "--coder", "alice")
    before = _counts(project)
    result = _run("codings", "import", project, file, "--coder", "alice")
    assert result.exit_code == 0
    assert "0 codings added, 3 already present, 0 units marked done" in result.output
    after = _counts(project)
    assert {k: after[k] for k in ("codings", "reviews", "codes")} == \
        {k: before[k] for k in ("codings", "reviews", "codes")}


def test_no_mark_done_leaves_units_open(project: Path, tmp_path: Path) -> None:
    result = _run("codings", "import", project, _write(tmp_path / "a.csv", HAPPY),
                  "--coder", "alice", "--no-mark-done")
    assert result.exit_code == 0, result.output
    assert "0 units marked done" in result.output
    assert len(_codings(project, "alice")) == 3
    assert _done(project, "alice") == set()


def test_consensus_layer(project: Path, tmp_path: Path) -> None:
    result = _run("codings", "import", project, _write(tmp_path / "a.csv", HAPPY),
                  "--coder", "lead", "--layer", "consensus")
    assert result.exit_code == 0, result.output
    assert len(_codings(project, "lead", Layer.CONSENSUS)) == 3
    assert _codings(project, "lead", Layer.CODER) == set()
    assert _done(project, "lead", Layer.CONSENSUS) == {"r1", "r2", "r3"}
    assert _done(project, "lead", Layer.CODER) == set()


def test_undo_removes_the_whole_import(project: Path, tmp_path: Path) -> None:
    _run("codings", "import", project, _write(tmp_path / "a.csv", HAPPY), "--coder", "alice")
    with Store.open(project) as store:
        alice = store.coder("alice", create=False).id
        undone = store.undo(alice)
        assert undone is not None and undone.action == "codings.import"
        assert store.codings(coder_id=alice) == []
        assert store.reviews(coder_id=alice) == []
        store.redo(alice)
        assert len(store.codings(coder_id=alice)) == 3
        assert len(store.reviews(coder_id=alice)) == 3


def test_status_shows_the_import(project: Path, tmp_path: Path) -> None:
    _run("codings", "import", project, _write(tmp_path / "a.csv", HAPPY), "--coder", "alice")
    result = _run("status", project, "--format", "json")
    assert result.exit_code == 0, result.output
    alice = json.loads(result.output)["coders"][0]
    assert (alice["coder"], alice["done"], alice["codings"]) == ("alice", 3, 3)
    assert alice["per_code"]["Communication/Skills/Listening"] == 1
    table = _run("status", project)
    assert table.exit_code == 0
    row = next(line for line in table.output.splitlines() if "alice" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == ["alice", "3", "75%", "3"]


# -- codes: create, unknown, ambiguous ------------------------------------------------------
def test_create_codes_builds_the_hierarchy(project: Path, tmp_path: Path) -> None:
    text = ("source_id,code\n"
            "r1,Wellbeing/Rest/Sleep\n"       # new theme, sub-theme and code
            "r2,Wellbeing/Rest/Naps\n"        # reuses the new theme and sub-theme
            "r2,Workload/Staffing\n"          # new code under an existing theme
            "r3,Loose end\n")                 # a bare new name: a top-level code
    result = _run("codings", "import", project, _write(tmp_path / "a.csv", text),
                  "--coder", "alice", "--create-codes")
    assert result.exit_code == 0, result.output
    assert "6 codes created" in result.output
    with Store.open(project) as store:
        book = store.codebook()
        kinds = {book.path(c): (c.kind, c.codable) for c in book}
    assert kinds["Wellbeing"] == (CodeKind.THEME, False)
    assert kinds["Wellbeing/Rest"] == (CodeKind.SUBTHEME, False)
    assert kinds["Wellbeing/Rest/Sleep"] == (CodeKind.CODE, True)
    assert kinds["Wellbeing/Rest/Naps"] == (CodeKind.CODE, True)
    assert kinds["Workload/Staffing"] == (CodeKind.CODE, True)
    assert kinds["Loose end"] == (CodeKind.CODE, True)
    assert {c[1] for c in _codings(project, "alice")} == {
        "Wellbeing/Rest/Sleep", "Wellbeing/Rest/Naps", "Workload/Staffing", "Loose end"}


def test_unknown_code_fails_and_imports_nothing(project: Path, tmp_path: Path) -> None:
    before = _counts(project)
    text = "source_id,code\nr1,Listening\nr2,Time presure\n"
    result = _run("codings", "import", project, _write(tmp_path / "a.csv", text),
                  "--coder", "alice")
    assert result.exit_code == 1
    assert "a.csv, line 3: unknown code 'Time presure'" in result.output
    assert "'Workload/Time pressure'" in result.output  # closest existing path
    assert "--create-codes" in result.output
    assert _counts(project) == before


def test_create_codes_rolled_back_when_a_later_row_fails(project: Path, tmp_path: Path) -> None:
    before = _counts(project)
    # The offset is past the end of r3's text: only the store sees that, while writing.
    text = "source_id,code,start,end\nr1,Brand new,,\nr3,Listening,0,999\n"
    result = _run("codings", "import", project, _write(tmp_path / "a.csv", text),
                  "--coder", "alice", "--create-codes")
    assert result.exit_code == 1
    assert "line 3" in result.output and "outside source 'r3'" in result.output
    assert _counts(project) == before


def test_ambiguous_bare_name_lists_candidates(project: Path, tmp_path: Path) -> None:
    result = _run("codings", "import", project,
                  _write(tmp_path / "a.csv", "source_id,code\nr1,Belonging\n"),
                  "--coder", "alice", "--create-codes")
    assert result.exit_code == 1
    assert "line 2: code 'Belonging' is ambiguous" in result.output
    assert "'Communication/Belonging'" in result.output
    assert "'Workload/Belonging'" in result.output


@pytest.mark.parametrize(("code", "message"), [
    ("Communication", "is a theme that is not codable"),
    ("Communication/Skills", "is a sub-theme that is not codable"),
])
def test_non_codable_nodes_are_refused(project: Path, tmp_path: Path, code: str,
                                       message: str) -> None:
    result = _run("codings", "import", project,
                  _write(tmp_path / "a.csv", f"source_id,code\nr1,{code}\n"), "--coder", "a")
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize(("rows", "message"), [
    ("r1,A/B/C/D\n", "at most 3 parts"),
    ("r1,Communication/Skills/Listening/Deeper\n", "at most 3 parts"),
    ("r1,Workload/Time pressure/Sub\n", "that is a code, and codes have no children"),
    ("r1,New/Leaf\nr2,New/Leaf/Deeper\n", "needs 'New/Leaf' as a theme or sub-theme"),
    ("r1,New//Leaf\n", "has an empty part"),
])
def test_create_codes_refuses_impossible_paths(project: Path, tmp_path: Path, rows: str,
                                               message: str) -> None:
    before = _counts(project)
    result = _run("codings", "import", project,
                  _write(tmp_path / "a.csv", "source_id,code\n" + rows), "--coder", "alice",
                  "--create-codes")
    assert result.exit_code == 1
    assert message in result.output
    assert _counts(project) == before


# -- import: malformed files ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "line", "message"), [
    ("source_id,code,start,end\nr1,Listening,0,999\n", 2, "outside source 'r1'"),
    ("source_id,code,start,end\nr1,Listening,9,4\n", 2, "start 9 is after end 4"),
    ("source_id,code,start,end\nr1,Listening,1.5,4\n", 2, "start '1.5' is not a whole number"),
    ("source_id,code,start,end\nr1,Listening,0,four\n", 2, "end 'four' is not a whole number"),
    ("source_id,code,start,end\nr1,Listening,-1,4\n", 2, "start '-1' is not a whole number"),
    ("source_id,code,start,end\nr1,Listening,3,\n", 2, "start is given but end is empty"),
    ("source_id,code,start,end\nr1,,3,4\n", 2, "cannot have start/end"),
    ("source_id,code,start\nr1,Listening,3\n", 1, "has a start column but no end column"),
    ("source_id,code\nr1,Listening\nr2,Listening,extra\n", 3,
     "row has 3 cells but the header has 2"),
    ("source_id,code\nr1,Listening\nnope,Listening\n", 3, "unknown source_id 'nope'"),
    ("source_id,code\n,Listening\n", 2, "source_id is empty"),
    ("id,text,label\nr1,x,y\n", 1, "missing required column(s) source_id, code; found columns: "
                                   "'id', 'text', 'label'"),
    ("source_id,code\nr1,\"Listening\n", 2, "never closed"),
    ("source_id,code,Code\nr1,a,b\n", 1, "column 'code' appears twice"),
    ("source_id,code\n", None, "has a header but no rows"),
    ("", None, "is empty; expected a header row"),
    ("source_id,code,coder\nr1,Listening,bob\n", 2, "this row belongs to coder 'bob' but"),
    ("source_id,code,layer\nr1,Listening,consensus\n", 2, "in the 'consensus' layer"),
    ("source_id,code,layer\nr1,Listening,final\n", 2, "layer 'final' is neither"),
])
def test_malformed_files_fail_cleanly(project: Path, tmp_path: Path, text: str,
                                      line: int | None, message: str) -> None:
    before = _counts(project)
    result = _run("codings", "import", project, _write(tmp_path / "bad.csv", text),
                  "--coder", "alice")
    assert result.exit_code == 1, result.output
    where = "bad.csv" if line is None else f"bad.csv, line {line}:"
    assert where in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert _counts(project) == before


def test_not_utf8_names_the_line(project: Path, tmp_path: Path) -> None:
    file = _write(tmp_path / "latin.csv", "source_id,code\nr1,Listening\nr2,Caf\u00e9\n",
                  encoding="latin-1")
    result = _run("codings", "import", project, file, "--coder", "alice")
    assert result.exit_code == 1
    assert "latin.csv, line 3: is not UTF-8 (byte 0xE9" in result.output
    utf16 = _write(tmp_path / "wide.csv", "\ufeffsource_id,code\nr1,Listening\n", "utf-16")
    result = _run("codings", "import", project, utf16, "--coder", "alice")
    assert result.exit_code == 1 and "is UTF-16, not UTF-8" in result.output


def test_unsupported_file_kinds(project: Path, tmp_path: Path) -> None:
    result = _run("codings", "import", project, _write(tmp_path / "a.xlsx", "x"), "--coder", "a")
    assert result.exit_code == 1 and "save it as CSV" in result.output
    result = _run("codings", "import", project, tmp_path / "missing.csv", "--coder", "a")
    assert result.exit_code == 1 and "file not found" in result.output


def test_reader_reports_physical_lines_across_quoted_newlines(tmp_path: Path) -> None:
    text = 'source_id,note,code\nr1,"two\nlines",A\n\nr2,x,\n'
    rows = list(read_coding_rows(_write(tmp_path / "a.csv", text)))
    assert [(r.source_id, r.code, r.line) for r in rows] == [("r1", "A", 2), ("r2", None, 5)]


# -- export ---------------------------------------------------------------------------------
@pytest.fixture
def coded(project: Path, tmp_path: Path) -> Path:
    """The project with alice's codings (HAPPY plus a formula-like and odd codes) and bob's."""
    text = HAPPY + f"-4,@mention,0,{len(TEXTS['-4'])}\n-4,Workload/Belonging,,\n"
    assert _run("codings", "import", project, _write(tmp_path / "alice.csv", text),
                "--coder", "alice").exit_code == 0
    assert _run("codings", "import", project,
                _write(tmp_path / "bob.csv", "source_id,code\nr1,Listening\n"),
                "--coder", "bob", "--layer", "consensus").exit_code == 0
    return project


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_csv_columns_and_rows(coded: Path) -> None:
    result = _run("codings", "export", coded)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    rows = _csv_rows(result.output)
    assert len(rows) == 7  # 6 codings and alice's r3, done with no code
    assert [(r["source_id"], r["code"], r["done"], r["unit"]) for r in rows
            if r["source_id"] == "r3"] == [("r3", "", "yes", "source")]
    listen = next(r for r in rows if r["coder"] == "alice" and r["start"] == "20")
    assert listen["done"] == "yes" and listen["unit"] == "source"
    assert listen["code"] == "Communication/Skills/Listening"
    assert listen["text"] == "listen" and listen["end"] == "26"
    assert listen["layer"] == "coder" and listen["source_id"] == "r1"
    assert len(listen["coding_guid"]) == 36 and len(listen["code_guid"]) == 36
    assert listen["created_at"].startswith("20")
    emoji = next(r for r in rows if r["source_id"] == "r2")
    assert emoji["text"] == "cafe\u0301 \U0001F469\u200D\U0001F469\u200D\U0001F467"


def test_export_filters_by_coder_and_layer(coded: Path) -> None:
    alice = _csv_rows(_run("codings", "export", coded, "--coder", "alice").output)
    assert {r["coder"] for r in alice} == {"alice"} and len(alice) == 6
    both = _csv_rows(_run("codings", "export", coded, "--coder", "alice", "--coder", "bob").output)
    assert len(both) == 7
    consensus = _csv_rows(_run("codings", "export", coded, "--layer", "consensus").output)
    assert [(r["coder"], r["layer"]) for r in consensus] == [("bob", "consensus")]
    coder_layer = _csv_rows(_run("codings", "export", coded, "--layer", "coder").output)
    assert {r["layer"] for r in coder_layer} == {"coder"} and len(coder_layer) == 6
    unknown = _run("codings", "export", coded, "--coder", "carol")
    assert unknown.exit_code == 1 and "no coder named 'carol'" in unknown.output
    assert "coder,layer" not in unknown.output  # nothing written before the error


def test_export_neutralises_formulas_in_csv_but_not_jsonl(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = _run("codings", "export", coded, "--coder", "alice", "--no-done-rows", "-o", out)
    assert result.exit_code == 0 and "Exported 5 rows" in result.output
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    formula = [r for r in rows if r["source_id"].endswith("-4")]
    assert formula and all(r["source_id"] == "'-4" for r in formula)
    assert {r["code"] for r in formula} == {"'@mention", "Workload/Belonging"}
    whole = next(r for r in formula if r["code"] == "'@mention")
    assert whole["text"] == "'" + TEXTS["-4"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_TRIGGERS), value
    jsonl = tmp_path / "out.jsonl"  # the suffix picks the format
    assert _run("codings", "export", coded, "--coder", "alice", "-o", jsonl).exit_code == 0
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert all(list(r) == list(EXPORT_COLUMNS) for r in records)
    exact = next(r for r in records if r["code"] == "@mention")
    assert exact["done"] is True and exact["unit"] == "source"
    assert exact["text"] == TEXTS["-4"] and exact["source_id"] == "-4"
    assert isinstance(exact["start"], int) and exact["end"] == len(TEXTS["-4"])


def test_export_jsonl_to_stdout_and_bom(coded: Path, tmp_path: Path) -> None:
    result = _run("codings", "export", coded, "--format", "jsonl", "--layer", "consensus")
    assert [json.loads(line)["coder"] for line in result.output.splitlines()] == ["bob"]
    out = tmp_path / "excel.csv"
    assert _run("codings", "export", coded, "--bom", "-o", out).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcoder,layer,")


def test_round_trip_into_a_fresh_project(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "alice-export.csv"
    assert _run("codings", "export", coded, "--coder", "alice", "--layer", "coder",
                "-o", out).exit_code == 0
    fresh = _make_project(tmp_path / "fresh.qualcode")
    result = _run("codings", "import", fresh, out, "--coder", "alice")
    assert result.exit_code == 0, result.output
    original = _codings(coded, "alice")
    assert len(original) == 5
    assert _codings(fresh, "alice") == original
    # Spans on emoji and combining marks point at the same passage in the new project.
    with Store.open(fresh) as store:
        texts = {store.source(c.source_id).excerpt(c.start, c.end) for c in store.codings()}
    assert "cafe\u0301 \U0001F469\u200D\U0001F469\u200D\U0001F467" in texts
    assert TEXTS["-4"] in texts


def test_done_rows_carry_no_code_decisions_through_a_round_trip(coded: Path,
                                                               tmp_path: Path) -> None:
    """r3 was marked done with no code: --no-done-rows leaves that decision out."""
    plain = _run("codings", "export", coded, "--coder", "alice", "--no-done-rows").output
    assert plain.splitlines()[0] == ",".join(CODING_COLUMNS)
    assert "r3" not in {r["source_id"] for r in _csv_rows(plain)}
    out = tmp_path / "alice-done.csv"
    result = _run("codings", "export", coded, "--coder", "alice", "--layer", "coder",
                  "-o", out)
    assert result.exit_code == 0, result.output
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    no_code = [r for r in rows if r["code"] == ""]
    assert [(r["source_id"], r["start"], r["end"], r["text"]) for r in no_code] == [
        ("r3", "", "", "")]
    fresh = _make_project(tmp_path / "fresh.qualcode")
    assert _run("codings", "import", fresh, out, "--coder", "alice").exit_code == 0
    assert _done(fresh, "alice") == _done(coded, "alice")
    assert _codings(fresh, "alice") == _codings(coded, "alice")
    # Bob's consensus decision stays out of a coder-layer export.
    assert {r["coder"] for r in rows} == {"alice"}


def test_export_of_both_layers_does_not_import_into_one(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    _run("codings", "export", coded, "-o", out)
    fresh = _make_project(tmp_path / "fresh.qualcode")
    result = _run("codings", "import", fresh, out, "--coder", "alice")
    assert result.exit_code == 1
    assert "belongs to coder 'bob' but the import is for 'alice'" in result.output


# -- help ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["codings"], ["codings", "import"], ["codings", "export"]])
def test_help(command: list[str]) -> None:
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and "Example" in result.output


def test_long_cells_read_without_changing_the_global_csv_limit(project: Path,
                                                                tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    long_note = "word " * 40_000  # 200,000 characters: over the csv module's 128 KiB default
    text = f'source_id,code,text\nr1,Listening,"{long_note}"\n'
    result = _run("codings", "import", project, _write(tmp_path / "long.csv", text),
                  "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert csv.field_size_limit() == limit
