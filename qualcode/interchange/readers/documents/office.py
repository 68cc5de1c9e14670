"""RTF (striprtf) and OpenDocument text (``.odt``, odfpy) files.

RTF: the file is 7-bit text with escapes; striprtf turns it into text (code page 1252
for ``\\'xx`` escapes unless the file says otherwise), one paragraph per line.
OpenDocument: headings and paragraphs of the body in order (odfpy's ``teletype`` gives
each one's text, with tabs and line breaks), table rows as cells joined by `` | ``; the
package is checked like a Word file first (:mod:`.container`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from striprtf.striprtf import rtf_to_text

from qualcode.errors import FormatError
from qualcode.interchange.readers.documents.container import (
    open_container,
    refuse_macros_and_links,
)
from qualcode.interchange.readers.documents.document import Document, Paragraph, make_document

_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def read_rtf(data: bytes, path: str) -> Document:
    """Read an RTF file's bytes into a :class:`Document`, one paragraph per line."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise FormatError("is not an RTF file (it does not start with '{\\rtf'); save it from "
                          "your word processor as Rich Text Format and import that", path=path)
    codepage = _CODEPAGE.search(data[:4096])
    encoding = f"cp{int(codepage.group(1))}" if codepage else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception as error:  # striprtf fails on broken group nesting in various ways
        raise FormatError(f"is not a readable RTF file ({type(error).__name__}); open it in "
                          "a word processor and save it again", path=path) from None
    return make_document((Paragraph(line) for line in text.splitlines()), {"format": "rtf"})


def read_odt(data: bytes, path: str) -> Document:
    """Read an OpenDocument text file's bytes into a :class:`Document`."""
    from odf import opendocument, teletype
    from odf.namespaces import TABLENS, TEXTNS

    archive = open_container(data, path, app="LibreOffice Writer", kind=".odt")
    refuse_macros_and_links(archive, path, kind=".odt")
    if any(name.lower().startswith("basic/") for name in archive.namelist()):
        raise FormatError("is a macro-enabled file; qualcode never opens macros: save it "
                          "without macros as .odt and import that", path=path)
    try:
        document = opendocument.load(io.BytesIO(data))
    except Exception as error:  # odfpy raises KeyError, SAX errors, ... on damaged files
        raise FormatError(f"is not a readable .odt file ({type(error).__name__}); open it in "
                          "LibreOffice Writer and save it again", path=path) from None

    def blocks(element: Any) -> Iterator[Paragraph]:
        for child in element.childNodes:
            qname = getattr(child, "qname", None)
            if qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                yield Paragraph(teletype.extractText(child))
            elif qname == (TABLENS, "table-row"):
                cells = [teletype.extractText(cell).strip() for cell in child.childNodes
                         if getattr(cell, "qname", None) == (TABLENS, "table-cell")]
                yield Paragraph(" | ".join(cells))
            elif qname is not None and qname[1] not in ("tracked-changes", "notes"):
                yield from blocks(child)

    meta = {}
    for field_name, tag in (("title", "title"), ("author", "initial-creator"),
                            ("created", "creation-date")):
        found = [teletype.extractText(e) for e in document.meta.childNodes
                 if getattr(e, "qname", (None, None))[1] == tag]
        meta[field_name] = found[0] if found else None
    return make_document(blocks(document.text), {"format": "odt", **meta})
