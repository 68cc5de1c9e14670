"""The consensus layer: planning a unit's consensus and writing it as one undoable event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import ENGINES, engine_store
from qualcode.errors import StoreError
from qualcode.model import Coding, Layer
from qualcode.storage import Store
from qualcode.storage.consensus import (
    consensus_codings,
    consensus_done_sources,
    merge_spans,
    plan_unit,
    settle,
)


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)


def coding(coder: int, code: int, start: int, end: int, source: int = 1, ident: int = 0) -> Coding:
    return Coding(ident, f"g{ident}", coder, source, code, start, end)


A = [coding(1, 10, 0, 20), coding(1, 11, 0, 5), coding(1, 12, 30, 40)]
B = [coding(2, 10, 10, 30), coding(2, 13, 0, 50)]
SPANS = ((1, 0, 50),)


def planned(choice: str, **kwargs: object) -> set[tuple[int, int, int]]:
    plan = plan_unit("S1", SPANS, A, B, choice, disputed={11, 12, 13}, **kwargs)
    return {(c.code_id, c.start, c.end) for c in plan.codings}


def test_take_a_is_a_own_codings() -> None:
    assert planned("a") == {(10, 0, 20), (11, 0, 5), (12, 30, 40)}


def test_take_b_is_b_own_codings() -> None:
    assert planned("b") == {(10, 10, 30), (13, 0, 50)}


def test_both_keeps_every_code_and_merges_shared_spans() -> None:
    # Code 10: alice 0-20 and bob 10-30 overlap, so the consensus holds one span 0-30.
    assert planned("both") == {(10, 0, 30), (11, 0, 5), (12, 30, 40), (13, 0, 50)}


def test_neither_keeps_only_the_agreed_codes() -> None:
    assert planned("neither") == {(10, 0, 30)}


def test_edit_uses_coders_spans_or_the_whole_unit() -> None:
    # 12 was alice's (30-40); 99 nobody's, so it covers the unit.
    assert planned("edit", picked={12, 99}) == {(12, 30, 40), (99, 0, 50)}


def test_plan_clips_to_the_unit_and_ignores_other_sources() -> None:
    a = [coding(1, 10, 5, 25), coding(1, 10, 0, 3, source=2)]
    plan = plan_unit("S1#2", ((1, 10, 20),), a, [], "a")
    assert [(c.source_id, c.code_id, c.start, c.end) for c in plan.codings] == [(1, 10, 10, 20)]


def test_unknown_choice_and_edit_without_codes_are_refused() -> None:
    with pytest.raises(StoreError, match="unknown adjudication choice"):
        plan_unit("S1", SPANS, A, B, "maybe")
    with pytest.raises(StoreError, match="needs the codes picked"):
        plan_unit("S1", SPANS, A, B, "edit")


def test_merge_spans_keeps_points_outside_spans() -> None:
    assert merge_spans([(4, 4), (0, 10), (12, 12)]) == [(0, 10), (12, 12)]


# -- writing ---------------------------------------------------------------------------------
def two_coders(store: Store) -> tuple[int, int, int, int, int]:
    """r1: alice Listening on 0-9, bob Listening 4-20 and Time pressure; both done."""
    alice, bob, carol = store.coder("alice"), store.coder("bob"), store.coder("carol")
    r1 = store.source_by_external_id("r1")
    book = store.codebook()
    listening, pressure = book.find("Listening")[0].id, book.find("Time pressure")[0].id
    store.add_coding(alice.id, r1.id, listening, 0, 9)
    store.add_coding(bob.id, r1.id, listening, 4, 20)
    store.add_coding(bob.id, r1.id, pressure)
    return alice.id, bob.id, carol.id, r1.id, listening


def originals(store: Store) -> list[tuple[int, int, int, int]]:
    return [(c.coder_id, c.code_id, c.start, c.end) for c in store.codings(layer=Layer.CODER)]


def test_settle_writes_consensus_one_event_and_leaves_originals(small_store: Store) -> None:
    store = small_store
    alice, bob, carol, r1, listening = two_coders(store)
    before = originals(store)
    spans = ((r1, 0, len(store.source(r1).text)),)
    plan = plan_unit("r1", spans, store.codings(coder_id=alice), store.codings(coder_id=bob),
                     "neither", disputed={store.codebook().find("Time pressure")[0].id})
    events_before = len(store.events())
    result = settle(store, carol, [plan], done_source_ids=[r1])
    cons = store.codings(layer=Layer.CONSENSUS)
    assert [(c.coder_id, c.code_id, c.start, c.end) for c in cons] == [(carol, listening, 0, 20)]
    assert originals(store) == before
    new = store.events()[events_before:]
    assert [e.action for e in new] == ["consensus.settle"]
    assert new[0].coder_id == carol and new[0].payload["added"] == list(result.added)
    assert store.is_done(store.whole_unit(r1).id, carol, layer=Layer.CONSENSUS)
    assert consensus_done_sources(store) == {r1}


def test_settling_again_replaces_and_undo_redo_restore(small_store: Store) -> None:
    store = small_store
    alice, bob, carol, r1, listening = two_coders(store)
    spans = ((r1, 0, len(store.source(r1).text)),)
    a, b = store.codings(coder_id=alice), store.codings(coder_id=bob)
    settle(store, carol, [plan_unit("r1", spans, a, b, "a")], done_source_ids=[r1])
    first = {(c.code_id, c.start, c.end) for c in consensus_codings(store, spans)}
    assert first == {(listening, 0, 9)}
    settle(store, carol, [plan_unit("r1", spans, a, b, "b")], done_source_ids=[r1])
    second = {(c.code_id, c.start, c.end) for c in consensus_codings(store, spans)}
    assert len(second) == 2 and (listening, 4, 20) in second
    store.undo(carol)
    assert {(c.code_id, c.start, c.end) for c in consensus_codings(store, spans)} == first
    assert store.is_done(store.whole_unit(r1).id, carol, layer=Layer.CONSENSUS)
    store.undo(carol)
    assert consensus_codings(store, spans) == []
    assert not store.is_done(store.whole_unit(r1).id, carol, layer=Layer.CONSENSUS)
    store.redo(carol)
    assert {(c.code_id, c.start, c.end) for c in consensus_codings(store, spans)} == first
    assert store.is_done(store.whole_unit(r1).id, carol, layer=Layer.CONSENSUS)
    assert store.integrity_ok()


def test_settling_a_sentence_splits_a_wider_consensus_coding(small_store: Store) -> None:
    store = small_store
    _, _, carol, r1, listening = two_coders(store)
    whole = ((r1, 0, 30),)
    settle(store, carol, [plan_unit("r1", whole, [], [], "edit", picked={listening})])
    settle(store, carol, [plan_unit("r1#2", ((r1, 10, 20),), [], [], "edit", picked=set())])
    spans = sorted((c.start, c.end) for c in store.codings(layer=Layer.CONSENSUS))
    assert spans == [(0, 10), (20, 30)]
    store.undo(carol)
    assert sorted((c.start, c.end) for c in store.codings(layer=Layer.CONSENSUS)) == [(0, 30)]


def test_settle_rolls_back_on_a_bad_plan(small_store: Store) -> None:
    store = small_store
    _, _, carol, r1, _ = two_coders(store)
    good = plan_unit("r1", ((r1, 0, 5),), [], [], "edit", picked={store.codebook().find(
        "Listening")[0].id})
    bad = plan_unit("r1", ((r1, 0, 5),), [], [], "edit", picked={9999})
    events = len(store.events())
    with pytest.raises(StoreError):
        settle(store, carol, [good, bad], done_source_ids=[r1])
    assert store.codings(layer=Layer.CONSENSUS) == []
    assert len(store.events()) == events
    assert consensus_done_sources(store) == set()
