"""Speaker turns in transcripts: who speaks in each paragraph.

A paragraph opens a turn when it starts with a marker, optionally after a time stamp
(``[00:01:02]``, ``(00:01)``, ``00:01:02 -``):

- ``Name:`` or ``NAME:``: one to four words of letters, digits, ``.``, ``-``, ``'`` or
  ``_`` (``P1:``, ``Dr. Smith:``, ``INTERVIEWER:``), holding at least one letter, followed
  by white space or the paragraph's end;
- ``<v Name>``: a WebVTT voice tag.

A ``Name:`` marker counts only when the same name opens at least :data:`MIN_TURNS`
paragraphs of the file (voice tags included), so a one-off ``Note:`` or ``Result:`` is
not taken for a speaker; voice tags always count. A paragraph without a marker continues
the turn before it; paragraphs before the first marker have no speaker. Names are kept as written
(``P1`` and ``p1`` are two speakers).

>>> paragraphs = ["Interviewer: How was it?", "P1: Good.", "It helped.", "Note: one-off.",
...               "[00:02:10] Interviewer: And then?", "<v P1>Better."]
>>> speaker_turns(paragraphs)
['Interviewer', 'P1', 'P1', 'P1', 'Interviewer', 'P1']
>>> speaker_turns(["Dr. Smith: Hello", "10:30 is when we met", "Dr. Smith: Yes"])
['Dr. Smith', 'Dr. Smith', 'Dr. Smith']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

MIN_TURNS = 2
"""Paragraphs a ``Name:`` marker must open before it is taken for a speaker."""
_STAMP = r"(?:\[\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\]|\(\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\)" \
         r"|\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\s*[-–]?)\s*"
_WORD = r"[^\W_][\w.'’-]*"
_NAMED = re.compile(rf"^\s*(?:{_STAMP})?(?P<name>{_WORD}(?: {_WORD}){{0,3}}):(?=\s|$)")
_VOICE = re.compile(rf"^\s*(?:{_STAMP})?<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")


def marker(paragraph: str) -> tuple[str, bool] | None:
    """Return ``(name, is_voice_tag)`` for a paragraph that opens with a marker, else None.

    >>> marker("P1: yes"), marker("<v Anna B>hi"), marker("http://x.org"), marker("10:30 ok")
    (('P1', False), ('Anna B', True), None, None)
    """
    voice = _VOICE.match(paragraph)
    if voice:
        return voice.group("name").strip(), True
    named = _NAMED.match(paragraph)
    if named is None:
        return None
    name = named.group("name")
    if not any(ch.isalpha() for ch in name) or name.lower() in ("http", "https", "mailto"):
        return None
    return name, False


def speaker_turns(paragraphs: Sequence[str]) -> list[str | None]:
    """Return the speaker of each paragraph (None before the first turn)."""
    found = [marker(text) for text in paragraphs]
    opens = Counter(name for name, _ in filter(None, found))
    speakers: list[str | None] = []
    current: str | None = None
    for hit in found:
        if hit is not None and (hit[1] or opens[hit[0]] >= MIN_TURNS):
            current = hit[0]
        speakers.append(current)
    return speakers
