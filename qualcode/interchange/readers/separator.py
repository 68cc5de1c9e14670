"""Which character separates the columns of a delimited file: the expected one, or Excel's.

Excel in many locales (where the comma is the decimal mark: French, German, Spanish,
Italian, Dutch, ...) saves "CSV" with semicolons. Read with a comma, such a header is
one column named ``source_id;code`` and the import fails on a missing column. The rule,
applied to the header only: keep the separator the file's suffix implies unless it
leaves the header in a single column; then ask :class:`csv.Sniffer` (restricted to
comma, semicolon, tab and vertical bar) and use its answer when it splits the header
into several columns. A file that reads today is never read differently.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator

__all__ = ["SEPARATORS", "detect_separator", "separator_name"]

SEPARATORS = ",;\t|"
"""The separators a file may use: comma, semicolon, tab, vertical bar."""

_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def separator_name(separator: str) -> str:
    """The separator in words (``semicolon``), for messages."""
    return _NAMES.get(separator, repr(separator))


def _width(line: str, separator: str) -> int:
    """How many cells the csv module reads from one line with this separator."""
    try:
        return len(next(csv.reader([line], delimiter=separator), []))
    except csv.Error:
        return 0


def _header_separator(line: str, expected: str) -> str:
    """The separator of a header line (see the module docstring)."""
    if _width(line, expected) > 1:
        return expected
    try:
        found = csv.Sniffer().sniff(line, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return expected
    return found if found in SEPARATORS and _width(line, found) > 1 else expected


def detect_separator(lines: Iterable[str], expected: str) -> tuple[str, Iterator[str]]:
    """Return the separator of a file from its first non-blank line, and all its lines again.

    >>> separator, lines = detect_separator(iter(["source_id;code\\n", "r1;Care\\n"]), ",")
    >>> separator, list(lines)
    (';', ['source_id;code\\n', 'r1;Care\\n'])
    """
    stream = iter(lines)
    seen: list[str] = []
    for line in stream:
        seen.append(line)
        if line.strip():
            return _header_separator(line, expected), itertools.chain(seen, stream)
    return expected, iter(seen)
