"""Word and sentence boundaries, for extending a selection by keyboard.

A rule-based splitter is enough here: the coder sees the selection and can extend it
again. (spaCy lives in :mod:`qualcode.nlp`; the coding screen does not load it.)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

WORD = re.compile(r"\w+(?:['’\-]\w+)*")
# A sentence ends after . ! ? or … (with closing quotes or brackets) before white space,
# or at a line break; abbreviations will split too, which extending again repairs.
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n")


class Boundaries:
    """Word and sentence boundaries of one text, computed once and searched by bisection.

    >>> b = Boundaries("Hello there. How are you?")
    >>> b.word_end_after(0), b.word_start_before(11)
    (5, 6)
    >>> b.sentence_around(14)
    (13, 25)
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._word_starts: list[int] | None = None
        self._word_ends: list[int] | None = None
        self._sentence_starts: list[int] | None = None
        self._sentence_ends: list[int] | None = None

    def _words(self) -> tuple[list[int], list[int]]:
        if self._word_starts is None or self._word_ends is None:
            spans = [m.span() for m in WORD.finditer(self.text)]
            self._word_starts = [s for s, _ in spans]
            self._word_ends = [e for _, e in spans]
        return self._word_starts, self._word_ends

    def _sentences(self) -> tuple[list[int], list[int]]:
        """Sentence spans without the white space between them."""
        if self._sentence_starts is None or self._sentence_ends is None:
            starts: list[int] = []
            ends: list[int] = []
            position = 0
            text = self.text
            for match in SENTENCE_END.finditer(text):
                end = match.end() if match.group() != "\n" else match.start()
                self._add_sentence(starts, ends, position, end)
                position = match.end()
            self._add_sentence(starts, ends, position, len(text))
            self._sentence_starts, self._sentence_ends = starts, ends
        return self._sentence_starts, self._sentence_ends

    def _add_sentence(self, starts: list[int], ends: list[int], start: int, end: int) -> None:
        segment = self.text[start:end]
        stripped = segment.lstrip()
        start += len(segment) - len(stripped)
        end = start + len(stripped.rstrip())
        if end > start:
            starts.append(start)
            ends.append(end)

    # -- words -------------------------------------------------------------------------
    def word_end_after(self, offset: int) -> int:
        """Return the end of the first word ending after ``offset`` (or the text's end)."""
        _, ends = self._words()
        index = bisect_right(ends, offset)
        return ends[index] if index < len(ends) else len(self.text)

    def word_start_before(self, offset: int) -> int:
        """Return the start of the last word starting before ``offset`` (or 0)."""
        starts, _ = self._words()
        index = bisect_left(starts, offset) - 1
        return starts[index] if index >= 0 else 0

    def word_around(self, offset: int) -> tuple[int, int] | None:
        """Return the word containing ``offset`` (or touching it at its end), if any."""
        starts, ends = self._words()
        index = bisect_right(starts, offset) - 1
        if index >= 0 and offset <= ends[index]:
            return starts[index], ends[index]
        return None

    # -- sentences ---------------------------------------------------------------------
    def sentence_end_after(self, offset: int) -> int:
        """Return the end of the first sentence ending after ``offset`` (or the text's end)."""
        _, ends = self._sentences()
        index = bisect_right(ends, offset)
        return ends[index] if index < len(ends) else len(self.text)

    def sentence_start_before(self, offset: int) -> int:
        """Return the start of the last sentence starting before ``offset`` (or 0)."""
        starts, _ = self._sentences()
        index = bisect_left(starts, offset) - 1
        return starts[index] if index >= 0 else 0

    def sentence_around(self, offset: int) -> tuple[int, int]:
        """Return the sentence containing ``offset``, or the next one when it falls between."""
        starts, ends = self._sentences()
        if not starts:
            return offset, offset
        index = bisect_right(starts, offset) - 1
        if index >= 0 and offset <= ends[index]:
            return starts[index], ends[index]
        following = min(index + 1, len(starts) - 1)
        return starts[following], ends[following]
