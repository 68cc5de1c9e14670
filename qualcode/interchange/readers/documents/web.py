"""HTML pages (``.html``, ``.htm``): the visible text only, one paragraph per block.

Parsed with lxml.html (no network, no entities fetched). Left out: ``script``, ``style``,
``template``, ``noscript``, the ``head`` (its ``title`` becomes metadata), and elements
marked ``hidden``, ``aria-hidden="true"`` or ``style="display:none"``. Block elements
(paragraphs, headings, list items, quotes, table rows, ...) end a paragraph; ``<br>`` is a
line end inside one; a table row's cells are joined by `` | ``.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from qualcode.errors import FormatError
from qualcode.interchange.readers.documents.document import Document, Paragraph, make_document

_INVISIBLE = {"script", "style", "template", "noscript", "head", "iframe", "object", "svg",
              "math", "canvas", "select", "button"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote",
           "pre", "tr", "caption", "figcaption", "section", "article", "header", "footer",
           "aside", "nav", "main", "table", "ul", "ol", "dl", "form", "fieldset", "address",
           "details", "summary", "hr", "body", "html"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def read_html(data: bytes, path: str) -> Document:
    """Read an HTML file's bytes into a :class:`Document` of its visible blocks."""
    try:
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(
            no_network=True, remove_comments=True, remove_pis=True))
    except (etree.ParserError, ValueError) as error:
        raise FormatError(f"is not a readable HTML page ({error}); save it from a browser as "
                          "'Web page, HTML only' and import that", path=path) from None
    title = root.findtext(".//title")
    author = next((m.get("content") for m in root.iter("meta")
                   if (m.get("name") or "").lower() == "author"), None)
    blocks: list[str] = []
    current: list[str] = []
    _walk(root, blocks, current)
    _flush(blocks, current)
    return make_document((Paragraph(text) for text in blocks),
                         {"format": "html", "title": (title or "").strip(), "author": author})


def _walk(element: etree._Element, blocks: list[str], current: list[str]) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and not _visible(child, tag):
            current.append(" " if child.tail and current else "")
            current.append(child.tail or "")
            continue
        if tag == "br":
            current.append("\n")
        elif tag in ("td", "th"):
            current.append(" | " if current and "".join(current).strip() else "")
        if tag in _BLOCKS:
            _flush(blocks, current)
        if tag and tag != "br":
            current.append(child.text or "")
            _walk(child, blocks, current)
        if tag in _BLOCKS:
            _flush(blocks, current)
        current.append(child.tail or "")


def _visible(element: etree._Element, tag: str) -> bool:
    if tag.lower() in _INVISIBLE or element.get("hidden") is not None:
        return False
    if (element.get("aria-hidden") or "").lower() == "true":
        return False
    return not _HIDDEN_STYLE.search(element.get("style") or "")


def _flush(blocks: list[str], current: list[str]) -> None:
    text = "".join(current)
    current.clear()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    joined = "\n".join(line for line in lines if line)
    if joined.strip(" |"):
        blocks.append(joined)
