"""Writing ``project.qde``: the XML of a ``.qdpx``, streamed source by source.

What goes where (REFI-QDA names on the left):

* ``Users``: every coder, plus one user per adjudicator for the consensus layer, named
  ``consensus (adjudicated by NAME)`` with a GUID derived from the adjudicator's.
* ``CodeBook``: the live codebook (see :mod:`.qdc`); code memos as ``NoteRef``.
* ``Variables`` and ``VariableValue``: each source's metadata fields as typed variables
  (:mod:`.variables`), plus ``qualcode id`` (the source's id in the project) and
  ``qualcode unit`` (the GUID of its whole-source unit).
* ``Description``: the project's, and each source's, with the creating and modifying users
  and dates a source came with (:mod:`.details`).
* ``TextSource``: one per source, its text in ``sources/<guid>.txt``; one
  ``PlainTextSelection`` per distinct coded span (code points, end exclusive, named by
  the passage it quotes), one ``Coding`` per coding with ``creatingUser`` = its coder.
* ``Notes``: memos, each referenced (``NoteRef``) from what it is about; a memo joined
  from several notes on import is written as those notes again, with their GUIDs.

With ``coders`` (``export qdpx --coder``) only those coders' codings, done marks and memos
go, and only they (and, with the consensus layer, its adjudicators) are users: no one
else's notes or names.
* ``Sets``: per coder and layer, the sources marked done ("done: alice"), so a round
  trip keeps the "no code applies" decisions agreement counts on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from qualcode.interchange.refi.details import DATE_ATTRIBUTES, USER_ATTRIBUTES
from qualcode.interchange.refi.guids import derived_guid, fold
from qualcode.interchange.refi.qdc import ORIGIN, codes_element, xml_text
from qualcode.interchange.refi.variables import JSON_MARK, variable_type, write_value
from qualcode.model import Coding, Layer, Memo, Source
from qualcode.storage.refi_details import (
    memo_parts,
    metadata_values,
    project_description,
    source_details,
)
from qualcode.storage.refi_export import (
    part_done_mark_count,
    unit_places,
    whole_source_done_marks,
)

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

PROJECT_NS = "urn:QDA-XML:project:1.0"
ID_VARIABLE = "qualcode id"
UNIT_VARIABLE = "qualcode unit"
NOTE_RULE = "\n\n---\n\n"
"""What joins the texts of several notes on one thing into one memo."""
CONSENSUS_NAME = "consensus (adjudicated by {name})"
DONE_MARK = "qualcode:done"
UNIT_MARK = "qualcode:unit"
QUOTE_CHARS = 60
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


NSMAP = {None: PROJECT_NS}


def q(name: str) -> str:
    """Return a tag in the project namespace."""
    return f"{{{PROJECT_NS}}}{name}"


def element(tag: str, attrs: dict[str, str] | None = None, /, **more: str) -> Any:
    """Return a new element in the project namespace (declared as the default namespace)."""
    return etree.Element(q(tag), {**(attrs or {}), **more}, nsmap=NSMAP)


def consensus_user(coder_guid: str) -> str:
    """Return the GUID of the consensus user standing for one adjudicator."""
    return derived_guid("consensus", fold(coder_guid))


def done_set(coder_guid: str, layer: str) -> str:
    """Return the GUID of the set of sources a coder marked done in one layer."""
    return derived_guid("done", fold(coder_guid), layer)


def quote(text: str) -> str:
    """Return the start of a passage as a selection name (spacing squashed, "…" if cut)."""
    squashed = " ".join(text.split())
    return squashed if len(squashed) <= QUOTE_CHARS else squashed[:QUOTE_CHARS].rstrip() + "…"


def titled(text: str) -> tuple[str, str]:
    """Return a note's ``(name, content)`` for a memo text.

    A memo that reads "Title\\n\\nbody" (as a note with a name of its own is read) goes
    out as that name and body again; any other is named by the passage it starts with
    and written whole. The reader joins them back into the same text either way.
    """
    title, sep, body = text.partition("\n\n")
    if (sep and title and body and "\n" not in title and title == " ".join(title.split())
            and title != quote(body.split("\n")[0])):
        return title, body
    return quote(text.split("\n")[0]), text


def stamp(value: str | None) -> dict[str, str]:
    """Return ``{"creationDateTime": value}`` when value is an xsd:dateTime, else nothing."""
    return {"creationDateTime": value} if value and _DATETIME.match(value) else {}


@dataclass(slots=True)
class ExportReport:
    """What an export wrote and what it had to leave out."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notes: list[str] = field(default_factory=list)


class ProjectWriter:
    """Streams one project's ``project.qde`` into an open binary file."""

    def __init__(self, store: ProjectStore, *, coders: set[int] | None = None,
                 consensus: bool = True) -> None:
        self.store = store
        self.report = ExportReport()
        self.book = store.codebook()
        self.coders = {c.id: c for c in store.coders()}
        self.wanted = coders
        self.consensus = consensus
        self.codes = {c.id: c for c in self.book}
        self.details = source_details(store)
        self.parts = memo_parts(store)
        self.memos = self._memos()
        self.exported: set[str] = set()
        self.noted_codings: set[str] = set()  # GUIDs of the coding memos written
        self.makers: set[tuple[int, Layer]] = set()
        self.fields: list[tuple[str, str, bool]] = []  # (name, typeOfVariable, as JSON)
        self.user_guids: set[str] = set()  # folded GUIDs of the users written

    def mine(self, memo: Memo) -> bool:
        """Return True for a memo this export includes (with --coder: the chosen coders')."""
        return self.wanted is None or memo.coder_id in self.wanted

    def coding_memo(self, memo: Memo, coding: Coding) -> bool:
        """Return True for a memo on a written coding: the chosen coders', or its adjudicator's."""
        return self.mine(memo) or (coding.layer is Layer.CONSENSUS
                                   and memo.coder_id == coding.coder_id)

    def keep(self, coding: Coding) -> bool:
        """Return True for the codings this export includes."""
        if coding.layer is Layer.CONSENSUS:
            return self.consensus
        return self.wanted is None or coding.coder_id in self.wanted

    def user_of(self, coder_id: int, layer: Layer) -> str:
        """Return the REFI user GUID a coding of this coder and layer is written under."""
        guid = self.coders[coder_id].guid
        return consensus_user(guid) if layer is Layer.CONSENSUS else guid

    def _memos(self) -> dict[str, dict[str, list[Memo]]]:
        found: dict[str, dict[str, list[Memo]]] = defaultdict(lambda: defaultdict(list))
        left_out = 0
        for memo in self.store.live_memos():
            if memo.target_kind != "coding" and not self.mine(memo):
                left_out += 1
                continue
            found[memo.target_kind][fold(memo.target_guid)].append(memo)
        if left_out:
            self.report.notes.append(f"{left_out} memos by other coders or by no one left out "
                                     "(--coder)")
        return found

    def write(self, handle: Any) -> None:
        """Write the whole document to ``handle``."""
        info = self.store.project_info()
        attrs = {"name": xml_text(self.store.path.stem), "origin": ORIGIN, **(
            {"creationDateTime": info["created_at"]} if _DATETIME.match(info.get("created_at", ""))
            else {})}
        with etree.xmlfile(handle, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(q("Project"), attrs, nsmap={None: PROJECT_NS}):
                self.users(xf)
                self.codebook(xf)
                self.variables(xf)
                self.sources(xf)
                self.notes(xf)
                self.sets(xf)
                self.report.counts["users"] = len({c for c, layer in self.makers
                                                   if layer is Layer.CODER})
                description = project_description(self.store)
                if description:
                    node = element("Description")
                    node.text = xml_text(description)
                    xf.write(node)
                for memo in self.memos["project"].get(fold(info.get("guid", "")), []):
                    for guid, _ in self.pieces(memo):
                        xf.write(element("NoteRef", targetGUID=guid))

    def pieces(self, memo: Memo) -> list[tuple[str, str]]:
        """Return ``(note GUID, text)`` per note a memo is written as.

        A memo joined from several notes on import goes out as those notes again, with
        their GUIDs, while its text still splits into as many parts; otherwise as one.
        """
        parts = self.parts.get(fold(memo.guid))
        if parts and len(parts) > 1 and fold(parts[0]) == fold(memo.guid):
            texts = memo.text.split(NOTE_RULE)
            if len(texts) == len(parts):
                return list(zip(parts, texts, strict=True))
        return [(memo.guid, memo.text)]

    def users(self, xf: Any) -> None:
        adjudicators = self.store.adjudicator_ids()
        users: dict[str, str] = {}
        for coder in self.coders.values():
            if self.wanted is None or coder.id in self.wanted:
                users.setdefault(coder.guid, coder.name)
        for coder_id in sorted(adjudicators if self.consensus else ()):
            coder = self.coders[coder_id]
            users.setdefault(consensus_user(coder.guid), CONSENSUS_NAME.format(name=coder.name))
        if self.wanted is None:  # who created or changed a source, as it came from its tool
            for details in self.details.values():
                for attr in USER_ATTRIBUTES:
                    guid, name = details.get(attr), details.get(f"{attr}Name")
                    if guid and name and fold(guid) not in {fold(g) for g in users}:
                        users[guid] = name
        self.user_guids = {fold(guid) for guid in users}
        if not users:
            return
        with xf.element(q("Users")):
            for guid, name in users.items():
                xf.write(element("User", guid=guid, name=xml_text(name)))

    def codebook(self, xf: Any) -> None:
        if not len(self.book):
            return
        refs = {key: [guid for m in memos for guid, _ in self.pieces(m)]
                for key, memos in self.memos["code"].items()}
        book = element("CodeBook")
        book.append(codes_element(self.book, PROJECT_NS, refs))
        xf.write(book)
        self.report.counts["codes"] = len(self.book)

    def variables(self, xf: Any) -> None:
        values = metadata_values(self.store)
        self.fields = [(ID_VARIABLE, "Text", False), (UNIT_VARIABLE, "Text", False)] + [
            (name, *variable_type(values.get(name, []))) for name in self.store.metadata_fields()]
        with xf.element(q("Variables")):
            for name, type_name, as_json in self.fields:
                variable = element("Variable", guid=derived_guid("variable", name),
                                   name=xml_text(name), typeOfVariable=type_name)
                if as_json:
                    etree.SubElement(variable, q("Description")).text = JSON_MARK
                xf.write(variable)

    def sources(self, xf: Any) -> None:
        if not self.store.source_count():
            return
        with xf.element(q("Sources")):
            for source in self.store.iter_sources():
                xf.write(self.source(source))

    def source(self, source: Source) -> Any:
        """Return one ``TextSource`` element (the text itself goes to the ZIP)."""
        details = self.details.get(fold(source.guid), {})
        attrs = {attr: details[attr] for attr in USER_ATTRIBUTES
                 if details.get(attr) and fold(details[attr]) in self.user_guids}
        attrs.update({attr: details[attr] for attr in DATE_ATTRIBUTES
                      if _DATETIME.match(details.get(attr, ""))})
        text_source = element("TextSource", guid=source.guid, name=xml_text(source.name),
                              plainTextPath=f"internal://{source.guid}.txt", **attrs)
        if details.get("description"):
            etree.SubElement(text_source, q("Description")).text = xml_text(
                details["description"])
        spans: dict[tuple[int, int], list[Coding]] = defaultdict(list)
        for coding in self.store.codings(source_id=source.id):
            if self.keep(coding) and coding.code_id in self.codes:
                spans[(coding.start, coding.end)].append(coding)
        for (start, end), codings in sorted(spans.items()):
            first = codings[0]
            selection = etree.SubElement(
                text_source, q("PlainTextSelection"),
                guid=derived_guid("selection", fold(source.guid), str(start), str(end)),
                name=xml_text(quote(source.text[start:end])), startPosition=str(start),
                endPosition=str(end), creatingUser=self.user_of(first.coder_id, first.layer))
            for coding in codings:
                node = etree.SubElement(selection, q("Coding"), guid=coding.guid,
                                        creatingUser=self.user_of(coding.coder_id, coding.layer),
                                        **stamp(coding.created_at))
                etree.SubElement(node, q("CodeRef"), targetGUID=self.codes[coding.code_id].guid)
                self.exported.add(fold(coding.guid))
                self.makers.add((coding.coder_id, coding.layer))
                for memo in self.memos["coding"].get(fold(coding.guid), []):
                    if not self.coding_memo(memo, coding):
                        continue
                    self.noted_codings.add(fold(memo.guid))
                    for guid, _ in self.pieces(memo):
                        etree.SubElement(node, q("NoteRef"), targetGUID=guid)
                self.report.counts["codings"] += 1
                if coding.layer is Layer.CONSENSUS:  # told apart from the coders' own work
                    self.report.counts["consensus codings"] += 1
        unit_memos = [m for unit in self.store.units_of_source(source.id)
                      for m in self.memos["unit"].get(fold(unit.guid), [])]
        for memo in self.memos["source"].get(fold(source.guid), []) + unit_memos:
            for guid, _ in self.pieces(memo):
                etree.SubElement(text_source, q("NoteRef"), targetGUID=guid)
        values = {ID_VARIABLE: source.external_id,
                  UNIT_VARIABLE: self.store.whole_unit(source.id).guid, **source.metadata}
        for name, type_name, as_json in self.fields:
            if name in values:  # a field a source lacks stays absent; a null is written (JSON)
                tag, text = write_value(values[name], type_name, as_json)
                value = etree.SubElement(text_source, q("VariableValue"))
                etree.SubElement(value, q("VariableRef"), targetGUID=derived_guid("variable", name))
                etree.SubElement(value, q(tag)).text = xml_text(text)
        self.report.counts["sources"] += 1
        return text_source

    def notes(self, xf: Any) -> None:
        units = {fold(row[0]): row for row in unit_places(self.store)}
        wanted: list[tuple[Memo, str | None]] = []
        for kind, by_target in self.memos.items():
            for target, memos in by_target.items():
                if kind == "code" and not any(fold(c.guid) == target for c in self.book):
                    self.report.notes.append(f"{len(memos)} memos on deleted codes left out")
                    continue
                if kind == "coding":
                    memos = [m for m in memos if fold(m.guid) in self.noted_codings]
                marker = None
                if kind == "unit" and target in units:
                    guid, source, unit_kind, start, end = units[target]
                    marker = (f"{UNIT_MARK} {guid} source={source} kind={unit_kind} "
                              f"start={start} end={end}")
                wanted.extend((memo, marker) for memo in memos)
        if not wanted:
            return
        with xf.element(q("Notes")):
            for memo, marker in wanted:
                author = self.author(memo)
                for guid, text in self.pieces(memo):
                    name, text = titled(text)
                    attrs = {"guid": guid, "name": xml_text(name)}
                    if author:
                        attrs["creatingUser"] = author
                    if memo.updated_at and _DATETIME.match(memo.updated_at):
                        attrs["modifiedDateTime"] = memo.updated_at
                    note = element("Note", attrs)
                    if marker:
                        etree.SubElement(note, q("Description")).text = marker
                    etree.SubElement(note, q("PlainTextContent")).text = xml_text(text)
                    xf.write(note)
                self.report.counts["memos"] += 1

    def author(self, memo: Memo) -> str | None:
        """Return the user GUID a memo is written under: its coder, if written as a user.

        An adjudicator who is not a chosen coder (``--coder``) is written only as the
        consensus user, so their memos on consensus codings go under that user.
        """
        coder = self.coders.get(memo.coder_id) if memo.coder_id is not None else None
        if coder is None:
            return None
        if fold(coder.guid) in self.user_guids:
            return coder.guid
        stand_in = consensus_user(coder.guid)
        return stand_in if fold(stand_in) in self.user_guids else None

    def sets(self, xf: Any) -> None:
        rows = whole_source_done_marks(self.store)
        other = part_done_mark_count(self.store)
        if other:
            self.report.notes.append(f"{other} done marks on sentence or paragraph units left "
                                     "out (REFI-QDA has no units; whole sources only)")
        groups: dict[tuple[int, str], list[str]] = defaultdict(list)
        for coder_id, layer, guid in rows:
            if (layer == "consensus" and self.consensus) or (
                    layer == "coder" and (self.wanted is None or coder_id in self.wanted)):
                groups[(coder_id, layer)].append(guid)
        if not groups:
            return
        with xf.element(q("Sets")):
            for (coder_id, layer), guids in groups.items():
                coder = self.coders[coder_id]
                label = "consensus by " + coder.name if layer == "consensus" else coder.name
                item = element("Set", guid=done_set(coder.guid, layer),
                                        name=xml_text(f"done: {label}"))
                etree.SubElement(item, q("Description")).text = xml_text(
                    f"{DONE_MARK} user={coder.guid} layer={layer}\nSources {label} marked done "
                    "in qualcode (coded, or decided that no code applies).")
                for guid in guids:
                    etree.SubElement(item, q("MemberSource"), targetGUID=guid)
                xf.write(item)
                self.report.counts["done marks"] += len(guids)
