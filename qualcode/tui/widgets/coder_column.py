"""One side of the adjudication screen: a coder's codes on the unit and their spans."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.console import Group
from rich.text import Text
from textual.color import Color
from textual.widgets import Static

from qualcode.model import Codebook, Coding
from qualcode.tui.colours import badge

DISPUTED = "≠"
AGREED = "="


def _whole(coding: Coding, spans: Sequence[tuple[int, int, int]]) -> bool:
    return any(coding.source_id == s and coding.start <= a and coding.end >= e
               for s, a, e in spans)


def coder_renderable(codings: Sequence[Coding], *, codebook: Codebook,
                     colours: dict[int, Color], disputed: Collection[int],
                     spans: Sequence[tuple[int, int, int]], texts: dict[int, str],
                     list_height: int = 0) -> Group:
    """Return the coder's codes (≠ disputed, = agreed) and the unit text, spans marked.

    ``list_height`` pads the code list to that many lines. A span coding is underlined in its code's
    colour with the code's badge before it, so the picture reads in monochrome too; whole-unit
    codings are listed, not painted.
    """
    lines: list[Text] = []
    seen: dict[int, list[Coding]] = {}
    for coding in codings:
        seen.setdefault(coding.code_id, []).append(coding)
    if not seen:
        lines.append(Text("(no code: done, nothing applies)", style="italic dim"))
    for code_id, items in sorted(seen.items(), key=lambda kv: (kv[0] not in disputed, kv[0])):
        try:
            code = codebook.by_id(code_id)
            name, key = codebook.path(code).split("/", 1)[-1], badge(code)
        except KeyError:
            name, key = f"code {code_id}", "?"
        where = "(unit)" if any(_whole(c, spans) for c in items) else \
            f"({len(items)} span{'s' * (len(items) > 1)})"
        mark = DISPUTED if code_id in disputed else AGREED
        colour = colours.get(code_id)
        line = Text(f"{mark} ", style="bold" if mark == DISPUTED else "dim", no_wrap=True,
                    overflow="ellipsis")
        line.append(f"[{key}] ", style=colour.hex if colour else "")
        line.append(name, style="bold" if mark == DISPUTED else "")
        line.append(f" {where}", style="dim")
        lines.append(line)
    # Pad to the longer list of the two sides, so both texts start on the same line.
    lines.extend(Text("") for _ in range(list_height - len(lines)))
    lines.append(Text("─" * 20, style="dim"))
    for source_id, start, end in spans:
        text = Text(texts.get(source_id, "")[start:end])
        for coding in codings:
            if coding.source_id != source_id or _whole(coding, spans):
                continue
            first, last = max(coding.start, start) - start, min(coding.end, end) - start
            colour = colours.get(coding.code_id)
            tint = colour.hex if colour else ""
            text.stylize(f"underline {tint}".strip(), first, max(last, first + 1))
            text.stylize("bold", first, max(last, first + 1))
        lines.append(text)
        lines.append(Text(""))
    return Group(*lines)


class CoderColumn(Static):
    """A coder's side of the unit in view."""

    def show(self, codings: Sequence[Coding], **kwargs: object) -> None:
        """Draw a coder's codings on the unit (see :func:`coder_renderable`)."""
        # Ignored below: keywords passed through to coder_renderable.
        self.update(coder_renderable(codings, **kwargs))  # type: ignore[arg-type]
