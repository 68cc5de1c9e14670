"""Cutting a text into paragraphs or sentences, as code-point spans.

Rule-based on purpose: units of analysis must be the same on every machine and in every
run, and must not depend on an optional language model being installed.
"""

from __future__ import annotations

import re

NEWLINE = r"(?:\r\n|\r(?!\n)|\n)"
PARAGRAPH_BREAK = re.compile(NEWLINE + r"[ \t]*" + NEWLINE + r"\s*")
# A sentence ends at . ! ? or … (optionally followed by closing quotes or brackets) before
# whitespace, or at a line break; abbreviations such as "e.g." stay inside their sentence.
SENTENCE_END = re.compile(r"""(?<=[.!?…])["'”’)\]]*\s+|(?:\r\n|\r|\n)+\s*""")
ABBREVIATIONS = frozenset({"e.g.", "i.e.", "dr.", "mr.", "mrs.", "ms.", "prof.", "vs.",
                           "etc.", "et al.", "cf.", "fig.", "no.", "st."})


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a span to exclude surrounding whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each paragraph (blocks separated by blank lines).

    >>> text = "First para.\\n\\nSecond one\\r\\non two lines."
    >>> [text[s:e] for s, e in paragraphs(text)]
    ['First para.', 'Second one\\r\\non two lines.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        span = _trimmed(text, start, match.start())
        if span:
            spans.append(span)
        start = match.end()
    span = _trimmed(text, start, len(text))
    if span:
        spans.append(span)
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each sentence.

    >>> text = "We met monthly, e.g. on Fridays. It helped! Did it?"
    >>> [text[s:e] for s, e in sentences(text)]
    ['We met monthly, e.g. on Fridays.', 'It helped!', 'Did it?']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        before = text[start:match.start()].rsplit(None, 1)
        last_word = before[-1].casefold() if before else ""
        if last_word in ABBREVIATIONS and "\n" not in match.group() and "\r" not in match.group():
            continue
        span = _trimmed(text, start, match.start())
        if span:
            spans.append(span)
        start = match.end()
    span = _trimmed(text, start, len(text))
    if span:
        spans.append(span)
    return spans
