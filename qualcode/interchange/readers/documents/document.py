"""What every document reader returns: the paragraphs a coder will see, and the file's facts.

A document's stored text is its paragraphs joined by one blank line, so ``--unit paragraph``
(:mod:`qualcode.segmentation`) finds exactly the reader's paragraphs, and the same file
always gives the same text (codings made on it stay valid when it is imported again).
:func:`clean_paragraph` is the one place a paragraph's text is normalised.

>>> doc = make_document([Paragraph("Interviewer: How was it?"), Paragraph(" "),
...                      Paragraph("P1: Good.\\r\\n\\r\\nReally.", page=2)], {"format": "txt"})
>>> doc.text
'Interviewer: How was it?\\n\\nP1: Good.\\nReally.'
>>> doc.offsets()
[(0, 24), (26, 43)]
>>> doc.text[26:43] == doc.paragraphs[1].text
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from qualcode.model import ParagraphAttributes

PARAGRAPH_BREAK = "\n\n"
METADATA_KEYS = ("format", "title", "author", "created", "pages", "cues")
"""The metadata a document reader may give a source (besides the file name)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")
_TRAILING = re.compile(r"[ \t\u00a0]+\n")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph as the coder sees it, with what the file says about it."""

    text: str
    page: int | None = None  #: 1-based page of a PDF where the paragraph starts
    start: str | None = None  #: cue start time of a subtitle (``00:01:02.000``)
    end: str | None = None  #: cue end time of a subtitle
    speaker: str | None = None  #: speaker named by the file itself (a ``<v Name>`` tag)


@dataclass(frozen=True, slots=True)
class Document:
    """A read document: its paragraphs in reading order and its metadata."""

    paragraphs: tuple[Paragraph, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The text stored for the source: the paragraphs separated by one blank line."""
        return PARAGRAPH_BREAK.join(p.text for p in self.paragraphs)

    def attributes(self) -> tuple[ParagraphAttributes, ...]:
        """Return what the file says of each paragraph that it says anything of."""
        return tuple(ParagraphAttributes(start, end, p.speaker, p.page, p.start, p.end)
                     for p, (start, end) in zip(self.paragraphs, self.offsets(), strict=True)
                     if (p.speaker, p.page, p.start, p.end) != (None, None, None, None))

    def offsets(self) -> list[tuple[int, int]]:
        """Return each paragraph's ``(start, end)`` code-point offsets in :attr:`text`."""
        spans: list[tuple[int, int]] = []
        position = 0
        for paragraph in self.paragraphs:
            spans.append((position, position + len(paragraph.text)))
            position += len(paragraph.text) + len(PARAGRAPH_BREAK)
        return spans


def clean_paragraph(text: str) -> str:
    """Normalise a paragraph: one kind of line end, no control characters, no blank lines.

    A blank line inside a paragraph would split it in two for ``--unit paragraph``, so runs
    of line ends become one; spaces at line ends and around the paragraph go.

    >>> clean_paragraph("  a\\tb \\r\\n\\n\\x00c\\u200b  ")
    'a\\tb\\nc'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = _CONTROL.sub("", text).replace("\u2029", "\n")
    text = _BLANK_LINES.sub("\n", text)
    return _TRAILING.sub("\n", text).strip()


def make_document(paragraphs: Iterable[Paragraph], metadata: Mapping[str, Any]) -> Document:
    """Build a :class:`Document`, cleaning each paragraph and leaving out empty ones."""
    kept = []
    for paragraph in paragraphs:
        text = clean_paragraph(paragraph.text)
        if text:
            kept.append(replace(paragraph, text=text))
    facts = {key: value for key, value in metadata.items() if value not in (None, "")}
    return Document(tuple(kept), facts)
