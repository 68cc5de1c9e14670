"""The unit queue: filters, counts, paging and navigation, checked against plain Python."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import ENGINES, engine_store
from helpers.tui_project import build_project, code_id, unit_of
from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store
from qualcode.storage.queue import QueueFilter, Status, UnitQueue


@pytest.fixture(params=ENGINES)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The test project on a file and on a server (helpers.store_engines); closed after."""
    yield from engine_store(request, tmp_path, build_project)


def ids(rows: list) -> list[str]:
    return [row.external_id for row in rows]


def test_plain_queue_lists_every_unit_in_source_order(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id)
    assert queue.count() == 6
    assert ids(queue.page(0, 10)) == ["R001", "R002", "R003", "R004", "R005", "R006"]
    assert ids(queue.page(2, 2)) == ["R003", "R004"]
    assert [row.position for row in queue.page(2, 2)] == [2, 3]


def test_done_filters_and_progress_follow_this_coder_only(project: Store) -> None:
    alice, bob = project.coder("alice"), project.coder("bob")
    project.mark_done(unit_of(project, "R002"), alice.id)
    project.mark_done(unit_of(project, "R005"), bob.id)  # bob's mark must not show
    queue = UnitQueue(project, alice.id, queue_filter=QueueFilter(status=Status.DONE))
    assert ids(queue.page(0, 10)) == ["R002"] and queue.count() == 1
    queue.set_filter(QueueFilter(status=Status.NOT_DONE))
    assert ids(queue.page(0, 10)) == ["R001", "R003", "R004", "R005", "R006"]
    assert queue.count() == 5
    assert (queue.done(), queue.total()) == (1, 6)
    rows = UnitQueue(project, alice.id).page(0, 10)
    assert [row.done for row in rows] == [False, True, False, False, False, False]


def test_has_code_filter_and_counts_use_only_this_coders_codings(project: Store) -> None:
    alice, bob = project.coder("alice"), project.coder("bob")
    fear = code_id(project, "Fear")
    r1 = project.source_by_external_id("R001")
    project.add_coding(alice.id, r1.id, fear, 0, 10)
    project.add_coding(alice.id, r1.id, code_id(project, "Relief"))
    project.add_coding(bob.id, project.source_by_external_id("R003").id, fear)
    queue = UnitQueue(project, alice.id, queue_filter=QueueFilter(code_ids=(fear,)))
    assert ids(queue.page(0, 10)) == ["R001"]
    assert queue.page(0, 1)[0].codings == 2
    theme = project.codebook().find("Emotions")[0]
    everything = (theme.id, *(c.id for c in project.codebook().descendants(theme)))
    queue.set_filter(QueueFilter(code_ids=everything))
    assert queue.count() == 1


def test_deleted_codings_and_codes_do_not_count(project: Store) -> None:
    alice = project.coder("alice")
    r1 = project.source_by_external_id("R001")
    coding = project.add_coding(alice.id, r1.id, code_id(project, "Fear"))
    project.remove_coding(coding.id)
    project.add_coding(alice.id, r1.id, code_id(project, "Insight"))
    project.delete_code(code_id(project, "Insight"), force=True)
    assert UnitQueue(project, alice.id).page(0, 1)[0].codings == 0


def test_metadata_filter_handles_keys_with_dots(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id,
                      queue_filter=QueueFilter(field="study", value="Smith2019"))
    assert ids(queue.page(0, 10)) == ["R002", "R004", "R006"]
    queue.set_filter(QueueFilter(field="site.name", value="south"))
    assert ids(queue.page(0, 10)) == ["R004", "R005", "R006"]


def test_text_search_is_case_insensitive_and_treats_wildcards_literally(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id, queue_filter=QueueFilter(text="PATIENT"))
    assert ids(queue.page(0, 10)) == ["R003", "R005"]
    queue.set_filter(QueueFilter(text="100%"))
    assert ids(queue.page(0, 10)) == ["R006"]
    queue.set_filter(QueueFilter(text="l_"))  # "_" is not a one-character wildcard
    assert ids(queue.page(0, 10)) == ["R006"]
    queue.set_filter(QueueFilter(text="1%u"))
    assert queue.count() == 0


def test_keyset_pages_equal_offset_pages(tmp_path) -> None:
    store = Store.create(tmp_path / "many.qualcode")
    store.import_sources(SourceRecord(f"S{i:04d}", f"answer {i} {'pain' if i % 3 else ''}")
                         for i in range(500))
    coder = store.coder("alice")
    rng = random.Random(7)
    for unit in store.units()[::4]:
        store.mark_done(unit.id, coder.id)
    for queue_filter in (QueueFilter(), QueueFilter(status=Status.NOT_DONE),
                         QueueFilter(text="pain", status=Status.DONE)):
        queue = UnitQueue(store, coder.id, queue_filter=queue_filter)
        everything = queue.page(0, 10_000)
        assert len(everything) == queue.count()
        for _ in range(20):
            start = rng.randrange(0, max(1, len(everything) - 1))
            after = queue.page_after(everything[start].unit_id, 37, position=start)
            assert after == everything[start + 1:start + 38]
            assert queue.position_of(everything[start].unit_id) == start
            assert queue.unit_id_at(start) == everything[start].unit_id
    store.close()


def test_next_not_done_skips_done_units_and_wraps(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id)
    r = {name: unit_of(project, name) for name in ("R001", "R002", "R003", "R004", "R005",
                                                      "R006")}
    project.mark_done(r["R002"], alice.id)
    assert queue.next_not_done(r["R001"]) == r["R003"]
    assert queue.next_not_done(r["R006"]) == r["R001"]  # wraps round
    assert queue.next_not_done(r["R006"], wrap=False) is None
    assert queue.next_not_done(None) == r["R001"]
    for unit_id in r.values():
        project.mark_done(unit_id, alice.id)
    assert queue.next_not_done(r["R003"]) is None


def test_next_not_done_only_leaves_the_current_unit_when_it_is_the_last(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id)
    units = [unit_of(project, f"R00{i}") for i in range(1, 7)]
    for unit_id in units[1:]:
        project.mark_done(unit_id, alice.id)
    assert queue.next_not_done(units[0]) is None  # the only not-done unit is this one


def test_neighbours_respect_the_filter(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id, queue_filter=QueueFilter(field="study",
                                                                  value="Jones2020"))
    r1, r3, r5 = (unit_of(project, n) for n in ("R001", "R003", "R005"))
    assert queue.neighbour(r1, 1) == r3
    assert queue.neighbour(r3, -1) == r1
    assert queue.neighbour(r5, 1) is None
    assert queue.position_of(unit_of(project, "R002")) is None


def test_tracking_keeps_cached_counts_equal_to_a_recount(project: Store) -> None:
    """Random actions on one unit at a time; the cached counts must match fresh ones."""
    alice = project.coder("alice")
    fear = code_id(project, "Fear")
    rng = random.Random(3)
    for queue_filter in (QueueFilter(status=Status.NOT_DONE), QueueFilter(code_ids=(fear,)),
                         QueueFilter(status=Status.DONE, field="study", value="Jones2020")):
        queue = UnitQueue(project, alice.id, queue_filter=queue_filter)
        queue.count(), queue.done()
        for _ in range(40):
            unit = rng.choice(project.units())
            with queue.tracking(unit.id):
                choice = rng.random()
                if choice < 0.3:
                    project.mark_done(unit.id, alice.id)
                elif choice < 0.5:
                    project.mark_not_done(unit.id, alice.id)
                elif choice < 0.8:
                    project.add_coding(alice.id, unit.source_id, fear)
                else:
                    mine = project.codings(coder_id=alice.id, source_id=unit.source_id)
                    if mine:
                        project.remove_coding(mine[0].id)
            fresh = UnitQueue(project, alice.id, queue_filter=queue_filter)
            assert (queue.count(), queue.done()) == (fresh.count(), fresh.done())


def test_unit_of_event_finds_the_unit_an_action_touched(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id)
    r2 = project.source_by_external_id("R002")
    unit = unit_of(project, "R002")
    coding = project.add_coding(alice.id, r2.id, code_id(project, "Workload"), 5, 12)
    project.remove_coding(coding.id)  # a deleted coding is still found (undo shows it)
    project.mark_done(unit, alice.id)
    project.set_memo("unit", project.unit(unit).guid, "note", coder_id=alice.id)
    project.add_code("New", kind=CodeKind.CODE, actor_id=alice.id)
    found = [queue.unit_of_event(e) for e in project.events(coder_id=alice.id)]
    assert found == [unit, unit, unit, unit, None]
