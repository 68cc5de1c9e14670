"""REFI-QDA codebooks: ``.qdc`` files, and the ``CodeBook`` inside a project.

Written: every live code with its GUID (as stored), name, ``isCodable``, colour and a
``Description`` packing definition, inclusion, exclusion, examples and shortcut
(:mod:`.description`), under ``origin="qualcode VERSION"``. Read: the same from a file
of that origin; from any other exporter a ``Description`` is the definition as it
stands, label-like lines and all. Kinds follow depth (top level theme; second level
sub-theme when it holds codes or is not codable; code below).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from qualcode import __version__
from qualcode.codebook_shape import CodebookShape
from qualcode.errors import CodebookError, FormatError
from qualcode.interchange.codebook_yaml import normalise_colour
from qualcode.interchange.readers.safe_open import read_limited
from qualcode.interchange.refi.description import Definition, pack, unpack
from qualcode.interchange.refi.guids import clean_guid, fold
from qualcode.interchange.refi.safe_xml import (
    MAX_XML_BYTES,
    child,
    children,
    local,
    parse_xml,
    text_of,
)
from qualcode.model import PATH_SEPARATOR, Code, Codebook, CodeKind, CodeSpec
from qualcode.storage.files import write_replacing
from qualcode.storage.snapshot import InCode

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN_PREFIX = "qualcode"
ORIGIN = f"{ORIGIN_PREFIX} {__version__}"
"""The ``origin`` qualcode writes on a ``.qdc``'s CodeBook and a ``.qdpx``'s Project: the
marker that makes its own label lines (``Include:``, ``Shortcut:`` ...) and JSON variable
values be read as such; from any other origin they are text."""


def written_by_qualcode(origin: str | None) -> bool:
    """Say whether an ``origin`` attribute is qualcode's own ("qualcode 1.2", not "qualcoder")."""
    return re.match(rf"^{ORIGIN_PREFIX}(?: |$)", (origin or "").strip()) is not None
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Return text XML 1.0 can hold: characters it forbids become U+FFFD."""
    return _INVALID_XML.sub("\ufffd", value)


def implied_kind(depth: int, has_children: bool, codable: bool) -> CodeKind:
    """Return the kind a node's place implies: theme at the top, then sub-theme, then code."""
    if depth == 0:
        return CodeKind.THEME
    if depth == 1 and (has_children or not codable):
        return CodeKind.SUBTHEME
    return CodeKind.CODE


def code_element(book: Codebook, code: Code, maker: Callable[..., Any],
                 note_refs: dict[str, list[str]] | None = None, depth: int = 0) -> Any:
    """Return the ``Code`` element of a code with everything below it."""
    attrs = {"guid": code.guid, "name": xml_text(code.name),
             "isCodable": "true" if code.codable else "false"}
    if code.colour:
        attrs["color"] = code.colour
    element = maker("Code", attrs)
    kids = book.children(code.id)
    implied = implied_kind(depth, bool(kids), code.codable)
    text = pack(Definition(code.description, code.inclusion, code.exclusion, code.examples,
                           code.shortcut, None if code.kind is implied else code.kind.value))
    if text:
        etree.SubElement(element, _sibling(element, "Description")).text = xml_text(text)
    for memo_guid in (note_refs or {}).get(fold(code.guid), []):
        etree.SubElement(element, _sibling(element, "NoteRef"), targetGUID=memo_guid)
    for kid in kids:
        element.append(code_element(book, kid, maker, note_refs, depth + 1))
    return element


def _sibling(element: Any, name: str) -> str:
    """Return the tag ``name`` in the namespace of ``element``."""
    namespace = etree.QName(element).namespace
    return f"{{{namespace}}}{name}" if namespace else name


def codes_element(book: Codebook, namespace: str,
                  note_refs: dict[str, list[str]] | None = None) -> Any:
    """Return a ``Codes`` element holding the whole codebook (in ``namespace``)."""
    def maker(name: str, attrs: dict[str, str]) -> Any:
        return etree.Element(f"{{{namespace}}}{name}", attrs, nsmap={None: namespace})
    codes = etree.Element(f"{{{namespace}}}Codes", nsmap={None: namespace})
    for root in book.roots():
        codes.append(code_element(book, root, maker, note_refs))
    return codes


def qdc_bytes(book: Codebook) -> bytes:
    """Return a ``.qdc`` document for a codebook."""
    if not len(book):
        raise CodebookError("the codebook is empty; a .qdc needs at least one code "
                            "(import or add codes first)")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN},
                         nsmap={None: CODEBOOK_NS})
    root.append(codes_element(book, CODEBOOK_NS))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qdc(store: ProjectStore, path: Path) -> int:
    """Write the project's codebook as a ``.qdc``; return the number of codes written."""
    book = store.codebook()
    write_replacing(path, qdc_bytes(book))
    return len(book)


# -- reading ---------------------------------------------------------------------------------


class CodeReader:
    """Turns ``Code`` elements into :class:`InCode` records, cleaning what qualcode can't hold."""

    def __init__(self, where: str, *, own: bool = False) -> None:
        self.where = where
        self.own = own
        self.codes: list[InCode] = []
        self.notes: list[str] = []
        self.guids: dict[str, int] = {}
        self.note_refs: list[tuple[str, str]] = []  # (note guid, code guid)

    def read(self, codes: Any) -> list[InCode]:
        """Read every ``Code`` below a ``Codes`` element, parents before children."""
        self._siblings(children(codes, "Code"), None, 0, "")
        self._lift_deep_codes()
        return self.codes

    def _lift_deep_codes(self) -> None:
        """Lift codes deeper than :class:`CodebookShape` allows to the third level, saying so.

        A code at the fourth level or below goes under the second-level node it descends
        from (its sub-theme), keeping its GUID, definition and codings; a name its new
        siblings already use gets a ``(2)``.
        """
        levels = CodebookShape.MAX_LEVELS
        by_guid = {fold(c.guid): c for c in self.codes}
        chains = {fold(c.guid): self._chain(c, by_guid) for c in self.codes}
        names: dict[str | None, set[str]] = {}
        for code in self.codes:
            if len(chains[fold(code.guid)]) < levels:
                parent = fold(code.parent_guid) if code.parent_guid else None
                names.setdefault(parent, set()).add(code.name.casefold())
        lifted: list[str] = []
        for index, code in enumerate(self.codes):
            chain = chains[fold(code.guid)]
            if len(chain) < levels:
                continue
            new_parent = chain[levels - 2]
            taken = names.setdefault(fold(new_parent.guid), set())
            name, number = code.name, 1
            while name.casefold() in taken:
                number += 1
                name = f"{code.name} ({number})"
            taken.add(name.casefold())
            old_path = PATH_SEPARATOR.join([c.name for c in chain] + [code.name])
            self.codes[index] = replace(code, name=name, parent_guid=new_parent.guid,
                                        kind=CodeKind.CODE)
            lifted.append(f"{old_path!r} is now "
                          f"{PATH_SEPARATOR.join([c.name for c in chain[:levels - 1]] + [name])!r}")
        if lifted:
            self.notes.append(f"{len(lifted)} codes sat deeper than theme > sub-theme > code; "
                              f"each was lifted to the third level under its sub-theme "
                              f"({'; '.join(lifted[:3])}{' ...' if len(lifted) > 3 else ''})")

    @staticmethod
    def _chain(code: InCode, by_guid: dict[str, InCode]) -> list[InCode]:
        """Return a code's ancestors as read, top level first."""
        chain: list[InCode] = []
        parent = by_guid.get(fold(code.parent_guid)) if code.parent_guid else None
        while parent is not None and len(chain) < 100:
            chain.append(parent)
            parent = by_guid.get(fold(parent.parent_guid)) if parent.parent_guid else None
        return list(reversed(chain))

    def _siblings(self, elements: list[Any], parent: str | None, depth: int, path: str) -> None:
        seen: dict[str, int] = {}
        for element in elements:
            code = self._code(element, parent, depth, path, seen)
            self._siblings(children(element, "Code"), code.guid, depth + 1,
                           f"{path}{PATH_SEPARATOR}{code.name}" if path else code.name)

    def _code(self, element: Any, parent: str | None, depth: int, path: str,
              seen: dict[str, int]) -> InCode:
        line = element.sourceline
        guid = clean_guid(element.get("guid"))
        if guid is None:
            raise FormatError(f"a Code has guid {element.get('guid')!r}, which is not a GUID "
                              "(8-4-4-4-12 hex digits); nothing was imported",
                              path=self.where, line=line)
        if fold(guid) in self.guids:
            raise FormatError(f"code GUID {guid} appears twice (also on line "
                              f"{self.guids[fold(guid)]}); nothing was imported",
                              path=self.where, line=line)
        self.guids[fold(guid)] = line or 0
        name = self._name(element.get("name") or "", guid, path, seen)
        description = text_of(child(element, "Description"))
        # Another tool's description is the definition as it stands, whatever it holds.
        definition = unpack(description) if self.own else Definition(description)
        colour = self._colour(element.get("color"), name)
        codable = (element.get("isCodable") or "true").strip().lower() in ("true", "1")
        kind = implied_kind(depth, bool(children(element, "Code")), codable)
        if definition.kind in {k.value for k in CodeKind}:
            kind = CodeKind(definition.kind)
        for ref in children(element, "NoteRef"):
            note = clean_guid(ref.get("targetGUID"))
            if note is None:
                raise FormatError(f"a NoteRef has targetGUID {ref.get('targetGUID')!r:.60}, which "
                                  "is not a GUID; nothing was imported; fix it, or export the "
                                  "codebook again", path=self.where, line=ref.sourceline)
            self.note_refs.append((note, guid))
        code = InCode(guid=guid, name=name, parent_guid=parent, kind=kind,
                      description=definition.description, inclusion=definition.inclusion,
                      exclusion=definition.exclusion, examples=definition.examples,
                      colour=colour, shortcut=definition.shortcut, codable=codable)
        self.codes.append(code)
        return code

    def _name(self, raw: str, guid: str, path: str, seen: dict[str, int]) -> str:
        name = " ".join(raw.split())
        where = f"{path}{PATH_SEPARATOR}" if path else ""
        if not name:
            name = f"unnamed code {guid[:8]}"
            self.notes.append(f"a code with no name was named {name!r}")
        if PATH_SEPARATOR in name:
            fixed = name.replace(PATH_SEPARATOR, "-")
            self.notes.append(f"code {where + name!r} renamed {fixed!r} ('/' separates path "
                              "parts)")
            name = fixed
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            seen[folded] += 1
            fixed = f"{name} ({seen[folded]})"
            self.notes.append(f"code {where + name!r} appears twice under one parent; the "
                              f"second was named {fixed!r}")
            name = fixed
            folded = unicodedata.normalize("NFC", name).casefold()
        seen.setdefault(folded, 1)
        return name

    def _colour(self, value: str | None, name: str) -> str | None:
        if not value:
            return None
        try:
            return normalise_colour(value)
        except CodebookError:
            self.notes.append(f"code {name!r}: colour {value!r} is not #RRGGBB; left off")
            return None


def to_specs(codes: list[InCode]) -> tuple[CodeSpec, ...]:
    """Return codes read from a file as the spec tree ``Store.import_codebook`` takes."""
    kids: dict[str | None, list[InCode]] = {}
    for code in codes:
        kids.setdefault(fold(code.parent_guid) if code.parent_guid else None, []).append(code)

    def build(code: InCode) -> CodeSpec:
        return CodeSpec(name=code.name, kind=code.kind, description=code.description,
                        inclusion=code.inclusion, exclusion=code.exclusion,
                        examples=code.examples, colour=code.colour, shortcut=code.shortcut,
                        codable=code.codable, guid=code.guid,
                        children=tuple(build(k) for k in kids.get(fold(code.guid), [])))
    return tuple(build(code) for code in kids.get(None, []))


def read_qdc(path: Path) -> tuple[list[InCode], list[str]]:
    """Read a ``.qdc`` file: its codes (parents first) and notes on what was changed or left out."""
    where = str(path)
    data = read_limited(path, MAX_XML_BYTES, what="a .qdc codebook",
                        advice="check that this is the right file",
                        hint="give the path of a .qdc codebook")
    root = parse_xml(data, where)
    if local(root) != "CodeBook":
        raise FormatError(f"the root element is <{local(root)}>, not <CodeBook>; is this a "
                          "REFI-QDA .qdc codebook?", path=where, line=root.sourceline)
    codes = child(root, "Codes")
    if codes is None or not children(codes, "Code"):
        raise FormatError("the codebook has no codes (no <Codes><Code .../></Codes>)",
                          path=where)
    reader = CodeReader(where, own=written_by_qualcode(root.get("origin")))
    found = reader.read(codes)
    sets = child(root, "Sets")
    if sets is not None and children(sets, "Set"):
        reader.notes.append(f"{len(children(sets, 'Set'))} code sets left out (qualcode has "
                            "no code sets; the codes themselves are imported)")
    return found, reader.notes
