"""Word ``.docx`` files: body paragraphs and table rows in document order, then footnotes.

Read with python-docx after :mod:`.container` has checked the package. The text of a
paragraph is every ``w:t`` in it outside deleted or moved-away text (tracked deletions are
left out, tracked insertions kept, as Word shows the document with changes accepted);
tabs stay tabs and line breaks inside a paragraph become one line end. A table row is one
paragraph, its cells separated by `` | ``. Headings are paragraphs of their own. Footnotes
and endnotes follow the body, each as ``[n] text``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import docx
from lxml import etree

from qualcode.errors import FormatError
from qualcode.interchange.readers.documents.container import (
    open_container,
    read_part,
    refuse_macros_and_links,
)
from qualcode.interchange.readers.documents.document import Document, Paragraph, make_document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SKIPPED = {f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{W}}}delText", f"{{{W}}}instrText",
            f"{{{W}}}fldChar", f"{{{W}}}rPr", f"{{{W}}}pPr"}
_NOTES = (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote"))


def read_docx(data: bytes, path: str) -> Document:
    """Read a ``.docx`` file's bytes into a :class:`Document`."""
    archive = open_container(data, path, app="Word", kind=".docx")
    refuse_macros_and_links(archive, path, kind=".docx")
    names = set(archive.namelist())
    notes = [(kind, read_part(archive, name, path)) for name, kind in _NOTES if name in names]
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(_blocks(document.element.body))
        props = document.core_properties
        created = props.created.isoformat() if props.created else None
    except Exception as error:  # python-docx raises many kinds on a damaged package
        raise FormatError(f"is not a readable .docx file ({type(error).__name__}: the package "
                          "is damaged or incomplete); open it in Word and save it again as "
                          ".docx, then import that file", path=path) from None
    for kind, root in notes:
        paragraphs.extend(_notes(root, kind))
    return make_document(paragraphs, {"format": "docx", "title": props.title,
                                      "author": props.author, "created": created})


def _blocks(body: Any) -> Iterator[Paragraph]:
    """Yield the paragraphs of a body (or cell, or content control) in document order."""
    for child in body:
        tag = child.tag
        if tag == f"{{{W}}}p":
            yield Paragraph(paragraph_text(child))
        elif tag == f"{{{W}}}tbl":
            for row in child.iter(f"{{{W}}}tr"):
                cells = [" ".join(paragraph_text(p) for p in cell.iter(f"{{{W}}}p")).strip()
                         for cell in row if cell.tag == f"{{{W}}}tc"]
                yield Paragraph(" | ".join(cells))
        elif tag in (f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml"):
            yield from _blocks(child)


def paragraph_text(element: etree._Element) -> str:
    """Return the visible text of one ``w:p`` (changes accepted, fields shown by result)."""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == f"{{{W}}}t":
            parts.append(child.text or "")
        elif tag in (f"{{{W}}}tab", f"{{{W}}}ptab"):
            parts.append("\t")
        elif tag in (f"{{{W}}}br", f"{{{W}}}cr"):
            parts.append("\n")
        elif tag == f"{{{W}}}noBreakHyphen":
            parts.append("-")
        elif tag == f"{{{W}}}p":  # a paragraph inside a text box: its own line
            parts.append("\n")
            _collect(child, parts)
        else:
            _collect(child, parts)


def _notes(root: etree._Element, kind: str) -> Iterator[Paragraph]:
    """Yield each real footnote (or endnote) as ``[n] text``; separators are left out."""
    number = 0
    for note in root.iter(f"{{{W}}}{kind}"):
        if note.get(f"{{{W}}}type") in ("separator", "continuationSeparator",
                                        "continuationNotice"):
            continue
        number += 1
        text = " ".join(paragraph_text(p) for p in note.iter(f"{{{W}}}p")).strip()
        yield Paragraph(f"[{number}] {text}")
