"""Frozen dataclasses for everything a project holds; no I/O happens here.

Offsets (``start``, ``end``) are always Unicode code points into the source text,
``end`` exclusive, so ``source.text[start:end]`` is the coded passage in Python.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


def new_guid() -> str:
    """Return a fresh GUID in the 8-4-4-4-12 form REFI-QDA expects (lower case)."""
    return str(uuid.uuid4())


def new_guids(count: int) -> list[str]:
    """Return ``count`` fresh GUIDs for rows stored together (an import), in time order.

    Version 7 GUIDs (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random bits,
    so a batch's GUIDs sort together and the GUID indexes grow at their end instead of at
    random places (a million-row import would otherwise spend most of its time moving
    index pages in and out of the cache). Their form is the 8-4-4-4-12 of every GUID, and
    the random bits keep them unique across machines. One read of the system's random
    source serves the whole batch.

    >>> a, b = new_guids(2)
    >>> a != b and uuid.UUID(a).version == 7 and str(uuid.UUID(b)) == b
    True
    """
    stamp = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    raw = bytearray(os.urandom(16 * count))
    for start in range(0, 16 * count, 16):
        raw[start:start + 6] = stamp
    raw[6::16] = bytes((byte & 0x0F) | 0x70 for byte in raw[6::16])  # version 7
    raw[8::16] = bytes((byte & 0x3F) | 0x80 for byte in raw[8::16])  # RFC 9562 variant
    digits = raw.hex()
    return [f"{digits[i:i + 8]}-{digits[i + 8:i + 12]}-{digits[i + 12:i + 16]}-"
            f"{digits[i + 16:i + 20]}-{digits[i + 20:i + 32]}" for i in range(0, 32 * count, 32)]


GUID_PATTERN = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{12})\}?$")
"""A GUID as files write it: 8-4-4-4-12 hex digits, either case, optionally in braces."""


def clean_guid(value: object) -> str | None:
    """Return a GUID as written but without braces or surrounding space; None if not a GUID.

    Exporters differ (NVivo and ATLAS.ti write upper case, QualCoder lower case, the
    REFI-QDA example wraps some in braces); the case a file uses is kept.

    >>> clean_guid("{5215CC69-B628-4E02-AFB9-9BEEAEE55808}")
    '5215CC69-B628-4E02-AFB9-9BEEAEE55808'
    >>> clean_guid("not-a-guid") is None
    True
    """
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    match = GUID_PATTERN.match(stripped)
    if match is None or stripped.startswith("{") != stripped.endswith("}"):
        return None
    return match.group(1)


def fold_guid(guid: str | None) -> str:
    """Return the one form GUIDs are compared in: lower case, without braces.

    Every comparison of GUIDs (merge, REFI-QDA import, codebook import, the
    ``lower(guid)`` indexes) goes through this, so two GUIDs that differ only in case
    are one thing everywhere. A value that is not a GUID is only stripped and lowered.
    """
    if guid is None:
        return ""
    return (clean_guid(guid) or guid.strip()).lower()


RESERVED_NAMES = frozenset({"consensus", "coder", "all"})
"""Names the command line gives a meaning of its own, so no coder may carry them.

``consensus`` names the consensus layer wherever a coder is named (``agreement
--coders``, ``export --layer``, the matrices); ``coder`` and ``consensus`` are the
layer names (``--layer``, ``--learn-from``); ``all`` is ``codings export --layer all``
and the multi-rater rows of the agreement CSV.
"""

IMPORTED_SUFFIX = "imported"


def is_reserved_name(name: str) -> bool:
    """Return True when a coder name is one of :data:`RESERVED_NAMES` (any case or width)."""
    return unicodedata.normalize("NFKC", name).strip().casefold() in RESERVED_NAMES


def unreserved_name(name: str, taken: Callable[[str], bool]) -> str:
    """Return the name an imported coder called ``name`` gets: ``name`` itself if allowed.

    The rule: a reserved name gets `` (imported)`` after it, then `` (imported 2)``,
    `` (imported 3)`` ... until ``taken`` says the name is free.

    >>> unreserved_name("consensus", lambda name: False)
    'consensus (imported)'
    >>> unreserved_name("alice", lambda name: True)
    'alice'
    """
    if not is_reserved_name(name):
        return name
    base, number = name.strip(), 1
    candidate = f"{base} ({IMPORTED_SUFFIX})"
    while taken(candidate):
        number += 1
        candidate = f"{base} ({IMPORTED_SUFFIX} {number})"
    return candidate


class CodeKind(StrEnum):
    """Level of a node in the codebook hierarchy."""

    THEME = "theme"
    SUBTHEME = "subtheme"
    CODE = "code"


class Layer(StrEnum):
    """Which layer a coding belongs to: one coder's own work, or the adjudicated consensus."""

    CODER = "coder"
    CONSENSUS = "consensus"


class UnitKind(StrEnum):
    """How a unit of analysis was cut from its source."""

    SOURCE = "source"
    PARAGRAPH = "paragraph"
    SENTENCE = "sentence"


PATH_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class Source:
    """One document: a survey answer, an interview transcript, the findings of one study."""

    id: int
    guid: str
    external_id: str
    name: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def excerpt(self, start: int, end: int) -> str:
        """Return the text between two code-point offsets."""
        return self.text[start:end]


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of one source that coders review and agreement counts over."""

    id: int
    guid: str
    source_id: int
    start: int
    end: int
    kind: UnitKind = UnitKind.SOURCE
    position: int = 0


@dataclass(frozen=True, slots=True)
class Code:
    """A node of the codebook: a theme, a sub-theme or a code, with its definition."""

    id: int
    guid: str
    name: str
    kind: CodeKind = CodeKind.CODE
    parent_id: int | None = None
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    colour: str | None = None
    shortcut: str | None = None
    position: int = 0
    codable: bool = True


@dataclass(frozen=True, slots=True)
class Codebook:
    """The codes of a project in tree order, with look-ups by id, path and shortcut."""

    codes: tuple[Code, ...] = ()

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def by_id(self, code_id: int) -> Code:
        """Return the code with this database id."""
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def children(self, parent_id: int | None) -> list[Code]:
        """Return the direct children of a node (``None`` for the top level), in order."""
        kids = [c for c in self.codes if c.parent_id == parent_id]
        return sorted(kids, key=lambda c: (c.position, c.name.casefold()))

    def roots(self) -> list[Code]:
        """Return the top-level nodes (usually themes)."""
        return self.children(None)

    def ancestors(self, code: Code) -> list[Code]:
        """Return the chain of parents of a code, nearest last (theme first)."""
        chain: list[Code] = []
        seen: set[int] = set()
        current = code
        while current.parent_id is not None and current.parent_id not in seen:
            seen.add(current.parent_id)
            current = self.by_id(current.parent_id)
            chain.append(current)
        return list(reversed(chain))

    def path(self, code: Code) -> str:
        """Return ``Theme/Sub-theme/Code`` for a code."""
        return PATH_SEPARATOR.join([a.name for a in self.ancestors(code)] + [code.name])

    def descendants(self, code: Code) -> list[Code]:
        """Return every node below a code, depth first."""
        found: list[Code] = []
        stack = list(reversed(self.children(code.id)))
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(self.children(node.id)))
        return found

    def walk(self) -> Iterator[tuple[int, Code]]:
        """Yield ``(depth, code)`` for every node in display order."""
        stack = [(0, c) for c in reversed(self.roots())]
        while stack:
            depth, node = stack.pop()
            yield depth, node
            stack.extend((depth + 1, c) for c in reversed(self.children(node.id)))

    def find(self, name_or_path: str) -> list[Code]:
        """Return the codes matching a path (``A/B/C``) or, failing that, a bare name.

        A bare name may match several codes under different parents; callers decide
        whether that is ambiguous.
        """
        wanted = name_or_path.strip()
        if PATH_SEPARATOR in wanted:
            parts = [p.strip() for p in wanted.split(PATH_SEPARATOR)]
            return [c for c in self.codes if self._parts(c) == parts]
        folded = wanted.casefold()
        exact = [c for c in self.codes if c.name == wanted]
        return exact or [c for c in self.codes if c.name.casefold() == folded]

    def by_shortcut(self, key: str) -> Code | None:
        """Return the code bound to a shortcut key, if any."""
        for code in self.codes:
            if code.shortcut == key:
                return code
        return None

    def theme_of(self, code: Code) -> Code:
        """Return the top-level ancestor of a code (the code itself when it is a root)."""
        chain = self.ancestors(code)
        return chain[0] if chain else code

    def _parts(self, code: Code) -> list[str]:
        return [a.name for a in self.ancestors(code)] + [code.name]


@dataclass(frozen=True, slots=True)
class Coder:
    """A person who codes (or adjudicates)."""

    id: int
    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class Coding:
    """One application of a code to a span of a source, in one layer."""

    id: int
    guid: str
    coder_id: int
    source_id: int
    code_id: int
    start: int
    end: int
    layer: Layer = Layer.CODER
    created_at: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        """Return True when the coding shares at least one code point with ``[start, end)``.

        An empty span (start == end) overlaps a unit that contains its position, so a
        zero-width coding from another tool is not silently lost.
        """
        if self.start == self.end:
            return start <= self.start < end or (start == end == self.start)
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Review:
    """A unit marked done by a coder: the denominator of agreement."""

    unit_id: int
    coder_id: int
    layer: Layer = Layer.CODER
    done_at: str = ""


@dataclass(frozen=True, slots=True)
class Memo:
    """A note on the project, a source, a unit, a code or a coding."""

    id: int
    guid: str
    target_kind: str
    target_guid: str
    coder_id: int | None
    text: str
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the append-only log: who did what, when, with enough to undo it."""

    id: int
    guid: str
    at: str
    coder_id: int | None
    action: str
    payload: Mapping[str, Any]
    undoes: int | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A code proposed for a unit, with its score and the terms that drove it."""

    code_id: int
    score: float
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """A codebook node as read from a file, before it has a database id.

    ``line`` is where the node was defined in its file (for error messages); ``guid`` is
    kept when the file carries one, so re-importing matches nodes exactly.
    """

    name: str
    kind: CodeKind = CodeKind.CODE
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    colour: str | None = None
    shortcut: str | None = None
    codable: bool = True
    guid: str | None = None
    children: tuple["CodeSpec", ...] = ()
    line: int | None = None

    def walk(self, parents: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], "CodeSpec"]]:
        """Yield ``(ancestor names, node)`` for this node and every node below it."""
        yield parents, self
        for child in self.children:
            yield from child.walk(parents + (self.name,))


RESERVED_KEYS = frozenset("dumqr?/")
"""Keys the coding screen keeps for itself (done, undo, memo, quit, redo, help, search)."""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A source as read from an input file, before it is stored.

    ``line`` is the record's line (or row) number in its file, for error messages.
    """

    external_id: str
    text: str
    name: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None
    paragraphs: tuple[ParagraphAttributes, ...] = ()  #: what the file says of its paragraphs


@dataclass(frozen=True, slots=True)
class ParagraphAttributes:
    """What a document says about one paragraph of a source: who speaks, page, cue times.

    ``start``/``end`` are the paragraph's offsets in the source text (as for codings).
    """

    start: int
    end: int
    speaker: str | None = None
    page: int | None = None
    time_start: str | None = None
    time_end: str | None = None


@dataclass(frozen=True, slots=True)
class CodingRecord:
    """A coding as read from an input file: the source by external id, the code by id.

    ``code_id`` is ``None`` for a row that only says "reviewed, no code applies".
    ``start``/``end`` are ``None`` for a whole-unit coding.
    """

    source_external_id: str
    code_id: int | None
    start: int | None = None
    end: int | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: counts of added, updated and unchanged entities."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: tuple[str, ...] = ()
