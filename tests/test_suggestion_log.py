"""The suggestion log: what was shown, what was accepted, and the per-coder summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import ENGINES, engine_store
from qualcode.model import Suggestion
from qualcode.storage import Store
from qualcode.storage.suggestion_log import (
    acceptance_summary,
    log_accepted,
    log_shown,
    logged,
)


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)


def _ids(store: Store) -> tuple[int, int, int, int, int]:
    book = store.codebook()
    listening, pressure = book.find("Listening")[0].id, book.find("Time pressure")[0].id
    r1 = store.whole_unit(store.source_by_external_id("r1").id).id
    r2 = store.whole_unit(store.source_by_external_id("r2").id).id
    return store.coder("alice").id, r1, r2, listening, pressure


def test_shown_rows_carry_rank_score_mode_and_done_state(small_store: Store) -> None:
    alice, r1, _, listening, pressure = _ids(small_store)
    log_shown(small_store, coder_id=alice, unit_id=r1, mode="after", unit_done=True,
              model="fitted", suggestions=[Suggestion(pressure, 0.8, ("night",)),
                                           Suggestion(listening, 0.3)])
    rows = logged(small_store, coder_id=alice)
    assert [(r.code_id, r.rank, r.score, r.mode, r.unit_done, r.model) for r in rows] == [
        (pressure, 1, 0.8, "after", True, "fitted"), (listening, 2, 0.3, "after", True, "fitted")]
    assert all(r.accepted_at is None and r.coding_id is None for r in rows)
    assert rows[0].shown_at == rows[1].shown_at


def test_the_same_list_shown_again_is_logged_once(small_store: Store) -> None:
    alice, r1, _, listening, pressure = _ids(small_store)
    items = [Suggestion(pressure, 0.8), Suggestion(listening, 0.3)]
    first = log_shown(small_store, coder_id=alice, unit_id=r1, suggestions=items, mode="on",
                      unit_done=False)
    again = log_shown(small_store, coder_id=alice, unit_id=r1, suggestions=items, mode="on",
                      unit_done=False)
    assert first == again and len(logged(small_store)) == 2
    # Another order, or the same list once the unit is done, is a new showing.
    log_shown(small_store, coder_id=alice, unit_id=r1, suggestions=items[::-1], mode="on",
              unit_done=False)
    log_shown(small_store, coder_id=alice, unit_id=r1, suggestions=items[::-1], mode="on",
              unit_done=True)
    assert len(logged(small_store)) == 6


def test_accept_stamps_the_latest_showing_of_that_code(small_store: Store) -> None:
    alice, r1, r2, listening, pressure = _ids(small_store)
    log_shown(small_store, coder_id=alice, unit_id=r1, mode="on", unit_done=False,
              suggestions=[Suggestion(pressure, 0.8), Suggestion(listening, 0.3)])
    log_shown(small_store, coder_id=alice, unit_id=r2, mode="on", unit_done=False,
              suggestions=[Suggestion(pressure, 0.9)])
    unit = small_store.unit(r1)
    coding = small_store.add_coding(alice, unit.source_id, listening, unit.start, unit.end)
    row = log_accepted(small_store, coder_id=alice, unit_id=r1, code_id=listening,
                       coding_id=coding.id)
    accepted = [r for r in logged(small_store) if r.accepted_at is not None]
    assert [(r.id, r.unit_id, r.code_id, r.coding_id) for r in accepted] == [
        (row, r1, listening, coding.id)]
    # A code that was not suggested for the unit is not "accepted".
    assert log_accepted(small_store, coder_id=alice, unit_id=r2, code_id=listening,
                        coding_id=None) is None


def test_summary_counts_pairs_accepted_and_still_present(small_store: Store) -> None:
    alice, r1, r2, listening, pressure = _ids(small_store)
    bob = small_store.coder("bob").id
    for coder in (alice, bob):
        for unit_id in (r1, r2):
            log_shown(small_store, coder_id=coder, unit_id=unit_id, mode="on", unit_done=False,
                      suggestions=[Suggestion(pressure, 0.7), Suggestion(listening, 0.2)])
    # alice: opened r1 again after done (same pairs, counted once); accepted one, coded
    # another by its shortcut; bob accepted one and then undid the coding.
    log_shown(small_store, coder_id=alice, unit_id=r1, mode="on", unit_done=True,
              suggestions=[Suggestion(pressure, 0.7), Suggestion(listening, 0.2)])
    u1, u2 = small_store.unit(r1), small_store.unit(r2)
    kept = small_store.add_coding(alice, u1.source_id, pressure, u1.start, u1.end)
    log_accepted(small_store, coder_id=alice, unit_id=r1, code_id=pressure, coding_id=kept.id)
    small_store.add_coding(alice, u2.source_id, listening, u2.start, u2.end)
    gone = small_store.add_coding(bob, u2.source_id, pressure, u2.start, u2.end)
    log_accepted(small_store, coder_id=bob, unit_id=r2, code_id=pressure, coding_id=gone.id)
    small_store.undo(bob)

    summary = {s.coder: s for s in acceptance_summary(small_store)}
    a, b = summary["alice"], summary["bob"]
    assert (a.units, a.shown, a.accepted, a.present, a.shown_before_done) == (2, 4, 1, 2, 4)
    assert (b.units, b.shown, b.accepted, b.present) == (2, 4, 1, 0)
    assert a.accepted_share == pytest.approx(1 / 4)
    assert a.present_share == pytest.approx(2 / 4)


def test_bad_mode_is_refused(small_store: Store) -> None:
    alice, r1, _, listening, _ = _ids(small_store)
    with pytest.raises(ValueError):
        log_shown(small_store, coder_id=alice, unit_id=r1, mode="off", unit_done=False,
                  suggestions=[Suggestion(listening, 0.5)])
