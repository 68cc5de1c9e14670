"""The report as one self-contained HTML page: inline CSS and SVG, no script, no link out.

Built with ElementTree, which escapes every text it writes, so names, quotes and metadata
from a project stay text. Each section starts a printed page; tables and figures are not
split across pages.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qualcode.analysis.report.content import Section, sections
from qualcode.analysis.report.sections import Report
from qualcode.interchange.writers.html import STYLE, note_elements, serialise, table_element

REPORT_STYLE = STYLE + """
body { max-width: 60em; line-height: 1.45; }
nav ol { columns: 2; }
section { margin-top: 2.5em; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; font-family: Arial, Helvetica, sans-serif; }
figcaption { font-size: 0.85em; color: #333; }
table { margin: 1em 0; }
a { color: #0054a3; }
@media print {
  body { margin: 0; max-width: none; }
  section { break-before: page; margin-top: 0; }
  table, figure, tr { break-inside: avoid; }
  nav { display: none; }
}
"""


def render(report: Report) -> str:
    """Return the whole report as an HTML5 document."""
    html = ET.Element("html", lang="en")
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", charset="utf-8")
    ET.SubElement(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    title = f"Double-coded thematic analysis: {report.project}" if report.project else (
        "Double-coded thematic analysis")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "style").text = REPORT_STYLE
    body = ET.SubElement(html, "body")
    ET.SubElement(ET.SubElement(body, "header"), "h1").text = title
    made = sections(report)
    nav = ET.SubElement(body, "nav", {"aria-label": "Sections"})
    listing = ET.SubElement(nav, "ol")
    for section in made:
        ET.SubElement(ET.SubElement(listing, "li"), "a", href=f"#{section.anchor}").text = (
            section.title)
    main = ET.SubElement(body, "main")
    for section in made:
        main.append(_section(section))
    return serialise(html)


def _section(section: Section) -> ET.Element:
    element = ET.Element("section", {"id": section.anchor,
                                     "aria-labelledby": f"{section.anchor}-title"})
    ET.SubElement(element, "h2", id=f"{section.anchor}-title").text = section.title
    for sentence in section.paragraphs:
        paragraph = ET.SubElement(element, "p")
        last: ET.Element | None = None
        for text, anchor in sentence:
            if anchor is None:
                if last is None:
                    paragraph.text = (paragraph.text or "") + text
                else:
                    last.tail = (last.tail or "") + text
            else:
                last = ET.SubElement(paragraph, "a", href=f"#{anchor}")
                last.text = text
    for _, figure_svg in section.figures:
        figure = ET.SubElement(element, "figure")
        figure.append(figure_svg)
        ET.SubElement(figure, "figcaption").text = (
            f"{figure_svg.get('aria-label')}. The numbers are in the table below.")
    for table in section.tables:
        element.append(table_element(table))
        for note in note_elements(table):
            element.append(note)
    return element
