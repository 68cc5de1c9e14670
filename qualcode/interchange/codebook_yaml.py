"""Read and write codebooks in the qualcode YAML format (``qualcode-codebook/1``).

Parsing goes through ``yaml.compose`` with the safe loader and builds every value from
the node tree itself, so no tag can create a Python object and every error can name
the line it comes from. The format is documented in ``docs/codebook-format.md``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml

from qualcode.errors import CodebookError, FormatError
from qualcode.interchange.codebook_yaml_write import (
    FORMAT_ID,
    clean_name,
    clean_text,
    codebook_to_specs,
    dump_codebook_yaml,
    dump_specs_yaml,
)
from qualcode.interchange.readers.safe_open import read_limited
from qualcode.interchange.safe_yaml import compose_yaml
from qualcode.model import PATH_SEPARATOR, RESERVED_KEYS, CodeKind, CodeSpec, fold_guid

__all__ = [
    "FORMAT_ID",
    "CodebookDocument",
    "clean_name",
    "clean_text",
    "codebook_to_specs",
    "normalise_colour",
    "dump_codebook_yaml",
    "dump_specs_yaml",
    "parse_codebook_document",
    "parse_codebook_yaml",
    "read_codebook_document",
    "read_codebook_yaml",
]

MAX_BYTES = 10 * 1024 * 1024

ROOT_FIELDS = ("format", "name", "description", "themes")
NODE_FIELDS = ("name", "description", "inclusion", "exclusion", "examples", "colour",
               "shortcut", "codable", "guid")
CHILD_FIELDS: dict[CodeKind, tuple[str, ...]] = {
    CodeKind.THEME: ("subthemes", "codes"),
    CodeKind.SUBTHEME: ("codes",),
    CodeKind.CODE: (),
}
CHILD_KIND = {"subthemes": CodeKind.SUBTHEME, "codes": CodeKind.CODE}
KIND_LABEL = {CodeKind.THEME: "theme", CodeKind.SUBTHEME: "sub-theme", CodeKind.CODE: "code"}

_TAG = "tag:yaml.org,2002:"
# Implicit scalar tags the safe resolver produces; anything else was written explicitly
# (``!!python/object``, ``!custom``) and has no place in a codebook.
_PLAIN_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp",
                                           "seq", "map"))
_COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
_GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                   r"[0-9A-Fa-f]{12}$")


@dataclass(frozen=True, slots=True)
class CodebookDocument:
    """A parsed codebook file: its title, its description and its top-level nodes."""

    name: str
    description: str
    roots: tuple[CodeSpec, ...]


def read_codebook_yaml(path: Path) -> tuple[CodeSpec, ...]:
    """Read a codebook YAML file and return its themes (with their sub-themes and codes)."""
    return read_codebook_document(path).roots


def parse_codebook_yaml(text: str, path: str = "<string>") -> tuple[CodeSpec, ...]:
    """Parse codebook YAML text and return its themes; ``path`` names it in errors."""
    return parse_codebook_document(text, path).roots


def read_codebook_document(path: Path) -> CodebookDocument:
    """Read a codebook YAML file with its title and description."""
    path = Path(path)
    where = str(path)
    data = read_limited(path, MAX_BYTES, what="a codebook",
                        advice="check that this is the right file",
                        hint="give the path of a codebook .yaml file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(f"is not UTF-8 (byte 0x{data[error.start]:02X} at byte offset "
                          f"{error.start}); save the file as UTF-8", path=where,
                          line=line) from None
    return parse_codebook_document(text, where)


def parse_codebook_document(text: str, path: str = "<string>") -> CodebookDocument:
    """Parse codebook YAML text with its title and description; errors name ``path``."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise FormatError(f"is over the {MAX_BYTES // 2**20} MB limit for a codebook; check "
                          "that this is the right file", path=path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise FormatError(f"the file is empty; a codebook starts with 'format: {FORMAT_ID}'",
                          path=path)
    root = compose_yaml(text, path)
    if root is None:
        raise FormatError(f"the file holds only comments; a codebook starts with "
                          f"'format: {FORMAT_ID}'", path=path, line=1)
    return _Builder(path, text).document(root)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping of fields"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _TAG + "null":
        return "empty"
    return repr(node.value)


def _fold(name: str) -> str:
    """Return the form under which two names count as the same (case, Unicode form)."""
    return unicodedata.normalize("NFC", name).casefold()


def normalise_colour(value: str, where: str = "") -> str:
    """Return ``#RGB`` or ``#RRGGBB`` (any case) as upper-case ``#RRGGBB``.

    >>> normalise_colour("#1f7")
    '#11FF77'
    """
    value = value.strip()
    if not _COLOUR.match(value):
        where = f" {where}" if where else ""
        raise CodebookError(f"colour {value!r}{where} is not a colour; write \"#RRGGBB\" in "
                            "quotes, for example \"#1F77B4\"")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits.upper()


class _Builder:
    """Builds and checks CodeSpecs from a composed node tree, one file at a time."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.shortcuts: dict[str, tuple[int, str]] = {}
        self.guids: dict[str, tuple[int, str]] = {}

    def fail(self, node: yaml.Node | int | None, message: str) -> NoReturn:
        """Raise a CodebookError naming the file and the node's line."""
        line = node if isinstance(node, int) or node is None else _line(node)
        raise CodebookError(message, path=self.path, line=line)

    def document(self, root: yaml.Node) -> CodebookDocument:
        """Check the top-level mapping and build the themes below it."""
        if not isinstance(root, yaml.MappingNode):
            self.fail(root, f"the file must be a mapping of fields (format, name, description, "
                            f"themes), not {_describe(root)}; start it with 'format: {FORMAT_ID}'")
        fields = self.mapping(root, "the codebook")
        self.check_unknown(fields, ROOT_FIELDS, "at the top of the codebook", root)
        if "format" not in fields:
            self.fail(1, f"missing 'format: {FORMAT_ID}'; add it as the first line")
        fmt_node = fields["format"][1]
        fmt = self.scalar(fmt_node, "format")
        if fmt != FORMAT_ID:
            self.fail(fmt_node, f"unsupported format {fmt!r}; this qualcode reads "
                                f"'format: {FORMAT_ID}'")
        name = self.text(fields, "name").strip()
        description = self.text(fields, "description")
        roots: tuple[CodeSpec, ...] = ()
        if "themes" in fields:
            roots = self.children(fields["themes"][1], "themes", CodeKind.THEME, None)
            self.check_siblings(roots, None)
        return CodebookDocument(name=name, description=description, roots=roots)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Return a mapping node's fields by key, refusing odd keys and repeated ones."""
        self.check_tag(node)
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, f"a field name in {what} is {_describe(key_node)}; field "
                                    "names are plain words such as 'name'")
            self.check_tag(key_node)
            self.check_tag(value_node)
            key = str(key_node.value)
            if key in fields:
                self.fail(key_node, f"field '{key}' appears twice in {what} (first on line "
                                    f"{_line(fields[key][0])}); keep one")
            fields[key] = (key_node, value_node)
        return fields

    def check_tag(self, node: yaml.Node) -> None:
        """Refuse explicit tags: a codebook holds text, lists, mappings and true/false only."""
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, f"the YAML tag {node.tag!r} is not supported in codebooks; remove it")

    def check_unknown(self, fields: dict[str, tuple[yaml.Node, yaml.Node]],
                      allowed: tuple[str, ...], where: str, node: yaml.Node,
                      kind: CodeKind | None = None) -> None:
        """Refuse fields the format does not define, suggesting the closest allowed one."""
        for key, (key_node, _value) in fields.items():
            if key in allowed:
                continue
            if kind is CodeKind.CODE and key in CHILD_KIND:
                self.fail(key_node, f"'{key}' {where}: a code cannot hold other nodes; move "
                                    "them under a theme or sub-theme")
            if kind is CodeKind.SUBTHEME and key == "subthemes":
                self.fail(key_node, f"'subthemes' {where}: a sub-theme cannot hold sub-themes; "
                                    "list its codes under 'codes'")
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.fail(key_node, f"unknown field '{key}' {where}; {hint}allowed fields: "
                                f"{', '.join(allowed)}")

    def scalar(self, node: yaml.Node, field: str) -> str | None:
        """Return a scalar's text as written (None when empty), refusing lists and mappings.

        Text is taken as written rather than as YAML would type it, so a code named
        ``No`` or ``2020`` keeps its name instead of becoming false or a number.
        """
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"'{field}' must be text, not {_describe(node)}")
        if node.tag == _TAG + "null":
            return None
        return str(node.value)

    def text(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], field: str) -> str:
        """Return a text field, cleaned ("" when absent or empty)."""
        if field not in fields:
            return ""
        return clean_text(self.scalar(fields[field][1], field) or "")

    def children(self, node: yaml.Node, field: str, kind: CodeKind,
                 parent: str | None) -> tuple[CodeSpec, ...]:
        """Build the nodes of one list field (themes, subthemes or codes)."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null":
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'{field}' must be a list of {KIND_LABEL[kind]}s (one '- name: ...' "
                            f"item each), not {_describe(node)}")
        return tuple(self.node(item, kind, parent) for item in node.value)

    def node(self, node: yaml.Node, kind: CodeKind, parent: str | None) -> CodeSpec:
        """Build and check one theme, sub-theme or code with everything below it."""
        label = KIND_LABEL[kind]
        under = f" under '{parent}'" if parent else ""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"a {label}{under} is {_describe(node)}; write each {label} as "
                            "'- name: ...' with its fields indented below")
        fields = self.mapping(node, f"a {label}{under}")
        if "name" not in fields:
            self.fail(node, f"a {label}{under} has no 'name'; add one")
        name_node = fields["name"][1]
        name = self.name(name_node, label, under)
        path = f"{parent}{PATH_SEPARATOR}{name}" if parent else name
        where = f"in {label} '{path}'"
        self.check_unknown(fields, NODE_FIELDS + CHILD_FIELDS[kind], where, node, kind)
        # Own fields before children, so errors come in the order of the file.
        description = self.text(fields, "description")
        inclusion = self.text(fields, "inclusion")
        exclusion = self.text(fields, "exclusion")
        examples = self.examples(fields, where)
        colour = self.colour(fields, where)
        shortcut = self.shortcut(fields, where, path)
        codable = self.codable(fields, where, kind)
        guid = self.guid(fields, where, path)
        children: list[CodeSpec] = []
        for key in fields:
            if key in CHILD_KIND:
                children.extend(self.children(fields[key][1], key, CHILD_KIND[key], path))
        self.check_siblings(children, path)
        return CodeSpec(name=name, kind=kind, description=description, inclusion=inclusion,
                        exclusion=exclusion, examples=examples, colour=colour,
                        shortcut=shortcut, codable=codable, guid=guid,
                        children=tuple(children), line=_line(node))

    def check_siblings(self, siblings: list[CodeSpec] | tuple[CodeSpec, ...],
                       parent: str | None) -> None:
        """Refuse two nodes of one parent whose names differ only in case or spacing."""
        seen: dict[str, CodeSpec] = {}
        where = f"under '{parent}'" if parent else "among the themes"
        for child in siblings:
            folded = _fold(child.name)
            if folded in seen:
                self.fail(child.line, f"duplicate name '{child.name}' {where} (also on line "
                                      f"{seen[folded].line}); names must be unique among "
                                      "siblings, ignoring case")
            seen[folded] = child

    def name(self, node: yaml.Node, label: str, under: str) -> str:
        """Return a node's name, refusing empty names, '/' and line breaks."""
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"the name of a {label}{under} must be text, not {_describe(node)}")
        name = clean_name(self.scalar(node, "name") or "")
        if not name:
            self.fail(node, f"a {label}{under} has an empty name; give it a name (quote names "
                            "that YAML reads as empty, such as ~ or null)")
        if PATH_SEPARATOR in name:
            self.fail(node, f"the name {name!r} contains '{PATH_SEPARATOR}', which separates "
                            "path parts (Theme/Sub-theme/Code); use another character")
        bad = [ch for ch in name if unicodedata.category(ch) in ("Cc", "Zl", "Zp")]
        if bad:
            self.fail(node, f"the name {name!r} contains a line break or control character "
                            f"(U+{ord(bad[0]):04X}); names are one line of text")
        return name

    def examples(self, fields: dict[str, tuple[yaml.Node, yaml.Node]],
                 where: str) -> tuple[str, ...]:
        """Return the examples list, each one cleaned text."""
        if "examples" not in fields:
            return ()
        node = fields["examples"][1]
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null":
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'examples' {where} must be a list of text, not {_describe(node)}; "
                            "write each example on its own '- ' line")
        found: list[str] = []
        for number, item in enumerate(node.value, start=1):
            if not isinstance(item, yaml.ScalarNode):
                self.fail(item, f"example {number} {where} is {_describe(item)}; each example "
                                "must be text")
            self.check_tag(item)
            example = clean_text(self.scalar(item, "examples") or "")
            if not example:
                self.fail(item, f"example {number} {where} is empty; remove it or fill it in")
            found.append(example)
        return tuple(found)

    def colour(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], where: str) -> str | None:
        """Return a colour as upper-case ``#RRGGBB``, expanding ``#RGB``."""
        if "colour" not in fields:
            return None
        key_node, node = fields["colour"]
        value = self.scalar(node, "colour")
        if value is None:
            rest = self.lines[key_node.start_mark.line][key_node.end_mark.column:]
            if "#" in rest:
                # An unquoted ``#1F77B4`` is a YAML comment: the value silently vanishes.
                self.fail(node, f"'colour' {where} is empty because an unquoted '#' starts a "
                                "YAML comment; write it in quotes: colour: \"#1F77B4\"")
            return None
        try:
            return normalise_colour(value, where)
        except CodebookError as error:
            self.fail(node, error.message)

    def shortcut(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], where: str,
                 path: str) -> str | None:
        """Return a shortcut key, refusing reserved, invisible and repeated keys."""
        if "shortcut" not in fields:
            return None
        node = fields["shortcut"][1]
        key = self.scalar(node, "shortcut")
        if key is None:
            return None
        if len(key) != 1 or not key.isprintable() or key.isspace():
            self.fail(node, f"shortcut {key!r} {where} must be exactly one printable, "
                            "non-space character, such as \"a\" or \"1\"")
        if key in RESERVED_KEYS:
            self.fail(node, f"shortcut {key!r} {where} is reserved by the coding screen "
                            f"(reserved: {' '.join(sorted(RESERVED_KEYS))}); choose another key")
        if key in self.shortcuts:
            first_line, first_path = self.shortcuts[key]
            self.fail(node, f"shortcut {key!r} {where} is already used by '{first_path}' on "
                            f"line {first_line}; shortcuts must be unique in the codebook")
        self.shortcuts[key] = (_line(node), path)
        return key

    def codable(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], where: str,
                kind: CodeKind) -> bool:
        """Return the codable flag: given as true/false, or the default for the kind."""
        if "codable" not in fields:
            return kind is CodeKind.CODE
        node = fields["codable"][1]
        if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "bool":
            self.fail(node, f"'codable' {where} must be true or false (unquoted), not "
                            f"{_describe(node)}")
        return bool(yaml.SafeLoader.bool_values[str(node.value).lower()])

    def guid(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], where: str,
             path: str) -> str | None:
        """Return a GUID as written after checking it is a UUID and not repeated."""
        if "guid" not in fields:
            return None
        node = fields["guid"][1]
        value = self.scalar(node, "guid")
        if value is None:
            return None
        value = value.strip()
        if not _GUID.match(value):
            self.fail(node, f"guid {value!r} {where} is not a UUID (8-4-4-4-12 hexadecimal "
                            "digits); fix it or delete the line to get a new one")
        folded = fold_guid(value)
        if folded in self.guids:
            first_line, first_path = self.guids[folded]
            self.fail(node, f"guid {value} {where} is also the guid of '{first_path}' on line "
                            f"{first_line}; every node needs its own (delete one guid line)")
        self.guids[folded] = (_line(node), path)
        return value

