"""project.qde read as it streams: the same snapshot whatever the order of its sections.

The reader keeps compact copies of the elements it reads and drops each parsed element
once read (:func:`qualcode.interchange.refi.safe_xml.stream_xml`); these tests pin what
that must not change: sections in any order, text split by child elements, the first
of two same-named sections, the line named in a refusal, and the two count limits.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qualcode.errors import FormatError
from qualcode.interchange.refi import project_read
from qualcode.interchange.refi.qdpx import export_qdpx, read_qdpx
from qualcode.interchange.refi.safe_xml import stream_xml, text_of
from qualcode.storage import Store

NS = "urn:QDA-XML:project:1.0"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="{NS}" name="p">\n'
USER = "00000001-aaaa-4bbb-8ccc-000000000001"


def _rewrite(src: Path, dest: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """Copy a .qdpx with its project.qde's root changed by ``change`` (root -> None)."""
    with zipfile.ZipFile(src) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(members["project.qde"])
    change(root)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(dest, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return dest


def _qdpx(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", HEAD + body + "</Project>")
    return path


def _records(path: Path) -> tuple:
    snap = read_qdpx(path)
    return (snap.coders, snap.codes, snap.sources, snap.codings, snap.memos, snap.reviews,
            snap.units, sorted(snap.notes), sorted(snap.skipped), snap.project_description)


def test_sections_in_any_order_read_the_same(tmp_path: Path, rich_store: Store) -> None:
    exported = tmp_path / "rich.qdpx"
    export_qdpx(rich_store, exported)
    expected = _records(exported)
    assert expected[3] and expected[4] and expected[5]  # codings, memos and done marks

    def reverse(root: etree._Element) -> None:
        sections = list(root)
        for section in sections:
            root.remove(section)
        for section in reversed(sections):
            root.append(section)

    reversed_file = _rewrite(exported, tmp_path / "reversed.qdpx", reverse)
    with zipfile.ZipFile(reversed_file) as archive:
        first = etree.fromstring(archive.read("project.qde"))[0]
    assert etree.QName(first).localname != "Users"
    assert _records(reversed_file) == expected


def test_text_split_by_child_elements_reads_whole(tmp_path: Path) -> None:
    """A Description with elements inside: their text and the text after them, in order."""
    data = (HEAD + "<Description>one <b>two <i>three</i> four</b> five<br/>six</Description>"
            "</Project>").encode()
    found = dict(stream_xml(data, "p.qde", lambda path: path[-1] == "Description"))
    lite = found[("Project", "Description")]
    assert text_of(lite) == "".join(etree.fromstring(data)[0].itertext())
    assert text_of(lite) == "one two three four fivesix"


def test_only_the_first_of_two_sections_is_read(tmp_path: Path) -> None:
    body = (f'<Users><User guid="{USER}" name="first"/></Users>'
            '<Users><User guid="not a guid" name="second"/></Users>'
            '<Description>kept</Description><Description>not kept</Description>')
    snap = read_qdpx(_qdpx(tmp_path, body))
    assert snap.project_description == "kept"


@pytest.mark.parametrize("blank_lines", [0, 5, 70_000])
def test_a_refusal_names_the_line_of_the_element(tmp_path: Path, blank_lines: int) -> None:
    body = "\n" * blank_lines + '<Users><User guid="nope" name="x"/></Users>\n'
    with pytest.raises(FormatError, match="not a GUID") as caught:
        read_qdpx(_qdpx(tmp_path, body))
    line = 3 + blank_lines
    # libxml2 keeps element lines in 16 bits: past 65,535 it says 65535 (as before streaming).
    assert f"line {min(line, 65535)}" in str(caught.value)


@pytest.mark.parametrize("what", ["users", "codebook"])
def test_counts_past_the_limits_are_refused_as_they_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    monkeypatch.setattr(project_read, "MAX_USERS", 5)
    monkeypatch.setattr(project_read, "MAX_CODEBOOK_ELEMENTS", 12)
    guid = "0000{:04d}-aaaa-4bbb-8ccc-000000000001"
    if what == "users":
        body = "<Users>" + "".join(f'<User guid="{guid.format(n)}" name="u{n}"/>'
                                   for n in range(6)) + "</Users>"
        words = "over 5 users"
    else:
        body = "<CodeBook><Codes>" + "".join(f'<Code guid="{guid.format(n)}" name="c{n}"/>'
                                             for n in range(12)) + "</Codes></CodeBook>"
        words = "<CodeBook> holds over 12 elements"
    with pytest.raises(FormatError, match="nothing was imported") as caught:
        read_qdpx(_qdpx(tmp_path, body))
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)
    limit = 6 if what == "users" else 13  # one under the limit: read
    monkeypatch.setattr(project_read, "MAX_USERS", limit)
    monkeypatch.setattr(project_read, "MAX_CODEBOOK_ELEMENTS", limit)
    read_qdpx(_qdpx(tmp_path, body))


@pytest.mark.parametrize("prolog", ["", "<!-- a comment -->\n"])
@pytest.mark.parametrize("attack", [
    '<!DOCTYPE Project [<!ENTITY x "boom">]>',
    '<!DOCTYPE Project SYSTEM "file:///etc/passwd">',
])
def test_streaming_keeps_refusing_doctypes(tmp_path: Path, prolog: str, attack: str) -> None:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", f'<?xml version="1.0"?>\n{prolog}{attack}\n'
                                        f'<Project xmlns="{NS}"><Description>&x;</Description>'
                                        "</Project>")
    with pytest.raises(FormatError, match="DOCTYPE"):
        read_qdpx(path)


def test_nesting_past_libxml2s_depth_is_refused(tmp_path: Path) -> None:
    body = "<Description>" + "<a>" * 300 + "</a>" * 300 + "</Description>"
    with pytest.raises(FormatError, match="well-formed"):
        read_qdpx(_qdpx(tmp_path, body))
