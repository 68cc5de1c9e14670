"""PDF files with a text layer, read with pdfminer.six's layout analysis, page by page.

Each text box pdfminer finds is a paragraph, in its reading order; a line ending in a
hyphen before a lower-case letter is joined without it, other lines with a space. Running
headers and footers (a box in the top or bottom margin whose text, digits aside, repeats on
at least half the pages) and page numbers are left out. A paragraph cut by a page break
(no closing punctuation, the next page going on in lower case) is joined again; its page
is the one where it starts. Encrypted files, files that forbid copying their text, and
files with no text at all (scans) are refused, each saying what to do.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTPage, LTTextBox
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.utils import decode_text

from qualcode.errors import FormatError
from qualcode.interchange.readers.documents.document import Document, Paragraph, make_document

MAX_PAGES = 5000
"""Most pages read from one PDF (a book of 5,000 pages is several sources anyway)."""
MARGIN = 0.08
"""Share of the page height at the top and bottom where running headers and footers sit."""
_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?[-–]?\s*\d{1,4}\s*[-–]?(\s*(of|/)\s*\d{1,4})?\s*$", re.I)
_DIGITS = re.compile(r"\d+")
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]\s*$")
_HYPHENATED = re.compile(r"(\w)-\n(?=[a-zà-ÿ])")
OCR_HINT = ("run OCR on it first (for example `ocrmypdf FILE.pdf FILE-ocr.pdf`) and import "
            "the result")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class _Box:
    text: str
    page: int
    in_margin: bool


def read_pdf(data: bytes, path: str, progress: Progress | None = None) -> Document:
    """Read a PDF's bytes into a :class:`Document`; ``progress(done, total)`` per page."""
    document, pages = _open(data, path)
    total = len(pages)
    if total > MAX_PAGES:
        raise FormatError(f"has {total:,} pages, more than the {MAX_PAGES:,} read from one PDF; "
                          "split it into parts and import those", path=path)
    boxes: list[_Box] = []
    try:
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=LAParams())
        interpreter = PDFPageInterpreter(manager, device)
        for number, page in enumerate(pages, start=1):
            interpreter.process_page(page)
            boxes.extend(_page_boxes(device.get_result(), number))
            if progress is not None:
                progress(number, total)
    except FormatError:
        raise
    except Exception as error:  # pdfminer raises many kinds on damaged content streams
        raise _damaged(path, error) from None
    if not any(box.text.strip() for box in boxes):
        raise FormatError(f"has no text layer (a scanned document?); {OCR_HINT}", path=path)
    paragraphs = _join_across_pages(_without_running_lines(boxes, total))
    return make_document(paragraphs, {"format": "pdf", "pages": total, **_info(document)})


def _open(data: bytes, path: str) -> tuple[PDFDocument, list[Any]]:
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
        pages = list(PDFPage.create_pages(document))
    except PDFPasswordIncorrect:
        raise FormatError("is encrypted with a password; open it with the password and save "
                          "(or print to PDF) an unprotected copy, then import that",
                          path=path) from None
    except PDFEncryptionError as error:
        raise FormatError(f"is encrypted in a way qualcode cannot open ({error}); save an "
                          "unprotected copy and import that", path=path) from None
    except Exception as error:
        raise _damaged(path, error) from None
    if not document.is_extractable:
        raise FormatError("forbids copying its text (its owner restricted it); ask for an "
                          "unrestricted copy, or remove the restriction with a tool you are "
                          "entitled to use (for example `qpdf --decrypt`)", path=path)
    return document, pages


def _damaged(path: str, error: Exception) -> FormatError:
    reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
    return FormatError(f"is not a readable PDF (damaged, or not a PDF: {reason}); open it in a "
                       "PDF reader and save or print it to a new PDF, then import that",
                       path=path)


def _page_boxes(layout: LTPage, number: int) -> Iterator[_Box]:
    height = layout.height or 1
    for element in layout:
        if isinstance(element, LTTextBox):
            text = _HYPHENATED.sub(r"\1", element.get_text())
            text = " ".join(line.strip() for line in text.splitlines() if line.strip())
            in_margin = element.y0 > height * (1 - MARGIN) or element.y1 < height * MARGIN
            yield _Box(text, number, in_margin)


def _without_running_lines(boxes: list[_Box], pages: int) -> list[_Box]:
    """Leave out page numbers and margin lines that repeat on at least half the pages."""
    def key(box: _Box) -> str:
        return _DIGITS.sub("#", box.text.casefold()).strip()

    repeats = Counter(key(b) for b in {(b.page, key(b)): b for b in boxes if b.in_margin}.values())
    running = {text for text, count in repeats.items() if pages >= 3 and count * 2 >= pages}
    return [b for b in boxes
            if not (b.in_margin and (key(b) in running or _PAGE_NUMBER.match(b.text)))]


def _join_across_pages(boxes: list[_Box]) -> list[Paragraph]:
    """Turn boxes into paragraphs, joining one a page break cut in two."""
    paragraphs: list[Paragraph] = []
    previous: _Box | None = None
    for box in boxes:
        if (previous is not None and paragraphs and box.page == previous.page + 1
                and box.text[:1].islower()
                and not _ENDS_SENTENCE.search(paragraphs[-1].text)):
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(f"{last.text} {box.text}", page=last.page)
        else:
            paragraphs.append(Paragraph(box.text, page=box.page))
        previous = box
    return paragraphs


def _info(document: PDFDocument) -> dict[str, str]:
    found: dict[str, str] = {}
    for info in document.info[:1]:
        for key, name in (("Title", "title"), ("Author", "author"), ("CreationDate", "created")):
            value = info.get(key)
            if isinstance(value, bytes):
                found[name] = decode_text(value)
            elif isinstance(value, str):
                found[name] = value
    if "created" in found:
        found["created"] = _pdf_date(found["created"])
    return found


def _pdf_date(value: str) -> str:
    """``D:20240131120000Z`` -> ``2024-01-31T12:00:00``; anything else as written."""
    match = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value)
    if not match:
        return value
    defaults = ("", "01", "01", "00", "00", "00")
    year, month, day, hour, minute, second = (
        group or default for group, default in zip(match.groups(), defaults, strict=True))
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}"
