"""Reading ``project.qde`` (from any REFI-QDA exporter) into a snapshot, reporting what is left out.

Kept: users who coded or wrote notes (as coders; the ``consensus (adjudicated by ...)``
users as the consensus layer), the codebook, text sources (``PlainTextContent``,
``internal://`` texts, ``relative://`` texts found beside the ``.qdpx``), their text
selections' codings, notes (as memos on what refers to them), source variables (as
metadata) and qualcode's own "done" sets. Left out, and listed: PDF, picture, audio
and video sources, ``absolute://`` files, cases, links, graphs and other sets.
Refused, the whole file with one line naming the element and its line: a GUID
attribute that is there but is not a GUID, a reference that names nothing (a code,
a variable, a done set's user), a selection whose positions are not whole numbers
inside its text; :func:`qualcode.storage.snapshot_check.check_snapshot` then checks
the snapshot whole, as for a merge. Sources are read by :mod:`.project_sources`, notes
and sets by :mod:`.project_notes` (mixins of :class:`ProjectReader`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from qualcode.errors import FormatError
from qualcode.interchange.refi.details import RefiSnapshot
from qualcode.interchange.refi.guids import clean_guid, derived_guid, fold
from qualcode.interchange.refi.offsets import Counting
from qualcode.interchange.refi.project_notes import NotesReader
from qualcode.interchange.refi.project_sources import OTHER_SOURCES, SourcesReader
from qualcode.interchange.refi.project_xml import consensus_user
from qualcode.interchange.refi.qdc import CodeReader, written_by_qualcode
from qualcode.interchange.refi.reader_core import shared_key
from qualcode.interchange.refi.safe_xml import child, local, stream_xml, text_of
from qualcode.interchange.refi.safe_zip import SafeZip
from qualcode.interchange.refi.text_paths import TextFinder
from qualcode.interchange.refi.variables import JSON_MARK
from qualcode.model import Layer
from qualcode.storage.snapshot import InCoder, InReview, Snapshot

# Matches project_xml.CONSENSUS_NAME, and a bare "consensus (adjudicated)" from elsewhere.
_CONSENSUS = re.compile(r"^consensus \(adjudicated(?: by (.+))?\)$")
MAX_USERS = 20_000
"""Most users a ``project.qde`` may list (each becomes a coder): more is a hostile file."""
MAX_CODEBOOK_ELEMENTS = 300_000
"""Most elements (codes, descriptions, NoteRefs) a ``CodeBook`` may hold: codebooks have
hundreds of codes, and the codebook is read whole before its codes are checked."""
_LEFT_OUT = {"Cases": "cases", "Links": "links", "Graphs": "graphs"}
# What the first pass keeps (paths of local names; a second section of a name is NAME#2).
_DEFINITIONS = {("Project", "Users", "User"), ("Project", "CodeBook"),
                ("Project", "Variables", "Variable")}


def _first_pass(path: tuple[str, ...]) -> bool:
    """What the first pass keeps: users, codebook and variables, the project's NoteRefs."""
    return path in _DEFINITIONS or (len(path) == 2 and path[1].split("#")[0] == "NoteRef")


def _second_pass(path: tuple[str, ...]) -> bool:
    """What the second pass keeps: sources, notes and sets one by one, the description."""
    if len(path) == 2:
        return path[1] == "Description"
    return len(path) == 3 and (path[1] in ("Notes", "Sets") or (
        path[1] == "Sources" and (path[2] == "TextSource" or path[2] in OTHER_SOURCES)))


class ProjectReader(SourcesReader, NotesReader):
    """Reads one ``Project`` element; ``snap`` collects what it finds."""

    def __init__(self, path: Path, archive: SafeZip | None, *,
                 counting: Counting | None = None) -> None:
        self.path, self.where, self.archive, self.counting = path, str(path), archive, counting
        self.snap = RefiSnapshot(label=str(path))
        self.finder = TextFinder(path, archive)
        self.own = False  # True when the file says qualcode wrote it (see read())
        self.users: dict[str, InCoder] = {}
        self.names: set[str] = set()
        self.consensus: dict[str, str] = {}
        self.used: set[str] = set()
        self.code_guids: set[str] = set()
        self.variables: dict[str, tuple[str, bool]] = {}  # GUID -> (name, values are JSON)
        self.kept_as_text: dict[str, int] = {}
        self.rich_texts = 0  # sources with a rich text (.docx) beside their plain text
        self.note_targets: dict[str, list[tuple[str, str]]] = {}
        self.coding_guids: set[str] = set()
        # GUID (folded) -> (what it names, line): one GUID naming two things is refused.
        self.user_seen: dict[str, tuple[str, int | None]] = {}
        self.source_seen: dict[str, tuple[str, int | None]] = {}
        self.coding_seen: dict[str, tuple[str, int | None]] = {}
        self.note_seen: dict[str, tuple[str, int | None]] = {}
        self.unit_guids: set[str] = set()
        self.source_texts: dict[str, str] = {}
        self.external_ids: set[str] = set()
        self.default_user: str | None = None
        self.pending: list[tuple[str, str | None]] = []  # consensus users: (GUID, adjudicator)
        self.source_keys: set[str] | None = None  # every source's folded GUID, for the sets
        self.other_sets = 0

    # -- top level -----------------------------------------------------------------------
    def read_xml(self, data: bytes | bytearray, where: str) -> Snapshot:
        """Read the whole ``project.qde`` as it streams and return the snapshot.

        Two passes over the bytes: first the users, codebook, variables and the project's
        own NoteRefs (sources and notes refer to them wherever a tool wrote them), then
        each source, note and set as it ends. Notes and sets wait for the end only when
        they come before the sources (they refer to every source). Only copies of what is
        read are kept, one record element at a time.
        """
        refs: list[Any] = []
        sections: set[str] = set()  # the top-level elements, by name
        for path, element in stream_xml(data, where, _first_pass,
                                        {"CodeBook": MAX_CODEBOOK_ELEMENTS}):
            if len(path) == 1:
                self.read_root(element)
            elif path == ("Project", "Users", "User"):
                self.read_user(element)
            elif path == ("Project", "CodeBook"):
                self.read_codebook(element)
            elif path == ("Project", "Variables", "Variable"):
                guid = self.guid_attr(element, "guid", required=True)
                as_json = self.own and text_of(child(element, "Description")).strip() == JSON_MARK
                self.variables[fold(guid)] = (element.get("name") or "", as_json)
            elif path[1].split("#")[0] == "NoteRef":
                refs.append(element)
            else:
                sections.add(path[1])
        self.resolve_consensus()
        waiting: list[Any] = []  # notes and sets before the sources end
        left_out: list[tuple[str, int]] = []
        sources_read = "Sources" not in sections
        if sources_read:
            self.after_sources(refs)
        for path, element in stream_xml(data, where, _second_pass):
            if len(path) == 1:
                continue
            if path[1] == "Sources" and len(path) == 3:
                if element.tag == "TextSource":
                    self.text_source(element)
                else:
                    self.other_source(element)
            elif path == ("Project", "Sources"):
                sources_read = True
                self.after_sources(refs)
            elif path[1] == "Description":
                self.snap.project_description = text_of(element)
            elif path[1] in ("Notes", "Sets") and len(path) == 3:
                if not sources_read:
                    waiting.append(element)
                elif path[1] == "Notes":
                    self.read_note(element)
                else:
                    self.read_set(element)
            elif path[1] in _LEFT_OUT and element.count:
                left_out.append((path[1], element.count))
        self.read_notes([element for element in waiting if element.tag == "Note"], begun=True)
        self.read_sets([element for element in waiting if element.tag == "Set"])
        for name, count in sorted(left_out, key=lambda found: list(_LEFT_OUT).index(found[0])):
            self.snap.notes.append(f"{count} {_LEFT_OUT[name]} left out (qualcode has none)")
        self.finish()
        return self.snap

    def after_sources(self, refs: list[Any]) -> None:
        """Once every source is read: the project's NoteRefs, then get ready for notes."""
        for ref in refs:
            self.refer(ref, "project", "")
        self.begin_notes()

    def read_root(self, root: Any) -> None:
        """Check the root element and read what its attributes say."""
        if local(root) != "Project":
            raise FormatError(f"project.qde's root element is <{local(root)}>, not <Project>",
                              path=self.where, line=root.sourceline)
        # qualcode's own label lines and JSON values are read as such only from a file
        # qualcode wrote (its origin says so): from any other tool they are data, kept as text.
        self.own = written_by_qualcode(root.get("origin"))
        self.default_user = self.guid_attr(root, "creatingUserGUID")

    def finish(self) -> None:
        if self.rich_texts:
            self.snap.skipped.append(f"the rich texts (richTextPath, formatting) of "
                                     f"{self.rich_texts} sources; their plain texts were read")
        for variable, count in self.kept_as_text.items():
            self.snap.notes.append(f"variable {variable!r}: {count} values do not read as "
                                   "the type they are written as; kept as the text written")
        self.snap.coders = [c for key, c in self.users.items() if key in self.used]
        unused = len(self.users) - len(self.snap.coders)
        if unused:
            self.snap.notes.append(f"{unused} users with no codings, notes or done marks were "
                                   "not added as coders")

    def mark_all_done(self, snap: Snapshot) -> None:
        """Mark every imported source done for every coder who coded in the file."""
        coders = {c.coder_guid for c in snap.codings if c.layer is Layer.CODER}
        for coder in sorted(coders):
            snap.reviews.extend(InReview(s.guid, coder) for s in snap.sources)
        snap.notes.append(f"every source marked done for {len(coders)} coders (--mark-done)")

    # -- users -----------------------------------------------------------------------------
    def read_user(self, user: Any) -> None:
        """Read one ``User`` of the first ``Users``; consensus users wait for them all."""
        guid = clean_guid(user.get("guid"))
        if guid is None:
            raise FormatError(f"a User has guid {user.get('guid')!r}, which is not a GUID; "
                              "nothing was imported", path=self.where, line=user.sourceline)
        name = " ".join((user.get("name") or user.get("id") or "").split())
        if len(self.user_seen) >= MAX_USERS:
            self.fail(user, f"the file lists over {MAX_USERS:,} users; no project has so many "
                            "coders")
        self.once(self.user_seen, "users", guid, name or guid, user.sourceline, quoted=True)
        match = _CONSENSUS.match(name)
        if match:
            self.pending.append((guid, match.group(1)))
        else:
            self.add_user(guid, name or f"user {guid[:8]}")

    def resolve_consensus(self) -> None:
        """File each ``consensus (adjudicated by ...)`` user under the coder it names."""
        for guid, adjudicator in self.pending:
            found = next((u.guid for u in self.users.values()
                          if consensus_user(u.guid) == fold(guid)), None)
            if found is None and adjudicator:
                found = next((u.guid for u in self.users.values()
                              if u.name.casefold() == adjudicator.casefold()), None)
            if found is None:
                name = adjudicator or "consensus"
                found = self.add_user(derived_guid("coder", name), name).guid
            self.consensus[fold(guid)] = found

    def add_user(self, guid: str, name: str) -> InCoder:
        base, number = name, 1
        while name.casefold() in self.names:
            number += 1
            name = f"{base} ({number})"
        folded = name.casefold()
        self.names.add(name if folded == name else folded)
        key = shared_key(guid)
        self.users[key] = InCoder(guid, name)
        return self.users[key]

    def coder_for(self, *candidates: str | None) -> tuple[str, Layer]:
        """Return (coder GUID, layer) for the first valid user GUID among the candidates."""
        for raw in candidates:
            guid = clean_guid(raw)
            if guid is None:
                continue
            if fold(guid) in self.consensus:
                coder = self.consensus[fold(guid)]
                self.used.add(fold(coder))
                return coder, Layer.CONSENSUS
            if fold(guid) not in self.users:
                self.add_user(guid, f"user {guid[:8]}")
                self.snap.notes.append(f"user {guid} is not listed in Users; added as "
                                       f"coder 'user {guid[:8]}'")
            self.used.add(fold(guid))
            return self.users[fold(guid)].guid, Layer.CODER
        guid = derived_guid("coder", "imported")
        if fold(guid) not in self.users:
            self.add_user(guid, "imported")
            self.snap.notes.append("codings with no user were filed under coder 'imported'")
        self.used.add(fold(guid))
        return self.users[fold(guid)].guid, Layer.CODER

    # -- codebook ----------------------------------------------------------------------------
    def read_codebook(self, book: Any) -> None:
        codes = child(book, "Codes") if book is not None else None
        if codes is None:
            return
        reader = CodeReader(self.where, own=self.own)
        self.snap.codes = reader.read(codes)
        self.snap.notes.extend(reader.notes)
        self.code_guids = {fold(c.guid) for c in self.snap.codes}
        for note, code in reader.note_refs:
            self.note_targets.setdefault(fold(note), []).append(("code", code))

    def refer(self, ref: Any, kind: str, target: str) -> None:
        note = self.guid_attr(ref, "targetGUID", required=True)
        self.note_targets.setdefault(fold(note), []).append((kind, target))
