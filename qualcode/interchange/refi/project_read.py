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
the snapshot whole, as for a merge.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any, Literal, NoReturn, overload
from urllib.parse import unquote

from qualcode.errors import FormatError
from qualcode.interchange.refi.details import RefiSnapshot, source_details
from qualcode.interchange.refi.guids import clean_guid, derived_guid, fold
from qualcode.interchange.refi.offsets import Counting, PositionMap, choose_counting
from qualcode.interchange.refi.project_notes import NotesReader
from qualcode.interchange.refi.project_xml import (
    ID_VARIABLE,
    UNIT_VARIABLE,
    consensus_user,
)
from qualcode.interchange.refi.qdc import CodeReader, written_by_qualcode
from qualcode.interchange.refi.safe_xml import child, children, local, stream_xml, text_of
from qualcode.interchange.refi.safe_zip import SafeZip
from qualcode.interchange.refi.text_paths import TextFinder, member_name
from qualcode.interchange.refi.variables import JSON_MARK, read_value
from qualcode.model import Layer, UnitKind
from qualcode.storage.snapshot import (
    InCoder,
    InCoding,
    InMemo,
    InReview,
    InSource,
    InUnit,
    Snapshot,
)
from qualcode.storage.snapshot_check import show

# Matches project_xml.CONSENSUS_NAME, and a bare "consensus (adjudicated)" from elsewhere.
_CONSENSUS = re.compile(r"^consensus \(adjudicated(?: by (.+))?\)$")
OTHER_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                 "VideoSource": "video"}
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


def shared_key(guid: str) -> str:
    """Return ``fold(guid)``, as the very string given when it is folded already (memory)."""
    folded = fold(guid)
    return guid if folded == guid else folded


def decode_text(data: bytes) -> str | None:
    """Decode a source text: UTF-8 (a BOM is dropped, not counted), or UTF-16 with a BOM."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class ProjectReader(NotesReader):
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

    # -- sources ----------------------------------------------------------------------------
    def other_source(self, element: Any) -> None:
        kind = OTHER_SOURCES[local(element)]
        codings = sum(1 for node in element.iter() if local(node) == "Coding")
        name = element.get("name") or element.get("guid")
        guid = self.guid_attr(element, "guid")
        if guid is not None:
            self.once(self.source_seen, "sources", guid, f"{kind} source {name!r}",
                      element.sourceline)
        self.snap.skipped.append(f"{kind} source {name!r} left out with its {codings} codings "
                                 "(qualcode codes text only)")

    def text_source(self, element: Any) -> None:
        guid = clean_guid(element.get("guid"))
        if guid is None:
            raise FormatError(f"a TextSource has guid {element.get('guid')!r}, which is not a "
                              "GUID; nothing was imported", path=self.where,
                              line=element.sourceline)
        name = (element.get("name") or "").strip() or self.file_name(element)
        self.once(self.source_seen, "sources", guid, f"source {name or guid!r}",
                  element.sourceline)
        text = self.source_text(element, name or guid)
        if text is None:
            return
        metadata = self.values(element)
        external = str(metadata.pop(ID_VARIABLE, "") or "") or name or guid
        external = self.unique_id(external)
        whole = metadata.pop(UNIT_VARIABLE, None)
        if isinstance(whole, str) and clean_guid(whole) is not None:
            self.snap.units.append(InUnit(clean_guid(whole) or whole, guid, 0, len(text),
                                          UnitKind.SOURCE, origin=f"<TextSource> at line "
                                          f"{element.sourceline}"))
            self.unit_guids.add(fold(whole))
        details = source_details(element, self.users)
        if details:
            self.snap.source_details[guid] = details
        self.selections(element, guid, name or external, text)
        for ref in children(element, "NoteRef"):
            self.refer(ref, "source", guid)
        self.snap.sources.append(InSource(guid, external, name or external, text, metadata))

    def file_name(self, element: Any) -> str:
        """Name a source with no name by its text's file name (qc writes no name).

        A file named by the source's own GUID (``internal://GUID.txt``) names nothing:
        the source is then known by its GUID, as before.
        """
        path = (element.get("plainTextPath") or "").strip()
        try:
            member = member_name(path, self.where) if path else None
        except FormatError:
            return ""  # refused when the text is looked up, with the whole file
        name = member.rsplit("/", 1)[-1] if member else ""
        if "://" in path:  # a URI may spell a space as %20
            name = unquote(name)
        stem = name.rsplit(".", 1)[0]
        return "" if clean_guid(stem) is not None else name

    def values(self, element: Any) -> dict[str, Any]:
        """Return a source's variable values, each read as the type it is written as."""
        metadata: dict[str, Any] = {}
        for value in children(element, "VariableValue"):
            ref = child(value, "VariableRef")
            variable = None
            if ref is not None:
                target = self.guid_attr(ref, "targetGUID", required=True)
                variable = self.variables.get(fold(target))
                if variable is None:
                    self.fail(ref, f"targetGUID {target} names no Variable of the project")
            if variable is not None:
                node = next((n for n in value if local(n) != "VariableRef"), None)
                if node is None:
                    metadata[variable[0]] = ""
                    continue
                text = text_of(node)
                read, typed = read_value(local(node), text if self.own else text.strip(),
                                         as_json=variable[1])
                if not typed:
                    self.kept_as_text[variable[0]] = self.kept_as_text.get(variable[0], 0) + 1
                metadata[variable[0]] = read
        return metadata

    def unique_id(self, external: str) -> str:
        base, number = external, 1
        while external in self.external_ids:
            number += 1
            external = f"{base} ({number})"
        self.external_ids.add(external)
        return external

    def source_text(self, element: Any, name: str) -> str | None:
        """Return a source's (or note's) text, found by :mod:`.text_paths`; None if left out."""
        content = child(element, "PlainTextContent")
        path = (element.get("plainTextPath") or "").strip()
        if not path:
            if content is not None:
                return text_of(content)
            rich = (element.get("richTextPath") or "").strip()
            if rich:
                self.snap.skipped.append(f"text source {name!r} has only a rich text ({rich!r}) "
                                         "and no plain text (plainTextPath); left out with its "
                                         "codings (qualcode reads plain text)")
            else:
                self.snap.skipped.append(f"text source {name!r} has no text (neither "
                                         "PlainTextContent nor plainTextPath); left out")
            return None
        if (element.get("richTextPath") or "").strip():
            self.rich_texts += 1
        found = self.finder.find(path)
        if found.data is None and content is not None:
            return text_of(content)  # both given (the standard says one): the one that is there
        if found.data is None:
            looked = f" (looked for {', '.join(found.looked)})" if found.looked else ""
            self.snap.skipped.append(f"text source {name!r}: its text {path!r} {found.why}"
                                     f"{looked}; left out with its codings")
            return None
        text = decode_text(found.data)
        if text is None:
            self.snap.skipped.append(f"text source {name!r}: {path!r} is not UTF-8 text; left "
                                     "out with its codings")
        return text

    def selections(self, element: Any, source: str, name: str, text: str) -> None:
        found: list[tuple[Any, int, int]] = []
        for selection in children(element, "PlainTextSelection"):
            self.guid_attr(selection, "guid")
            found.append((selection, self.position(selection, "startPosition"),
                          self.position(selection, "endPosition")))
        counting = choose_counting(text, [(s, e, sel.get("name")) for sel, s, e in found],
                                   self.counting)
        if counting is not Counting.CODEPOINTS:
            self.snap.notes.append(f"source {name!r}: positions counted as {counting.value} "
                                   "(that is where the quoted passages are); converted to "
                                   "code points")
        mapping = PositionMap(text, counting)
        for selection, start, end in found:
            s, e = mapping.to_codepoint(start), mapping.to_codepoint(end)
            if s is None or e is None or s > e:
                self.fail(selection, f"positions {start}..{end} lie outside source {name!r} "
                                     f"({mapping.total} positions counted as "
                                     f"{counting.value}), or start after they end; if the tool "
                                     "counts positions another way, say how with 'qualcode "
                                     "merge PROJECT FILE --positions ...'")
            users = (self.guid_attr(selection, "creatingUser"),
                     self.guid_attr(element, "creatingUser"))
            made = [self.coding(c, source, s, e, users) for c in children(selection, "Coding")]
            guids = [g for g in made if g]
            for ref in children(selection, "NoteRef"):
                if guids:
                    self.refer(ref, "coding", guids[0])
                else:
                    self.refer(ref, "source", source)
            self.selection_description(selection, source, guids, users[0])
        for node in children(element, "Coding"):
            self.coding(node, source, 0, len(text), (self.guid_attr(element, "creatingUser"),))

    def selection_description(self, selection: Any, source: str, codings: list[str],
                              user: str | None) -> None:
        """Keep a selection's description (an ATLAS.ti quotation comment) as a memo.

        It lands on the selection's first coding (on the source when it has none), under
        the selection's user, with a GUID derived from the selection's.
        """
        text = text_of(child(selection, "Description"))
        if not text.strip():
            return
        own = selection.get("guid") or f"{source}/{selection.sourceline}"
        coder = self.coder_for(user)[0] if user else None
        kind, target = ("coding", codings[0]) if codings else ("source", source)
        stamp = selection.get("modifiedDateTime") or selection.get("creationDateTime") or ""
        self.snap.memos.append(InMemo(derived_guid("selection description", own), kind, target,
                                      coder, text, stamp))

    def position(self, selection: Any, attr: str) -> int:
        """Return a selection's position attribute, refusing one that is not a whole number."""
        raw = selection.get(attr)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            self.fail(selection, f"{attr} {show(raw)} is not a whole number")
        return value

    def coding(self, node: Any, source: str, start: int, end: int,
               users: tuple[str | None, ...]) -> str | None:
        ref = child(node, "CodeRef")
        if ref is None:
            self.fail(node, "it has no CodeRef (which code it applies)")
        code = self.guid_attr(ref, "targetGUID", required=True)
        own = self.guid_attr(node, "guid")
        if own is not None:
            where = self.source_seen.get(fold(source), (repr(source), None))[0]
            self.once(self.coding_seen, "codings", own, f"the coding at {start}..{end} in {where}",
                      node.sourceline)
        guid = own or derived_guid("coding", source, str(start), str(end),
                                                           code or "")
        if fold(code) not in self.code_guids:
            self.fail(ref, f"targetGUID {code} names no Code of the codebook")
        if fold(guid) in self.coding_guids:  # two GUID-less codings deriving the same GUID
            guid = derived_guid("coding", guid, source, str(start), str(end))
        self.coding_guids.add(fold(guid))
        coder, layer = self.coder_for(self.guid_attr(node, "creatingUser"), *users,
                                      self.default_user)
        self.snap.codings.append(InCoding(guid, coder, source, code, start, end, layer,
                                          node.get("creationDateTime") or ""))
        for note in children(node, "NoteRef"):
            self.refer(note, "coding", guid)
        return guid
