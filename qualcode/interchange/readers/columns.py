"""Which columns of a table hold the id, the text, the name and the metadata of each source."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import FormatError
from qualcode.model import SourceRecord

DEFAULT_ID = "id"
DEFAULT_TEXT = "text"
MAX_FIELD_BYTES = 50 * 1024 * 1024
MAX_FIELD_LABEL = "50 MB"
SKIP_HINT = "use --skip-empty to leave such rows out"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the user asked of a corpus file: column choices, sheet, empty-row policy.

    ``meta_cols`` None means every column other than id, text and name becomes metadata;
    an empty tuple means none does. ``follow_links`` (folders only) follows symbolic links
    to regular files inside the folder.
    """

    id_col: str | None = None
    text_col: str | None = None
    name_col: str | None = None
    meta_cols: tuple[str, ...] | None = None
    skip_empty: bool = False
    sheet: str | None = None
    follow_links: bool = False
    speakers: bool = False  #: text files and documents: recognise speaker turns


@dataclass(slots=True)
class Skipped:
    """The rows (``line 12``) or files left out by ``--skip-empty``, filled while streaming.

    ``not_read`` lists a folder's entries that are not regular files (``path: why``).
    """

    items: list[str] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)


def quoted(names: Sequence[str]) -> str:
    """Return ``'a', 'b', 'c'`` for a list of column names (``none`` when empty)."""
    return ", ".join(repr(name) for name in names) or "none"


def closest(wanted: str, names: Sequence[str]) -> str | None:
    """Return the column most like ``wanted`` (case-insensitive first), if any is close."""
    folded = {name.casefold().strip(): name for name in names}
    if wanted.casefold() in folded:
        return folded[wanted.casefold()]
    matches = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _column_hint(role: str, wanted: str, option: str, names: Sequence[str],
                 given: bool) -> str:
    """What to do about a missing column: the close name to use, or the option to name it."""
    guess = closest(wanted, names)
    if guess is not None:
        return f"did you mean {guess!r}? Use {option} {guess!r}"
    return "" if given else f"name the {role} column with {option} COLUMN"


def missing_column(role: str, wanted: str, option: str, names: Sequence[str], *,
                   path: Path, line: int | None, given: bool) -> FormatError:
    """Build the error for an id/text/name/metadata column that is not in the file."""
    message = f"no {role} column {wanted!r}; the columns are {quoted(names)}"
    hint = _column_hint(role, wanted, option, names, given)
    if hint:
        message += f"; {hint}"
    return FormatError(message, path=str(path), line=line)


def header_problems(problems: Sequence[str]) -> str:
    """Say every problem of a header at once: ``the header has 2 problems: (1) ...; (2) ...``."""
    if len(problems) == 1:
        return problems[0]
    listed = "; ".join(f"({number}) {problem}" for number, problem in enumerate(problems, 1))
    return f"the header has {len(problems)} problems: {listed}"


EXACT_WHOLE_FLOAT = 2 ** 53
"""Beyond this a float's whole-number digits are binary noise (1e30 is not 10**30 exactly)."""


def as_text(value: Any) -> str:
    """Render a cell or JSON value as a string: whole numbers without ``.0``, None as ''.

    A whole float beyond 2**53 keeps its exponent (``1e+30``) rather than digits nobody typed.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) <= EXACT_WHOLE_FLOAT:
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class NotFiniteNumber(ValueError):
    """A spreadsheet number that is NaN or infinite: no text or JSON number stands for it."""


def cell_text(value: Any) -> str:
    """Render an id, text or name cell as :func:`as_text`; refuse NaN and infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        raise NotFiniteNumber(repr(value))
    return as_text(value)


def as_metadata(value: Any) -> Any:
    """Turn a spreadsheet cell into a JSON value: numbers stay numbers, dates become ISO text.

    Numbers JSON or SQLite cannot hold are left to storage's rule
    (:func:`qualcode.storage.metadata.encode_metadata`), which names the row and column.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) <= EXACT_WHOLE_FLOAT else value
    return as_text(value)


def column_letter(position: int) -> str:
    """Return the spreadsheet letter of a 1-based column (1 -> A, 27 -> AA)."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class RowMapper:
    """Turns the rows of one table (after its header) into :class:`SourceRecord` objects.

    The column look-ups are resolved once from the header, so the per-row work is a few
    index operations: this is the hot loop of a million-row import.
    """

    def __init__(self, header: Sequence[Any], options: ReadOptions, *, path: Path,
                 skipped: Skipped, header_line: int = 1, typed: bool = False,
                 ragged_hint: str = "check for an unquoted separator or a stray quote") -> None:
        self.path = path
        self.ragged_hint = ragged_hint
        self.skipped = skipped
        self.skip_empty = options.skip_empty
        self.typed = typed
        self.blank_rows = 0
        names, problems = self._check_header(header)
        self.names = names
        self.width = len(names)
        index = {name: i for i, name in enumerate(names)}
        missing: list[tuple[str, str, str, bool]] = []

        def find(role: str, wanted: str | None, default: str | None, option: str) -> int | None:
            name = wanted if wanted is not None else default
            if name is None:
                return None
            if name not in index:
                missing.append((role, name, option, wanted is not None))
                return None
            return index[name]

        self.id_index = find("id", options.id_col, DEFAULT_ID, "--id-col")
        self.text_index = find("text", options.text_col, DEFAULT_TEXT, "--text-col")
        self.name_index = find("name", options.name_col, None, "--name-col")
        if options.meta_cols is None:
            used = {self.id_index, self.text_index, self.name_index}
            self.meta = [(name, i) for i, name in enumerate(names) if i not in used]
        else:
            self.meta = []
            for name in dict.fromkeys(options.meta_cols):
                i = find("metadata", name, None, "--meta")
                self.meta.append((name, i))  # type: ignore[arg-type]  # None only on error
        if problems or missing:
            raise self._header_error(problems, missing, names, header_line)

    def _header_error(self, problems: list[str], missing: list[tuple[str, str, str, bool]],
                      names: list[str], line: int) -> FormatError:
        """One error naming every problem of the header, so one run shows them all."""
        if not problems and len(missing) == 1:
            role, wanted, option, given = missing[0]
            return missing_column(role, wanted, option, names, path=self.path, line=line,
                                  given=given)
        for role, wanted, option, given in missing:
            hint = _column_hint(role, wanted, option, names, given)
            problems.append(f"no {role} column {wanted!r}" + (f" ({hint})" if hint else ""))
        message = header_problems(problems)
        if missing:
            message += f"; the columns are {quoted(names)}"
        return FormatError(message, path=str(self.path), line=line)

    def _check_header(self, header: Sequence[Any]) -> tuple[list[str], list[str]]:
        """Return the column names and what is wrong with them (unnamed or repeated columns)."""
        names = [as_text(cell) for cell in header]
        problems = [f"column {position} of the header has no name; every column needs a name "
                    "(or delete the empty column)"
                    for position, name in enumerate(names, start=1) if not name.strip()]
        counts = Counter(names)
        problems += [f"the header names column {name!r} twice; rename one of them"
                     for name, count in counts.items() if count > 1 and name.strip()]
        return names, problems

    def _not_finite(self, row: Sequence[Any], line: int) -> FormatError:
        """Name the id, text or name cell that holds NaN or infinity."""
        roles = ((self.id_index, "id"), (self.text_index, "text"), (self.name_index, "name"))
        index, role = next((i, role) for i, role in roles if i is not None
                           and isinstance(row[i], float) and not math.isfinite(row[i]))
        return FormatError(f"cell {column_letter(index + 1)}{line} (the {role} column "
                           f"{self.names[index]!r}) holds {row[index]!r}, which is not a finite "
                           "number and no text stands for it; put text or a finite number in "
                           "the cell and save the workbook again", path=str(self.path),
                           line=line)

    def _blank(self, row: Sequence[Any]) -> bool:
        """Say whether every field is empty: a row spreadsheets export for formatted cells.

        Such a row holds nothing to lose, so it is passed over like a blank line (and only
        checked on the error paths, keeping the per-row cost off the hot loop).
        """
        if all(as_text(value).isspace() or not as_text(value) for value in row):
            self.blank_rows += 1
            return True
        return False

    def record(self, row: Sequence[Any], line: int) -> SourceRecord | None:
        """Map one row to a record; None when it is blank or skipped for its empty text."""
        if len(row) != self.width:
            if self._blank(row):
                return None
            raise FormatError(f"expected {self.width} fields (as in the header) but found "
                              f"{len(row)}; {self.ragged_hint}",
                              path=str(self.path), line=line)
        # Ignored below: indexes are set once the header is read.
        external_id = row[self.id_index]  # type: ignore[index]
        # Ignored below: indexes are set once the header is read.
        text = row[self.text_index]  # type: ignore[index]
        if self.typed:
            try:
                external_id, text = cell_text(external_id), cell_text(text)
                name = "" if self.name_index is None else cell_text(row[self.name_index])
            except NotFiniteNumber:
                raise self._not_finite(row, line) from None
        external_id = external_id.strip()
        if not external_id:
            if self._blank(row):
                return None
            raise FormatError("the id is empty; every row needs a unique id",
                              path=str(self.path), line=line)
        if not text or text.isspace():
            if self.skip_empty:
                self.skipped.items.append(f"line {line}")
                return None
            raise FormatError(f"the text of id {external_id!r} is empty; {SKIP_HINT}",
                              path=str(self.path), line=line)
        if self.typed:
            metadata = {key: as_metadata(row[i]) for key, i in self.meta}
        else:
            name = "" if self.name_index is None else row[self.name_index]
            metadata = {key: row[i] for key, i in self.meta}
        return SourceRecord(external_id, text, name, metadata, line)
