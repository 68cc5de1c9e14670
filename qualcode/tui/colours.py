"""Colours and one-letter badges of codes, so every code is told apart without colour too."""

from __future__ import annotations

from textual.color import Color

from qualcode.model import Code, Codebook

# Okabe-Ito, then Tableau: distinguishable for the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2",
           "#7F7F7F", "#BCBD22", "#17BECF")


def code_colours(codebook: Codebook) -> dict[int, Color]:
    """Return each code's colour: its own, or a palette colour by position in the tree."""
    colours: dict[int, Color] = {}
    index = 0
    for _, code in codebook.walk():
        if code.colour:
            try:
                colours[code.id] = Color.parse(code.colour)
                continue
            except Exception:  # a malformed colour from a file must not stop the screen
                pass
        colours[code.id] = Color.parse(PALETTE[index % len(PALETTE)])
        index += 1
    return colours


def badge(code: Code) -> str:
    """Return the one character that stands for a code in the margin: its key or initial."""
    if code.shortcut:
        return code.shortcut
    stripped = code.name.strip()
    return stripped[0].lower() if stripped else "?"


def tint(colour: Color, background: Color, strength: float = 0.45) -> Color:
    """Return ``colour`` mixed into ``background``, light enough to read text on."""
    return background.blend(colour, strength)
