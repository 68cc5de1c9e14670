"""Codings to presence matrices: overlap, theme roll-up, grouping, the done filter."""

from __future__ import annotations

import numpy as np

from helpers.object_presence import build_units, code_presence, keep_done, presence_table
from qualcode.agreement.presence import AnalysisUnit
from qualcode.model import Code, Codebook, CodeKind, Coding, Source
from qualcode.segmentation import paragraphs, sentences

TEXT = "We listened. Then we talked about time.\n\nA new paragraph here."
SOURCES = [Source(1, "g1", "A", "A", TEXT, {"study": "S1"}),
           Source(2, "g2", "B", "B", "Short one.", {"study": "S1"}),
           Source(3, "g3", "C", "C", "Other study.", {"study": "S2"})]
BOOK = Codebook((Code(1, "t", "Communication", CodeKind.THEME, codable=False),
                 Code(2, "c1", "Listening", parent_id=1),
                 Code(3, "c2", "Talking", parent_id=1),
                 Code(4, "t2", "Time", CodeKind.THEME, codable=False),
                 Code(5, "c3", "Time pressure", parent_id=4)))


def coding(source: int, code: int, start: int, end: int, coder: int = 1) -> Coding:
    return Coding(id=0, guid="x", coder_id=coder, source_id=source, code_id=code,
                  start=start, end=end)


def test_a_span_marks_only_the_sentences_it_overlaps() -> None:
    units = build_units(SOURCES[:1], "sentence")
    assert [TEXT[u.spans[0][1]:u.spans[0][2]] for u in units] == [
        "We listened.", "Then we talked about time.", "A new paragraph here."]
    talked = TEXT.index("talked")
    matrix = code_presence(units, [coding(1, 3, talked, talked + 6)], [2, 3])
    assert matrix.tolist() == [[False, False], [False, True], [False, False]]


def test_touching_spans_do_not_overlap() -> None:
    units = [AnalysisUnit("a", ((1, 0, 12),)), AnalysisUnit("b", ((1, 12, 40),))]
    assert code_presence(units, [coding(1, 2, 12, 20)], [2]).tolist() == [[False], [True]]


def test_paragraph_units() -> None:
    units = build_units(SOURCES[:1], "paragraph")
    assert len(units) == 2 == len(paragraphs(TEXT)) and len(sentences(TEXT)) == 3


def test_theme_is_present_when_any_code_below_it_is() -> None:
    units = build_units(SOURCES, "source")
    table = presence_table(units, {"alice": [coding(1, 3, 0, 5)], "bob": [coding(1, 5, 0, 5)]},
                           BOOK, level="theme")
    assert [c.name for c in table.columns] == ["Communication", "Time"]
    assert table.for_coder("alice")[0].tolist() == [True, False]
    assert table.for_coder("bob")[0].tolist() == [False, True]
    codes = presence_table(units, {"alice": [coding(1, 3, 0, 5)]}, BOOK, level="code")
    assert [c.name for c in codes.columns] == ["Listening", "Talking", "Time pressure"]


def test_grouping_by_study_pools_its_sources() -> None:
    units = build_units(SOURCES, "source", group_by="study")
    table = presence_table(units, {"alice": [coding(2, 2, 0, 3)]}, BOOK)
    assert [u.key for u in units] == ["S1", "S2"]
    assert np.array_equal(table.for_coder("alice")[:, 0], [True, False])


def test_only_units_both_coders_finished_are_kept_and_the_rest_reported() -> None:
    units = build_units(SOURCES, "source")
    kept, dropped = keep_done(units, {"alice": {1, 2}, "bob": {1}})
    assert [u.key for u in kept] == ["A"]
    assert dropped == {"not done by bob": 1, "not done by any compared coder": 1}
    grouped, dropped = keep_done(build_units(SOURCES, group_by="study"),
                                 {"alice": {1, 2}, "bob": {1}})
    assert [(u.key, len(u.spans)) for u in grouped] == [("S1", 1)] and dropped == {
        "not done by any compared coder": 1}
