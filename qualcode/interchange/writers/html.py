"""A self-contained HTML page (inline style, no scripts, no external files)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qualcode.interchange.literal import visible
from qualcode.interchange.writers.cells import text_parts
from qualcode.interchange.writers.table import Table

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; margin: 2em; color: #111; }
table { border-collapse: collapse; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.5em; }
th, td { padding: 0.3em 0.6em; vertical-align: top; text-align: left; }
thead th { border-top: 2px solid #111; border-bottom: 1px solid #111; }
tbody tr:last-child td { border-bottom: 2px solid #111; }
td.num { text-align: right; white-space: nowrap; }
td.tick { text-align: center; }
tr.theme td { font-weight: bold; background: #eaf1f8; }
tr.subtheme td.label { font-style: italic; }
p.note { font-size: 0.85em; }
"""
_CLASS = {"int": "num", "float": "num", "estimate": "num", "tick": "tick", "label": "label"}


def render(table: Table) -> str:
    """Return a complete HTML document; ElementTree escapes every text it serialises."""
    html = ET.Element("html", lang="en")
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", charset="utf-8")
    ET.SubElement(head, "title").text = table.title or "qualcode table"
    ET.SubElement(head, "style").text = STYLE
    body = ET.SubElement(html, "body")
    body.append(table_element(table))
    for note in note_elements(table):
        body.append(note)
    return serialise(html)


def serialise(html: ET.Element) -> str:
    """Return an HTML5 document of the tree, control characters in its texts shown as
    symbols (HTML may not carry them; the reader sees that one was there)."""
    for element in html.iter():
        if element.text:
            element.text = visible(element.text)
        if element.tail:
            element.tail = visible(element.tail)
        for key, value in element.attrib.items():
            element.set(key, visible(value))
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"


def table_element(table: Table) -> ET.Element:
    """Return the ``<table>`` of a table: caption, header cells with scope, typed cells."""
    element = ET.Element("table")
    if table.title:
        ET.SubElement(element, "caption").text = table.title
    header = ET.SubElement(ET.SubElement(element, "thead"), "tr")
    for column in table.columns:
        ET.SubElement(header, "th", scope="col").text = column.header
    tbody = ET.SubElement(element, "tbody")
    for row in table.rows:
        tr = ET.SubElement(tbody, "tr", {"class": row.level} if row.level else {})
        for cell, column in zip(row.cells, table.columns, strict=True):
            attrs = {"class": _CLASS[column.kind]} if column.kind in _CLASS else {}
            if column.kind == "label" and row.depth:
                attrs["style"] = f"padding-left: {0.6 + 1.5 * row.depth:.1f}em"
            td = ET.SubElement(tr, "td", attrs)
            parts = [p for p in text_parts(cell, column) if p]
            if not parts:
                continue
            td.text = parts[0]
            for part in parts[1:]:
                ET.SubElement(td, "br").tail = part
    return element


def note_elements(table: Table) -> list[ET.Element]:
    """Return the table's notes as ``<p class="note">`` paragraphs."""
    notes = []
    for note in table.notes:
        p = ET.Element("p", {"class": "note"})
        ET.SubElement(p, "em").text = "Note."
        p[0].tail = " " + note
        notes.append(p)
    return notes
