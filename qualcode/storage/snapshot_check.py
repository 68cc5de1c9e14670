"""The guard in front of every merge and REFI-QDA import: a snapshot is checked whole first.

Whatever read it (another qualcode file, a ``.qdpx``), a :class:`Snapshot` enters a
project only through :func:`qualcode.storage.merge_apply.apply_snapshot`, which calls
:func:`check_snapshot` before it writes anything, whatever ``--prefer`` says. Checked:
every GUID is a GUID (8-4-4-4-12 hex digits; case and braces aside) and names one
thing of its kind (GUIDs differing only in case are the same GUID); every reference
between records resolves (a code's parent comes before it; a unit's, coding's and done
mark's source, coder, code and unit are in the file); every unit and coding lies inside
its source's text; the enums are qualcode's. The first problem stops everything with one
line naming the record (table and row, or element and line).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NoReturn

from qualcode.errors import FormatError
from qualcode.model import CodeKind, Layer, UnitKind, clean_guid, fold_guid
from qualcode.storage.snapshot import Snapshot

MEMO_TARGETS = frozenset({"project", "source", "unit", "code", "coding"})


def show(value: Any, limit: int = 40) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters, for one-line messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...'"


def advice(label: str) -> str:
    """Return what to do about a damaged file, by its kind."""
    if label.lower().endswith((".qdpx", ".qde")):
        return ("nothing was imported; fix that element, or export the project again from "
                "the tool that wrote it")
    return ("nothing was changed; the file is damaged: merge a sound copy instead (ask its "
            "coder for one, or restore one of its backups: see 'qualcode backup')")


class _Check:
    """One pass over a snapshot; ``seen`` maps each kind's folded GUIDs to their origin."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.seen: dict[str, dict[str, str]] = {}
        self.texts: dict[str, int] = {}

    def fail(self, origin: str, problem: str) -> NoReturn:
        where = f"{origin}: " if origin else ""
        raise FormatError(f"{where}{problem}; {advice(self.snap.label)}", path=self.snap.label)

    def guid(self, origin: str, what: str, value: Any) -> str:
        """Return a GUID's folded form, refusing a value that is not a GUID."""
        if clean_guid(value) is None:
            self.fail(origin, f"{what} {show(value)} is not a GUID (8-4-4-4-12 hexadecimal "
                              "digits)")
        return fold_guid(value)

    def own(self, kind: str, origin: str, value: Any) -> str:
        """Check a record's own GUID: a GUID, and the only one of its kind (any case)."""
        folded = self.guid(origin, "GUID", value)
        first = self.seen.setdefault(kind, {}).get(folded)
        if first is not None:
            self.fail(origin, f"GUID {value} is also the GUID of {first} (GUIDs that differ "
                              "only in case are one GUID)")
        self.seen[kind][folded] = origin or f"another of the {kind}"
        return folded

    def ref(self, kind: str, origin: str, what: str, value: Any) -> str:
        """Check a reference: a GUID naming a record of ``kind`` in the same file."""
        folded = self.guid(origin, what, value)
        if folded not in self.seen.get(kind, {}):
            self.fail(origin, f"{what} {value} names none of the file's {kind}")
        return folded

    def enum(self, origin: str, what: str, value: Any, kind: type[StrEnum]) -> None:
        if not isinstance(value, kind):
            self.fail(origin, f"{what} {show(value)} is none of "
                              f"{', '.join(m.value for m in kind)}")

    def text(self, origin: str, what: str, value: Any, *, empty: bool = True) -> None:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(origin, f"{what} {show(value)} is not a {'' if empty else 'non-empty '}"
                              "text")

    def span(self, origin: str, source: str, start: Any, end: Any) -> None:
        """Check ``start..end`` are whole numbers inside the text of ``source``."""
        for what, value in (("start", start), ("end", end)):
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail(origin, f"{what} {show(value)} is not a whole number")
        length = self.texts[source]
        if not 0 <= start <= end <= length:
            problem = ("starts after it ends" if 0 <= end < start else
                       "starts before the text" if start < 0 else
                       f"runs past the end of its source's {length} characters")
            self.fail(origin, f"the span {start}..{end} {problem}")

    # -- the records ---------------------------------------------------------------------
    def run(self) -> None:
        snap = self.snap
        for coder in snap.coders:
            self.own("coders", coder.origin, coder.guid)
            self.text(coder.origin, "the name", coder.name, empty=False)
        for code in snap.codes:
            if code.parent_guid is not None:
                self.ref("codes", code.origin, "parent", code.parent_guid)
            self.own("codes", code.origin, code.guid)
            self.text(code.origin, "the name", code.name, empty=False)
            self.enum(code.origin, "kind", code.kind, CodeKind)
        external: dict[str, str] = {}
        for source in snap.sources:
            folded = self.own("sources", source.origin, source.guid)
            self.text(source.origin, "the text", source.text)
            self.text(source.origin, "the id", source.external_id, empty=False)
            if source.external_id in external:
                self.fail(source.origin, f"source id {source.external_id!r} is also the id of "
                                         f"{external[source.external_id]}")
            external[source.external_id] = source.origin or "another source"
            if not isinstance(source.metadata, dict):
                self.fail(source.origin, "the metadata is not a set of named fields")
            self.texts[folded] = len(source.text)
        for unit in snap.units:
            source_key = self.ref("sources", unit.origin, "source", unit.source_guid)
            self.own("units", unit.origin, unit.guid)
            self.enum(unit.origin, "kind", unit.kind, UnitKind)
            self.span(unit.origin, source_key, unit.start, unit.end)
        for coding in snap.codings:
            self.own("codings", coding.origin, coding.guid)
            self.ref("coders", coding.origin, "coder", coding.coder_guid)
            self.ref("codes", coding.origin, "code", coding.code_guid)
            source_key = self.ref("sources", coding.origin, "source", coding.source_guid)
            self.enum(coding.origin, "layer", coding.layer, Layer)
            self.span(coding.origin, source_key, coding.start, coding.end)
        for review in snap.reviews:
            self.ref("sources", review.origin, "source", review.source_guid)
            self.ref("coders", review.origin, "coder", review.coder_guid)
            if review.unit_guid is not None:
                self.ref("units", review.origin, "unit", review.unit_guid)
            self.enum(review.origin, "layer", review.layer, Layer)
        for memo in snap.memos:
            self.memo(memo)

    def memo(self, memo: Any) -> None:
        self.own("memos", memo.origin, memo.guid)
        if memo.target_kind not in MEMO_TARGETS:
            self.fail(memo.origin, f"target kind {show(memo.target_kind)} is none of "
                                   f"{', '.join(sorted(MEMO_TARGETS))}")
        # A memo's target must be a GUID; whether it is still there is the merge's to say
        # (a unit memo outlives its unit when a source's text is replaced).
        if memo.target_kind != "project" or memo.target_guid:
            self.guid(memo.origin, "the GUID of what it is about", memo.target_guid)
        if memo.coder_guid is not None:
            self.ref("coders", memo.origin, "author", memo.coder_guid)
        self.text(memo.origin, "the text", memo.text)


def check_snapshot(snap: Snapshot) -> None:
    """Refuse a snapshot holding anything that cannot enter a project (one line names it)."""
    _Check(snap).run()
