"""An explicit queue order (most uncertain first): paging, navigation, filters, counts."""

from __future__ import annotations

import random

from helpers.tui_project import unit_of
from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.storage.queue import QueueFilter, Status, UnitQueue


def ids(rows: list) -> list[str]:
    return [row.external_id for row in rows]


def units(store: Store, *names: str) -> list[int]:
    return [unit_of(store, name) for name in names]


def test_listed_units_come_first_then_the_rest_in_queue_order(project: Store) -> None:
    queue = UnitQueue(project, project.coder("alice").id)
    queue.set_order(units(project, "R005", "R002", "R006"))
    assert queue.ordered
    assert ids(queue.page(0, 10)) == ["R005", "R002", "R006", "R001", "R003", "R004"]
    assert [row.position for row in queue.page(2, 3)] == [2, 3, 4]
    assert ids(queue.page_after(unit_of(project, "R002"), 2, position=1)) == ["R006", "R001"]
    assert queue.position_of(unit_of(project, "R006")) == 2
    assert queue.unit_id_at(0) == unit_of(project, "R005")
    assert queue.neighbour(unit_of(project, "R006"), 1) == unit_of(project, "R001")
    assert queue.neighbour(unit_of(project, "R005"), -1) is None
    assert queue.count() == 6
    queue.set_order(None)
    assert not queue.ordered
    assert ids(queue.page(0, 10)) == ["R001", "R002", "R003", "R004", "R005", "R006"]


def test_next_not_done_follows_the_order_and_wraps(project: Store) -> None:
    alice = project.coder("alice")
    queue = UnitQueue(project, alice.id)
    queue.set_order(units(project, "R004", "R001", "R003"))
    project.mark_done(unit_of(project, "R001"), alice.id)
    assert queue.next_not_done(None) == unit_of(project, "R004")
    assert queue.next_not_done(unit_of(project, "R004")) == unit_of(project, "R003")
    assert queue.next_not_done(unit_of(project, "R006")) == unit_of(project, "R004")  # wraps


def test_filters_apply_within_the_order(project: Store) -> None:
    alice = project.coder("alice")
    project.mark_done(unit_of(project, "R005"), alice.id)
    queue = UnitQueue(project, alice.id, queue_filter=QueueFilter(status=Status.NOT_DONE))
    queue.set_order(units(project, "R005", "R006", "R002"))
    assert ids(queue.page(0, 10)) == ["R006", "R002", "R001", "R003", "R004"]
    assert queue.count() == 5
    queue.set_filter(QueueFilter(field="study", value="Smith2019"))
    assert ids(queue.page(0, 10)) == ["R006", "R002", "R004"] and queue.count() == 3
    assert not queue.contains(unit_of(project, "R001"))


def test_paging_matches_a_python_sort_on_a_larger_queue(project: Store) -> None:
    project.import_sources([SourceRecord(external_id=f"X{i:04d}", text=f"answer {i}")
                            for i in range(300)])
    alice = project.coder("alice")
    everything = [row.unit_id for row in UnitQueue(project, alice.id).page(0, 1000)]
    rng = random.Random(7)
    order = rng.sample(everything, 120)
    expected = order + [u for u in everything if u not in set(order)]
    queue = UnitQueue(project, alice.id)
    queue.set_order(order + order[:5])  # duplicates keep their first place
    walked, rows = [], queue.page(0, 50)
    while rows:
        walked += [row.unit_id for row in rows]
        rows = queue.page_after(rows[-1].unit_id, 50, position=rows[-1].position)
    assert walked == expected
    for unit_id in rng.sample(everything, 20):
        assert queue.position_of(unit_id) == expected.index(unit_id)
