"""Keep exported cells from running as spreadsheet formulas (CSV/formula injection).

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or with a
tab, carriage return or NUL character followed by one) as a formula, so a survey answer
such as ``=HYPERLINK("http://evil", "click")`` would run when a coder opens the export. Every
CSV and XLSX export passes its string cells through :func:`safe_cell`, which puts a
``'`` in front of such a value; spreadsheets show the text as typed.

The change is reversible: :func:`restore_cell` undoes it exactly, so importers that
read our own exports (a source id or a code name that happens to start with ``-``) get
the original value back. To keep that exact, a value that already starts with one or
more ``'`` before a trigger character gets one more, and restoring removes one.

>>> safe_cell("=1+1")
"'=1+1"
>>> restore_cell(safe_cell("=1+1"))
'=1+1'
>>> safe_cell("'=1+1"), restore_cell("'=1+1")
("''=1+1", '=1+1')
>>> nul = chr(0)  # NUL, which a spreadsheet skips before a formula
>>> safe_cell(nul + "=1+1") == "'" + nul + "=1+1", restore_cell("'" + nul) == nul
(True, True)
>>> safe_cell(42), safe_cell("plain text")
(42, 'plain text')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
"""First characters that make a spreadsheet read a cell as a formula (OWASP ASVS 5.0
1.2.10 lists ``=``, ``+``, ``-``, ``@``, tab and NUL; OWASP's CSV injection page adds
carriage return)."""

QUOTE = "'"

# Zero or more quotes, then a trigger: such values get (or, neutralised, carry) one more
# quote, which keeps safe_cell/restore_cell an exact pair.
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r\x00]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r\x00]")


def safe_cell(value: T) -> T:
    """Return a string cell prefixed with ``'`` when it could run as a formula; others as is."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return QUOTE + value  # type: ignore[return-value]  # T is str on this branch
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """Return a row with :func:`safe_cell` applied to every cell."""
    return [safe_cell(value) for value in values]


def restore_cell(value: str) -> str:
    """Undo :func:`safe_cell`: drop the ``'`` it added, leave every other string alone."""
    if _QUOTED.match(value):
        return value[1:]
    return value
