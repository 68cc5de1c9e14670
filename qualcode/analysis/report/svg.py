"""The report's figures as inline SVG, drawn from the numbers of its tables.

Each figure is an ``<svg role="img">`` with a ``<title>`` and an ``aria-label``, sized in
CSS pixels, in the Okabe-Ito palette (safe for colour-blind readers); a value that is not
estimable is drawn as nothing and said in the table beside the figure, never as 0.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from qualcode.analysis.report.sections import finite

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
"""Okabe & Ito (2008) colours, distinguishable with every common colour-vision deficiency."""
LABEL_WIDTH = 300
ROW_HEIGHT = 22


def _svg(width: int, height: int, title: str) -> ET.Element:
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(width),
                             "height": str(height), "viewBox": f"0 0 {width} {height}",
                             "role": "img", "aria-label": title})
    ET.SubElement(svg, "title").text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}",
                                             "font-size": "12", **attrs})
    element.text = text


def forest_plot(rows: Sequence[tuple[str, Sequence[tuple[float | None, float | None,
                                                           float | None]]]],
                series: Sequence[str], title: str) -> ET.Element:
    """Estimates with 95 % intervals on a -1..1 axis, one line per row, one mark per series.

    ``rows`` are ``(label, [(value, low, high) per series])``.
    """
    plot = 360
    width, top = LABEL_WIDTH + plot + 20, 30
    height = top + ROW_HEIGHT * len(rows) + 40
    svg = _svg(width, height, title)

    def x(value: float) -> float:
        return LABEL_WIDTH + (value + 1) / 2 * plot

    for tick in (-1, -0.5, 0, 0.5, 1):
        ET.SubElement(svg, "line", {"x1": f"{x(tick):.1f}", "x2": f"{x(tick):.1f}",
                                    "y1": str(top - 5), "y2": str(height - 30),
                                    "stroke": "#999" if tick else "#333",
                                    "stroke-dasharray": "3 3" if tick else "none"})
        _text(svg, x(tick), height - 14, f"{tick:g}", **{"text-anchor": "middle"})
    for k, name in enumerate(series):
        ET.SubElement(svg, "rect", {"x": str(LABEL_WIDTH + 150 * k), "y": "6", "width": "10",
                                    "height": "10", "fill": OKABE_ITO[k % len(OKABE_ITO)]})
        _text(svg, LABEL_WIDTH + 150 * k + 14, 15, name)
    for i, (label, estimates) in enumerate(rows):
        y = top + ROW_HEIGHT * i + ROW_HEIGHT / 2
        _text(svg, LABEL_WIDTH - 8, y + 4, label[:48], **{"text-anchor": "end"})
        for k, (value, low, high) in enumerate(estimates):
            colour = OKABE_ITO[k % len(OKABE_ITO)]
            shift = (k - (len(estimates) - 1) / 2) * 6
            if low is not None and high is not None and finite(low) and finite(high):
                ET.SubElement(svg, "line", {"x1": f"{x(low):.1f}", "x2": f"{x(high):.1f}",
                                            "y1": f"{y + shift:.1f}", "y2": f"{y + shift:.1f}",
                                            "stroke": colour, "stroke-width": "2"})
            if value is not None and finite(value):
                ET.SubElement(svg, "circle", {"cx": f"{x(value):.1f}", "cy": f"{y + shift:.1f}",
                                              "r": "4", "fill": colour})
    return svg


def heat_map(rows: Sequence[tuple[str, Sequence[int]]], columns: Sequence[str],
             title: str) -> ET.Element:
    """Counts as cells shaded from white to the palette's blue, the count written in each."""
    cell = 34
    width = LABEL_WIDTH + cell * len(columns) + 20
    height = 90 + ROW_HEIGHT * len(rows)
    svg = _svg(width, height, title)
    highest = max((v for _, values in rows for v in values), default=0) or 1
    for j, name in enumerate(columns):
        _text(svg, LABEL_WIDTH + cell * j + cell / 2, 80, name[:10],
              transform=f"rotate(-60 {LABEL_WIDTH + cell * j + cell / 2:.1f} 80)")
    for i, (label, values) in enumerate(rows):
        y = 88 + ROW_HEIGHT * i
        _text(svg, LABEL_WIDTH - 8, y + 15, label[:48], **{"text-anchor": "end"})
        for j, value in enumerate(values):
            share = value / highest
            ET.SubElement(svg, "rect", {"x": str(LABEL_WIDTH + cell * j), "y": str(y),
                                        "width": str(cell - 2), "height": str(ROW_HEIGHT - 2),
                                        "fill": "#0072B2", "fill-opacity": f"{share:.2f}",
                                        "stroke": "#ccc"})
            _text(svg, LABEL_WIDTH + cell * j + cell / 2 - 1, y + 15, str(value),
                  **{"text-anchor": "middle", "fill": "#fff" if share > 0.55 else "#111"})
    return svg


def bars(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str],
         title: str) -> ET.Element:
    """Horizontal bars, one group per row, one bar per series."""
    plot, bar = 320, 8
    group = bar * max(len(series), 1) + 8
    width = LABEL_WIDTH + plot + 60
    height = 30 + group * len(rows) + 10
    svg = _svg(width, height, title)
    highest = max((v for _, values in rows for v in values), default=0) or 1
    for k, name in enumerate(series):
        ET.SubElement(svg, "rect", {"x": str(LABEL_WIDTH + 120 * k), "y": "6", "width": "10",
                                    "height": "10", "fill": OKABE_ITO[k % len(OKABE_ITO)]})
        _text(svg, LABEL_WIDTH + 120 * k + 14, 15, name[:14])
    for i, (label, values) in enumerate(rows):
        y = 30 + group * i
        _text(svg, LABEL_WIDTH - 8, y + group / 2, label[:48], **{"text-anchor": "end"})
        for k, value in enumerate(values):
            length = plot * value / highest
            ET.SubElement(svg, "rect", {"x": str(LABEL_WIDTH), "y": str(y + bar * k),
                                        "width": f"{max(length, 0.5):.1f}",
                                        "height": str(bar - 1),
                                        "fill": OKABE_ITO[k % len(OKABE_ITO)]})
    return svg
