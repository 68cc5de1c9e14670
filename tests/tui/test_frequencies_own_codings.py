"""Frequencies: a codable theme's own codings are a row of their own, never named like its theme."""

from __future__ import annotations

from rich.console import Console

from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.tui.screens.frequencies import frequencies, frequency_table


def test_a_codable_theme_counts_its_own_codings_under_its_own_name(store: Store) -> None:
    store.import_sources([SourceRecord(f"s{i}", f"Text {i}.") for i in range(4)],
                         path="fixture.csv")
    care = store.add_code("Care")  # a top-level code is its own theme
    touch = store.add_code("Touch", parent_id=care.id)
    alice = store.coder("alice")
    ids = [store.source_by_external_id(f"s{i}").id for i in range(4)]
    store.add_coding(alice.id, ids[0], care.id)  # Care itself on s0
    for sid in ids[1:]:  # Touch on s1, s2, s3
        store.add_coding(alice.id, sid, touch.id)
    names, counts = frequencies(store)
    assert counts["alice"][care.id] == 4  # the theme: sources with Care or anything below
    assert counts["alice"][-care.id] == 1  # Care's own codings
    book = store.codebook()
    lines = []
    for themes in (False, True):
        console = Console(width=100, color_system=None, record=True)
        console.print(frequency_table(book, names, counts, themes=themes, bar_width=8))
        lines.append([line.split() for line in console.export_text().splitlines()
                      if line.strip().startswith(("Care", "Touch"))])
    codes, themes = lines
    # Name tokens, then the bar, then the count.
    assert [(" ".join(row[:-2]), row[-1]) for row in codes] == [("Care (own codings)", "1"),
                                                               ("Touch", "3")]
    assert [(row[0], row[-1]) for row in themes] == [("Care", "4")]
