"""Imports of files shaped like NVivo, ATLAS.ti, MAXQDA and QualCoder exports, and their skip
reports."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from helpers.refi_helpers import DATA
from qualcode.cli import main
from qualcode.interchange.merge_input import merge_into
from qualcode.storage import Store
from qualcode.storage.backup import list_backups


def _import(store: Store, path: Path):
    return merge_into(store, path, backup=False)


def test_atlas_like(store: Store, tool_qdpx) -> None:
    report = _import(store, tool_qdpx("atlas"))
    [source] = list(store.iter_sources())
    assert source.external_id == "Mabel.txt" and "\r\n" in source.text
    coded = sorted(source.excerpt(c.start, c.end) for c in store.codings())
    # Positions in the file count CR LF as one; the passages they quote decide that.
    assert coded == ["Every day, honestly.", "I have Coke for breakfast.", "The baby has porridge."]
    assert [c.name for c in store.coders()] == ["Friedrich Markgraf"]
    left_out = "\n".join(report.skipped)
    assert "picture source 'cornflakes-n-milk.jpg'" in left_out
    assert "PDF source" in left_out and "video source" in left_out
    assert any("crlf-as-one" in note for note in report.notes)
    book = store.codebook()
    assert {book.path(c) for c in book} >= {"Feelings/happiness", "Coke::diet Coke"}
    memos = store.db.execute("SELECT target_kind, text FROM memos ORDER BY id").fetchall()
    assert ("project", "Research Plan\n\nThis is a great project by a dynamic team of "
            "researcher-developers.\n\nday to day log about this amazing project") in memos
    # The quotation's comment (its selection's Description) and the note on it, one memo.
    assert ("coding", "Mabel is not the only person I know who has Coke for breakfast!\n\n---"
            "\n\nMy favorite Coke ad\n\nCoke again.") in memos


def test_nvivo_like_upper_case_guids_and_braces(store: Store, tool_qdpx) -> None:
    _import(store, tool_qdpx("nvivo"))
    [source] = list(store.iter_sources())
    assert not source.text.startswith("\ufeff")  # the BOM is not part of the text
    names = {c.guid: c.name for c in store.coders()}
    assert names == {"7D3B6C1A-0F1E-4C2D-9A8B-112233445566": "ALICE",
                     "8E4C7D2B-1A2F-4D3E-8B9C-223344556677": "Bob"}
    by_id = {c.id: c.name for c in store.coders()}
    passages = sorted((by_id[c.coder_id], source.excerpt(c.start, c.end)) for c in store.codings())
    assert passages == [("ALICE", "It was the one place I could say it 😊."),
                        ("Bob", "It was the one place I could say it 😊."),
                        ("Bob", "Nobody judged.")]
    theme = store.codebook().roots()[0]
    assert theme.guid == "A0000000-0000-4000-8000-000000000001"  # braces gone, case kept
    assert (
        theme.description
        == "Talk of feeling safe to speak.\r\nSecond line of an NVivo description."
    )
    assert store.codebook().find("Being heard")[0].colour == "#AABBCC"
    # A selection outside its text or a coding on a code the codebook lacks would be a
    # damaged file, refused whole: tests/robustness/test_robust_merge_input.py.


def test_maxqda_like_deep_codes_relative_and_utf16(store: Store, tool_qdpx) -> None:
    report = _import(store, tool_qdpx("maxqda"))
    texts = {s.external_id: s for s in store.iter_sources()}
    assert set(texts) == {"Text one", "Beside"}  # the relative:// text was found beside the file
    one = texts["Text one"]
    assert sorted(one.excerpt(c.start, c.end) for c in store.codings(source_id=one.id)) == [
        "more text", "with an emoji"]
    [whole] = store.codings(source_id=texts["Beside"].id)
    assert (whole.start, whole.end) == (0, len(texts["Beside"].text))
    book = store.codebook()
    assert "Level 1/Level 2/Level 4" in {book.path(c) for c in book}  # lifted to level 3
    assert "Level 1/Level 2/Level 3" in {book.path(c) for c in book}
    assert {"Pros-cons", "twin", "Twin (2)"} <= {c.name for c in book}
    assert any("absolute path" in s for s in report.skipped)
    assert any("audio source" in s for s in report.skipped)
    assert any("deeper than theme > sub-theme > code" in n for n in report.notes)


def test_qualcoder_like_without_codings(store: Store, tool_qdpx) -> None:
    report = _import(store, tool_qdpx("qualcoder"))
    sources = {s.external_id: s for s in store.iter_sources()}
    assert sources["R7.txt"].metadata == {"age": 41}  # an IntegerValue: a number
    assert sources["R8.txt"].text == "Respondent 8: nothing to add."
    assert store.codings() == [] and store.coders() == []
    assert any("cases left out" in n for n in report.notes)


def test_cli_import_dispatches_qdpx_and_reports(tmp_path: Path, tool_qdpx) -> None:
    runner = CliRunner()
    project = tmp_path / "p.qualcode"
    runner.invoke(main, ["init", str(project)])
    result = runner.invoke(main, ["import", str(project), str(tool_qdpx("atlas"))])
    assert result.exit_code == 0, result.output
    assert "added 1 coder, 5 codes, 1 source, 3 codings" in result.output
    assert "Left out (3):" in result.output
    # An empty project has nothing to back up; one holding work is backed up first.
    assert list_backups(project) == []
    again = runner.invoke(main, ["import", str(project), str(tool_qdpx("atlas"))])
    assert "Nothing to import" in again.output
    assert list_backups(project) == []  # an import that changes nothing takes no backup


def test_codebook_import_of_qdc(tmp_path: Path) -> None:
    runner = CliRunner()
    project = tmp_path / "p.qualcode"
    runner.invoke(main, ["init", str(project)])
    result = runner.invoke(main, ["codebook", "import", str(project),
                                  str(DATA / "nvivo_codebook.qdc")])
    assert result.exit_code == 0, result.output
    assert "5 added" in result.output and "code sets left out" in result.output
    with Store.open(project) as store:
        book = store.codebook()
        assert {book.path(c) for c in book} == {
            "Topics", "Topics/Economy", "Topics/Health care", "Values", "Values/Conservatives"}
        assert book.find("Health care")[0].colour == "#33CC33"
    result = runner.invoke(main, ["import", str(project), str(DATA / "empty_sets.qdc")])
    assert result.exit_code == 0 and "1 added" in result.output
    result = runner.invoke(main, ["codebook", "import", str(project),
                                  str(DATA / "nvivo_codebook.qdc")])
    assert "0 added" in result.output and "5 unchanged" in result.output


def test_qdc_guids_match_case_insensitively(store: Store, tmp_path: Path) -> None:
    from qualcode.cli.refi import import_qdc_codebook

    import_qdc_codebook(store, DATA / "nvivo_codebook.qdc", None)
    text = (DATA / "nvivo_codebook.qdc").read_text(encoding="utf-8")
    lowered = tmp_path / "lower.qdc"
    lowered.write_text(text.replace("D7AA29DA-519B-4946-9B90-253B6DB8FD0A",
                                    "d7aa29da-519b-4946-9b90-253b6db8fd0a").replace(
        "Anything about jobs", "Jobs"), encoding="utf-8")
    report = import_qdc_codebook(store, lowered, None)
    assert (report.added, report.updated) == (0, 1)
    [economy] = store.codebook().find("Economy")
    assert economy.guid == "D7AA29DA-519B-4946-9B90-253B6DB8FD0A"
    assert economy.description.startswith("Jobs")
