"""Reading a ``project.qde``'s notes (as memos) and sets (qualcode's done marks).

A mixin of :class:`.project_read.ProjectReader`, kept apart for size: notes are read
after every source, so the units a memo names can be checked against their texts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from qualcode.interchange.refi.guids import clean_guid, derived_guid, fold
from qualcode.interchange.refi.project_xml import DONE_MARK, NOTE_RULE, UNIT_MARK, quote
from qualcode.interchange.refi.reader_core import ReaderCore
from qualcode.interchange.refi.safe_xml import child, children, local, text_of
from qualcode.model import Layer, UnitKind
from qualcode.storage.snapshot import InMemo, InReview, InUnit
from qualcode.storage.snapshot_check import show

if TYPE_CHECKING:
    pass

_DONE = re.compile(r"user=(\S+) layer=(coder|consensus)")
_UNIT = re.compile(UNIT_MARK + r" (\S+) source=(\S+) kind=(source|sentence|paragraph) "
                   r"start=(\d+) end=(\d+)")


class NotesReader(ReaderCore):
    """Notes and sets of one ``Project``; the state lives in :class:`ProjectReader`."""

    if TYPE_CHECKING:  # what ProjectReader, which mixes this class in, provides
        used: set[str]
        note_seen: dict[str, tuple[str, int | None]]
        note_targets: dict[str, list[tuple[str, str]]]
        source_texts: dict[str, str]
        source_keys: set[str] | None
        other_sets: int

        def source_text(self, element: Any, name: str) -> str | None: ...

    def read_notes(self, notes: list[Any], *, begun: bool = False) -> None:
        """Read the ``Note`` elements as memos; notes about one thing by one author become one."""
        if not begun:
            self.begin_notes()
        for note in notes:
            self.read_note(note)
        self.end_notes()

    def begin_notes(self) -> None:
        """Get ready for notes, once every source is read (a unit memo may cut any text)."""
        self.source_texts = {fold(s.guid): s.text for s in self.snap.sources}

    def end_notes(self) -> None:
        """Join the memos read (selection descriptions too) about one thing by one author."""
        self.snap.memos[:] = self.join_notes(self.snap.memos)

    def read_note(self, note: Any) -> None:
        """Read one ``Note`` as memos on what refers to it (the project when nothing does)."""
        if local(note) != "Note":
            return
        guid = self.guid_attr(note, "guid", required=True)
        name = " ".join((note.get("name") or "").split())
        self.once(self.note_seen, "notes", guid, name or guid, note.sourceline,
                  quoted=True)
        content = self.source_text(note, note.get("name") or guid) if (
            note.get("plainTextPath")) else text_of(child(note, "PlainTextContent"))
        content = content or ""
        first = content.split("\n")[0]
        text = content if not name or name == quote(first) else (
            f"{name}\n\n{content}" if content else name)
        marker = text_of(child(note, "Description")).strip()
        if marker and not marker.startswith(UNIT_MARK):
            text = f"{text}\n\n{marker}" if text else marker
        targets = self.note_targets.get(fold(guid)) or [("project", "")]
        unit = _UNIT.match(marker)
        if unit:
            for number in (1, 2):  # the unit's GUID and its source's: a memo's target
                if clean_guid(unit.group(number)) is None:
                    self.fail(note, f"its unit marker names {show(unit.group(number))}, "
                                    "which is not a GUID")
            targets = [("unit", unit.group(1))]
            self.unit(note, *unit.groups())
        user = self.guid_attr(note, "creatingUser")
        coder = self.coder_for(user)[0] if user else None
        stamp = note.get("modifiedDateTime") or note.get("creationDateTime") or ""
        for number, (kind, target) in enumerate(targets):
            memo_guid = guid if number == 0 else derived_guid("note", guid, kind, target)
            self.snap.memos.append(InMemo(memo_guid, kind, target, coder, text, stamp))

    def join_notes(self, memos: list[InMemo]) -> list[InMemo]:
        """Join memos about the same thing by the same author, in file order.

        qualcode keeps one memo per thing and author; other tools (NVivo above all) keep
        many free-standing notes, which all land on the project memo. Their texts are kept
        whole, one after another under a rule, and the joined memo keeps the first note's
        GUID.
        """
        groups: dict[tuple[str, str, str | None], list[InMemo]] = {}
        for memo in memos:
            groups.setdefault((memo.target_kind, fold(memo.target_guid), memo.coder_guid),
                              []).append(memo)
        joined = []
        for (kind, _, _), group in groups.items():
            if len(group) == 1:
                joined.append(group[0])
                continue
            text = NOTE_RULE.join(m.text for m in group)
            self.snap.memo_parts[group[0].guid] = [m.guid for m in group]
            stamp = max(m.updated_at for m in group)
            joined.append(InMemo(group[0].guid, kind, group[0].target_guid, group[0].coder_guid,
                                 text, stamp))
            self.snap.notes.append(f"{len(group)} notes about the same {kind} by the same "
                                   "author joined into one memo (qualcode keeps one memo per "
                                   "thing and author; their GUIDs are kept, and an export "
                                   "writes them as the notes they were)")
        return joined

    def unit(
        self, note: Any, guid: str, source: str, kind: str, start: str, end: str
    ) -> None:
        """Keep a unit a memo is about (whole-source units keep their GUID this way)."""
        # Looked up in dicts: a project with a memo on every unit would be quadratic.
        if fold(guid) in self.unit_guids:
            return
        text = self.source_texts.get(fold(source))
        if text is None:  # its source was left out (and listed): the memo is left out too
            return
        if not 0 <= int(start) <= int(end) <= len(text):
            self.fail(note, f"its unit {start}..{end} lies outside its source's {len(text)} "
                            "characters")
        self.snap.units.append(InUnit(clean_guid(guid) or guid, clean_guid(source) or source,
                                      int(start), int(end), UnitKind(kind),
                                      origin=f"<Note> at line {note.sourceline}"))
        self.unit_guids.add(fold(guid))

    def read_sets(self, sets: list[Any]) -> None:
        """Read qualcode's done sets (the ``Set`` elements); other sets are counted."""
        for element in sets:
            self.read_set(element)
        self.end_sets()

    def read_set(self, element: Any) -> None:
        """Read one ``Set``, once every source is read: done marks, or counted as left out."""
        if self.source_keys is None:
            self.source_keys = {fold(s.guid) for s in self.snap.sources}
        left_out = self.source_keys
        if local(element) != "Set":
            return
        match = _DONE.search(text_of(child(element, "Description")))
        if not text_of(child(element, "Description")).startswith(DONE_MARK) or not match:
            self.other_sets += 1
            return
        coder, layer = match.group(1), Layer(match.group(2))
        if clean_guid(coder) is None or fold(coder) not in self.users:
            self.fail(element, f"its done marks are for user {show(coder)}, who is not "
                               "in Users")
        self.used.add(fold(coder))
        for member in children(element, "MemberSource"):
            target = self.guid_attr(member, "targetGUID", required=True)
            if fold(target) in left_out:  # a source left out (and listed): passed over
                self.snap.reviews.append(InReview(target, self.users[fold(coder)].guid,
                                                  None, layer))

    def end_sets(self) -> None:
        """Say how many sets were left out."""
        if self.other_sets:
            self.snap.notes.append(f"{self.other_sets} sets left out (qualcode has no sets)")
