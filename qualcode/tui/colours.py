"""Colours and one-letter badges of codes, so every code is told apart without colour too."""

from __future__ import annotations

from textual.color import Color

from qualcode.model import Code, Codebook

# Okabe-Ito, then Tableau: distinguishable for the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2",
           "#7F7F7F", "#BCBD22", "#17BECF")


def _parse(colour: str | None) -> Color | None:
    if not colour:
        return None
    try:
        return Color.parse(colour)
    except Exception:  # a malformed colour from a file must not stop the screen
        return None


def code_colours(codebook: Codebook) -> dict[int, Color]:
    """Return each code's colour: its own, else the next palette colour no code uses.

    Codable codes are served first, so the colours that appear in the text are the
    most distinct ones; themes get what is left.
    """
    colours: dict[int, Color] = {}
    taken = set()
    for code in codebook:
        parsed = _parse(code.colour)
        if parsed is not None:
            colours[code.id] = parsed
            taken.add(parsed.hex.upper())
    free = [Color.parse(c) for c in PALETTE if c.upper() not in taken] or \
        [Color.parse(c) for c in PALETTE]
    order = [c for _, c in codebook.walk() if c.codable] + \
        [c for _, c in codebook.walk() if not c.codable]
    index = 0
    for code in order:
        if code.id not in colours:
            colours[code.id] = free[index % len(free)]
            index += 1
    return colours


def badge(code: Code) -> str:
    """Return the character that stands for a code in the margin.

    Its shortcut key when it has one; otherwise its initial in upper case, so a code
    without a key is not mistaken for the code whose key is that letter.
    """
    if code.shortcut:
        return code.shortcut
    stripped = code.name.strip()
    return stripped[0].upper() if stripped else "?"


def tint(colour: Color, background: Color, strength: float = 0.45) -> Color:
    """Return ``colour`` mixed into ``background``, light enough to read text on."""
    return background.blend(colour, strength)
