"""Checks on the ZIP container of a Word (.docx) or OpenDocument (.odt) file, before parsing.

Everything is decided from the central directory and the small XML parts that name the
package's content, so nothing large is inflated to refuse a file: members compressed in
ways that inflate without bound, a total inflated size over :data:`MAX_INFLATED` (a ZIP
bomb), macros (a ``vbaProject.bin`` part or a macro-enabled content type), and references
to anything outside the file (templates, linked pictures or objects, sub-documents, which
Word would fetch; hyperlinks are kept as text and never followed).
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from qualcode.errors import FormatError
from qualcode.interchange.zip_limits import method_problem, ratio_problem

MAX_INFLATED = 256 * 1024 * 1024
"""Largest total inflated size of a document's members (text, styles and pictures)."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_RELS = re.compile(r"(^|/)_rels/[^/]*\.rels$")
_HYPERLINK = "/hyperlink"
_RESAVE = "open it in {app} and save it again as {kind}, then import that file"


def open_container(data: bytes, path: str, *, app: str, kind: str) -> zipfile.ZipFile:
    """Open a document's bytes as a ZIP after checking every member; refuse in one line."""
    resave = _RESAVE.format(app=app, kind=kind)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FormatError(f"is not a readable {kind} file (damaged, or not a {kind} at all); "
                          f"{resave}", path=path) from None
    total = 0
    for info in archive.infolist():
        problem = method_problem(info) or ratio_problem(info)
        if problem:
            raise FormatError(f"{problem}; {resave}", path=path)
        total += info.file_size
        if total > MAX_INFLATED:
            raise FormatError(f"inflates to more than {MAX_INFLATED // 2**20} MB (a ZIP bomb?); "
                              f"{resave} without embedded media", path=path)
        if info.filename.lower().endswith("vbaproject.bin"):
            raise _macros(path, kind)
    return archive


def refuse_macros_and_links(archive: zipfile.ZipFile, path: str, *, kind: str) -> None:
    """Refuse a macro-enabled package, or one with references outside the file."""
    names = set(archive.namelist())
    if "[Content_Types].xml" in names:
        types = _read_small(archive, "[Content_Types].xml", path)
        if b"macroEnabled" in types or b"vbaProject" in types:
            raise _macros(path, kind)
    for name in names:
        if not _RELS.search(name):
            continue
        root = _parse(_read_small(archive, name, path), path, name)
        for rel in root:
            if rel.get("TargetMode") != "External" or rel.get("Type", "").endswith(_HYPERLINK):
                continue
            kind_of = rel.get("Type", "").rsplit("/", 1)[-1] or "link"
            raise FormatError(f"refers to a file outside itself ({kind_of}: "
                              f"{rel.get('Target', '')[:80]!r}), which qualcode never fetches; "
                              f"remove the link (or embed what it points to) and save it again "
                              f"as {kind}", path=path)


def read_part(archive: zipfile.ZipFile, name: str, path: str) -> etree._Element:
    """Parse one XML member of the package (no entities resolved, no network)."""
    try:
        data = archive.read(name)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise FormatError(f"its part {name!r} cannot be read ({error}); the file is damaged: "
                          "open it in its program and save it again", path=path) from None
    return _parse(data, path, name)


def _read_small(archive: zipfile.ZipFile, name: str, path: str) -> bytes:
    if archive.getinfo(name).file_size > 16 * 1024 * 1024:
        raise FormatError(f"its part {name!r} is implausibly large; the file is damaged or "
                          "hostile: open it in its program and save it again", path=path)
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise FormatError(f"its part {name!r} cannot be read ({error}); the file is damaged: "
                          "open it in its program and save it again", path=path) from None


def _parse(data: bytes, path: str, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise FormatError(f"its part {name!r} is not well-formed XML ({error.msg}); the file is "
                          "damaged: open it in its program and save it again", path=path) from None


def _macros(path: str, kind: str) -> FormatError:
    return FormatError(f"is a macro-enabled file; qualcode never opens macros: save it as a "
                       f"plain {kind} (without macros) and import that", path=path)
