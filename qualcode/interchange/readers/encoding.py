"""Opening text files as strict UTF-8, with errors that say where the bad byte is and what to do.

Files are decoded incrementally, so a corrupt byte near the end of a large file is only
seen when the stream reaches it. The decoder's error knows the position inside its
current chunk, not in the file, so on error the file is scanned again in binary to name
the exact line and byte offset: that costs a second pass only on the error path.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from qualcode.errors import FormatError
from qualcode.interchange.readers.safe_open import open_regular, read_limited

CHUNK = 1 << 16
SNIFF = 4096
SAVE_AS = "save it as UTF-8 (in Excel: Save As > CSV UTF-8; in a text editor: encoding UTF-8)"
# Order matters: the UTF-32 LE mark starts with the UTF-16 LE mark.
FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def open_utf8(path: Path, *, newline: str) -> TextIO:
    """Open ``path`` for streaming as UTF-8 (with or without a BOM), refusing UTF-16/32 at once.

    Only a regular file is opened (see :mod:`~qualcode.interchange.readers.safe_open`).
    """
    raw = open_regular(path)
    try:
        head = raw.read(SNIFF)
        refuse_foreign_encoding(head, path)
        raw.seek(0)
    except BaseException:
        raw.close()
        raise
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline=newline)


def refuse_foreign_encoding(head: bytes, path: Path) -> None:
    """Raise FormatError when the first bytes show UTF-16 or UTF-32 (by BOM or by NUL bytes)."""
    for bom, name in FOREIGN_BOMS:
        if head.startswith(bom):
            raise FormatError(f"the file is not UTF-8 (looks like {name}: it starts with a "
                              f"{name} byte-order mark); {SAVE_AS}", path=str(path), line=1)
    # ASCII text in UTF-16 has a NUL in every other byte; a stray NUL is reported later
    # with its line, by the stream check.
    if head and head.count(b"\x00") >= len(head) // 4 and len(head) >= 4:
        raise FormatError(f"the file is not UTF-8 (looks like UTF-16 without a byte-order mark: "
                          f"every other byte is NUL); {SAVE_AS}", path=str(path), line=1)


def checked_lines(handle: TextIO, path: Path) -> Iterator[str]:
    """Yield the lines of a UTF-8 stream, turning a bad byte or a NUL into a FormatError."""
    try:
        for line in handle:
            if "\x00" in line:
                raise encoding_error(path)
            yield line
    except UnicodeDecodeError:
        raise encoding_error(path) from None


def read_text_file(path: Path, *, limit: int, advice: str, follow_links: bool = True,
                   same_as: os.stat_result | None = None) -> str:
    """Read a whole regular text file of at most ``limit`` bytes as UTF-8, line endings kept."""
    data = read_limited(path, limit, what="a text file", advice=advice,
                        follow_links=follow_links, same_as=same_as)
    return decode_utf8(data, path)


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode a file's bytes as UTF-8 (with or without a BOM), refusing NUL and other encodings."""
    refuse_foreign_encoding(data[:SNIFF], path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise encoding_error(path, data) from None
    if "\x00" in text:
        raise encoding_error(path, data)
    return text


def encoding_error(path: Path, data: bytes | None = None) -> FormatError:
    """Build the error for the first NUL or non-UTF-8 byte of ``path``, naming its line.

    ``data`` is the file's content when it has been read whole already; otherwise the
    file is opened again (through the same regular-file check) and scanned.
    """
    if data is not None:
        found = locate_bad_byte(io.BytesIO(data))
    else:
        with open_regular(path) as raw:
            found = locate_bad_byte(raw)
    if found is None:
        return FormatError(f"the file is not valid UTF-8; {SAVE_AS}", path=str(path))
    offset, line, value, sample = found
    if value == 0:
        return FormatError(f"the file contains a NUL byte (byte offset {offset}); it looks like "
                           f"a binary file or UTF-16 text; {SAVE_AS}", path=str(path), line=line)
    return FormatError(f"the file is not UTF-8 (looks like {guess_encoding(sample)}: byte "
                       f"0x{value:02X} at byte offset {offset} cannot start or continue a UTF-8 "
                       f"character); {SAVE_AS}", path=str(path), line=line)


def guess_encoding(sample: bytes) -> str:
    """Name the likely 8-bit encoding of a sample that failed to decode as UTF-8."""
    # 0x80-0x9F are control codes in Latin-1 but curly quotes, dashes and the euro sign
    # in Windows-1252, the usual source of non-UTF-8 CSVs saved by Excel.
    if any(0x80 <= byte <= 0x9F for byte in sample):
        return "Windows-1252"
    return "Latin-1 / Windows-1252"


def locate_bad_byte(raw: BinaryIO) -> tuple[int, int, int, bytes] | None:
    """Return ``(byte offset, line, byte value, sample)`` of the first NUL or non-UTF-8 byte."""
    offset = 0
    line = 1
    carry = b""
    while True:
        chunk = raw.read(CHUNK)
        data = carry + chunk
        if not data:
            return None
        bad: int | None = None
        try:
            data.decode("utf-8")
            good = len(data)
        except UnicodeDecodeError as error:
            good = error.start
            # A character cut in two by the chunk border is completed by the next read.
            if not (chunk and error.reason == "unexpected end of data"):
                bad = error.start
        nul = data.find(b"\x00", 0, good)
        if nul >= 0:
            bad = nul
        if bad is not None:
            return (offset + bad, line + data.count(b"\n", 0, bad), data[bad],
                    data[max(0, bad - 256):bad + 256])
        line += data.count(b"\n", 0, good)
        offset += good
        carry = data[good:]
