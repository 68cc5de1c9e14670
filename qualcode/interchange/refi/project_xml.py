"""Writing ``project.qde``: the XML of a ``.qdpx``, streamed source by source.

What goes where (REFI-QDA names on the left):

* ``Users``: every coder, plus one user per adjudicator for the consensus layer, named
  ``consensus (adjudicated by NAME)`` with a GUID derived from the adjudicator's.
* ``CodeBook``: the live codebook (see :mod:`.qdc`); code memos as ``NoteRef``.
* ``Variables`` and ``VariableValue``: each source's metadata fields as text variables,
  plus ``qualcode id`` (the source's id in the project).
* ``TextSource``: one per source, its text in ``sources/<guid>.txt``; one
  ``PlainTextSelection`` per distinct coded span (code points, end exclusive, named by
  the passage it quotes), one ``Coding`` per coding with ``creatingUser`` = its coder.
* ``Notes``: memos, each referenced (``NoteRef``) from what it is about.
* ``Sets``: per coder and layer, the sources marked done ("done: alice"), so a round
  trip keeps the "no code applies" decisions agreement counts on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from qualcode.interchange.refi.guids import derived_guid, fold
from qualcode.interchange.refi.qdc import ORIGIN, codes_element, xml_text
from qualcode.model import Coding, Layer, Memo, Source

if TYPE_CHECKING:
    from qualcode.storage import Store

PROJECT_NS = "urn:QDA-XML:project:1.0"
ID_VARIABLE = "qualcode id"
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

    def __init__(self, store: Store, *, coders: set[int] | None = None,
                 consensus: bool = True) -> None:
        self.store = store
        self.report = ExportReport()
        self.book = store.codebook()
        self.coders = {c.id: c for c in store.coders()}
        self.wanted = coders
        self.consensus = consensus
        self.codes = {c.id: c for c in self.book}
        self.memos = self._memos()
        self.exported: set[str] = set()
        self.makers: set[tuple[int, Layer]] = set()
        self.fields: list[str] = []

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
        rows = self.store.db.execute(
            "SELECT id, guid, target_kind, target_guid, coder_id, text, updated_at FROM memos "
            "WHERE deleted_at IS NULL ORDER BY id").fetchall()
        found: dict[str, dict[str, list[Memo]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            memo = Memo(*row)
            found[memo.target_kind][fold(memo.target_guid)].append(memo)
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
                for memo in self.memos["project"].get(fold(info.get("guid", "")), []):
                    xf.write(element("NoteRef", targetGUID=memo.guid))

    def users(self, xf: Any) -> None:
        adjudicators = {row[0] for row in self.store.db.execute(
            "SELECT DISTINCT coder_id FROM codings WHERE layer = 'consensus' AND deleted_at "
            "IS NULL UNION SELECT DISTINCT coder_id FROM reviews WHERE layer = 'consensus'")}
        if not self.coders:
            return
        with xf.element(q("Users")):
            for coder in self.coders.values():
                xf.write(element("User", guid=coder.guid, name=xml_text(coder.name)))
            for coder_id in sorted(adjudicators if self.consensus else ()):
                coder = self.coders[coder_id]
                xf.write(element("User", guid=consensus_user(coder.guid),
                                       name=xml_text(CONSENSUS_NAME.format(name=coder.name))))

    def codebook(self, xf: Any) -> None:
        if not len(self.book):
            return
        refs = {key: [m.guid for m in memos] for key, memos in self.memos["code"].items()}
        book = element("CodeBook")
        book.append(codes_element(self.book, PROJECT_NS, refs))
        xf.write(book)
        self.report.counts["codes"] = len(self.book)

    def variables(self, xf: Any) -> None:
        self.fields = [ID_VARIABLE, *self.store.metadata_fields()]
        with xf.element(q("Variables")):
            for name in self.fields:
                xf.write(element("Variable", guid=derived_guid("variable", name),
                                       name=xml_text(name), typeOfVariable="Text"))

    def sources(self, xf: Any) -> None:
        if not self.store.source_count():
            return
        with xf.element(q("Sources")):
            for source in self.store.iter_sources():
                xf.write(self.source(source))

    def source(self, source: Source) -> Any:
        """Return one ``TextSource`` element (the text itself goes to the ZIP)."""
        text_source = element("TextSource", guid=source.guid, name=xml_text(source.name),
                                plainTextPath=f"internal://{source.guid}.txt")
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
                    etree.SubElement(node, q("NoteRef"), targetGUID=memo.guid)
                self.report.counts["codings"] += 1
                if coding.layer is Layer.CONSENSUS:  # told apart from the coders' own work
                    self.report.counts["consensus codings"] += 1
        unit_memos = [m for unit in self.store.units_of_source(source.id)
                      for m in self.memos["unit"].get(fold(unit.guid), [])]
        for memo in self.memos["source"].get(fold(source.guid), []) + unit_memos:
            etree.SubElement(text_source, q("NoteRef"), targetGUID=memo.guid)
        values = {ID_VARIABLE: source.external_id, **{k: v for k, v in source.metadata.items()}}
        for name in self.fields:
            if name in values and values[name] is not None:
                value = etree.SubElement(text_source, q("VariableValue"))
                etree.SubElement(value, q("VariableRef"), targetGUID=derived_guid("variable", name))
                etree.SubElement(value, q("TextValue")).text = xml_text(str(values[name]))
        self.report.counts["sources"] += 1
        return text_source

    def notes(self, xf: Any) -> None:
        units = {fold(row[0]): row for row in self.store.db.execute(
            'SELECT u.guid, s.guid, u.kind, u.start, u."end" FROM units u '
            "JOIN sources s ON s.id = u.source_id")}
        wanted: list[tuple[Memo, str | None]] = []
        for kind, by_target in self.memos.items():
            for target, memos in by_target.items():
                if kind == "code" and not any(fold(c.guid) == target for c in self.book):
                    self.report.notes.append(f"{len(memos)} memos on deleted codes left out")
                    continue
                if kind == "coding" and target not in self.exported:
                    continue
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
                attrs = {"guid": memo.guid, "name": xml_text(quote(memo.text.split("\n")[0]))}
                if memo.coder_id in self.coders:
                    attrs["creatingUser"] = self.coders[memo.coder_id].guid
                if memo.updated_at and _DATETIME.match(memo.updated_at):
                    attrs["modifiedDateTime"] = memo.updated_at
                note = element("Note", attrs)
                if marker:
                    etree.SubElement(note, q("Description")).text = marker
                etree.SubElement(note, q("PlainTextContent")).text = xml_text(memo.text)
                xf.write(note)
                self.report.counts["memos"] += 1

    def sets(self, xf: Any) -> None:
        rows = self.store.db.execute(
            "SELECT r.coder_id, r.layer, s.guid FROM reviews r JOIN units u ON u.id = r.unit_id "
            "JOIN sources s ON s.id = u.source_id WHERE u.kind = 'source' "
            "ORDER BY r.coder_id, r.layer, s.id").fetchall()
        other = self.store.db.execute("SELECT count(*) FROM reviews r JOIN units u ON "
                                      "u.id = r.unit_id WHERE u.kind != 'source'").fetchone()[0]
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
