"""The adjudication session lists exactly the disagreements the agreement report counts.

Both read through the column path (qualcode.analysis.agreement_report): for every code
or theme, the units the session shows as disputed are the units where one coder applied
it and the other did not (a_count + b_count - 2 * both_count of the report's row), and
the units it counts (to copy the agreed ones) are the report's ``n_units``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from helpers.disputed_project import build_disputed
from helpers.tui_project import build_project
from qualcode.analysis.agreement_report import agreement_report
from qualcode.model import UnitKind
from qualcode.storage import Store
from qualcode.tui.adjudication_session import AdjudicationSession

SEED = 913


def _random_project(path: Path, seed: int) -> Store:
    """The test project with alice and bob coding and finishing at random (seed printed)."""
    print(f"seed {seed}")
    rng = random.Random(seed)
    store = build_project(path)
    book = store.codebook()
    codable = [c for c in book if c.codable]
    for name in ("alice", "bob"):
        coder = store.coder(name)
        for source in store.iter_sources():
            for code in rng.sample(codable, rng.randint(0, 3)):
                start = rng.randrange(max(len(source.text) - 1, 1))
                store.add_coding(coder.id, source.id, code.id, start,
                                 min(len(source.text), start + rng.randint(1, 30)))
            if rng.random() < 0.8:
                store.mark_done(store.whole_unit(source.id).id, coder.id)
    return store


def _assert_same(store: Store, level: str, unit: UnitKind) -> None:
    session = AdjudicationSession(store, "judge", "alice", "bob", level=level, unit=unit)
    report = agreement_report(store, ["alice", "bob"], level=level, unit=unit)
    listed: dict[int, int] = {}
    for disputed in session.units:
        for item in disputed.items:
            listed[item.code_id] = listed.get(item.code_id, 0) + 1
    expected = {row.code_id: row.a_count + row.b_count - 2 * row.both_count
                for row in report.rows}
    assert listed == {code: n for code, n in expected.items() if n}
    assert len(session.counted_units()) == report.n_units


@pytest.mark.parametrize("level", ["code", "theme"])
def test_disputed_project_lists_the_reports_disagreements(tmp_path: Path, level: str) -> None:
    store = build_disputed(tmp_path / "study.qualcode")
    try:
        _assert_same(store, level, UnitKind.SOURCE)
    finally:
        store.close()


@pytest.mark.parametrize("seed", [SEED, SEED + 1, SEED + 2])
@pytest.mark.parametrize("unit", [UnitKind.SOURCE, UnitKind.SENTENCE])
def test_random_projects_list_the_reports_disagreements(tmp_path: Path, seed: int,
                                                        unit: UnitKind) -> None:
    store = _random_project(tmp_path / "study.qualcode", seed)
    try:
        _assert_same(store, "code", unit)
    finally:
        store.close()
