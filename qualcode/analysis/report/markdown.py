"""The report as Markdown (for Quarto or pandoc), its figures as SVG files beside it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from qualcode.analysis.report.content import sections
from qualcode.analysis.report.sections import Report
from qualcode.interchange.writers import markdown as md_table


def render(report: Report, figures_folder: str) -> tuple[str, dict[str, bytes]]:
    """Return the Markdown text and the SVG files it links (``figures_folder/NAME.svg``)."""
    title = f"Double-coded thematic analysis: {report.project}" if report.project else (
        "Double-coded thematic analysis")
    out = [f"# {md_table.escape(title)}\n"]
    files: dict[str, bytes] = {}
    for section in sections(report):
        out.append(f'\n## {md_table.escape(section.title)} {{#{section.anchor}}}\n')
        for sentence in section.paragraphs:
            out.append("\n" + "".join(
                md_table.escape(text) if anchor is None
                else f"[{md_table.escape(text)}](#{anchor})" for text, anchor in sentence) + "\n")
        for stem, figure in section.figures:
            name = f"{stem}.svg"
            files[name] = ET.tostring(figure, encoding="utf-8", xml_declaration=True)
            label = md_table.escape(figure.get("aria-label") or stem)
            out.append(f"\n![{label}]({figures_folder}/{name})\n")
        for table in section.tables:
            out.append("\n" + md_table.render(table))
    return "".join(out), files


def write(report: Report, target: Path) -> list[Path]:
    """Write the Markdown file and its figures (``TARGET_files/``); return what was written."""
    from qualcode.storage.files import write_replacing

    folder = target.with_name(f"{target.stem}_files")
    text, files = render(report, folder.name)
    folder.mkdir(exist_ok=True)
    written = []
    for name, data in files.items():
        write_replacing(folder / name, data)
        written.append(folder / name)
    write_replacing(target, text.encode("utf-8"))
    return [target, *written]
