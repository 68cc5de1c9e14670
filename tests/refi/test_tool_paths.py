"""Files as other tools write them: qc's bare text paths, folder and name case, texts beside
the .qdpx, NVivo's rich-text sources; every code, source and coding they hold arrives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.refi_helpers import fingerprint
from helpers.tool_layouts import (
    NVIVO_CODES,
    QC_CODEBOOK,
    QC_CODINGS,
    QC_TEXTS,
    count_elements,
    nvivo_codes_only_qdpx,
    qc_line_positions,
    qc_qdpx,
)
from qualcode.cli import main
from qualcode.errors import FormatError
from qualcode.interchange.merge_input import merge_into
from qualcode.storage import Store


def _qc_expected() -> list[tuple[str, str, str]]:
    """(coder, code name, passage) of every coding in the qc layout."""
    found = []
    for file, number, coder, code in QC_CODINGS:
        start, end = qc_line_positions(QC_TEXTS[file])[number]
        found.append((coder, code, QC_TEXTS[file][start:end]))
    return sorted(found)


def _imported(store: Store) -> list[tuple[str, str, str]]:
    coders = {c.id: c.name for c in store.coders()}
    codes = {c.id: c.name for c in store.codebook()}
    return sorted((coders[c.coder_id], codes[c.code_id], store.source(c.source_id).text[
        c.start:c.end]) for c in store.codings())


def _assert_qc_complete(store: Store, path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    sources = {s.name: s.text for s in store.iter_sources()}
    assert sources == QC_TEXTS  # named by their file name: qc writes no name
    assert len(store.codebook()) == count_elements(qde, "Code")
    assert len(store.codings()) == count_elements(qde, "Coding") == len(QC_CODINGS)
    assert _imported(store) == _qc_expected()


@pytest.mark.parametrize("members", [
    {},  # as qc writes it: sources/board_2017.txt
    {"board_2017.txt": "Sources/board_2017.txt", "admin-1.txt": "SOURCES/Admin-1.TXT"},
    {"board_2017.txt": "sources/BOARD_2017.txt", "admin-1.txt": "admin-1.txt"},  # at the root
], ids=["qc", "folder-and-name-case", "name-case-and-root"])
def test_qc_layout_imports_every_source_code_and_coding(store: Store, tmp_path: Path,
                                                        members: dict[str, str]) -> None:
    path = qc_qdpx(tmp_path / "qc.qdpx", members=members)
    report = merge_into(store, path, backup=False)
    assert not report.skipped, report.skipped
    _assert_qc_complete(store, path)


@pytest.mark.parametrize("beside", ["board_2017.txt", "sources/board_2017.txt",
                                    "Sources/Board_2017.TXT"])
def test_text_missing_from_the_archive_is_found_beside_it(store: Store, tmp_path: Path,
                                                           beside: str) -> None:
    path = qc_qdpx(tmp_path / "qc.qdpx", members={"board_2017.txt": ""})
    (tmp_path / beside).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / beside).write_text(QC_TEXTS["board_2017.txt"], encoding="utf-8")
    merge_into(store, path, backup=False)
    _assert_qc_complete(store, path)


@pytest.mark.parametrize("path_written", ["board_2017.txt", "relative://board_2017.txt",
                                          "internal://board_2017.txt", "sources\\board_2017.txt"])
def test_missing_text_says_where_it_looked(store: Store, tmp_path: Path,
                                           path_written: str) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = qc_qdpx(folder / "qc.qdpx", members={"board_2017.txt": ""},
                   paths={"board_2017.txt": path_written})
    report = merge_into(store, path, backup=False)
    [missing] = report.skipped
    assert "'board_2017.txt'" in missing and "left out with its codings" in missing
    assert "sources/board_2017.txt in the archive" in missing
    if "\\" not in path_written:  # a bare name is looked for in the folder and in sources/
        assert str(folder / "board_2017.txt") in missing
    assert str(folder / "sources" / "board_2017.txt") in missing
    assert [s.name for s in store.iter_sources()] == ["admin-1.txt"]


@pytest.mark.parametrize("path_written", ["/etc/passwd", "absolute:///etc/passwd",
                                          "C:/Users/secret.txt", "relative:///../secret.txt",
                                          "../secret.txt", "sources/../../secret.txt"])
def test_paths_leading_outside_are_never_read(store: Store, tmp_path: Path,
                                              path_written: str) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    path = qc_qdpx(folder / "qc.qdpx", members={"board_2017.txt": ""},
                   paths={"board_2017.txt": path_written})
    before = fingerprint(store.path)
    if ".." in path_written:  # can only be meant to climb out: the whole file is refused
        with pytest.raises(FormatError, match="climbs out of the archive"):
            merge_into(store, path, backup=False)
        assert fingerprint(store.path) == before
        return
    report = merge_into(store, path, backup=False)
    assert any("never read" in item for item in report.skipped), report.skipped
    assert all("SECRET" not in s.text and "root:" not in s.text for s in store.iter_sources())


def test_nvivo_codes_only_with_rich_text_sources(store: Store, tmp_path: Path) -> None:
    report = merge_into(store, nvivo_codes_only_qdpx(tmp_path / "nvivo.qdpx"), backup=False)
    assert sorted(c.name for c in store.codebook()) == sorted(NVIVO_CODES)
    # The plain text beside the .docx is read; the rich text is Part 10's business.
    assert {s.name: s.text for s in store.iter_sources()} == {
        "Interview 1": "Interview 1: plain text.\n", "Interview 2": "Interview 2: plain text.\n"}
    assert report.skipped == ["the rich texts (richTextPath, formatting) of 2 sources; their "
                              "plain texts were read"]
    assert store.codings() == []
    # NVivo's description is the definition as it stands, "Include:" and all.
    assert store.codebook().find("Economy")[0].description == "Include: anything on economy."
    assert store.codebook().find("Economy")[0].inclusion == ""


def test_rich_text_alone_is_left_out_and_named(store: Store, tmp_path: Path) -> None:
    report = merge_into(store, nvivo_codes_only_qdpx(tmp_path / "nvivo.qdpx", plain=False),
                        backup=False)
    assert len(report.skipped) == 2
    assert all("only a rich text" in item and ".docx" in item for item in report.skipped)
    assert store.source_count() == 0
    assert len(store.codebook()) == len(NVIVO_CODES)


@pytest.mark.parametrize("tool", ["atlas", "nvivo"])
def test_tool_files_bring_every_code_and_coding(store: Store, tool_qdpx, tool: str) -> None:
    path = tool_qdpx(tool)
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    root_text = qde.split("<Sources>")[1].split("</Sources>")[0]
    text_codings = sum(count_elements(part.split("</TextSource>")[0], "Coding")
                       for part in root_text.split("<TextSource")[1:])
    merge_into(store, path, backup=False)
    assert len(store.codebook()) == count_elements(qde, "Code")
    assert len(store.codings()) == text_codings > 0


@pytest.mark.parametrize("path_written", ["../secret.txt", "relative://../secret.txt",
                                          "internal://sources/../../x.txt", "a\\..\\..\\x.txt"])
def test_climbing_path_refused_in_one_line_from_the_cli(tmp_path: Path,
                                                        path_written: str) -> None:
    project = tmp_path / "p.qualcode"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    path = qc_qdpx(tmp_path / "qc.qdpx", paths={"board_2017.txt": path_written})
    before = fingerprint(project)
    result = CliRunner().invoke(main, ["import", str(project), str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {path}") and "climbs out of the archive" in line
    assert "nothing was imported" in line and "Traceback" not in result.output
    assert fingerprint(project) == before


def test_qc_file_from_the_cli(tmp_path: Path) -> None:
    project = tmp_path / "p.qualcode"
    CliRunner().invoke(main, ["init", str(project)])
    path = qc_qdpx(tmp_path / "qc.qdpx", members={"board_2017.txt": "Sources/Board_2017.TXT"})
    result = CliRunner().invoke(main, ["import", str(project), str(path)])
    assert result.exit_code == 0, result.output
    codes = sum(1 for _ in _nodes(QC_CODEBOOK))
    coders = len({coder for _, _, coder, _ in QC_CODINGS})
    assert (f"added {coders} coders, {codes} codes, {len(QC_TEXTS)} sources, "
            f"{len(QC_CODINGS)} codings.") in result.output
    assert "Left out" not in result.output


def _nodes(tree: dict):
    """Every node of a nested codebook dict."""
    for name, kids in tree.items():
        yield name
        yield from _nodes(kids)


def test_content_is_read_when_the_path_leads_nowhere(store: Store, tmp_path: Path) -> None:
    qde = ('<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="a tool"><Sources>'
           '<TextSource guid="12345678-1234-4234-8234-123456789012" name="both" '
           'plainTextPath="internal://gone.txt"><PlainTextContent>Kept text.'
           "</PlainTextContent></TextSource></Sources></Project>")
    path = tmp_path / "both.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    report = merge_into(store, path, backup=False)
    assert [s.text for s in store.iter_sources()] == ["Kept text."] and not report.skipped


def _qc_samples() -> list[Path]:
    """The sample .qdpx files the qualitative-coding package ships, where it is installed.

    Found without importing it (its import pulls in spaCy and SQLAlchemy). It cannot be a
    test dependency: it pins rich < 14, which Textual cannot use; tool_layouts.py rebuilds
    its layout for the tests that always run.
    """
    import importlib.util

    spec = importlib.util.find_spec("qualitative_coding")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted(folder.rglob("*.qdpx"))


@pytest.mark.skipif(not _qc_samples(), reason="the qualitative-coding package is not installed")
@pytest.mark.parametrize("sample", _qc_samples(), ids=lambda p: p.name)
def test_qc_shipped_samples_arrive_whole(tmp_path: Path, sample: Path) -> None:
    store = Store.create(tmp_path / "p.qualcode")
    with zipfile.ZipFile(sample) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    report = merge_into(store, sample, backup=False)
    assert len(store.codebook()) == count_elements(qde, "Code")
    assert len(store.codings()) == count_elements(qde, "Coding")
    assert store.source_count() == count_elements(qde, "TextSource")
    assert not [item for item in report.skipped if "rich texts" not in item]


def test_a_linked_folder_leading_outside_is_not_read(store: Store, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "board_2017.txt").write_text("SECRET", encoding="utf-8")
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "sources").symlink_to(outside)
    (folder / "Sources2").symlink_to(outside)
    path = qc_qdpx(folder / "qc.qdpx", members={"board_2017.txt": ""},
                   paths={"board_2017.txt": "Sources2/BOARD_2017.txt"})
    report = merge_into(store, path, backup=False)
    assert any("board_2017" in item.lower() and "left out" in item for item in report.skipped)
    assert all("SECRET" not in s.text for s in store.iter_sources())


@pytest.mark.parametrize("path_written", ["internal://", "relative:///", "./", "sources/."])
def test_a_path_naming_no_file_is_left_out_and_said(store: Store, tmp_path: Path,
                                                     path_written: str) -> None:
    path = qc_qdpx(tmp_path / "qc.qdpx", members={"board_2017.txt": ""},
                   paths={"board_2017.txt": path_written})
    report = merge_into(store, path, backup=False)
    assert len(report.skipped) == 1 and "left out with its codings" in report.skipped[0]
    assert [s.name for s in store.iter_sources()] == ["admin-1.txt"]


@pytest.mark.parametrize("path_written", ["relative://board%202017.txt", "board 2017.txt",
                                          "internal://board%202017.txt"])
def test_percent_encoded_names_are_found(store: Store, tmp_path: Path,
                                         path_written: str) -> None:
    texts = {"board 2017.txt": QC_TEXTS["board_2017.txt"]}
    path = qc_qdpx(tmp_path / "qc.qdpx", texts=texts, paths={"board 2017.txt": path_written})
    report = merge_into(store, path, backup=False)
    assert not report.skipped
    assert {s.name: s.text for s in store.iter_sources()} == texts


def test_percent_encoded_climb_is_refused(store: Store, tmp_path: Path) -> None:
    path = qc_qdpx(tmp_path / "qc.qdpx", members={"board_2017.txt": ""},
                   paths={"board_2017.txt": "relative://%2E%2E/secret.txt"})
    with pytest.raises(FormatError, match="climbs out of the archive"):
        merge_into(store, path, backup=False)
