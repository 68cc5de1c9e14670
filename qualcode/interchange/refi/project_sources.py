"""Reading a ``project.qde``'s text sources: their texts, variable values, selections, codings.

A mixin of :class:`.project_read.ProjectReader`, kept apart for size, as
:mod:`.project_notes` is for notes: a selection's positions are checked against its
source's text and converted to code points; PDF, picture, audio and video sources are
left out and listed.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from qualcode.errors import FormatError
from qualcode.interchange.readers.documents.pdf import read_pdf
from qualcode.interchange.readers.documents.word import read_docx
from qualcode.interchange.refi.details import source_details
from qualcode.interchange.refi.guids import clean_guid, derived_guid, fold
from qualcode.interchange.refi.offsets import Counting, PositionMap, choose_counting
from qualcode.interchange.refi.project_xml import ID_VARIABLE, UNIT_VARIABLE
from qualcode.interchange.refi.reader_core import ReaderCore
from qualcode.interchange.refi.safe_xml import child, children, local, text_of
from qualcode.interchange.refi.text_paths import member_name
from qualcode.interchange.refi.variables import read_value
from qualcode.model import UnitKind
from qualcode.storage.snapshot import InCoding, InMemo, InSource, InUnit
from qualcode.storage.snapshot_check import show

if TYPE_CHECKING:
    from qualcode.interchange.refi.text_paths import TextFinder

OTHER_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                 "VideoSource": "video"}


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


class SourcesReader(ReaderCore):
    """Text sources of one ``Project`` (others listed as left out); state in ProjectReader."""

    if TYPE_CHECKING:  # what ProjectReader, which mixes this class in, provides
        own: bool
        counting: Counting | None
        finder: TextFinder
        variables: dict[str, tuple[str, bool]]
        kept_as_text: dict[str, int]
        rich_texts: int
        source_seen: dict[str, tuple[str, int | None]]
        coding_seen: dict[str, tuple[str, int | None]]
        coding_guids: set[str]
        code_guids: set[str]
        external_ids: set[str]
        default_user: str | None

        def refer(self, ref: Any, kind: str, target: str) -> None: ...

    def other_source(self, element: Any) -> None:
        if local(element) == "PDFSource":
            self.pdf_source(element)
            return
        kind = OTHER_SOURCES[local(element)]
        codings = sum(1 for node in element.iter() if local(node) == "Coding")
        name = element.get("name") or element.get("guid")
        guid = self.guid_attr(element, "guid")
        if guid is not None:
            self.once(self.source_seen, "sources", guid, f"{kind} source {name!r}",
                      element.sourceline)
        self.snap.skipped.append(f"{kind} source {name!r} left out with its {codings} codings "
                                 "(qualcode codes text only)")

    def pdf_source(self, element: Any) -> None:
        """A PDF source: its text representation when it has one, else the PDF's own text.

        Codings on the text (``PlainTextSelection`` of the ``Representation``, or on the
        whole source) are kept; selections by page and coordinates (``PDFSelection``)
        cannot be placed in the text and are listed as left out, with their number.
        """
        name = (element.get("name") or "").strip() or element.get("guid") or ""
        representation = child(element, "Representation")
        if representation is not None:
            self.text_source(element, text_element=representation)
            self.regions_left_out(element, name)
            return
        path = (element.get("path") or "").strip()
        found = self.finder.find(path) if path else None
        if found is None or found.data is None:
            why = f"its PDF {path!r} {found.why}" if found is not None else "no PDF path"
            codings = sum(1 for node in element.iter() if local(node) == "Coding")
            self.snap.skipped.append(f"PDF source {name!r} has no text representation and "
                                     f"{why}; left out with its {codings} codings")
            guid = self.guid_attr(element, "guid")
            if guid is not None:
                self.once(self.source_seen, "sources", guid, f"PDF source {name!r}",
                          element.sourceline)
            return
        document = read_pdf(found.data, f"{self.where}: PDF source {name!r}")
        self.text_source(element, text=document.text)
        self.regions_left_out(element, name)

    def regions_left_out(self, element: Any, name: str) -> None:
        """List a PDF source's selections by page and coordinates, which text cannot hold."""
        regions = [node for node in element.iter() if local(node) == "PDFSelection"]
        if regions:
            codings = sum(1 for node in regions for c in node.iter() if local(c) == "Coding")
            self.snap.skipped.append(f"PDF source {name!r}: {len(regions)} selections by page "
                                     f"and coordinates (PDFSelection) left out with their "
                                     f"{codings} codings (qualcode codes the text)")

    def text_source(self, element: Any, *, text_element: Any = None,
                    text: str | None = None) -> None:
        """A text source; ``text_element`` holds its text and selections when it is not
        ``element`` itself (a PDF source's ``Representation``), ``text`` is given when read
        from a document rather than from a plain text."""
        holder = element if text_element is None else text_element
        guid = clean_guid(element.get("guid"))
        if guid is None:
            raise FormatError(f"a {local(element)} has guid {element.get('guid')!r}, which is "
                              "not a GUID; nothing was imported", path=self.where,
                              line=element.sourceline)
        name = ((element.get("name") or "").strip() or self.file_name(holder)
                or self.file_name(element))
        self.once(self.source_seen, "sources", guid, f"source {name or guid!r}",
                  element.sourceline)
        if text is None:
            text = self.source_text(holder, name or guid)
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
        self.selections(holder, guid, name or external, text)
        if holder is not element:  # codings on the PDF source itself: the whole text
            for node in children(element, "Coding"):
                self.coding(node, guid, 0, len(text), (self.guid_attr(element, "creatingUser"),))
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
                return self.rich_text(rich, name)
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

    def rich_text(self, path: str, name: str) -> str | None:
        """Read a source given only as a Word file (NVivo's ``richTextPath``) as qualcode's
        Word reader does; None (listed as left out) when it is missing or not a .docx."""
        found = self.finder.find(path)
        if found.data is None:
            self.snap.skipped.append(f"text source {name!r}: its rich text {path!r} "
                                     f"{found.why}; left out with its codings")
            return None
        if not path.lower().endswith(".docx"):
            self.snap.skipped.append(f"text source {name!r} has only a rich text ({path!r}), "
                                     "not a .docx, and no plain text; left out with its codings")
            return None
        try:
            text = read_docx(found.data, f"{self.where}: text source {name!r}").text
        except FormatError as error:
            reason = error.message.split(";")[0]
            self.snap.skipped.append(f"text source {name!r} has only a rich text ({path!r}), "
                                     f"which {reason}; left out with its codings")
            return None
        self.snap.notes.append(f"text source {name!r}: read from its Word file {path!r} (it "
                               "has no plain text) with qualcode's .docx reader")
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
