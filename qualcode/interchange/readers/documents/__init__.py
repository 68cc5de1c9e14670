"""Documents researchers have: Word, OpenDocument, PDF, RTF, HTML and subtitle transcripts.

:func:`read_document` picks the reader by extension (or ``fmt``), reads the file once
through :mod:`~qualcode.interchange.readers.safe_open` (a regular file, at most
:data:`MAX_DOCUMENT_BYTES`), and returns a :class:`Document` whose text is what the coder
will see. Every refusal is a :class:`~qualcode.errors.FormatError` naming the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import MAX_FIELD_BYTES, MAX_FIELD_LABEL
from qualcode.interchange.readers.documents.document import (
    METADATA_KEYS,
    Document,
    Paragraph,
    clean_paragraph,
    make_document,
)
from qualcode.interchange.readers.documents.office import read_odt, read_rtf
from qualcode.interchange.readers.documents.pdf import read_pdf
from qualcode.interchange.readers.documents.subtitles import read_srt, read_vtt
from qualcode.interchange.readers.documents.web import read_html
from qualcode.interchange.readers.documents.word import read_docx
from qualcode.interchange.readers.encoding import decode_utf8
from qualcode.interchange.readers.safe_open import read_limited, size_label

__all__ = ["DOCUMENT_EXTENSIONS", "DOCUMENT_FORMATS", "MAX_DOCUMENT_BYTES", "METADATA_KEYS",
           "Document",
           "Paragraph", "clean_paragraph", "document_format", "make_document", "read_document"]

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
"""Largest document file read (a PDF with many pictures); its text is capped separately."""
DOCUMENT_EXTENSIONS = {".docx": "docx", ".odt": "odt", ".pdf": "pdf", ".rtf": "rtf",
                       ".html": "html", ".htm": "html", ".xhtml": "html", ".vtt": "vtt",
                       ".srt": "srt"}
DOCUMENT_FORMATS = ("docx", "odt", "pdf", "rtf", "html", "vtt", "srt")
REFUSED_EXTENSIONS = {
    ".docm": "is a macro-enabled Word file; qualcode never opens macros: save it as a .docx "
             "(Word Document) and import that",
    ".dotm": "is a macro-enabled Word template; save it as a .docx and import that",
    ".doc": "is an old binary Word file; save it as .docx (Word Document) and import that",
    ".odm": "is an OpenDocument master document; export it as one .odt and import that",
}

Progress = Callable[[int, int], None]


def document_format(path: Path) -> str | None:
    """Return the document format of a file name (``docx``, ``pdf``, ...), or None."""
    suffix = path.suffix.lower()
    if suffix in REFUSED_EXTENSIONS:
        raise FormatError(REFUSED_EXTENSIONS[suffix], path=str(path))
    return DOCUMENT_EXTENSIONS.get(suffix)


def read_document(path: Path, fmt: str | None = None, *, follow_links: bool = True,
                  same_as: os.stat_result | None = None,
                  progress: Progress | None = None) -> Document:
    """Read one document file; ``fmt`` forces the reader, else the extension chooses."""
    where = str(path)
    fmt = fmt or document_format(path)
    if fmt not in DOCUMENT_FORMATS:
        raise FormatError(f"is not a document qualcode reads; supported: "
                          f"{', '.join(sorted(DOCUMENT_EXTENSIONS))}", path=where)
    data = read_limited(path, MAX_DOCUMENT_BYTES, what="a document",
                        advice="split it into smaller files", follow_links=follow_links,
                        same_as=same_as)
    if fmt == "docx":
        document = read_docx(data, where)
    elif fmt == "odt":
        document = read_odt(data, where)
    elif fmt == "pdf":
        document = read_pdf(data, where, progress)
    elif fmt == "rtf":
        document = read_rtf(data, where)
    elif fmt == "html":
        document = read_html(data, where)
    else:
        text = decode_utf8(data, path)
        document = read_vtt(text, where) if fmt == "vtt" else read_srt(text, where)
    if not document.paragraphs:
        raise FormatError("holds no text; use --skip-empty to leave such files out",
                          path=where)
    if len(document.text.encode("utf-8")) > MAX_FIELD_BYTES:
        raise FormatError(f"holds more than {MAX_FIELD_LABEL} of text "
                          f"(file {size_label(len(data))}); split it into several files",
                          path=where)
    return document
