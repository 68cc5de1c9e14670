"""Hostile files are refused with one clear line, and the project is left exactly as it was."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.refi_helpers import DATA, fingerprint, zip_folder
from qualcode.cli import main
from qualcode.interchange.refi import safe_zip
from qualcode.storage import Store

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
                                            # over safe_zip.RATIO_FLOOR (64 MB) at ~1000:1
                                            "sources/x.txt": b"\0" * (80 * 2**20)})
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


# -- one GUID naming two things in one file -----------------------------------------------
U1, U2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
C1, C2 = "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"
S1, S2 = "55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"
K1, K2 = "77777777-7777-4777-8777-777777777777", "88888888-8888-4888-8888-888888888888"
N1, N2 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


def _qde(users: tuple[str, str] = (U1, U2), codes: tuple[str, str] = (C1, C2),
         sources: tuple[str, str] = (S1, S2), codings: tuple[str, str] = (K1, K2),
         notes: tuple[str, str] | None = None) -> bytes:
    """A small valid project: two users, two codes, two sources, one coding in each
    (and two notes, when their GUIDs are given)."""
    def source(guid: str, name: str, coding: str, user: str, code: str) -> str:
        return (f'<TextSource guid="{guid}" name="{name}"><PlainTextContent>Text of {name}.'
                f'</PlainTextContent><PlainTextSelection guid="{derived(guid)}" '
                f'startPosition="0" endPosition="4" creatingUser="{user}">'
                f'<Coding guid="{coding}" creatingUser="{user}"><CodeRef targetGUID="{code}"/>'
                "</Coding></PlainTextSelection></TextSource>\n")

    def derived(guid: str) -> str:
        return "9" + guid.strip("{}")[1:]

    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        'name="p">\n<Users>\n'
        f'<User guid="{users[0]}" name="alice"/>\n<User guid="{users[1]}" name="bob"/>\n'
        "</Users>\n<CodeBook><Codes>\n"
        f'<Code guid="{codes[0]}" name="Pace" isCodable="true"/>\n'
        f'<Code guid="{codes[1]}" name="Money" isCodable="true"/>\n'
        "</Codes></CodeBook>\n<Sources>\n"
        + source(sources[0], "first.txt", codings[0], users[0], codes[0])
        + source(sources[1], "second.txt", codings[1], users[1], codes[1])
        + "</Sources>\n"
        + (
            ""
            if notes is None
            else "<Notes>\n"
            + "".join(
                f'<Note guid="{guid}" name="{name}"><PlainTextContent>'
                f"Memo {name}.</PlainTextContent></Note>\n"
                for guid, name in zip(notes, ("one", "two"), strict=False)
            )
            + "</Notes>\n"
        )
        + "</Project>\n"
    ).encode()


def test_distinct_guids_import(project: Path, tmp_path: Path) -> None:
    """The control: the same file with every GUID distinct imports both sources."""
    good = archive(tmp_path / "good2.qdpx", {"project.qde": _qde(notes=(N1, N2))})
    result = CliRunner().invoke(main, ["import", str(project), str(good)])
    assert result.exit_code == 0, result.output
    assert "added 2 coders, 2 codes, 2 sources, 2 codings" in result.output
    # Two free-standing notes (as NVivo writes them) become one project memo, texts whole.
    assert "1 memo" in result.output and "2 notes about the same project" in result.output
    with Store.open(project) as store:
        (memo,) = store.db.execute("SELECT text FROM memos").fetchall()
    assert memo[0] == "one\n\nMemo one.\n\n---\n\ntwo\n\nMemo two."


@pytest.mark.parametrize(("kind", "qde", "names"), [
    ("sources", _qde(sources=(S1, S1.upper())), ("'first.txt'", "'second.txt'")),
    ("sources", _qde(sources=(S1, "{" + S1 + "}")), ("'first.txt'", "'second.txt'")),
    ("users", _qde(users=(U1, U1)), ("'alice'", "'bob'")),
    ("codings", _qde(codings=(K1, K1.upper())), ("'first.txt'", "'second.txt'")),
    ("notes", _qde(notes=(N1, N1.upper())), ("'one'", "'two'")),
], ids=["sources", "sources-braces", "users", "codings", "notes"])
def test_one_guid_naming_two_things_is_refused(project: Path, tmp_path: Path, kind: str,
                                               qde: bytes, names: tuple[str, ...]) -> None:
    bad = archive(tmp_path / "collide.qdpx", {"project.qde": qde})
    message = refused(project, ["import", str(project), str(bad)], f"two {kind} share GUID",
                      "nothing was imported", "collide.qdpx", *names)
    assert message.lower().count(S1 if kind == "sources" else U1 if kind == "users" else
                                 N1 if kind == "notes" else K1) == 1


def test_two_codes_with_one_guid_are_refused(project: Path, tmp_path: Path) -> None:
    bad = archive(tmp_path / "codes.qdpx", {"project.qde": _qde(codes=(C1, C1))})
    refused(project, ["merge", str(project), str(bad)], f"code GUID {C1} appears twice",
            "nothing was imported")
