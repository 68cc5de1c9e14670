"""Write a codebook as qualcode YAML, and turn a stored codebook into file-shaped specs.

The writer and the reader (:mod:`qualcode.interchange.codebook_yaml`) share the text
clean-up below, so ``parse(dump(codebook)) == codebook_to_specs(codebook)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from qualcode.errors import CodebookError
from qualcode.model import Code, Codebook, CodeKind, CodeSpec

FORMAT_ID = "qualcode-codebook/1"
HEADER = "# qualcode codebook: format described in docs/codebook-format.md\n"

# The YAML reader turns these into "\n" inside block text; normalising them first keeps
# the round trip exact and lets multi-line text be written as readable "|" blocks.
_LINE_BREAKS = ("\r\n", "\r", "\x85")


def clean_text(text: str) -> str:
    """Normalise line endings to LF and strip trailing whitespace from every line."""
    for brk in _LINE_BREAKS:
        text = text.replace(brk, "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def clean_name(name: str) -> str:
    """Return a node name as stored: without surrounding whitespace."""
    return name.strip()


def codebook_to_specs(codebook: Codebook) -> tuple[CodeSpec, ...]:
    """Return the codebook as the tree of specs the YAML format can hold.

    Kinds follow position, as in the file: top-level nodes are themes, children of a
    theme that have children (or are sub-themes) are sub-themes, everything else is a
    code. Raises CodebookError for a tree deeper than theme > sub-theme > code.
    """
    return tuple(_to_spec(codebook, code, CodeKind.THEME) for code in codebook.roots())


def _to_spec(codebook: Codebook, code: Code, kind: CodeKind) -> CodeSpec:
    kids = codebook.children(code.id)
    if kind is CodeKind.CODE and kids:
        raise CodebookError(
            f"'{codebook.path(code)}' has codes below it at the third level; the YAML format "
            "holds theme > sub-theme > code only: move them up with 'qualcode codebook move'")
    children: list[CodeSpec] = []
    if kind is CodeKind.THEME:
        # Sub-themes first, then the theme's own codes: the order the file lists them in.
        subs = [k for k in kids if k.kind is CodeKind.SUBTHEME or codebook.children(k.id)]
        children += [_to_spec(codebook, k, CodeKind.SUBTHEME) for k in subs]
        children += [_to_spec(codebook, k, CodeKind.CODE) for k in kids if k not in subs]
    else:
        children += [_to_spec(codebook, k, CodeKind.CODE) for k in kids]
    return CodeSpec(
        name=clean_name(code.name), kind=kind,
        description=clean_text(code.description),
        inclusion=clean_text(code.inclusion),
        exclusion=clean_text(code.exclusion),
        examples=tuple(clean_text(e) for e in code.examples if clean_text(e)),
        colour=code.colour or None,
        shortcut=code.shortcut or None,
        codable=code.codable,
        guid=code.guid or None,
        children=tuple(children),
    )


def dump_codebook_yaml(codebook: Codebook, *, name: str | None = None,
                       description: str | None = None) -> str:
    """Return a codebook as qualcode YAML (block style, GUIDs kept, empty fields left out)."""
    return dump_specs_yaml(codebook_to_specs(codebook), name=name, description=description)


def dump_specs_yaml(roots: Sequence[CodeSpec], *, name: str | None = None,
                    description: str | None = None) -> str:
    """Return a tree of specs (themes at the top) as qualcode YAML."""
    data: dict[str, Any] = {"format": FORMAT_ID}
    if name and clean_text(name).strip():
        data["name"] = clean_text(name).strip()
    if description and clean_text(description):
        data["description"] = clean_text(description)
    data["themes"] = [_node_data(spec) for spec in roots]
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=88)
    return HEADER + body


def _node_data(spec: CodeSpec) -> dict[str, Any]:
    """Return one node's fields in the documented order, leaving out empty ones."""
    data: dict[str, Any] = {"name": clean_name(spec.name)}
    for field in ("description", "inclusion", "exclusion"):
        value = clean_text(getattr(spec, field))
        if value:
            data[field] = value
    examples = [clean_text(e) for e in spec.examples if clean_text(e)]
    if examples:
        data["examples"] = examples
    if spec.colour:
        data["colour"] = spec.colour
    if spec.shortcut:
        data["shortcut"] = spec.shortcut
    if spec.codable != (spec.kind is CodeKind.CODE):
        data["codable"] = spec.codable
    if spec.guid:
        data["guid"] = spec.guid
    if spec.kind is CodeKind.CODE and spec.children:
        raise CodebookError(f"code '{spec.name}' has children; in the YAML format only "
                            "themes and sub-themes hold other nodes")
    subs = [c for c in spec.children if c.kind is CodeKind.SUBTHEME]
    codes = [c for c in spec.children if c.kind is not CodeKind.SUBTHEME]
    if subs and spec.kind is not CodeKind.THEME:
        raise CodebookError(f"sub-theme '{spec.name}' holds sub-themes; in the YAML format "
                            "sub-themes hold codes only")
    if subs:
        data["subthemes"] = [_node_data(c) for c in subs]
    if codes:
        data["codes"] = [_node_data(c) for c in codes]
    return data


class _Dumper(yaml.SafeDumper):
    """Safe dumper that indents lists under their key and writes multi-line text as ``|``."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent block sequences inside mappings, as people write them by hand."""
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style by itself when a block cannot hold the text.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
