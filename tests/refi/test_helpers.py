"""Description packing, position counting and GUID handling, checked against independent sums."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.interchange.refi.description import Definition, pack, unpack
from qualcode.interchange.refi.guids import clean_guid, derived_guid, fold
from qualcode.interchange.refi.offsets import Counting, PositionMap, choose_counting

PIECES = st.lists(st.sampled_from(["a", "b", " ", "\n", "\r\n", "\\", ":", "Include: ",
                                   "Exclude:", "Example: ", "Shortcut: ", "é", "😊"]),
                  max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(PIECES, PIECES, PIECES, st.lists(PIECES.filter(bool), max_size=3),
       st.sampled_from([None, "k", "é"]))
def test_description_round_trip(description: str, inclusion: str, exclusion: str,
                                examples: list[str], shortcut: str | None) -> None:
    fields = Definition(description, inclusion, exclusion, tuple(examples), shortcut)
    assert unpack(pack(fields)) == fields


def test_description_reads_as_labelled_lines() -> None:
    text = pack(Definition("Safety.", "trust", "fun", ("Nobody judged.",), "s"))
    assert text == ("Safety.\n\nInclude: trust\nExclude: fun\nExample: Nobody judged.\n"
                    "Shortcut: s")


def test_foreign_description_is_the_definition() -> None:
    assert unpack("Anything about jobs:\nor taxes") == Definition("Anything about jobs:\nor taxes")


def test_crlf_as_one_maps_to_code_points() -> None:
    text = "ab\r\ncd\r\nef"
    mapping = PositionMap(text, Counting.CRLF_AS_ONE)
    # Counted with CR LF as one character, "cd" is at 3..5 and "ef" at 6..8.
    assert text[mapping.to_codepoint(3):mapping.to_codepoint(5)] == "cd"
    assert text[mapping.to_codepoint(6):mapping.to_codepoint(8)] == "ef"
    assert mapping.to_codepoint(9) is None


def test_utf16_maps_to_code_points() -> None:
    text = "x😊y😴z"
    mapping = PositionMap(text, Counting.UTF16)
    for index, char in enumerate(text):
        units = len(text[:index].encode("utf-16-le")) // 2  # independent count of UTF-16 units
        assert mapping.to_codepoint(units) == index, char


def test_counting_chosen_from_quoted_passages() -> None:
    text = "Intro.\r\nSecond line.\r\nThird line."
    start = text.index("Third") - 2  # as a tool counting CR LF as one would write it
    assert choose_counting(text, [(start, start + 11, "Third line.")]) is Counting.CRLF_AS_ONE
    raw = text.index("Third")
    assert choose_counting(text, [(raw, raw + 11, "Third line.")]) is Counting.CODEPOINTS
    assert choose_counting(text, [(start, start + 11, None)]) is Counting.CODEPOINTS


def test_guids_compare_without_case_or_braces() -> None:
    assert (
        clean_guid("{5215CC69-B628-4E02-AFB9-9BEEAEE55808}")
        == "5215CC69-B628-4E02-AFB9-9BEEAEE55808"
    )
    assert clean_guid("{5215CC69-B628-4E02-AFB9-9BEEAEE55808") is None
    assert clean_guid("5215CC69") is None
    assert fold("{ABCDEF01-0000-4000-8000-000000000000}") == "abcdef01-0000-4000-8000-000000000000"
    assert derived_guid("a", "B") == derived_guid("A", "b") != derived_guid("a", "c")
