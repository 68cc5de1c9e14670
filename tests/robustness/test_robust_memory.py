"""Memory stays bounded on hostile archives and blobs, and refusals stay one line.

Each hostile input is handed to the real CLI in a child process whose address space is
capped (RLIMIT_AS, so a regression fails fast instead of eating the machine) and whose
peak resident memory is reported at exit; every refusal must stay under
:data:`CEILING_MB`, the ceiling README.md documents ("What qualcode refuses, and why").

Classes tried: ZIP members that inflate to hundreds of MB (.qdpx project.qde, XLSX
styles.xml, sharedStrings.xml and sheet XML, each with a high and a modest compression
ratio and with headers that lie), members compressed with methods that inflate without
bound per read; stored suggester
models are tried in test_robust_memory_models.py. qualcode's own .qdpx export of
a long repetitive source must import again.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from helpers.memory_ceiling import CEILING_MB, assert_refused, measured, rows
from helpers.robust_harness import make_project
from qualcode.storage import Store

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(),
                                reason="peak memory is read from /proc (Linux)")


# -- hostile archives: .qdpx and .xlsx -----------------------------------------------------
def _streamed_member(archive: zipfile.ZipFile, name: str, head: bytes, tail: bytes,
                     size: int, filler: Callable[[int], bytes], *,
                     method: int = zipfile.ZIP_DEFLATED) -> None:
    """Write member ``name``: head, ``size`` bytes from ``filler``, tail (never in memory)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = method
    with archive.open(info, "w", force_zip64=size > (1 << 30)) as handle:
        handle.write(head)
        left = size
        while left > 0:
            block = filler(min(left, 4 << 20))
            handle.write(block)
            left -= len(block)
        handle.write(tail)


def _spaces(n: int) -> bytes:
    return b" " * n  # deflates about 1000:1


def _hex(n: int) -> bytes:
    return os.urandom(n // 2).hex().encode()  # deflates about 2:1: a ratio check alone lets it by


def _with_members(src: dict[str, bytes], path: Path, replace: str,
                  write: Callable[[zipfile.ZipFile], None]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in src.items():
            if name != replace:
                archive.writestr(name, data)
        write(archive)
    return path


def _lie_about_size(path: Path, member: str, declared: int) -> Path:
    """Make the archive declare ``declared`` bytes for ``member`` (local and central headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at:start + name_at + len(name)] == name:
                data[start + size_at:start + size_at + 4] = declared.to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    return path


def _control_qdpx() -> dict[str, bytes]:
    from helpers.robust_harness import HOSTILE

    with zipfile.ZipFile(HOSTILE / "controls" / "control.qdpx") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _qdpx_cases(folder: Path) -> dict[str, Path]:
    members = _control_qdpx()
    qde = members["project.qde"]
    head, tail = qde.split(b"<Users>", 1)
    source = "sources/00000004-aaaa-4bbb-8ccc-000000000004.txt"
    padding = (head + b"<Description>", b"</Description><Users>" + tail)
    return {
        "project.qde of 128 MB of spaces": _with_members(members, folder / "qde_spaces.qdpx",
            "project.qde", lambda a: _streamed_member(a, "project.qde", head, b"<Users>" + tail,
                                                      128 << 20, _spaces)),
        "project.qde of 96 MB at 2:1": _with_members(members, folder / "qde_hex.qdpx",
            "project.qde", lambda a: _streamed_member(a, "project.qde", *padding, 96 << 20,
                                                      _hex)),
        "project.qde declaring 1 MB, inflating to 96 MB": _lie_about_size(_with_members(
            members, folder / "qde_lie.qdpx", "project.qde",
            lambda a: _streamed_member(a, "project.qde", *padding, 96 << 20, _spaces)),
            "project.qde", 1 << 20),
        "a source of 300 MB of spaces": _with_members(members, folder / "source_spaces.qdpx",
            source, lambda a: _streamed_member(a, source, b"", b"", 300 << 20, _spaces)),
        "a source compressed with bzip2": _with_members(members, folder / "source_bz2.qdpx",
            source, lambda a: _streamed_member(a, source, b"", b"", 16 << 20, _spaces,
                                               method=zipfile.ZIP_BZIP2)),
    }


XLSX_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STYLES_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><styleSheet ' + XLSX_NS + b'><fonts '
               b'count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill>'
               b'<patternFill/></fill></fills><borders count="1"><border/></borders>'
               b'<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + XLSX_NS + b'><sheetData>'
              b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" '
              b't="inlineStr"><is><t>text</t></is></c></row><row r="2"><c r="A2" '
              b't="inlineStr"><is><t>1</t></is></c><c r="B2" t="inlineStr"><is><t>')


def _xfs(n: int) -> bytes:
    count = n // 60 + 1
    return b"".join(b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                    % number for number in np.random.default_rng(n).integers(0, 10**6, count))


def _tiny_strings(n: int) -> bytes:
    count = n // 20 + 1
    return b"".join(b"<si><t>%d</t></si>" % number
                    for number in np.random.default_rng(n).integers(0, 10**6, count))


def _xlsx_members(*, shared_strings: bool = False) -> dict[str, bytes]:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "text"])
    book.active.append(["1", "hello"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if not shared_strings:
        return members
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return members


def _xlsx_cases(folder: Path) -> dict[str, Path]:
    from helpers.robust_harness import xlsx_bomb

    members = _xlsx_members()
    styles, sheet, strings = "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
    sst = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + XLSX_NS + b">"
    return {
        "styles.xml of 40 MB at 15:1": _with_members(members, folder / "styles.xlsx", styles,
            lambda a: _streamed_member(a, styles, STYLES_HEAD, b"</cellXfs></styleSheet>",
                                       40 << 20, _xfs)),
        "styles.xml of 128 MB of spaces": _with_members(members, folder / "styles_sp.xlsx",
            styles, lambda a: _streamed_member(a, styles, STYLES_HEAD,
                                               b"</cellXfs></styleSheet>", 128 << 20, _spaces)),
        "styles.xml declaring 1 MB, inflating to 40 MB": _lie_about_size(_with_members(
            members, folder / "styles_lie.xlsx", styles,
            lambda a: _streamed_member(a, styles, STYLES_HEAD, b"</cellXfs></styleSheet>",
                                       40 << 20, _xfs)), styles, 1 << 20),
        "sharedStrings.xml of 60 MB of short strings": _with_members(
            _xlsx_members(shared_strings=True), folder / "strings.xlsx", strings,
            lambda a: _streamed_member(a, strings, sst, b"</sst>", 60 << 20, _tiny_strings)),
        "a sheet cell of 60 MB at 2:1": _with_members(members, folder / "cell.xlsx", sheet,
            lambda a: _streamed_member(a, sheet, SHEET_HEAD,
                                       b"</t></is></c></row></sheetData></worksheet>",
                                       60 << 20, _hex)),
        "a sheet cell of 128 MB of x": xlsx_bomb(folder),
        "shared strings under another name, 60 MB of short strings": _with_members(
            _renamed_strings(_xlsx_members(shared_strings=True)), folder / "strs.xlsx",
            "xl/strs.xml", lambda a: _streamed_member(a, "xl/strs.xml", sst, b"</sst>",
                                                      60 << 20, _tiny_strings)),
        "a 40 MB worksheet handed over as a chartsheet (parsed whole)": _with_members(
            _as_chartsheet(members), folder / "chartsheet.xlsx", sheet,
            lambda a: _streamed_member(a, sheet, SHEET_HEAD,
                                       b"</t></is></c></row></sheetData></worksheet>",
                                       40 << 20, _hex_cells)),
    }


def _renamed_strings(members: dict[str, bytes]) -> dict[str, bytes]:
    """Content types naming the shared strings ``xl/strs.xml`` (openpyxl reads them there)."""
    types = members["[Content_Types].xml"].replace(b"/xl/sharedStrings.xml", b"/xl/strs.xml")
    return dict(members, **{"[Content_Types].xml": types})


def _as_chartsheet(members: dict[str, bytes]) -> dict[str, bytes]:
    rels = members["xl/_rels/workbook.xml.rels"].replace(b"relationships/worksheet\"",
                                                         b"relationships/chartsheet\"")
    return dict(members, **{"xl/_rels/workbook.xml.rels": rels})


def _hex_cells(n: int) -> bytes:
    """Many cells of 1 kB (no text near the 50 MB cell limit)."""
    cell = b'</t></is></c></row><row><c t="inlineStr"><is><t>'
    return cell.join(_hex(1024) for _ in range(n // 1100 + 1))


def test_hostile_qdpx_archives_are_refused_within_the_ceiling(tmp_path: Path) -> None:
    project = make_project(tmp_path / "study.qualcode")
    before = rows(project, "SELECT count(*) FROM sources")
    for name, archive in _qdpx_cases(tmp_path).items():
        done, peak = measured(["import", str(project), str(archive)], tmp_path)
        line = assert_refused(done, peak, archive)
        assert "nothing was imported" in line, (name, line)
        archive.unlink()
    assert rows(project, "SELECT count(*) FROM sources") == before
    assert rows(project, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("command", ["import", "stats"])
def test_hostile_workbooks_are_refused_within_the_ceiling(tmp_path: Path, command: str) -> None:
    project = make_project(tmp_path / "study.qualcode")
    before = rows(project, "SELECT count(*) FROM sources")
    for name, workbook in _xlsx_cases(tmp_path).items():
        args = ["import", str(project), str(workbook)] if command == "import" else \
            ["stats", str(workbook)]
        done, peak = measured(args, tmp_path)
        line = assert_refused(done, peak, workbook)
        assert "Excel" in line or "CSV" in line, (name, line)
        workbook.unlink()
    assert rows(project, "SELECT count(*) FROM sources") == before


def test_a_workbook_of_ordinary_size_still_imports(tmp_path: Path) -> None:
    """The budgets leave real workbooks alone: 2,000 rows of 2 kB answers."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "text"])
    for i in range(2000):
        book.active.append([f"a{i}", f"Answer {i}: " + "the group helped me listen. " * 70])
    path = tmp_path / "answers.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        assert max(i.file_size for i in archive.infolist()) > 3 << 20
    project = make_project(tmp_path / "study.qualcode")
    done, peak = measured(["import", str(project), str(path)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert rows(project, "SELECT count(*) FROM sources") == [(2003,)]


def test_qualcodes_own_export_of_long_repetitive_sources_imports_again(tmp_path: Path) -> None:
    from qualcode.model import SourceRecord

    texts = {"letters": "a" * (20 << 20),
             "sentence": "The group helped me listen to patients. " * 500_000}
    project = tmp_path / "long.qualcode"
    with Store.create(project) as store:
        store.import_sources(SourceRecord(key, text) for key, text in texts.items())
        code = store.add_code("Listening")
        alice = store.coder("alice")
        source = store.source_by_external_id("sentence")
        store.add_coding(alice.id, source.id, code.id, 4, 9)
    exported = tmp_path / "long.qdpx"
    done, _ = measured(["export", "qdpx", str(project), "-o", str(exported)], tmp_path)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(exported) as archive:  # what makes a ratio-only check refuse it
        ratios = [i.file_size / i.compress_size for i in archive.infolist() if i.file_size > 1e6]
        assert max(ratios) > 200
    again = tmp_path / "again.qualcode"
    with Store.create(again):
        pass
    done, peak = measured(["import", str(again), str(exported)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert peak < CEILING_MB
    imported = rows(again, "SELECT text FROM sources ORDER BY length(text)")
    assert [text for (text,) in imported] == sorted(texts.values(), key=len)
    assert rows(again, "SELECT start, \"end\" FROM codings") == [(4, 9)]


# -- late refusals: a project.qde within its size limit, damaged at its end ---------------
QDE_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
            b'name="late">\n')
LATE_GUID = b"0000000f-aaaa-4bbb-8ccc-00000000000f"
CODE_GUID = b"0000000c-aaaa-4bbb-8ccc-00000000000c"


def _tiny(template: bytes) -> Callable[[int], bytes]:
    """A filler of tiny elements, one a line, each with its own GUID (``%s``) and number."""
    count = [0]

    def fill(n: int) -> bytes:
        lines = []
        size = 0
        while size < n:
            count[0] += 1
            guid = b"%08x-%04x-4bbb-8ccc-%012x" % (count[0], count[0] % 65536, count[0])
            line = template.replace(b"%s", guid).replace(b"%d", b"%d" % count[0]) + b"\n"
            lines.append(line)
            size += len(line)
        return b"".join(lines)
    return fill


def _late_cases() -> dict[str, tuple[bytes, bytes, bytes, str]]:
    """Case name -> (head, tiny element, tail holding the damage, words the refusal says)."""
    users_head = b"<Users><User guid=\"" + LATE_GUID + b"\" name=\"first\"/>\n"
    codebook = (b"<CodeBook><Codes><Code guid=\"" + CODE_GUID + b"\" name=\"c\" "
                b"isCodable=\"true\"/></Codes></CodeBook>\n")
    source = (b"<Sources><TextSource guid=\"0000000a-aaaa-4bbb-8ccc-00000000000a\" name=\"s\">"
              b"<PlainTextContent>a short text</PlainTextContent>\n")
    return {
        "users, the last one's GUID taken (refused at the users' limit)": (
            QDE_HEAD + users_head, b'<User guid="%s" name="user %d"/>',
            b'<User guid="' + LATE_GUID.upper() + b'" name="again"/></Users></Project>',
            "users"),
        "codes, the last one's GUID taken (refused at the codebook's limit)": (
            QDE_HEAD + b"<CodeBook><Codes><Code guid=\"" + CODE_GUID + b"\" name=\"c\">\n",
            b'<Code guid="%s" name="code %d"/>',
            b'<Code guid="' + CODE_GUID + b'" name="again"/></Code></Codes></CodeBook></Project>',
            "CodeBook> holds over"),
        "cases left out, then a user whose GUID is not one": (
            QDE_HEAD + b"<Cases>\n", b'<Case guid="%s" name="case %d"/>',
            b'</Cases><Users><User guid="not-a-guid" name="x"/></Users></Project>',
            "not a GUID"),
        "selections of one source, the last outside its text": (
            QDE_HEAD + users_head + b"</Users>" + codebook + source,
            b'<PlainTextSelection guid="%s" startPosition="0" endPosition="1">'
            b'<Coding guid="%s"><CodeRef targetGUID="' + CODE_GUID + b'"/></Coding>'
            b'</PlainTextSelection>',
            b'<PlainTextSelection startPosition="5" endPosition="9000"/></TextSource>'
            b"</Sources></Project>", "lie outside source"),
        "notes, the last one's GUID taken": (
            QDE_HEAD + b"<Notes><Note guid=\"" + LATE_GUID + b"\" name=\"first\"/>\n",
            b'<Note guid="%s" name="note %d"><PlainTextContent>n</PlainTextContent></Note>',
            b'<Note guid="' + LATE_GUID + b'" name="again"/></Notes></Project>',
            "two notes share GUID"),
    }


def test_a_late_refusal_of_a_project_qde_within_its_limit_stays_under_the_ceiling(
        tmp_path: Path) -> None:
    """50 MB of tiny elements, damaged only at the end: refused, under the ceiling.

    The document is within project.qde's 64 MB limit, so nothing refuses it before it
    is read; it is refused only at its last element, after every element before was
    parsed. Parsed whole, such a tree took about 20 times the document (near 1 GB).
    """
    project = make_project(tmp_path / "study.qualcode")
    before = rows(project, "SELECT count(*) FROM sources")
    for name, (head, element, tail, says) in _late_cases().items():
        archive = tmp_path / "late.qdpx"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            _streamed_member(zipped, "project.qde", head, tail, 50 << 20, _tiny(element))
        with zipfile.ZipFile(archive) as zipped:
            size = zipped.getinfo("project.qde").file_size
        assert 50 << 20 <= size < 64 << 20, (name, size)
        done, peak = measured(["import", str(project), str(archive)], tmp_path)
        line = assert_refused(done, peak, archive)
        assert says in line and "nothing was imported" in line, (name, line)
        archive.unlink()
    assert rows(project, "SELECT count(*) FROM sources") == before
    assert rows(project, "PRAGMA integrity_check") == [("ok",)]
