"""Documents qualcode must refuse: one line naming the file, exit 1, the project unchanged.

Classes, each with several members generated here: encrypted or copy-protected PDFs,
PDFs with no text layer (scans), damaged files of every format, macro-enabled Word and
OpenDocument files, ZIP bombs, Word files that refer to files outside themselves (never
fetched), and formats qualcode does not read. Every refusal is also tried inside a folder
import, where one bad file must stop the whole import.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pypdf
import pytest

from helpers.pdf_builder import build_pdf
from helpers.robust_harness import digest, make_project, one_line_error, run_cli, zip_bomb, zip_with


def _docx_bytes(text: str = "P1: a sentence.") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_members(**extra: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(_docx_bytes())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(extra)
    return members


NO_COPY = 0xFFFFF0C4 - (1 << 32)  # print only: bit 5 (copy text) off, reserved bits on


def _encrypted(user: str, owner: str, permissions: int = -1) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(build_pdf([[["Secret finding."]]])))
    writer.encrypt(user_password=user, owner_password=owner, permissions_flag=permissions,
                   algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_external(kind: str, target: str) -> dict[str, bytes]:
    members = _docx_members()
    rels = members["word/_rels/document.xml.rels"].decode()
    link = (f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/{kind}" Target="{target}" TargetMode="External"/>')
    members["word/_rels/document.xml.rels"] = rels.replace("</Relationships>",
                                                           link + "</Relationships>").encode()
    return members


Case = Callable[[Path], Path]


def _write(name: str, data: bytes) -> Case:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name
    return make


def _zip(name: str, members: dict[str, bytes]) -> Case:
    return lambda folder: zip_with(folder, name, members)


CASES: dict[str, tuple[Case, str]] = {
    "pdf with a user password": (_write("locked.pdf", _encrypted("pw", "own")), "password"),
    "pdf forbidding copying": (_write("noc.pdf", _encrypted("", "own", permissions=NO_COPY)),
                               "forbids copying"),
    "pdf scan, no text": (_write("scan.pdf", build_pdf([None, None])), "ocrmypdf"),
    "pdf truncated": (_write("cut.pdf", build_pdf([[["Text."]]])[:120]), "not a readable PDF"),
    "pdf that is not one": (_write("fake.pdf", b"GIF89a not a pdf at all"), "not a readable PDF"),
    "docx truncated": (_write("cut.docx", _docx_bytes()[:300]), "not a readable .docx"),
    "docx that is text": (_write("fake.docx", b"just text"), "not a readable .docx"),
    "docx with macros": (_zip("macro.docx", _docx_members(**{"word/vbaProject.bin": b"VBA"})),
                         "macro-enabled"),
    "docm by name": (_write("macro.docm", _docx_bytes()), "macro-enabled"),
    "docx zip bomb": (lambda folder: zip_bomb(folder, "bomb.docx", "word/document.xml",
                                              size=300 << 20), "ZIP bomb"),
    "docx attached remote template": (
        _zip("template.docx", _with_external("attachedTemplate",
                                             "http://example.invalid/t.dotm")), "never fetches"),
    "docx linked picture": (_zip("picture.docx", _with_external("image", "file:///etc/passwd")),
                            "never fetches"),
    "docx without document part": (_zip("empty.docx", {"[Content_Types].xml": b"<x/>"}),
                                   "not a readable .docx"),
    "odt truncated": (_write("cut.odt", b"PK\x03\x04broken"), "not a readable .odt"),
    "odt with basic macros": (_zip("macro.odt", {"mimetype": b"application/vnd.oasis."
                                                 b"opendocument.text",
                                                 "Basic/Standard/Module1.xml": b"<x/>"}),
                              "macro-enabled"),
    "rtf that is not rtf": (_write("fake.rtf", b"plain words"), "not an RTF file"),
    "vtt without header": (_write("bad.vtt", b"00:00:01.000 --> 00:00:02.000\nhi\n"),
                           "not a valid WebVTT"),
    "srt in UTF-16": (_write("wide.srt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n"
                             .encode("utf-16")), "UTF-16"),
    "old binary doc": (_write("old.doc", b"\xd0\xcf\x11\xe0 ole"), "save it as .docx"),
    "unsupported pptx": (_write("slides.pptx", b"PK"), ".docx"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_document_is_refused_in_one_line_and_nothing_is_imported(
        tmp_path: Path, case: str) -> None:
    make, words = CASES[case]
    project = make_project(tmp_path / "study.qualcode")
    before = digest(project)
    bad = make(tmp_path)
    run = run_cli(["import", str(project), str(bad)])
    assert one_line_error(run, bad) is None, (case, run)
    assert words in run.stderr, (case, run.stderr)
    assert digest(project) == before


@pytest.mark.parametrize("case", ["pdf scan, no text", "docx with macros", "docx truncated",
                                  "pdf with a user password"])
def test_one_bad_document_stops_a_folder_import(tmp_path: Path, case: str) -> None:
    project = make_project(tmp_path / "study.qualcode")
    before = digest(project)
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "a.txt").write_text("Interviewer: fine\n", encoding="utf-8")
    _write("b.docx", _docx_bytes())(folder)
    bad = CASES[case][0](folder)
    run = run_cli(["import", str(project), str(folder)])
    assert one_line_error(run, bad) is None, (case, run)
    assert digest(project) == before


def test_external_references_are_never_fetched(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a Word file opens no socket and no other file than itself."""
    import socket

    opened: list[str] = []
    project = make_project(tmp_path / "study.qualcode")
    bad = _zip("template.docx", _with_external("attachedTemplate",
                                               "http://example.invalid/t.dotm"))(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network use: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    import sys

    def audit(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], str) and "passwd" in args[0]:
            opened.append(args[0])

    sys.addaudithook(audit)
    run = run_cli(["import", str(project), str(bad)])
    assert one_line_error(run, bad) is None
    assert not opened
