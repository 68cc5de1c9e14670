"""The coding screen's pin key: the selection (or the unit) as an exemplar quote of a code.

Which code: the one of the coder's codings on the selection (or on the unit, with no
selection) when there is exactly one; when there are several, or none, the code
highlighted in the codebook. The pin is stored as the coder's action (storage/pins.py),
so ``u`` undoes it like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.errors import QualcodeError
from qualcode.storage.failures import one_line_failures
from qualcode.storage.pins import pin_quote
from qualcode.tui.session import CodingSession

SHOWN = 40
"""Characters of the pinned passage repeated in the status line."""


@dataclass(frozen=True, slots=True)
class Pinned:
    """What the key did, in words for the status line (``ok`` False: nothing was pinned)."""

    ok: bool
    message: str


def codes_here(session: CodingSession, start: int | None, end: int | None) -> list[int]:
    """Distinct codes of the coder's codings overlapping the span (text-pane offsets)."""
    view = session.view
    if view is None:
        return []
    found: dict[int, None] = {}
    for coding in view.codings:
        first, last = view.relative(coding)
        if start is None or end is None or (first < end and last > start) or view.is_whole(
                coding):
            found.setdefault(coding.code_id)
    return list(found)


def pin_here(session: CodingSession, start: int | None, end: int | None,
             highlighted: int | None) -> Pinned:
    """Pin the selection ``start..end`` (or the whole unit when None) to the code meant."""
    view = session.view
    if view is None:
        return Pinned(False, "open a unit first")
    here = codes_here(session, start, end)
    code_id = here[0] if len(here) == 1 else highlighted
    book = session.codebook
    if code_id is None:
        return Pinned(False, "highlight a code in the codebook, or code the passage first, "
                             "to pin it")
    if len(here) > 1 and code_id not in here:
        names = ", ".join(book.by_id(c).name for c in here)
        return Pinned(False, f"several of your codes are here ({names}): highlight one in "
                             "the codebook, then pin again")
    code = book.by_id(code_id)
    if not code.codable:
        return Pinned(False, f"{code.name} is a {code.kind.value}: highlight a code in the "
                             "codebook, or code the passage first, to pin it")
    unit = view.unit
    first, last = (unit.start, unit.end) if start is None or end is None else (
        unit.start + start, unit.start + end)
    try:
        with one_line_failures(session.store.path):  # locked, read-only: one line
            pin = pin_quote(session.store, code_id=code_id, source_id=unit.source_id,
                            start=first, end=last, coder_id=session.coder.id)
    except QualcodeError as error:
        return Pinned(False, str(error))
    text = " ".join(view.source.text[pin.start:pin.end].split())
    shown = text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"
    return Pinned(True, f"pinned “{shown}” as an exemplar of {code.name} (u undoes)")
