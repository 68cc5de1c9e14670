"""Text positions: how other tools count them, and mapping them to code points.

REFI-QDA counts ``startPosition``/``endPosition`` in Unicode code points of the text as
stored in ``sources/<guid>.txt`` (CR and LF each count one), ``endPosition`` exclusive;
that is what qualcode writes. Some tools count differently: a CR LF pair as one
character, or UTF-16 code units (an emoji counts two). On import qualcode compares each
selection's quoted text (its ``name``, as ATLAS.ti, MAXQDA and qualcode write it) with
the passage each way of counting points at, and uses the way that matches most.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from enum import StrEnum


class Counting(StrEnum):
    """A way of counting positions in a text."""

    CODEPOINTS = "codepoints"
    CRLF_AS_ONE = "crlf-as-one"
    UTF16 = "utf16"
    CRLF_AS_ONE_UTF16 = "crlf-as-one-utf16"


_SPACE = re.compile(r"\s+")
_ELLIPSIS = ("…", "...")


def _units(text: str, counting: Counting) -> list[int]:
    """Return how many units each code point of ``text`` counts under ``counting``."""
    crlf = counting in (Counting.CRLF_AS_ONE, Counting.CRLF_AS_ONE_UTF16)
    utf16 = counting in (Counting.UTF16, Counting.CRLF_AS_ONE_UTF16)
    units = []
    for index, char in enumerate(text):
        if crlf and char == "\r" and text.startswith("\n", index + 1):
            units.append(0)
        elif utf16 and ord(char) > 0xFFFF:
            units.append(2)
        else:
            units.append(1)
    return units


class PositionMap:
    """Maps positions counted one way to code-point offsets of one text."""

    def __init__(self, text: str, counting: Counting) -> None:
        self.counting = counting
        self.length = len(text)
        self._before: list[int] | None = None
        if counting is not Counting.CODEPOINTS and self.needed(text, counting):
            self._before = [0, *itertools.accumulate(_units(text, counting))]

    @staticmethod
    def needed(text: str, counting: Counting) -> bool:
        """Return True when ``counting`` differs from code points anywhere in ``text``."""
        crlf = "\r\n" in text
        astral = any(ord(ch) > 0xFFFF for ch in text)
        return {Counting.CODEPOINTS: False, Counting.CRLF_AS_ONE: crlf,
                Counting.UTF16: astral, Counting.CRLF_AS_ONE_UTF16: crlf or astral}[counting]

    @property
    def total(self) -> int:
        """Return the length of the text in this counting's units."""
        return self.length if self._before is None else self._before[-1]

    def to_codepoint(self, position: int) -> int | None:
        """Return the code-point offset of a position, None when it lies past the text.

        A position inside a CR LF pair or inside a surrogate pair maps to the start of
        the pair, so a span never splits a character.
        """
        if position < 0 or position > self.total:
            return None
        if self._before is None:
            return position
        return bisect.bisect_left(self._before, position)


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def quoted_matches(quote: str, passage: str) -> bool:
    """Return True when a selection's name quotes the passage (ignoring spacing, "…")."""
    quote = _squash(quote)
    truncated = False
    for mark in _ELLIPSIS:
        if quote.endswith(mark):
            quote, truncated = quote[: -len(mark)].rstrip(), True
            break
    if not quote:
        return False
    passage = _squash(passage)
    return passage.startswith(quote) if truncated else passage == quote


def choose_counting(text: str, selections: Sequence[tuple[int, int, str | None]],
                    forced: Counting | None = None) -> Counting:
    """Return the counting under which the selections' quoted names match the text best.

    With no evidence (no names that quote text, or a tie) the standard's code points win.
    """
    if forced is not None:
        return forced
    candidates = [c for c in Counting if c is Counting.CODEPOINTS or PositionMap.needed(text, c)]
    if len(candidates) == 1:
        return Counting.CODEPOINTS
    best, best_score = Counting.CODEPOINTS, -1
    for counting in candidates:
        mapping = PositionMap(text, counting)
        score = 0
        for start, end, name in selections:
            if not name:
                continue
            s, e = mapping.to_codepoint(start), mapping.to_codepoint(end)
            if s is not None and e is not None and s <= e and quoted_matches(name, text[s:e]):
                score += 1
        if score > best_score:
            best, best_score = counting, score
    return best
