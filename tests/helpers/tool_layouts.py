"""Writers of .qdpx files laid out as other tools lay them out, generated in the tests.

``qc_qdpx`` follows the ``qualitative-coding`` package (qc) on PyPI: its 1.3 exports (the
``demo.qdpx`` it ships) name each text by a bare ``plainTextPath="board_2017.txt"`` with
the text in ``sources/``, give a ``TextSource`` no name, select whole lines (``name=
"line:6"``, positions counted on the text read with universal newlines), derive every GUID
from an MD5 of a name, and let one code name stand at several places of the tree (codings
then refer to its first place). The package itself cannot be installed beside qualcode
(it pins rich < 14, which Textual cannot use), so its layout is rebuilt here from its
``refi_qda/writer.py``.

``nvivo_codes_only_qdpx`` follows NVivo for Mac's export (as in qc's test file
``nvivo_project.qdpx``): codes and sources, each source with both a ``richTextPath``
(.docx) and a ``plainTextPath``, and no codings.
"""

from __future__ import annotations

import zipfile
from hashlib import md5
from pathlib import Path
from uuid import UUID
from xml.sax.saxutils import quoteattr

QC_TEXTS = {
    "board_2017.txt": "Speaker 1: Thank you. Let's move on to the preK-12 computer science\n"
                      "curriculum. This district goal is to engage every student.\n"
                      "Everyone should learn to program, she said.\n"
                      "Funding is the main question.\n",
    "admin-1.txt": "Interviewer: what does CS mean here?\n"
                   "Admin: it means computational thinking 😊 and making.\n"
                   "Admin: and programming, of course.\n",
}
# qc's codebook: "programming" stands under two parents, "citizenship" too.
QC_CODEBOOK = {"rq1_definition": {"competencies": {"programming": {}},
                                  "practices": {"computational_thinking": {},
                                                "digital_citizenship": {"citizenship": {}}}},
               "rq2_curriculum": {"equity": {"every_student": {}, "citizenship": {}},
                                  "framings": {"cs_as_programming": {"programming": {}}},
                                  "implementation": {"funding": {}}}}
QC_CODINGS = [  # (file, line number from 0, coder, code name)
    ("board_2017.txt", 0, "cp", "programming"),
    ("board_2017.txt", 1, "cp", "every_student"),
    ("board_2017.txt", 1, "cp", "computational_thinking"),
    ("board_2017.txt", 2, "cp", "programming"),
    ("board_2017.txt", 3, "cp", "funding"),
    ("admin-1.txt", 1, "cp", "computational_thinking"),
    ("admin-1.txt", 1, "jd", "computational_thinking"),
    ("admin-1.txt", 2, "jd", "citizenship"),
]


def qc_guid(name: str) -> str:
    """A GUID as qc derives it: the first 16 hex digits of an MD5, as the UUID's bytes."""
    return str(UUID(bytes=md5(name.encode("utf8")).hexdigest()[:16].encode("utf8")))


def qc_line_positions(text: str) -> list[tuple[int, int]]:
    """qc's (start, end) of each line, counted on the text as Python reads it."""
    positions, index = [], 0
    for line in text.splitlines(keepends=True):
        positions.append((index, index + len(line)))
        index += len(line)
    return positions


def qc_project_xml(texts: dict[str, str], paths: dict[str, str] | None = None) -> str:
    """Return project.qde as qc 1.3 writes it; ``paths`` overrides a text's plainTextPath."""
    first_guid: dict[str, str] = {}

    def code(name: str, kids: dict, expanded: str) -> str:
        guid = qc_guid(expanded)
        first_guid.setdefault(name, guid)
        inner = "".join(code(k, v, f"{expanded}:{k}") for k, v in kids.items())
        return f'<Code name="{name}" guid="{guid}" isCodable="true">{inner}</Code>'

    codes = "".join(code(k, v, k) for k, v in QC_CODEBOOK.items())
    coders = sorted({coder for _, _, coder, _ in QC_CODINGS})
    users = "".join(f'<User name="{c}" guid="{qc_guid(c)}" />' for c in coders)
    sources = []
    for file, text in texts.items():
        lines = qc_line_positions(text)
        selections = []
        for number in sorted({n for f, n, _, _ in QC_CODINGS if f == file}):
            start, end = lines[number]
            codings = "".join(
                f'<Coding guid="{qc_guid(f"{file}:{number}:{coder}:{name}")}" '
                f'creatingUser="{qc_guid(coder)}"><CodeRef targetGUID="{first_guid[name]}" />'
                "</Coding>"
                for f, n, coder, name in QC_CODINGS if f == file and n == number)
            selections.append(f'<PlainTextSelection guid="{qc_guid(f"{file}:{number}")}" '
                              f'name="line:{number}" startPosition="{start}" '
                              f'endPosition="{end}">{codings}</PlainTextSelection>')
        path = (paths or {}).get(file, file)
        sources.append(f'<TextSource plainTextPath={quoteattr(path)} guid="{qc_guid(file)}">'
                       f'{"".join(selections)}</TextSource>')
    return ('<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/'
            'XMLSchema-instance" origin="qc 1.3.2" name="qc project">'
            f"<Users>{users}</Users><CodeBook><Codes>{codes}</Codes></CodeBook>"
            f"<Sources>{''.join(sources)}</Sources></Project>")


def qc_qdpx(dest: Path, *, members: dict[str, str] | None = None,
            paths: dict[str, str] | None = None, texts: dict[str, str] | None = None) -> Path:
    """Write a qc-style .qdpx; ``members`` maps each text's file name to its member name."""
    texts = texts or QC_TEXTS
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qc_project_xml(texts, paths))
        for file, text in texts.items():
            member = (members or {}).get(file, f"sources/{file}")
            if member:
                archive.writestr(member, text.encode("utf-8"))
    return dest


def count_elements(qde: str, tag: str) -> int:
    """Count the elements of one tag in a project.qde text."""
    return qde.count(f"<{tag} ") + qde.count(f"<{tag}>")


NVIVO_CODES = ["Economy", "Health care", "Values", "Conservatives"]


def nvivo_codes_only_qdpx(dest: Path, *, plain: bool = True) -> Path:
    """Write an NVivo-style .qdpx: codes, two sources with richTextPath (+ plainTextPath)."""
    user = "1b0b1791-be46-4557-9957-7333544cfaf2"
    guids = ["d097e6fd-7671-4d95-a8b6-7795fa4a72e1", "e65f5ee2-9a55-47f1-bb0b-4921d8ce15c4"]
    codes = "".join(f'<Code guid="{qc_guid(name)}" isCodable="true" name="{name}">'
                    f"<Description>Include: anything on {name.lower()}.</Description></Code>"
                    for name in NVIVO_CODES)
    sources = "".join(
        f'<TextSource creatingUser="{user}" creationDateTime="2024-09-15T15:36:47Z" '
        f'guid="{guid}" modifiedDateTime="2024-09-15T15:36:48Z" modifyingUser="{user}" '
        f'name="Interview {n}" richTextPath="internal://{guid}.docx"'
        + (f' plainTextPath="internal://{guid}.txt"' if plain else "") + "/>"
        for n, guid in enumerate(guids, 1))
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'basePath="" creatingUserGUID="{user}" creationDateTime="2024-09-15T15:36:45Z" '
           'name="qc project" origin="NVivo for Mac 15.0.0">'
           f'<Users><User guid="{user}" id="CP" name="chrisp"/></Users>'
           f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>")
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/.root", b"")
        for n, guid in enumerate(guids, 1):
            archive.writestr(f"sources/{guid}.docx", b"PK\x03\x04 not really a docx")
            archive.writestr(f"sources/{guid}.txt", f"Interview {n}: plain text.\n")
    return dest
