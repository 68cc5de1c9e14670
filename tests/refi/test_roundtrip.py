"""qualcode -> .qdpx -> new project: codes, codings per coder, consensus, memos, done marks
survive."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.store_engines import ENGINES, engine_store
from qualcode.interchange.merge_input import merge_into
from qualcode.interchange.refi import export_qdpx
from qualcode.model import Layer, SourceRecord
from qualcode.storage import Store
from qualcode.storage.codebook import code_fields


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)


def _codes(store: Store) -> dict:
    book = store.codebook()
    return {c.guid: (code_fields(c), c.kind, book.path(c)) for c in book}


def _codings(store: Store) -> list:
    names = {c.id: c.name for c in store.coders()}
    guids = {s.id: s.guid for s in store.iter_sources()}
    codes = {c.id: c.guid for c in store.codebook()}
    return sorted((c.guid, names[c.coder_id], guids[c.source_id], codes[c.code_id], c.start,
                   c.end, c.layer) for c in store.codings())


def _passages(store: Store) -> list:
    names = {c.id: c.name for c in store.coders()}
    return sorted((names[c.coder_id], c.layer, store.source(c.source_id).text[c.start:c.end])
                  for c in store.codings())


def _memos(store: Store) -> list:
    rows = store.db.execute("SELECT m.guid, m.target_kind, m.text, c.name FROM memos m LEFT "
                            "JOIN coders c ON c.id = m.coder_id WHERE m.deleted_at IS NULL")
    return sorted(tuple(row) for row in rows)


def _reviews(store: Store) -> list:
    rows = store.db.execute("SELECT s.guid, c.name, r.layer FROM reviews r JOIN units u ON "
                            "u.id = r.unit_id JOIN sources s ON s.id = u.source_id JOIN coders c "
                            "ON c.id = r.coder_id")
    return sorted(tuple(row) for row in rows)


def round_trip(store: Store, folder: Path) -> Store:
    export_qdpx(store, folder / "out.qdpx")
    copy = Store.create(folder / "copy.qualcode")
    merge_into(copy, folder / "out.qdpx", backup=False)
    return copy


def test_everything_survives(rich_store: Store, tmp_path: Path) -> None:
    copy = round_trip(rich_store, tmp_path)
    assert _codes(copy) == _codes(rich_store)
    assert _codings(copy) == _codings(rich_store)
    assert _passages(copy) == _passages(rich_store)
    assert _memos(copy) == _memos(rich_store)
    assert _reviews(copy) == _reviews(rich_store)
    sources = lambda s: sorted((x.guid, x.external_id, x.name, x.text, dict(x.metadata))  # noqa: E731
                               for x in s.iter_sources())
    assert sources(copy) == sources(rich_store)
    assert {c.guid: c.name for c in copy.coders()} == {c.guid: c.name for c in rich_store.coders()}


def test_consensus_layer_preserved(rich_store: Store, tmp_path: Path) -> None:
    copy = round_trip(rich_store, tmp_path)
    consensus = copy.codings(layer=Layer.CONSENSUS)
    assert [copy.db.execute("SELECT name FROM coders WHERE id = ?", [c.coder_id]).fetchone()[0]
            for c in consensus] == ["carol"]
    assert len(copy.reviews(layer=Layer.CONSENSUS)) == 1


def test_crlf_and_emoji_offsets_exact(rich_store: Store, tmp_path: Path) -> None:
    copy = round_trip(rich_store, tmp_path)
    bob = copy.coder("bob", create=False)
    [sleepy] = [c for c in copy.codings(coder_id=bob.id) if "😴" in copy.source(c.source_id).text]
    assert copy.source(sleepy.source_id).excerpt(sleepy.start, sleepy.end) == "😴 were too long 🏥"
    alice = copy.coder("alice", create=False)
    spans = [copy.source(c.source_id).excerpt(c.start, c.end)
             for c in copy.codings(coder_id=alice.id)]
    assert "Second line 😊" in spans


def test_round_trip_twice_changes_nothing(rich_store: Store, tmp_path: Path) -> None:
    copy = round_trip(rich_store, tmp_path)
    events = len(copy.events())
    report = merge_into(copy, tmp_path / "out.qdpx", backup=False)
    assert not report.changed()
    assert len(copy.events()) == events


# No NUL: Store.add_coding checks spans with SQLite's length(), which stops at a NUL.
TEXTS = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=1, max_size=4), st.data())
def test_arbitrary_unicode_round_trips(texts: list[str], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        store = Store.create(folder_path / "p.qualcode")
        store.import_sources([SourceRecord(f"s{i}", t) for i, t in enumerate(texts)])
        code = store.add_code("Anything")
        coder = store.coder("ana")
        spans = []
        for source in store.iter_sources():
            start = data.draw(st.integers(0, len(source.text)))
            end = data.draw(st.integers(start, len(source.text)))
            store.add_coding(coder.id, source.id, code.id, start, end)
            spans.append((source.external_id, source.text, source.text[start:end]))
        copy = round_trip(store, folder_path)
        got = sorted((copy.source(c.source_id).external_id, copy.source(c.source_id).text,
                      copy.source(c.source_id).text[c.start:c.end]) for c in copy.codings())
        assert got == sorted(spans)
        store.close()
        copy.close()
