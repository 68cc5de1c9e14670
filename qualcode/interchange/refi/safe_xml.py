"""Parsing XML from other tools as hostile input: no DTDs, no entities, no network.

lxml is told not to load DTDs, not to resolve entities, not to touch the network and
not to lift its size limits; a document that declares a DOCTYPE or uses an entity is
then refused outright, so neither "billion laughs" expansion nor external entities
(file or URL reads) can happen, and nothing half-understood is imported.

:func:`parse_xml` builds the whole tree (a ``.qdc`` codebook); :func:`stream_xml` reads
a ``project.qde`` as it parses, under the same rules, keeping only compact copies
(:class:`Lite`) of the elements its reader asks for and dropping every parsed element
once it ends: memory follows what the reader keeps, not the XML's tree (which takes
about 20 times the document's size).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from qualcode.errors import FormatError

MAX_XML_BYTES = 256 * 1024 * 1024
"""Largest project.qde or .qdc read (the XML only; source texts are separate files)."""


# The root element's start tag: "<" then a name character (not "?", "!" or "/").
_ROOT_START = re.compile(rb"<[A-Za-z_\x80-\xff]")


# Depth stays bounded too: without huge_tree, libxml2 refuses nesting deeper than 256.
_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
             huge_tree=False, remove_comments=True, remove_pis=True)
_FEED = 1 << 20  # bytes handed to the streaming parser at a time


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_SAFE)


def _check_prolog(data: bytes | bytearray, where: str) -> None:
    """Refuse oversize, and a DOCTYPE or ENTITY declared before the root element."""
    if len(data) > MAX_XML_BYTES:
        raise FormatError(f"the XML is {len(data) / 2**20:.0f} MB, over the "
                          f"{MAX_XML_BYTES // 2**20} MB limit; nothing was imported", path=where)
    root_tag = _ROOT_START.search(data)
    prolog = data[: root_tag.start() if root_tag else len(data)]
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise FormatError("the XML declares a DOCTYPE (DTDs and entities are refused for "
                          "safety; REFI-QDA files need neither); nothing was imported",
                          path=where)


def _not_well_formed(error: etree.XMLSyntaxError, where: str) -> FormatError:
    line = error.lineno if error.lineno else None
    message = " ".join(str(error.msg or error).split(", line")[0].split())  # one line
    return FormatError(f"is not well-formed XML ({message}); nothing was imported",
                       path=where, line=line)


def _check_doctype(tree: Any, where: str) -> None:
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FormatError("the XML declares a DOCTYPE (DTDs and entities are refused for "
                          "safety); nothing was imported", path=where)


def _refuse_entity(node: Any, where: str) -> None:
    if node.tag is etree.Entity:
        raise FormatError(f"the XML uses the entity {node.text} (entities are refused for "
                          "safety); nothing was imported", path=where, line=node.sourceline)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse an XML document and return its root, refusing DTDs, entities and oversize."""
    _check_prolog(data, where)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _not_well_formed(error, where) from None
    _check_doctype(root.getroottree(), where)
    for entity in root.iter(etree.Entity):
        _refuse_entity(entity, where)
    return root


_NO_KIDS: tuple[()] = ()
# Attributes naming another element (a code, a user): the same few values again and again.
_REFERENCES = frozenset({"targetGUID", "creatingUser", "modifyingUser"})


class Lite:
    """A compact, read-only copy of a parsed element, read like one (``get``, children).

    ``tag`` is the local name; ``count`` is the number of direct children parsed, also
    when they were not kept (a top-level section reported by :func:`stream_xml`).
    Attributes are a flat tuple (name, value, name, value ...) and names, tags and
    blank texts are interned: a copy of a tiny element costs about a third of lxml's.
    """

    __slots__ = ("tag", "attrs", "sourceline", "text", "tail", "kids", "count")

    def __init__(self, tag: str, attrs: tuple[str, ...], sourceline: int | None,
                 text: str | None = None, kids: tuple[Lite, ...] = _NO_KIDS,
                 count: int = 0) -> None:
        self.tag, self.attrs, self.sourceline, self.text = tag, attrs, sourceline, text
        self.tail: str | None = None
        self.kids, self.count = kids, count

    def get(self, name: str, default: str | None = None) -> str | None:
        """Return an attribute's value (``default`` when absent)."""
        attrs = self.attrs
        for index in range(0, len(attrs), 2):
            if attrs[index] == name:
                return attrs[index + 1]
        return default

    def __iter__(self) -> Iterator[Lite]:
        return iter(self.kids)

    def __len__(self) -> int:
        return len(self.kids)

    def iter(self) -> Iterator[Lite]:
        """Yield this element and every element below it, in document order."""
        yield self
        for kid in self.kids:
            yield from kid.iter()

    def itertext(self) -> Iterator[str]:
        """Yield the text inside this element, as lxml's ``itertext`` does."""
        if self.text:
            yield self.text
        for kid in self.kids:
            yield from kid.itertext()
            if kid.tail:
                yield kid.tail


def _compact(text: str | None) -> str | None:
    """Share blank text (indentation between elements) instead of copying it each time."""
    return sys.intern(text) if text is not None and text.isspace() and len(text) < 64 else text


def _copy(element: Any, kids: tuple[Lite, ...] = _NO_KIDS, count: int = 0,
          text: bool = True, line: int | None = None) -> Lite:
    attrs = tuple(part for name, value in element.items()
                  for part in (sys.intern(name), sys.intern(value) if name in _REFERENCES
                               else value))
    return Lite(local(element), attrs, line or element.sourceline,
                _compact(element.text) if text else None, kids or _NO_KIDS, count)


@dataclass(slots=True)
class _Open:
    path: tuple[str, ...]
    kids: list[Lite] | None  # a list while inside an element the reader keeps
    record: bool  # the outermost element kept
    count: int = 0  # children parsed
    inside: int = 0  # for a record: every element inside it
    limit: int = 0
    line: int | None = None  # read at the start: libxml2 may lose lines past 65,535 later


def stream_xml(data: bytes | bytearray, where: str, keep: Callable[[tuple[str, ...]], bool],
               limits: dict[str, int] | None = None) -> Iterator[tuple[tuple[str, ...], Lite]]:
    """Parse hostile XML as it streams, under :func:`parse_xml`'s rules, yielding copies.

    Yields ``(path, element)``: the root first, at its start, without children; then, at
    its end, each element whose path of local names ``keep`` accepts (with everything
    inside it), and each top-level section (its ``count`` of children, nothing inside,
    unless kept). A top-level name seen again is ``NAME#2``, ``NAME#3``..., so a reader
    taking the first ``Users`` only is not handed a second. Every parsed element is
    dropped once it ends, so memory holds only the copies. ``limits`` caps, by the
    kept element's name, how many elements one copy may hold (a hostile file is refused
    at the cap, before the copy grows further).
    """
    _check_prolog(data, where)
    parser = etree.XMLPullParser(events=("start", "end"), **_SAFE)
    view = memoryview(data)
    stack: list[_Open] = []
    seen: dict[str, int] = {}
    try:
        for offset in range(0, len(view) + 1, _FEED):
            chunk = bytes(view[offset:offset + _FEED])
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            for event, element in parser.read_events():
                if event == "start":
                    found = _started(element, stack, seen, keep, where, limits or {})
                    if found is not None:
                        yield found
                else:
                    found = _ended(element, stack, where)
                    if found is not None:
                        yield found
    except etree.XMLSyntaxError as error:
        raise _not_well_formed(error, where) from None
    finally:
        view.release()


def _started(element: Any, stack: list[_Open], seen: dict[str, int],
             keep: Callable[[tuple[str, ...]], bool], where: str,
             limits: dict[str, int]) -> tuple[tuple[str, ...], Lite] | None:
    name = local(element)
    if not stack:
        _check_doctype(element.getroottree(), where)
        stack.append(_Open((name,), None, False))
        return (name,), _copy(element, text=False)
    parent = stack[-1]
    parent.count += 1
    if len(stack) == 1:
        seen[name] = seen.get(name, 0) + 1
        name = name if seen[name] == 1 else f"{name}#{seen[name]}"
    path = parent.path + (name,)
    if parent.kids is not None:
        record = next(frame for frame in reversed(stack) if frame.record)
        record.inside += 1
        if record.inside > record.limit:
            raise FormatError(f"its <{record.path[-1]}> holds over {record.limit:,} elements, "
                              "more than any real project's; nothing was imported",
                              path=where, line=element.sourceline)
        stack.append(_Open(path, [], False, line=element.sourceline))
    else:
        kept = keep(path)
        stack.append(_Open(path, [] if kept else None, kept,
                           limit=limits.get(name, 1 << 62) if kept else 0,
                           line=element.sourceline))
    return None


def _ended(element: Any, stack: list[_Open], where: str) -> tuple[tuple[str, ...], Lite] | None:
    done = stack.pop()
    for node in element:  # what is left of its children: the last, and what follows it
        _refuse_entity(node, where)
    lite = None
    if done.kids is not None:
        if done.kids and len(element):
            done.kids[-1].tail = _compact(element[-1].tail)  # complete only now
        lite = _copy(element, tuple(done.kids), done.count, line=done.line)
    elif len(stack) == 1:
        lite = _copy(element, count=done.count, text=False, line=done.line)
    # Drop what was parsed: this element's children, and its siblings before it (their
    # tails are complete now, so the copy of the one just before takes its tail).
    element.clear(keep_tail=True)
    parent = stack[-1] if stack else None
    previous = element.getprevious()
    while previous is not None:
        _refuse_entity(previous, where)
        if parent is not None and parent.kids:
            parent.kids[-1].tail = _compact(previous.tail)
        owner = previous.getparent()
        owner.remove(previous)
        previous = element.getprevious()
    if parent is not None and parent.kids is not None and lite is not None:
        parent.kids.append(lite)
    if lite is not None and (done.record or len(stack) == 1):
        return done.path, lite
    return None


_LOCAL_NAMES: dict[str, str] = {}  # a file has few tag names; a hostile one many (capped)


def local(element: etree._Element | Lite) -> str:
    """Return an element's name without its namespace (exporters disagree on namespaces)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = sys.intern(tag.rsplit("}", 1)[-1])
        if len(_LOCAL_NAMES) < 1000:
            _LOCAL_NAMES[tag] = name
    return name


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
