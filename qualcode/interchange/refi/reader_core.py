"""What every part of the ``project.qde`` reader shares: refusing the file, GUID attributes.

:class:`.project_read.ProjectReader` is put together from mixins kept apart for size
(:mod:`.project_sources`, :mod:`.project_notes`); each builds on :class:`ReaderCore`, so
the refusal helpers are written once and the state they read is declared once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

from qualcode.errors import FormatError
from qualcode.interchange.refi.guids import clean_guid, fold
from qualcode.interchange.refi.safe_xml import local
from qualcode.storage.snapshot_check import show

if TYPE_CHECKING:
    from qualcode.interchange.refi.details import RefiSnapshot
    from qualcode.model import Layer
    from qualcode.storage.snapshot import InCoder


def shared_key(guid: str) -> str:
    """Return ``fold(guid)``, as the very string given when it is folded already (memory)."""
    folded = fold(guid)
    return guid if folded == guid else folded


class ReaderCore:
    """Refusals and GUID attributes of one ``project.qde`` read; ``where`` names the file."""

    where: str
    if TYPE_CHECKING:  # what ProjectReader, which is built on this class, provides
        snap: RefiSnapshot
        users: dict[str, InCoder]
        unit_guids: set[str]

        def coder_for(self, *candidates: str | None) -> tuple[str, Layer]: ...

    def once(self, seen: dict[str, tuple[str, int | None]], kind: str, guid: str, label: str,
             line: int | None, *, quoted: bool = False) -> None:
        """Refuse the file when ``guid`` already named another of ``kind`` in it.

        ``quoted`` labels are kept as given and shown quoted only in the refusal: a file
        of many tiny elements then keeps no second copy of each name.
        """
        key = shared_key(guid)
        first = seen.get(key)
        if first is None:
            seen[key] = (label, line)
            return
        shown = repr if quoted else str
        where = f" (line {first[1]})" if first[1] else ""
        raise FormatError(f"two {kind} share GUID {guid}: {shown(first[0])}{where} and "
                          f"{shown(label)}; nothing was imported; give each its own GUID in the "
                          "exporting tool and export again", path=self.where, line=line)

    def fail(self, element: Any, problem: str) -> NoReturn:
        """Refuse the file: one line naming the element and its line."""
        raise FormatError(f"project.qde <{local(element)}>: {problem}; nothing was imported; fix "
                          "that element, or export the project again from the tool that wrote it",
                          path=self.where, line=element.sourceline)

    @overload
    def guid_attr(self, element: Any, attr: str, *, required: Literal[True]) -> str: ...
    @overload
    def guid_attr(self, element: Any, attr: str, *, required: bool = False) -> str | None: ...
    def guid_attr(self, element: Any, attr: str, *, required: bool = False) -> str | None:
        """Return a GUID attribute without braces; None when absent and not required.

        A value that is there but is not a GUID refuses the whole file: every GUID read
        from it names something, and a broken one would name the wrong thing or nothing.
        """
        raw = element.get(attr)
        if raw is None and not required:
            return None
        guid = clean_guid(raw)
        if guid is None:
            self.fail(element, f"{attr} {show(raw)} is not a GUID (8-4-4-4-12 hexadecimal "
                               "digits)")
        return guid
