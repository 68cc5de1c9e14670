"""Hostile files are refused with one clear line, and the project is left exactly as it was."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.interchange.refi import safe_zip
from refi_helpers import DATA, fingerprint, zip_folder

GOOD_QDE = (DATA / "qualcoder" / "project.qde").read_bytes()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project holding the QualCoder-like fixture, so a refusal has something to keep."""
    path = tmp_path / "p.qualcode"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(path)]).exit_code == 0
    good = zip_folder(DATA / "qualcoder", tmp_path / "good.qdpx")
    assert runner.invoke(main, ["import", str(path), str(good)]).exit_code == 0
    return path


def refused(project: Path, args: list[str], *expected: str) -> str:
    before = fingerprint(project)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("Error: ")
    for text in expected:
        assert text in message, message
    assert fingerprint(project) == before
    return message


def archive(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize("name", ["billion_laughs.qdc", "external_entity.qdc",
                                  "external_dtd.qdc"])
def test_dtds_and_entities_refused_in_qdc(project: Path, name: str) -> None:
    refused(project, ["codebook", "import", str(project), str(DATA / "hostile" / name)],
            "DOCTYPE", "nothing was imported")


def test_undeclared_entity_refused(project: Path) -> None:
    refused(project, ["import", str(project), str(DATA / "hostile" / "undeclared_entity.qdc")],
            "undeclared_entity.qdc")


def test_entity_expansion_in_project_refused(project: Path, tmp_path: Path) -> None:
    bomb = zip_folder(DATA / "hostile" / "entity_project", tmp_path / "bomb.qdpx")
    refused(project, ["import", str(project), str(bomb)], "DOCTYPE")


def test_internal_path_climbing_out_refused(project: Path, tmp_path: Path) -> None:
    bad = zip_folder(DATA / "hostile" / "traversal_path", tmp_path / "climb.qdpx")
    refused(project, ["import", str(project), str(bad)], "internal://../../etc/passwd")


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt",
                                    "C:/Windows/evil.txt", "sources\\..\\..\\evil.txt"])
def test_member_names_climbing_out_refused(project: Path, tmp_path: Path, member: str) -> None:
    bad = archive(tmp_path / "bad.qdpx", {"project.qde": GOOD_QDE, member: b"x"})
    refused(project, ["merge", str(project), str(bad)], "refused", "nothing was imported")


def test_zip_bomb_refused(project: Path, tmp_path: Path) -> None:
    bomb = archive(tmp_path / "bomb.qdpx", {"project.qde": GOOD_QDE,
                                            "sources/x.txt": b"\0" * (40 * 2**20)})
    refused(project, ["merge", str(project), str(bomb)], "ZIP bomb")


def test_oversized_member_refused(project: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_zip, "MAX_MEMBER_BYTES", 1000)
    big = archive(tmp_path / "big.qdpx", {"project.qde": GOOD_QDE,
                                          "sources/a.txt": bytes(range(256)) * 8})
    refused(project, ["import", str(project), str(big)], "over the 0 MB limit per member")


def test_total_size_capped(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_zip, "MAX_TOTAL_BYTES", len(GOOD_QDE) + 10)
    big = archive(tmp_path / "big.qdpx", {"project.qde": GOOD_QDE, "sources/a.txt": b"y" * 100})
    refused(project, ["import", str(project), str(big)], "unpack to over")


def test_duplicate_member_refused(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("project.qde", GOOD_QDE)
        out.writestr("PROJECT.qde", GOOD_QDE)  # the same name in another case
    refused(project, ["import", str(project), str(path)], "appears twice")


def test_not_a_zip_and_no_project_refused(project: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"PK\3\4 not really")
    refused(project, ["import", str(project), str(junk)], "not a readable ZIP")
    empty = archive(tmp_path / "empty.qdpx", {"sources/a.txt": b"x"})
    refused(project, ["import", str(project), str(empty)], "no project.qde")


def test_malformed_xml_names_the_line(project: Path, tmp_path: Path) -> None:
    broken = archive(tmp_path / "broken.qdpx", {"project.qde": GOOD_QDE.replace(b"</Users>", b"")})
    message = refused(project, ["import", str(project), str(broken)], "not well-formed XML")
    assert "line" in message
