"""Tests of the codebook YAML reader and writer (qualcode.interchange.codebook_yaml)."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import pytest

from helpers.codebook_example import EXAMPLE
from qualcode.errors import CodebookError, FormatError, QualcodeError
from qualcode.interchange import codebook_yaml, safe_yaml
from qualcode.interchange.codebook_yaml import (
    FORMAT_ID,
    parse_codebook_document,
    parse_codebook_yaml,
    read_codebook_yaml,
)
from qualcode.model import RESERVED_KEYS, CodeKind


def parse_error(text: str) -> QualcodeError:
    """Parse dedented YAML that must fail, and return the error."""
    with pytest.raises(QualcodeError) as info:
        parse_codebook_yaml(textwrap.dedent(text), "cb.yaml")
    return info.value


def assert_error(text: str, line: int | None, *phrases: str) -> QualcodeError:
    """Assert that parsing fails on ``line`` with a one-line message holding ``phrases``."""
    error = parse_error(text)
    message = str(error)
    assert "\n" not in message
    if line is None:
        assert message.startswith("cb.yaml: "), message
    else:
        assert error.line == line, message
        assert message.startswith(f"cb.yaml, line {line}: "), message
    for phrase in phrases:
        assert phrase in message, message
    return error


HEAD = f"format: {FORMAT_ID}\n"


# --- reading a valid file ------------------------------------------------------------


def test_example_parses_into_kinds_fields_and_lines() -> None:
    doc = parse_codebook_document(EXAMPLE, "cb.yaml")
    assert doc.name == "Balint groups - benefits and challenges"
    assert doc.description == "Free text about the codebook.\nSecond line."
    communication, challenges = doc.roots
    assert (communication.kind, communication.codable, communication.line) == (
        CodeKind.THEME, False, 8)
    assert communication.colour == "#1F77B4"
    listening, no = communication.children
    assert listening.kind is CodeKind.SUBTHEME and listening.codable is False
    code = listening.children[0]
    assert code.kind is CodeKind.CODE and code.codable is True and code.line == 14
    assert code.examples == ("An example sentence.", "A two-line\nexample.")
    assert code.colour == "#AAEECC"
    assert code.shortcut == "a"
    assert (code.inclusion, code.exclusion) == ("When to apply it.", "When not to apply it.")
    # YAML 1.1 would read these as false and 1; a codebook keeps what was written.
    assert no.name == "No" and no.kind is CodeKind.CODE and no.shortcut == "1"
    assert challenges.codable is True
    assert challenges.guid == "6F9619FF-8B86-D011-B42D-00C04FC964FF"


def test_trailing_whitespace_is_stripped_and_line_breaks_kept() -> None:
    text = HEAD + 'themes:\n  - name: "  T  "\n    description: "a  \\r\\nb\\t\\n\\n"\n'
    (theme,) = parse_codebook_yaml(text)
    assert theme.name == "T"
    assert theme.description == "a\nb"


def test_empty_lists_and_null_fields_are_allowed() -> None:
    text = HEAD + "themes:\n  - name: T\n    description:\n    colour:\n    codes: []\n"
    (theme,) = parse_codebook_yaml(text)
    assert theme.description == "" and theme.colour is None and theme.children == ()
    assert parse_codebook_yaml(HEAD) == ()


def test_read_file_accepts_bom(tmp_path: Path) -> None:
    path = tmp_path / "cb.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.encode())
    assert len(read_codebook_yaml(path)) == 2


# --- file-level errors -------------------------------------------------------------


def test_not_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "cb.yaml"
    data = (HEAD + "themes:\n  - name: caf").encode() + b"\xe9\n"
    path.write_bytes(data)
    with pytest.raises(FormatError) as info:
        read_codebook_yaml(path)
    assert info.value.line == 3
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in str(info.value)
    assert "UTF-8" in str(info.value) and str(path) in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not found"):
        read_codebook_yaml(tmp_path / "nope.yaml")
    with pytest.raises(FormatError, match="not a file"):
        read_codebook_yaml(tmp_path)


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codebook_yaml, "MAX_BYTES", 100)
    path = tmp_path / "cb.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    with pytest.raises(FormatError, match="limit"):
        read_codebook_yaml(path)
    with pytest.raises(FormatError, match="limit"):
        parse_codebook_yaml(EXAMPLE)


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_empty_file(text: str) -> None:
    assert_error(text, None, "empty", FORMAT_ID)


def test_comments_only() -> None:
    assert_error("# nothing here\n", 1, "only comments")


def test_yaml_syntax_error_names_the_problem_line() -> None:
    assert_error(HEAD + "themes:\n  - name: A\n    description: Note: this breaks\n", 4,
                 "YAML syntax error", "quotes")


def test_tab_indentation_hint() -> None:
    assert_error(HEAD + "themes:\n\t- name: A\n", 3, "tabs")


def test_two_documents_are_refused() -> None:
    assert_error(HEAD + "---\n" + HEAD, 2, "one codebook per file")


def test_control_character_is_refused() -> None:
    assert_error(HEAD + "themes:\n  - name: A\x07\n", 3, "U+0007")


def test_root_must_be_a_mapping() -> None:
    assert_error("- name: A\n", 1, "must be a mapping", FORMAT_ID)


def test_missing_format() -> None:
    assert_error("name: X\nthemes: []\n", 1, "missing 'format", "first line")


def test_unknown_format() -> None:
    assert_error("name: X\nformat: qualcode-codebook/2\n", 2, "unsupported format",
                 "qualcode-codebook/2")


# --- hostile YAML ------------------------------------------------------------------


def test_aliases_are_refused() -> None:
    text = HEAD + "themes:\n  - &t\n    name: A\n  - *t\n"
    assert_error(text, 5, "aliases are not supported in codebooks")


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    assert_error("\n".join(lines) + "\n", 2, "aliases are not supported")


def test_node_count_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_yaml, "MAX_NODES", 50)
    items = "".join(f"  - name: T{i}\n" for i in range(30))
    # Nodes 1-5 are the root, its two keys, the format value and the list; each theme is
    # three more, so node 51 opens the sixteenth theme, on line 3 + 15.
    assert_error(HEAD + "themes:\n" + items, 18, "more than 50 YAML nodes")


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    error = parse_error(HEAD + "themes: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested more than" in str(error)


def test_python_tags_are_refused() -> None:
    text = HEAD + 'themes:\n  - name: !!python/object/apply:os.system ["echo hi"]\n'
    assert_error(text, 3, "tag", "not supported")


def test_custom_tags_are_refused() -> None:
    assert_error(HEAD + "name: !secret x\n", 2, "'!secret'")


# --- structure and field errors ------------------------------------------------------


def test_unknown_field_suggests_closest() -> None:
    assert_error(HEAD + "themes:\n  - name: A\n    color: '#FFFFFF'\n", 4,
                 "unknown field 'color'", "did you mean 'colour'?", "allowed fields: name")


def test_unknown_root_field() -> None:
    assert_error(HEAD + "theme:\n  - name: A\n", 2, "unknown field 'theme'",
                 "did you mean 'themes'?")


def test_code_cannot_hold_codes() -> None:
    text = HEAD + "themes:\n  - name: A\n    codes:\n      - name: c\n        codes: []\n"
    assert_error(text, 6, "a code cannot hold other nodes")


def test_subtheme_cannot_hold_subthemes() -> None:
    text = HEAD + "themes:\n  - name: A\n    subthemes:\n      - name: s\n        subthemes: []\n"
    assert_error(text, 6, "a sub-theme cannot hold sub-themes")


def test_repeated_field() -> None:
    assert_error(HEAD + "themes:\n  - name: A\n    name: B\n", 4, "appears twice",
                 "first on line 3")


@pytest.mark.parametrize(("value", "phrase"), [
    ("", "empty name"), ("~", "empty name"), ('"   "', "empty name"),
    ("[a, b]", "must be text"), ("{x: 1}", "must be text"),
])
def test_bad_names(value: str, phrase: str) -> None:
    assert_error(HEAD + f"themes:\n  - name: {value}\n", 3, phrase)


def test_name_with_slash() -> None:
    assert_error(HEAD + "themes:\n  - name: A\n    codes:\n      - name: yes/no\n", 5,
                 "contains '/'", "path")


def test_name_with_line_break() -> None:
    assert_error(HEAD + 'themes:\n  - name: "a\\nb"\n', 3, "line break")


def test_node_without_name() -> None:
    assert_error(HEAD + "themes:\n  - description: x\n", 3, "has no 'name'")


def test_node_not_a_mapping() -> None:
    assert_error(HEAD + "themes:\n  - A\n", 3, "write each theme as '- name: ...'")


def test_themes_not_a_list() -> None:
    assert_error(HEAD + "themes: A\n", 2, "'themes' must be a list")


def test_description_must_be_text() -> None:
    assert_error(HEAD + "themes:\n  - name: A\n    description: [x]\n", 4,
                 "'description' must be text")


@pytest.mark.parametrize(("value", "line", "phrase"), [
    ("just one", 4, "must be a list of text"),
    ("\n      - [x]", 5, "example 1"),
    ("\n      - ok\n      - ''", 6, "example 2 in theme 'A' is empty"),
])
def test_bad_examples(value: str, line: int, phrase: str) -> None:
    assert_error(HEAD + f"themes:\n  - name: A\n    examples: {value}\n", line, phrase)


@pytest.mark.parametrize("value", ['"red"', '"#12345"', '"#GGGGGG"', '"1F77B4"', "123456"])
def test_bad_colours(value: str) -> None:
    assert_error(HEAD + f"themes:\n  - name: A\n    colour: {value}\n", 4, "#RRGGBB")


def test_unquoted_colour_is_a_comment() -> None:
    assert_error(HEAD + "themes:\n  - name: A\n    colour: #1F77B4\n", 4, "YAML comment",
                 'colour: "#1F77B4"')


@pytest.mark.parametrize("value", ['"ab"', '" "', '"\\t"', '"\\u200b"'])
def test_bad_shortcuts(value: str) -> None:
    assert_error(HEAD + f"themes:\n  - name: A\n    shortcut: {value}\n", 4,
                 "one printable, non-space character")


@pytest.mark.parametrize("key", sorted(RESERVED_KEYS))
def test_reserved_shortcuts(key: str) -> None:
    assert_error(HEAD + f'themes:\n  - name: A\n    shortcut: "{key}"\n', 4, "reserved")


def test_duplicate_shortcut_names_both_lines() -> None:
    text = HEAD + ("themes:\n  - name: A\n    shortcut: x\n    codes:\n"
                   "      - name: c\n        shortcut: x\n")
    assert_error(text, 7, "already used by 'A' on line 4")


@pytest.mark.parametrize("value", ['"true"', "1", "maybe"])
def test_codable_must_be_bool(value: str) -> None:
    assert_error(HEAD + f"themes:\n  - name: A\n    codable: {value}\n", 4, "true or false")


@pytest.mark.parametrize("value", ["abc", "6F9619FF8B86D011B42D00C04FC964FF", "[1]"])
def test_bad_guid(value: str) -> None:
    phrase = "must be text" if value.startswith("[") else "is not a UUID"
    assert_error(HEAD + f"themes:\n  - name: A\n    guid: {value}\n", 4, phrase)


def test_duplicate_guid_names_both_lines() -> None:
    guid = str(uuid.uuid4())
    text = HEAD + f"themes:\n  - name: A\n    guid: {guid}\n  - name: B\n    guid: {guid.upper()}\n"
    assert_error(text, 6, "also the guid of 'A' on line 4")


def test_duplicate_theme_names_ignore_case_and_spacing() -> None:
    assert_error(HEAD + "themes:\n  - name: Trust\n  - name: ' trust '\n", 4,
                 "duplicate name 'trust' among the themes", "also on line 3")


def test_duplicate_names_across_subthemes_and_codes() -> None:
    text = HEAD + ("themes:\n  - name: A\n    subthemes:\n      - name: X\n"
                   "    codes:\n      - name: x\n")
    assert_error(text, 7, "duplicate name 'x' under 'A'", "line 5")


def test_same_name_under_different_parents_is_fine() -> None:
    text = HEAD + ("themes:\n  - name: A\n    codes:\n      - name: x\n"
                   "  - name: B\n    codes:\n      - name: x\n")
    assert [t.children[0].name for t in parse_codebook_yaml(text)] == ["x", "x"]


def test_errors_are_codebook_or_format_errors() -> None:
    assert isinstance(parse_error(HEAD + "themes: A\n"), CodebookError)
    assert isinstance(parse_error("a: [\n"), FormatError)
