"""Tests of the codebook YAML writer and of reading what it wrote (round trips, Hypothesis)."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.codebook_example import EXAMPLE, strip_lines
from qualcode.errors import CodebookError
from qualcode.interchange.codebook_yaml import (
    clean_text,
    codebook_to_specs,
    dump_codebook_yaml,
    parse_codebook_document,
    parse_codebook_yaml,
)
from qualcode.model import RESERVED_KEYS, Code, Codebook, CodeKind, CodeSpec

# --- writing ---------------------------------------------------------------------------


def make_codebook(specs: tuple[CodeSpec, ...]) -> Codebook:
    """Build a stored-looking Codebook (ids, parents, positions) from a spec tree."""
    codes: list[Code] = []

    def add(spec: CodeSpec, parent: int | None, position: int) -> None:
        code_id = len(codes) + 1
        codes.append(Code(id=code_id, guid=spec.guid or "", name=spec.name, kind=spec.kind,
                          parent_id=parent, description=spec.description,
                          inclusion=spec.inclusion, exclusion=spec.exclusion,
                          examples=spec.examples, colour=spec.colour, shortcut=spec.shortcut,
                          position=position, codable=spec.codable))
        for i, child in enumerate(spec.children):
            add(child, code_id, i)

    for i, root in enumerate(specs):
        add(root, None, i)
    return Codebook(tuple(codes))


def test_dump_is_readable_and_in_documented_order() -> None:
    specs = parse_codebook_yaml(EXAMPLE)
    text = dump_codebook_yaml(make_codebook(specs), name="Balint", description="Two\nlines")
    assert text.startswith("# qualcode codebook")
    assert "description: |-\n  Two\n  lines\n" in text
    assert "themes:\n  - name: Communication\n" in text
    assert "          - |-\n                A two-line\n                example.\n" in text
    order = ["name:", "description:", "inclusion:", "exclusion:", "examples:", "colour:",
             "shortcut:"]
    start = text.index("- name: Listening to the patient")
    block = text[start:text.index("codes:\n      - name: 'No'")]
    positions = [block.index(k) for k in order]
    assert positions == sorted(positions)
    assert "codable" not in block  # the default for a code is left out
    assert "codable: true" in text and "guid: 6F9619FF" in text
    assert "inclusion" not in text[:text.index("Listening to the patient")]


def test_round_trip_of_the_example() -> None:
    specs = parse_codebook_yaml(EXAMPLE)
    again = parse_codebook_yaml(dump_codebook_yaml(make_codebook(specs)))
    assert strip_lines(again) == strip_lines(specs)


def test_codebook_to_specs_follows_position_not_stored_kind() -> None:
    book = Codebook((
        Code(id=1, guid="", name="Top code", kind=CodeKind.CODE, codable=True),
        Code(id=2, guid="", name="Group", kind=CodeKind.CODE, parent_id=1, position=1),
        Code(id=3, guid="", name="Leaf", kind=CodeKind.THEME, parent_id=2),
        Code(id=4, guid="", name="Plain", kind=CodeKind.SUBTHEME, parent_id=1, position=0),
    ))
    (top,) = codebook_to_specs(book)
    assert top.kind is CodeKind.THEME and top.codable is True
    assert [(c.name, c.kind) for c in top.children] == [
        ("Plain", CodeKind.SUBTHEME), ("Group", CodeKind.SUBTHEME)]
    assert top.children[1].children[0].kind is CodeKind.CODE


def test_too_deep_tree_cannot_be_dumped() -> None:
    book = Codebook(tuple(Code(id=i, guid="", name=f"n{i}", parent_id=i - 1 if i > 1 else None)
                          for i in range(1, 5)))
    with pytest.raises(CodebookError, match="n3"):
        dump_codebook_yaml(book)


# --- round trip property -------------------------------------------------------------

_SPECIAL = ["😀", "👩‍👩‍👧", "\u0301", "e\u0301", "\r\n", "\r", "\n", "\t", " ", "  ", "#",
            ": ", "- ", "'", '"', "\\", "|", ">", "&", "*", "!", "%", "@", "`", "yes", "null",
            "~", "123", "0x1F", "\u2028", "\x85", "\ufeff", "\x00", "\u00a0"]
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(_SPECIAL)), max_size=12).map("".join)


def _valid_name(name: str) -> bool:
    return bool(name) and name == name.strip() and "/" not in name and not any(
        unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name)


NAME = TEXT.map(str.strip).filter(_valid_name)
KEYS = [ch for ch in "abcefghijklnopstvwxyz0123456789ABCDEFXYZ!$é😀" if ch not in RESERVED_KEYS]
COLOUR = st.one_of(st.none(), st.from_regex(r"\A#[0-9A-F]{6}\Z"))
GUID = st.one_of(st.none(), st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()))


@st.composite
def code_specs(draw: st.DrawFn, kind: CodeKind, keys: list[str]) -> CodeSpec:
    """Draw one node (and, for themes and sub-themes, children) with shared shortcut pool."""
    shortcut = keys.pop() if keys and draw(st.booleans()) else None
    children: tuple[CodeSpec, ...] = ()
    if kind is not CodeKind.CODE:
        subs = (draw(st.lists(code_specs(CodeKind.SUBTHEME, keys), max_size=2))
                if kind is CodeKind.THEME else [])
        codes = draw(st.lists(code_specs(CodeKind.CODE, keys), max_size=2))
        children = tuple(subs + codes)
    return CodeSpec(
        name=draw(NAME), kind=kind, description=draw(TEXT), inclusion=draw(TEXT),
        exclusion=draw(TEXT), examples=tuple(draw(st.lists(TEXT, max_size=2))),
        colour=draw(COLOUR), shortcut=shortcut, codable=draw(st.booleans()), guid=draw(GUID),
        children=children)


def _unique_names(specs: tuple[CodeSpec, ...]) -> tuple[CodeSpec, ...]:
    """Make sibling names unique (case-insensitively) by suffixing a counter."""
    seen: set[str] = set()
    out = []
    for i, spec in enumerate(specs):
        name = spec.name
        if unicodedata.normalize("NFC", name).casefold() in seen:
            name = f"{name} {i}"
        seen.add(unicodedata.normalize("NFC", name).casefold())
        out.append(dataclasses.replace(spec, name=name, children=_unique_names(spec.children)))
    return tuple(out)


def _unique_guids(specs: tuple[CodeSpec, ...], seen: set[str]) -> tuple[CodeSpec, ...]:
    out = []
    for spec in specs:
        guid = spec.guid
        if guid is not None and guid.lower() in seen:
            guid = None
        if guid is not None:
            seen.add(guid.lower())
        out.append(dataclasses.replace(spec, guid=guid,
                                       children=_unique_guids(spec.children, seen)))
    return tuple(out)


@st.composite
def codebooks_(draw: st.DrawFn) -> Codebook:
    """Draw a stored-looking codebook with arbitrary Unicode names and texts."""
    keys = list(draw(st.permutations(KEYS)))
    roots = tuple(draw(st.lists(code_specs(CodeKind.THEME, keys), max_size=3)))
    return make_codebook(_unique_guids(_unique_names(roots), set()))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=codebooks_(), title=TEXT, about=TEXT)
def test_round_trip_property(book: Codebook, title: str, about: str) -> None:
    text = dump_codebook_yaml(book, name=title, description=about)
    doc = parse_codebook_document(text, "dumped.yaml")
    assert strip_lines(doc.roots) == codebook_to_specs(book)
    assert doc.description == clean_text(about)
    assert doc.name == clean_text(title).strip()
    # Writing what was read gives the same file: the format has one spelling per codebook.
    assert dump_codebook_yaml(make_codebook(doc.roots), name=doc.name,
                              description=doc.description) == text


@given(text=TEXT)
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\r" not in once and not once.endswith((" ", "\n"))


def test_documented_example_parses() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "codebook-format.md").read_text(
        encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    (theme,) = parse_codebook_yaml(example, "docs/codebook-format.md")
    assert [c.name for c in theme.children] == ["Listening and attention", "Feedback"]
    assert theme.children[0].children[0].shortcut == "a"
