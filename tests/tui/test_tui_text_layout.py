"""Wrapping, word and sentence boundaries, and coded runs: the text pane's arithmetic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from qualcode.tui.boundaries import Boundaries
from qualcode.tui.marks import Mark, Runs
from qualcode.tui.wrap import TextLayout, display_text

texts = st.text(alphabet=st.sampled_from(list("ab c.\n\t!?éあ😀-'")), max_size=300)


@settings(max_examples=200, deadline=None)
@given(text=texts, width=st.integers(min_value=1, max_value=30))
def test_rows_cover_the_text_exactly_once(text: str, width: int) -> None:
    """Every code point is on exactly one row, except the newlines between rows."""
    layout = TextLayout(text, width)
    covered = []
    for start, end in zip(layout.starts, layout.ends, strict=True):
        covered.extend(range(start, end))
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    assert sorted(covered + newlines) == list(range(len(text)))
    assert layout.starts == sorted(layout.starts)


@settings(max_examples=200, deadline=None)
@given(text=texts, width=st.integers(min_value=2, max_value=30))
def test_rows_fit_the_width_apart_from_trailing_spaces(text: str, width: int) -> None:
    layout = TextLayout(text, width)
    for row in range(len(layout)):
        shown = display_text(layout.row_text(row)).rstrip(" ")
        assert cell_len(shown) <= width


@settings(max_examples=200, deadline=None)
@given(text=texts, width=st.integers(min_value=2, max_value=30))
def test_offsets_and_screen_cells_round_trip(text: str, width: int) -> None:
    layout = TextLayout(text, width)
    for offset in range(len(text) + 1):
        row = layout.row_of(offset)
        column = layout.column_of(offset)
        assert layout.offset_at(row, column) == offset


def test_wrap_breaks_at_spaces_and_cuts_long_words() -> None:
    layout = TextLayout("aaa bbb cccccccccc d", 5)
    assert [layout.row_text(i) for i in range(len(layout))] == [
        "aaa ", "bbb ", "ccccc", "ccccc", " d"]
    assert TextLayout("one\n\ntwo", 10).starts == [0, 4, 5]


def test_wide_characters_take_two_cells() -> None:
    layout = TextLayout("ああああ", 5)
    assert [layout.row_text(i) for i in range(len(layout))] == ["ああ", "ああ"]
    assert layout.column_of(1) == 2
    assert layout.offset_at(0, 3) == 1


def test_word_moves() -> None:
    b = Boundaries("Don't stop — keep going.")
    assert b.word_end_after(0) == 5  # "Don't" is one word
    assert b.word_end_after(5) == 10
    assert b.word_start_before(10) == 6
    assert b.word_around(7) == (6, 10)
    assert b.word_around(11) is None


def test_sentences_end_at_punctuation_and_line_breaks() -> None:
    text = 'He said "stop!" Then left.\nNew line without stop\nLast one? Yes.'
    b = Boundaries(text)
    assert b.sentence_around(3) == (0, 15)
    assert b.sentence_around(20) == (16, 26)
    assert text[slice(*b.sentence_around(30))] == "New line without stop"
    assert b.sentence_end_after(15) == 26
    assert b.sentence_start_before(26) == 16
    assert text[slice(*b.sentence_around(len(text) - 1))] == "Yes."


def test_runs_split_overlapping_marks() -> None:
    a, b = Mark(0, 10, 1, "a"), Mark(4, 6, 2, "b")
    runs = Runs([a, b])
    assert list(zip(runs.starts, runs.ends, strict=True)) == [(0, 4), (4, 6), (6, 10)]
    assert runs.active[1] == (a, b)
    assert runs.index_at(10) is None and runs.index_at(5) == 1
    assert [m.badge for m in runs.badges_between(5, 8)] == ["a", "b"]
    assert runs.between(10, 20) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(1, 4)),
                max_size=12))
def test_runs_agree_with_a_character_by_character_count(spans) -> None:
    marks = [Mark(min(s, e), max(s, e), code, str(code)) for s, e, code in spans]
    runs = Runs(marks)
    for offset in range(52):
        expected = {m for m in marks if m.start <= offset < m.end}
        index = runs.index_at(offset)
        got = set(runs.active[index]) if index is not None else set()
        assert got == expected
