"""Subtitle transcripts: WebVTT (``.vtt``, webvtt-py) and SubRip (``.srt``, pysrt).

One paragraph per cue, keeping its start and end time; consecutive cues of one speaker
named by a WebVTT voice tag (``<v Name>``) are merged into one turn, written
``Name: text`` so the coder sees who speaks. Markup inside cues (``<i>``, ``<b>``, class
spans) is left out; line breaks inside a cue become spaces.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pysrt
import webvtt
from webvtt.errors import MalformedFileError

from qualcode.errors import FormatError
from qualcode.interchange.readers.documents.document import Document, Paragraph, make_document

_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+([^>]+)>")


def read_vtt(text: str, path: str) -> Document:
    """Read a WebVTT file's text into a :class:`Document` of cues and speaker turns."""
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, ValueError, IndexError) as error:
        raise FormatError(f"is not a valid WebVTT file ({error}); check that it starts with "
                          "'WEBVTT' and that every cue has a '00:00:01.000 --> 00:00:02.000' "
                          "timing line", path=path) from None
    cues = []
    for caption in captions:
        voice = _VOICE.match(caption.raw_text)
        speaker = voice.group(1).strip() if voice else None
        cues.append((caption.start, caption.end, speaker, _plain(caption.raw_text)))
    return make_document(_turns(cues), {"format": "vtt", "cues": len(cues)})


def read_srt(text: str, path: str) -> Document:
    """Read a SubRip file's text into a :class:`Document`, one paragraph per cue."""
    try:
        items = pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)
    except pysrt.Error as error:
        raise FormatError(f"is not a valid SubRip file ({str(error)[:100]}); check that every "
                          "cue has a number, a '00:00:01,000 --> 00:00:02,000' timing line "
                          "and its text", path=path) from None
    cues = [(_srt_time(item.start), _srt_time(item.end), None, _plain(item.text))
            for item in items]
    if not cues and text.strip():
        raise FormatError("holds no subtitle cues; check that it is a SubRip (.srt) file",
                          path=path)
    return make_document(_turns(cues), {"format": "srt", "cues": len(cues)})


def _plain(raw: str) -> str:
    return " ".join(_TAG.sub("", raw).split())


def _srt_time(time: pysrt.SubRipTime) -> str:
    return f"{time.hours:02d}:{time.minutes:02d}:{time.seconds:02d}.{time.milliseconds:03d}"


def _turns(cues: Sequence[tuple[str, str, str | None, str]]) -> list[Paragraph]:
    """Merge consecutive cues of one named speaker; keep the others one per cue."""
    paragraphs: list[Paragraph] = []
    for start, end, speaker, text in cues:
        if not text:
            continue
        last = paragraphs[-1] if paragraphs else None
        if speaker is not None and last is not None and last.speaker == speaker:
            paragraphs[-1] = Paragraph(f"{last.text} {text}", start=last.start, end=end,
                                       speaker=speaker)
        else:
            shown = f"{speaker}: {text}" if speaker else text
            paragraphs.append(Paragraph(shown, start=start, end=end, speaker=speaker))
    return paragraphs
