"""A code's definition, inclusion and exclusion criteria and examples in one ``Description``.

REFI-QDA gives a code one free-text ``Description``. qualcode writes the definition
first, then one labelled line per field, which reads as plain text in NVivo, ATLAS.ti,
MAXQDA or QualCoder and parses back exactly::

    Talk of feeling safe to speak in the group.

    Include: trust, confidentiality, "I could say it there"
    Exclude: general satisfaction with the sessions
    Example: "It was the one place I could admit I was lost."
    Example: "Nobody judged."
    Shortcut: s

``Kind:`` (theme, subtheme, code) is written only where a node's level in qualcode is not
what its place in the tree implies (a code at the top level, say). A field may run over several
lines; its continuation lines follow its label line. A line of the text itself (other than right
after a label) that starts like a label (or with a backslash) is written with one more backslash in
front, so it is never mistaken for a label. A description written by another tool has no labels and
becomes the definition as it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LABELS = {"Include": "inclusion", "Exclude": "exclusion", "Example": "examples",
          "Shortcut": "shortcut", "Kind": "kind"}
_LABEL_LINE = re.compile(r"^(Include|Exclude|Example|Shortcut|Kind):(?: |$)")
_ESCAPED = re.compile(r"^\\*(?:Include|Exclude|Example|Shortcut|Kind):(?: |$)|^\\")


@dataclass(frozen=True, slots=True)
class Definition:
    """The parts of a code's description qualcode keeps apart."""

    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    shortcut: str | None = None
    kind: str | None = None


def _escape(text: str, *, first: bool = True) -> str:
    """Backslash the lines that could pass for labels (the first too unless ``first`` is False)."""
    lines = text.split("\n")
    return "\n".join("\\" + line if (first or index) and _ESCAPED.match(line) else line
                     for index, line in enumerate(lines))


def _unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") else line


def pack(definition: Definition) -> str:
    """Return the Description text for a code (empty when every field is empty).

    >>> pack(Definition("Safety.", inclusion="trust", examples=("Nobody judged.",)))
    'Safety.\\n\\nInclude: trust\\nExample: Nobody judged.'
    """
    fields: list[tuple[str, str]] = []
    if definition.inclusion:
        fields.append(("Include", definition.inclusion))
    if definition.exclusion:
        fields.append(("Exclude", definition.exclusion))
    fields.extend(("Example", example) for example in definition.examples)
    if definition.shortcut:
        fields.append(("Shortcut", definition.shortcut))
    if definition.kind:
        fields.append(("Kind", definition.kind))
    head = _escape(definition.description)
    if not fields:
        return head
    body = "\n".join(f"{label}: {_escape(value, first=False)}" for label, value in fields)
    return f"{head}\n\n{body}" if definition.description else body


def unpack(text: str) -> Definition:
    """Split a Description back into its parts (the inverse of :func:`pack`).

    >>> unpack('Safety.\\n\\nInclude: trust\\nExample: Nobody judged.').inclusion
    'trust'
    """
    lines = text.split("\n")
    head: list[str] = []
    fields: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _LABEL_LINE.match(line)
        if match:
            fields.append((match.group(1), [line[match.end():]]))
        elif fields:
            fields[-1][1].append(_unescape(line))
        else:
            head.append(_unescape(line))
    description = "\n".join(head)
    if fields:
        # pack() separates the definition from the first label with one blank line.
        if description.endswith("\n"):
            description = description[:-1]
    values: dict[str, str] = {}
    examples: list[str] = []
    for label, parts in fields:
        value = "\n".join(parts)
        if label == "Example":
            examples.append(value)
        else:
            values[LABELS[label]] = value
    return Definition(description=description, inclusion=values.get("inclusion", ""),
                      exclusion=values.get("exclusion", ""), examples=tuple(examples),
                      shortcut=values.get("shortcut") or None, kind=values.get("kind") or None)
