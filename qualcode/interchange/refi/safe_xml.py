"""Parsing XML from other tools as hostile input: no DTDs, no entities, no network.

lxml is told not to load DTDs, not to resolve entities, not to touch the network and
not to lift its size limits; a document that declares a DOCTYPE or uses an entity is
then refused outright, so neither "billion laughs" expansion nor external entities
(file or URL reads) can happen, and nothing half-understood is imported.
"""

from __future__ import annotations

import re

from lxml import etree

from qualcode.errors import FormatError

MAX_XML_BYTES = 256 * 1024 * 1024
"""Largest project.qde or .qdc read (the XML only; source texts are separate files)."""


# The root element's start tag: "<" then a name character (not "?", "!" or "/").
_ROOT_START = re.compile(rb"<[A-Za-z_\x80-\xff]")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse an XML document and return its root, refusing DTDs, entities and oversize."""
    if len(data) > MAX_XML_BYTES:
        raise FormatError(f"the XML is {len(data) / 2**20:.0f} MB, over the "
                          f"{MAX_XML_BYTES // 2**20} MB limit; nothing was imported", path=where)
    root_tag = _ROOT_START.search(data)
    prolog = data[: root_tag.start() if root_tag else len(data)]
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise FormatError("the XML declares a DOCTYPE (DTDs and entities are refused for "
                          "safety; REFI-QDA files need neither); nothing was imported",
                          path=where)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        message = " ".join(str(error.msg or error).split(", line")[0].split())  # one line
        raise FormatError(f"is not well-formed XML ({message}); nothing was imported",
                          path=where, line=line) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FormatError("the XML declares a DOCTYPE (DTDs and entities are refused for "
                          "safety); nothing was imported", path=where)
    for entity in root.iter(etree.Entity):
        raise FormatError(f"the XML uses the entity {entity.text} (entities are refused for "
                          "safety); nothing was imported", path=where, line=entity.sourceline)
    return root


def local(element: etree._Element) -> str:
    """Return an element's name without its namespace (exporters disagree on namespaces)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Return the direct children with this local name, in document order."""
    return [child for child in element if local(child) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    """Return the first direct child with this local name, or None."""
    for node in element:
        if local(node) == name:
            return node
    return None


def text_of(element: etree._Element | None) -> str:
    """Return an element's text content ("" when absent)."""
    if element is None:
        return ""
    return "".join(element.itertext())
