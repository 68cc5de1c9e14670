"""An .xlsx is a ZIP of XML parts: sizes and shapes checked before openpyxl reads any.

openpyxl holds some parts whole in memory: the styles, the workbook, its relations and
theme are parsed into trees (about 30 times their size: 40 MB of styles took 1.3 GB),
and the shared strings become one Python string each (60 MB of short strings took
600 MB). Worksheets are streamed row by row, but a single cell is held whole. So before
``load_workbook`` runs, each part is checked against a budget for what openpyxl makes of
it, first from the sizes the archive declares (which :mod:`zipfile` enforces while
inflating), then, for the shared strings and worksheets, by streaming the part once
(64 kB at a time) to count its elements and its longest text. A workbook over budget is
refused in one line before any of it is held, so a refusal stays within the memory
ceiling README.md states ("What qualcode refuses, and why").

Which part is what comes from the workbook's own ``[Content_Types].xml`` (as openpyxl
reads it), so the shared strings or a worksheet under an unusual name get their budget,
and a large part that a relationship hands to something openpyxl parses whole (a
chartsheet, an external link) is refused even if it calls itself a worksheet.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import IO, Any

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import MAX_FIELD_BYTES, MAX_FIELD_LABEL
from qualcode.interchange.zip_limits import method_problem, ratio_problem

MB = 2**20
MAX_TREE_PART_BYTES = 8 * MB
"""Largest part openpyxl parses whole (styles, workbook, relations, theme). Excel itself
allows 64,000 cell formats, a styles part of a few MB at most."""
MAX_STREAMED_PART_BYTES = 256 * MB
"""Largest worksheet or shared-strings part (streamed, or kept as plain strings)."""
MAX_TOTAL_BYTES = 512 * MB
"""Largest total of all parts, as declared."""
STRINGS_BUDGET = 320 * MB
"""Estimated memory allowed for the shared strings: their bytes plus about 64 bytes of
Python object per element (a string and its run)."""
BYTES_PER_ELEMENT = 64
MAX_PARTS = 10_000
_STYLES = "xl/styles.xml"  # openpyxl reads the styles from this name, whatever else says
_WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"
_STRINGS_TYPE = "spreadsheetml.sharedStrings+xml"
# Parts openpyxl's read-only mode never parses; by content type prefix or name ending.
_OPAQUE_TYPES = ("image/", "audio/", "video/", "application/vnd.ms-office.vbaProject",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings",
                 "application/vnd.openxmlformats-officedocument.oleObject",
                 "application/vnd.openxmlformats-package.core-properties+xml/thumbnail")
_OPAQUE_NAMES = re.compile(r"\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|bin|wav|mp[34])$",
                           re.IGNORECASE)
# Relationship types under which a large part is fine: streamed or never parsed.
_LARGE_RELATIONS = ("/worksheet", "/image", "/printerSettings", "/vbaProject",
                    "/oleObject", "/package", "/thumbnail", "/audio", "/video", "/media")
CHUNK = 1 << 16
AGAIN = "open it in Excel or LibreOffice and save it as .xlsx again, or export a CSV"


def check_workbook(handle: IO[bytes], path: Path) -> None:
    """Refuse a workbook whose parts would not fit the memory budget; leave it to
    openpyxl to report a file that is not a ZIP at all. ``handle`` is left open."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    try:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(path, f"it holds {len(infos):,} parts, over the limit of {MAX_PARTS:,}")
        declared = 0
        for info in infos:
            problem = method_problem(info) or ratio_problem(info)
            if problem:
                raise _refuse(path, problem.replace("member ", "part ", 1))
            declared += info.file_size
            if declared > MAX_TOTAL_BYTES:
                raise _refuse(path, f"its parts unpack to over {MAX_TOTAL_BYTES // MB} MB")
        kinds = _kinds(archive, infos, path)
        for info in infos:
            _check_declared(info, kinds[info.filename], path)
        _check_relations(archive, infos, kinds, path)
        for info in infos:
            if kinds[info.filename] in ("sheet", "strings"):
                _check_streamed(archive, info, kinds[info.filename] == "strings", path)
    finally:
        archive.close()


def _parse_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> Any:
    """Parse a small XML part (already checked against the tree budget), entities off."""
    from lxml import etree

    if info.file_size > MAX_TREE_PART_BYTES:
        raise _refuse(path, f"part {info.filename!r} unpacks to {info.file_size / MB:.0f} MB, "
                      f"over the {MAX_TREE_PART_BYTES // MB} MB limit for such a part")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        return etree.fromstring(archive.read(info), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError):
        return None  # openpyxl reports a broken part


def _kinds(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
           path: Path) -> dict[str, str]:
    """Return, per part name, "sheet", "strings", "opaque" or "tree" (parsed whole)."""
    declared: dict[str, str] = {}
    defaults: dict[str, str] = {}
    names = {info.filename: info for info in infos}
    types = names.get("[Content_Types].xml")
    root = _parse_small(archive, types, path) if types is not None else None
    for node in root.iter() if root is not None else ():
        tag = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""
        if tag == "Override":
            declared[str(node.get("PartName", "")).lstrip("/")] = str(node.get("ContentType", ""))
        elif tag == "Default":
            defaults[str(node.get("Extension", "")).lower()] = str(node.get("ContentType", ""))
    kinds = {}
    for name in names:
        content = declared.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower(), "")
        if name == _STYLES:
            kinds[name] = "tree"
        elif content.endswith(_WORKSHEET_TYPE):
            kinds[name] = "sheet"
        elif content.endswith(_STRINGS_TYPE) or name.lower() == "xl/sharedstrings.xml":
            kinds[name] = "strings"
        elif content.startswith(_OPAQUE_TYPES) or _OPAQUE_NAMES.search(name):
            kinds[name] = "opaque"
        else:
            kinds[name] = "tree"
    return kinds


def _check_relations(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                     kinds: dict[str, str], path: Path) -> None:
    """Refuse a large part handed, by a relationship, to something parsed whole."""
    sizes = {info.filename: info.file_size for info in infos}
    for info in infos:
        if not info.filename.endswith(".rels"):
            continue
        root = _parse_small(archive, info, path)
        base = posixpath.dirname(posixpath.dirname(info.filename))  # "xl/_rels/x" -> "xl"
        for node in root.iter() if root is not None else ():
            if not isinstance(node.tag, str) or not node.tag.endswith("Relationship") \
                    or node.get("TargetMode") == "External":
                continue
            target = str(node.get("Target", ""))
            name = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                      else posixpath.join(base, target))
            kind = str(node.get("Type", ""))
            if sizes.get(name, 0) > MAX_TREE_PART_BYTES and kinds.get(name) != "tree" \
                    and not kind.endswith(_LARGE_RELATIONS):
                raise _refuse(path, f"part {name!r} ({sizes[name] / MB:.0f} MB) is used as "
                              f"{kind.rsplit('/', 1)[-1] or 'an unknown part'}, which is "
                              f"read whole: over the {MAX_TREE_PART_BYTES // MB} MB limit")


def _refuse(path: Path, problem: str) -> FormatError:
    return FormatError(f"{problem}; refusing to read it ({AGAIN})", path=str(path))


def _check_declared(info: zipfile.ZipInfo, kind: str, path: Path) -> None:
    limit = {"sheet": MAX_STREAMED_PART_BYTES, "strings": MAX_STREAMED_PART_BYTES,
             "tree": MAX_TREE_PART_BYTES}.get(kind)
    if limit is not None and info.file_size > limit:
        what = {"sheet": "a worksheet", "strings": "the shared strings"}.get(
            kind, "a part read whole (styles, workbook, relations, theme)")
        raise _refuse(path, f"part {info.filename!r} unpacks to {info.file_size / MB:.0f} MB, "
                      f"over the {limit // MB} MB limit for {what}")


def _check_streamed(archive: zipfile.ZipFile, info: zipfile.ZipInfo, strings: bool,
                    path: Path) -> None:
    """Stream a worksheet or the shared strings once: elements and longest text."""
    elements = longest = run = size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                pieces = chunk.split(b"<")
                run += len(pieces[0])
                if len(pieces) > 1:
                    longest = max(longest, run, max(map(len, pieces[1:-1]), default=0))
                    run = len(pieces[-1])
                    elements += len(pieces) - 1
                if max(longest, run) > MAX_FIELD_BYTES:
                    raise _refuse(path, f"part {info.filename!r} holds a text over "
                                  f"{MAX_FIELD_LABEL} (a cell is at most {MAX_FIELD_LABEL})")
                if strings and size + elements * BYTES_PER_ELEMENT > STRINGS_BUDGET:
                    raise _refuse(path, f"its shared strings ({elements:,} elements in "
                                  f"{size / MB:.0f} MB so far) would take over "
                                  f"{STRINGS_BUDGET // MB} MB of memory")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(path, f"part {info.filename!r} cannot be unpacked ({error})") from None
