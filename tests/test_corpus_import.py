"""Corpus import: every format, every refused input, --update, --skip-empty, streaming."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from helpers.store_engines import ENGINES, engine_store
from qualcode.cli import main
from qualcode.errors import FormatError
from qualcode.interchange.corpus_import import detect_format, import_corpus, read_corpus
from qualcode.interchange.readers import delimited
from qualcode.model import CodeKind
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

CRLF_TEXT = "First line\r\nsecond, with \"quotes\" and a comma\r\nthird 😀 e\u0301"


# -- helpers ---------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project file (closed, so the CLI opens it itself)."""
    path = tmp_path / "study.qualcode"
    Store.create(path).close()
    return path


def run(*args: object) -> object:
    """Invoke the CLI with stdout and stderr kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(project: Path) -> tuple[int, int, int, int]:
    """Sources, units, events and coders: what any import, even a failed one, could change."""
    with Store.open(project) as store:
        return (store.source_count(), store.unit_count(), len(store.events()),
                len(store.coders()))


def sources(project: Path) -> dict[str, tuple[str, str, dict]]:
    """Map external id to (name, text, metadata) for every source of a project."""
    with Store.open(project) as store:
        return {s.external_id: (s.name, s.text, dict(s.metadata)) for s in store.iter_sources()}


def write_bytes(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# -- every format imports ----------------------------------------------------------------
def test_csv_keeps_text_exactly_and_every_other_column_as_metadata(project: Path,
                                                                    tmp_path: Path) -> None:
    quoted = CRLF_TEXT.replace('"', '""')
    data = f'id,study,text,participant\r\n1,S01,"{quoted}",P7\r\n2,S02,plain,P8\r\n'
    corpus = write_bytes(tmp_path, "answers.csv", data.encode("utf-8"))
    result = run("import", project, corpus)
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Imported {corpus} into {project}: 2 added, 0 updated, "
                             "0 unchanged, 0 skipped\n")
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    got = sources(project)
    assert got["1"] == ("1", CRLF_TEXT, {"study": "S01", "participant": "P7"})
    assert got["2"] == ("2", "plain", {"study": "S02", "participant": "P8"})


def test_csv_line_numbers_follow_multi_line_fields(tmp_path: Path) -> None:
    data = 'id,text\n1,"a\nb\nc"\n\n2,d\n3,"e\r\nf"\n4,g\n'
    corpus = write_bytes(tmp_path, "c.csv", data.encode())
    assert [(r.external_id, r.line) for r in read_corpus(corpus)] == [
        ("1", 2), ("2", 6), ("3", 7), ("4", 9)]


def test_utf8_bom_is_accepted_and_not_part_of_the_first_column(project: Path,
                                                               tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "bom.csv", b"\xef\xbb\xbfid,text\n1,caf\xc3\xa9\n")
    assert run("import", project, corpus).exit_code == 0
    assert sources(project)["1"][1] == "café"


def test_tsv_with_quoted_tabs_and_newlines(project: Path, tmp_path: Path) -> None:
    data = 'id\ttext\tsite\n1\t"tab\there\nand newline"\tLeeds\n2\tIt\'s "fine"\tYork\n'
    corpus = write_bytes(tmp_path, "answers.tsv", data.encode())
    result = run("import", project, corpus)
    assert result.exit_code == 0, result.output
    got = sources(project)
    assert got["1"][1:] == ("tab\there\nand newline", {"site": "Leeds"})
    assert got["2"][1] == 'It\'s "fine"'


def test_jsonl_numbers_become_string_ids_and_metadata_keeps_json_values(
        project: Path, tmp_path: Path) -> None:
    lines = [{"id": 7, "text": CRLF_TEXT, "age": 34, "tags": ["a", "b"]},
             {"id": 8.0, "text": "x", "age": None},
             {"id": "r9", "text": "y"}]
    corpus = write_bytes(tmp_path, "c.jsonl", ("\n".join(json.dumps(x, ensure_ascii=False)
                                                          for x in lines) + "\n\n").encode())
    result = run("import", project, corpus)
    assert result.exit_code == 0, result.output
    got = sources(project)
    assert got["7"][1:] == (CRLF_TEXT, {"age": 34, "tags": ["a", "b"]})
    assert got["8.0"][2] == {"age": None}  # a number id stays as typed (issue 11, item 10)
    assert got["r9"][2] == {}
    assert [r.line for r in read_corpus(corpus)] == [1, 2, 3]


def test_xlsx_converts_cells_sensibly_and_numbers_rows_from_the_header(
        project: Path, tmp_path: Path) -> None:
    corpus = write_xlsx(tmp_path / "c.xlsx", {
        "Notes": [["ignored"]],
        "Answers": [["id", "text", "wave", "score", "when"],
                    [101, "Line one\nline two 😀", 2, 3.5, dt.date(2024, 5, 1)],
                    [102.0, "second", 1.0, None, None],
                    [],
                    ["r3", "third", "w", 0, None]]})
    result = run("import", project, corpus, "--sheet", "Answers")
    assert result.exit_code == 0, result.output
    got = sources(project)
    assert got["101"][1:] == ("Line one\nline two 😀",
                              {"wave": 2, "score": 3.5, "when": "2024-05-01T00:00:00"})
    assert got["102"][2] == {"wave": 1, "score": None, "when": None}
    assert [r.line for r in read_corpus(corpus, sheet="Answers")] == [2, 3, 5]


def test_xlsx_first_sheet_by_default(tmp_path: Path) -> None:
    corpus = write_xlsx(tmp_path / "c.xlsx", {"First": [["id", "text"], ["a", "one"]],
                                              "Second": [["id", "text"], ["b", "two"]]})
    assert [r.external_id for r in read_corpus(corpus)] == ["a"]


def test_folder_of_text_files_sorted_with_relative_ids(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    (folder / "site b").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "p02.txt").write_bytes("second\r\ninterview".encode())
    (folder / "p01.md").write_bytes("# first 😀\n".encode())
    (folder / "site b" / "p03.TXT").write_bytes(b"third")
    (folder / "slides.pptx").write_bytes(b"not read: a format qualcode does not import")
    (folder / ".hidden" / "x.txt").write_bytes(b"hidden")
    result = run("import", project, folder)
    assert result.exit_code == 0, result.output
    assert "3 added" in result.stdout
    with Store.open(project) as store:
        got = [(s.external_id, s.name, s.text, dict(s.metadata)) for s in store.iter_sources()]
    assert got == [("p01", "p01.md", "# first 😀\n", {"file": "p01.md"}),
                   ("p02", "p02.txt", "second\r\ninterview", {"file": "p02.txt"}),
                   ("site b/p03", "p03.TXT", "third", {"file": "site b/p03.TXT"})]


def test_column_options_and_format_override(project: Path, tmp_path: Path) -> None:
    data = "response,body,who,study,wave\nr1,Hello,Ann,S1,1\n"
    corpus = write_bytes(tmp_path, "export.txt", data.encode())
    result = run("import", project, corpus, "--format", "csv", "--id-col", "response",
                 "--text-col", "body", "--name-col", "who", "--meta", "study")
    assert result.exit_code == 0, result.output
    assert sources(project)["r1"] == ("Ann", "Hello", {"study": "S1"})


def test_no_meta_keeps_no_metadata(project: Path, tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text,study\n1,a,S\n")
    assert run("import", project, corpus, "--no-meta").exit_code == 0
    assert sources(project)["1"][2] == {}


def test_meta_and_no_meta_together_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text,study\n1,a,S\n")
    result = run("import", project, corpus, "--no-meta", "--meta", "study")
    assert result.exit_code == 2
    assert snapshot(project) == (0, 0, 0, 0)


# -- refused inputs ----------------------------------------------------------------------
LATE_LATIN1 = b"id,text\n" + b"".join(b"%d,row %d\n" % (i, i) for i in range(1, 9000)) + \
    b"9000,na\xefve\n"
BAD_INPUTS = [
    # (file name, content, extra options, expected line, words the message must contain)
    ("latin1.csv", b"id,text\n1,ok\n2,caf\xe9\n", [], 3, ["not UTF-8", "Latin-1", "UTF-8"]),
    ("cp1252.csv", b"id,text\n1,\x93quoted\x94\n", [], 2, ["not UTF-8", "Windows-1252"]),
    ("late.csv", LATE_LATIN1, [], 9001, ["not UTF-8", "0xEF"]),
    ("utf16.csv", "id,text\n1,x\n".encode("utf-16"), [], 1, ["UTF-16", "save it as UTF-8"]),
    ("utf16le.csv", "id,text\n1,x\n".encode("utf-16-le"), [], 1, ["UTF-16"]),
    ("nul.csv", b"id,text\n1,a\n2,b\x00c\n", [], 3, ["NUL"]),
    ("more.csv", b"id,text\n1,a\n2,b,c\n", [], 3, ["expected 2 fields", "found 3"]),
    ("fewer.csv", b"id,text,study\n1,a\n", [], 2, ["expected 3 fields", "found 2"]),
    ("noid.csv", b"ID,text\n1,a\n", [], 1, ["no id column 'id'", "'ID'", "--id-col"]),
    ("notext.csv", b"id,txt\n1,a\n", [], 1, ["no text column 'text'", "'txt'", "--text-col"]),
    ("noname.csv", b"id,text\n1,a\n", ["--name-col", "who"], 1, ["no name column 'who'"]),
    ("nometa.csv", b"id,text,study\n1,a,S\n", ["--meta", "stduy"], 1, ["'study'", "--meta"]),
    ("dupcol.csv", b"id,text,id\n1,a,2\n", [], 1, ["'id' twice"]),
    ("blankcol.csv", b"id,text,\n1,a,\n", [], 1, ["column 3", "no name"]),
    ("emptyid.csv", b"id,text\n1,a\n ,b\n", [], 3, ["id is empty"]),
    ("emptytext.csv", b"id,text\n1,a\n2,  \n", [], 3, ["empty", "--skip-empty"]),
    ("empty.csv", b"", [], 1, ["empty"]),
    ("header.csv", b"id,text\n", [], 1, ["no data rows"]),
    ("dupid.csv", b"id,text\n1,a\n2,b\n1,c\n", [], 4, ["duplicate id '1'"]),
    ("unclosed.csv", b'id,text\n1,a\n2,"never closed\n3,c\n', [], 3, ["never closed"]),
    ("badquote.csv", b'id,text\n1,"a"b\n', [], 2, ["quot"]),
    ("bad.jsonl", b'{"id": 1, "text": "a"}\n{"id": 2, "text": \n', [], 2, ["invalid JSON"]),
    ("array.jsonl", b'{"id": 1, "text": "a"}\n[1, 2]\n', [], 2, ["an array", "not an object"]),
    ("listid.jsonl", b'{"id": [1], "text": "a"}\n', [], 1, ["id", "an array"]),
    ("boolid.jsonl", b'{"id": true, "text": "a"}\n', [], 1, ["id", "true/false"]),
    ("numtext.jsonl", b'{"id": 1, "text": 5}\n', [], 1, ["text", "a number"]),
    ("nulltext.jsonl", b'{"id": 1, "text": null}\n', [], 1, ["empty", "--skip-empty"]),
    ("notextkey.jsonl", b'{"id": 1, "body": "a"}\n', [], 1, ["no text column", "'body'"]),
    ("nan.jsonl", b'{"id": 1, "text": "a", "x": NaN}\n', [], 1, ["NaN"]),
    ("empty.jsonl", b"\n\n", [], 1, ["no JSON objects"]),
    ("latin1.jsonl", b'{"id": 1, "text": "caf\xe9"}\n', [], 1, ["not UTF-8"]),
]


@pytest.mark.parametrize(("name", "content", "options", "line", "words"), BAD_INPUTS,
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_one_line_naming_file_and_line_and_changes_nothing(
        project: Path, tmp_path: Path, name: str, content: bytes, options: list[str],
        line: int, words: list[str]) -> None:
    seed = write_bytes(tmp_path, "seed.csv", b"id,text\nseed,already here\n")
    assert run("import", project, seed, "--coder", "alice").exit_code == 0
    before = snapshot(project)
    corpus = write_bytes(tmp_path, name, content)
    result = run("import", project, corpus, *options, "--coder", "bob")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    message = result.stderr
    assert message.count("\n") == 1 and "Traceback" not in message
    assert message.startswith(f"Error: {corpus}, line {line}: "), message
    for word in words:
        assert word in message
    assert snapshot(project) == before  # bob not created either: one transaction


def test_error_line_is_exact_inside_a_large_file(tmp_path: Path) -> None:
    """The bad byte sits after the decoder's first chunks: the line must still be exact."""
    corpus = write_bytes(tmp_path, "late.csv", LATE_LATIN1)
    stream = read_corpus(corpus)
    first = next(stream)  # streaming: rows before the bad byte are read lazily
    assert first.external_id == "1"
    with pytest.raises(FormatError) as caught:
        list(stream)
    assert caught.value.line == 9001
    offset = LATE_LATIN1.index(b"\xef")
    assert f"byte offset {offset}" in str(caught.value)


def test_field_larger_than_the_limit_is_refused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "MAX_FIELD_BYTES", 1000)
    corpus = write_bytes(tmp_path, "big.csv", b"id,text\n1,ok\n2," + b"x" * 2000 + b"\n")
    with pytest.raises(FormatError, match="larger than") as caught:
        list(read_corpus(corpus))
    assert caught.value.line == 3


def test_default_field_limit_allows_long_transcripts(tmp_path: Path) -> None:
    long_text = "word " * 100_000  # 500 KB, well past the csv module's 128 KB default
    corpus = write_bytes(tmp_path, "long.csv", f"id,text\n1,{long_text}\n".encode())
    assert [r.text for r in read_corpus(corpus)] == [long_text]


@pytest.mark.parametrize(("setup", "words"), [
    ("not_zip", ["not a valid .xlsx"]),
    ("no_sheet", ["no sheet named 'Missing'", "'Answers'", "--sheet"]),
    ("ragged", ["expected 2 fields", "found 3"]),
    ("empty_sheet", ["worksheet is empty"]),
    ("dup_header", ["'id' twice"]),
])
def test_bad_xlsx(project: Path, tmp_path: Path, setup: str, words: list[str]) -> None:
    path = tmp_path / "c.xlsx"
    options: list[str] = []
    if setup == "not_zip":
        path.write_bytes(b"id,text\n1,a\n")
    elif setup == "no_sheet":
        write_xlsx(path, {"Answers": [["id", "text"], [1, "a"]]})
        options = ["--sheet", "Missing"]
    elif setup == "ragged":
        write_xlsx(path, {"S": [["id", "text"], [1, "a"], [2, "b", "stray"]]})
    elif setup == "empty_sheet":
        write_xlsx(path, {"S": []})
    else:
        write_xlsx(path, {"S": [["id", "text", "id"], [1, "a", 2]]})
    result = run("import", project, path, *options)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}") and result.stderr.count("\n") == 1
    for word in words:
        assert word in result.stderr
    if setup == "ragged":
        assert ", line 3: " in result.stderr
    assert snapshot(project) == (0, 0, 0, 0)


@pytest.mark.parametrize(("files", "options", "words"), [
    ({"a.txt": b"fine", "b.txt": b"caf\xe9"}, [], ["b.txt, line 1", "not UTF-8"]),
    ({"a.txt": b"fine", "b.txt": b"  \n"}, [], ["b.txt", "empty", "--skip-empty"]),
    ({"a.txt": b"one", "a.md": b"two"}, [], ["same id 'a'"]),
    ({"a.txt": b"\xff\xfea\x00"}, [], ["UTF-16"]),
    ({"slides.pptx": b"x"}, [], ["has no files qualcode reads", ".docx", ".pdf", ".txt"]),
    ({"notes.docx": b"x"}, [], ["notes.docx", "not a readable .docx"]),
    ({"a.txt": b"x"}, ["--id-col", "x"], ["--id-col", "not to text files or documents"]),
])
def test_bad_folder(project: Path, tmp_path: Path, files: dict[str, bytes], options: list[str],
                    words: list[str]) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = run("import", project, folder, *options)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    assert snapshot(project) == (0, 0, 0, 0)


@pytest.mark.parametrize(("name", "words"), [
    ("corpus.json", ["JSON Lines", "--format jsonl"]),
    ("corpus.xls", [".xlsx"]),
    ("corpus.doc", ["old binary Word file", "save it as .docx"]),
    ("corpus.pptx", ["cannot tell the corpus format", ".docx", ".pdf", "--format"]),
    ("missing.csv", ["no such file"]),
])
def test_unknown_or_missing_files(project: Path, tmp_path: Path, name: str,
                                  words: list[str]) -> None:
    path = tmp_path / name
    if name != "missing.csv":
        path.write_bytes(b"id,text\n1,a\n")
    result = run("import", project, path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: ")
    for word in words:
        assert word in result.stderr


def test_detect_format() -> None:
    assert [detect_format(Path(f"x.{e}")) for e in ("csv", "TSV", "jsonl", "ndjson", "xlsx")] \
        == ["csv", "tsv", "jsonl", "jsonl", "xlsx"]


# -- --skip-empty ------------------------------------------------------------------------
def test_skip_empty_leaves_blank_rows_out_and_counts_them(project: Path, tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text\n1,a\n2,\n3,\t \n4,d\n")
    result = run("import", project, corpus, "--skip-empty")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2 added, 0 updated, 0 unchanged, 2 skipped "
                                          "(empty text: line 3, line 4)")
    assert sorted(sources(project)) == ["1", "4"]


def test_skip_empty_when_every_row_is_empty_is_an_error(project: Path, tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text\n1,\n2, \n")
    result = run("import", project, corpus, "--skip-empty")
    assert result.exit_code == 1 and "all 2 rows have empty text" in result.stderr


def test_skip_empty_in_a_folder(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    (folder / "b.txt").write_text("")
    report = import_corpus(store, folder, skip_empty=True)
    assert (report.added, report.skipped) == (1, ("b.txt",))


# -- re-import and --update --------------------------------------------------------------
def test_reimport_is_refused_without_update(project: Path, tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text\n1,a\n2,b\n")
    assert run("import", project, corpus).exit_code == 0
    before = snapshot(project)
    result = run("import", project, corpus)
    assert result.exit_code == 1
    assert f"{corpus}, line 2: id '1' is already in the project" in result.stderr
    assert "--update" in result.stderr
    assert snapshot(project) == before


def test_update_changes_metadata_and_leaves_the_rest(project: Path, tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text,study\n1,a,S1\n2,b,S2\n")
    assert run("import", project, corpus).exit_code == 0
    corpus.write_bytes(b"id,text,study\n1,a,S9\n2,b,S2\n3,c,S3\n")
    result = run("import", project, corpus, "--update")
    assert result.exit_code == 0, result.output
    assert "1 added, 1 updated, 1 unchanged, 0 skipped" in result.stdout
    got = sources(project)
    assert (got["1"][2], got["2"][2], got["3"][2]) == ({"study": "S9"}, {"study": "S2"},
                                                       {"study": "S3"})


def test_update_refuses_new_text_for_a_coded_source(tmp_path: Path, store: Store) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text\n1,original text\n2,other\n")
    import_corpus(store, corpus)
    code = store.add_code("Time pressure", kind=CodeKind.CODE)
    alice = store.coder("alice")
    source = store.source_by_external_id("1")
    store.add_coding(alice.id, source.id, code.id, 0, 8)
    events = len(store.events())
    corpus.write_bytes(b"id,text\n2,changed but uncoded\n1,new text\n")
    with pytest.raises(FormatError, match="codings") as caught:
        import_corpus(store, corpus, update=True)
    assert caught.value.line == 3
    assert store.source_by_external_id("1").text == "original text"
    assert store.source_by_external_id("2").text == "other"  # rolled back with the rest
    assert len(store.events()) == events


def test_coder_is_recorded_on_the_import_event(tmp_path: Path, store: Store) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text\n1,a\n")
    report = import_corpus(store, corpus, coder="alice")
    assert report.added == 1
    event = store.events()[-1]
    assert event.action == "sources.import"
    assert event.coder_id == store.coder("alice", create=False).id


# -- streaming ---------------------------------------------------------------------------
def test_reader_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Reading 20,000 rows (about 4 MB) must hold one row at a time, not the file."""
    row = "x" * 200
    corpus = tmp_path / "many.csv"
    with corpus.open("w", encoding="utf-8") as handle:
        handle.write("id,study,text\n")
        for i in range(20_000):
            handle.write(f"{i},S{i % 7},{row} {i}\n")
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_corpus(corpus))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < corpus.stat().st_size / 10, (peak, corpus.stat().st_size)


def test_rows_of_empty_fields_are_passed_over_like_blank_lines(tmp_path: Path) -> None:
    corpus = write_bytes(tmp_path, "c.csv", b"id,text,study\n1,a,S\n,,\n  \n2,b,S\n , ,\n")
    assert [(r.external_id, r.line) for r in read_corpus(corpus)] == [("1", 2), ("2", 5)]
    only_blank = write_bytes(tmp_path, "blank.csv", b"id,text\n,\n")
    with pytest.raises(FormatError, match="no data rows"):
        list(read_corpus(only_blank))


def test_progress_shows_rows_on_a_terminal(project: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from qualcode.cli import corpus as corpus_cli

    screen = io.StringIO()
    monkeypatch.setattr(corpus_cli, "stderr_console",
                        lambda: Console(file=screen, force_terminal=True, width=100))
    corpus = write_bytes(tmp_path, "c.csv", b"id,text\n1,a\n2,b\n3,c\n")
    result = run("import", project, corpus)
    assert result.exit_code == 0, result.output
    assert "Importing c.csv" in screen.getvalue() and "3 rows" in screen.getvalue()
    assert result.stdout.startswith("Imported ")
