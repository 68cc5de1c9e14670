"""The adjudication screen driven by Pilot, as an adjudicator would; assertions are on the store.

The project is disputed_project.py's: R001 and R002 disputed, R003 and R004 agreed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from helpers.disputed_project import build_disputed
from helpers.pilot import run_headless
from helpers.tui_project import code_id
from qualcode.analysis.agreement_report import agreement_report
from qualcode.model import Layer
from qualcode.storage import Store
from qualcode.tui.adjudication_app import AdjudicationApp, make_adjudication_app
from qualcode.tui.dialogs.consensus_report import ConsensusReport

Scenario = Callable[[Pilot, AdjudicationApp], Awaitable[None]]


@pytest.fixture
def disputed(tmp_path: Path) -> Iterator[Store]:
    """The project of disputed_project.py."""
    store = build_disputed(tmp_path / "study.qualcode")
    yield store
    store.close()


def drive(store: Store, scenario: Scenario, size: tuple[int, int] = (100, 30)) -> AdjudicationApp:
    """Run the adjudication app headless as carol and return it."""
    return run_headless(make_adjudication_app(store, "carol", "alice", "bob"), scenario, size)


def consensus(store: Store) -> dict[str, set[str]]:
    """{source external id: consensus code names}."""
    result: dict[str, set[str]] = {}
    for coding in store.codings(layer=Layer.CONSENSUS):
        result.setdefault(store.source(coding.source_id).external_id, set()).add(
            store.code(coding.code_id).name)
    return result


def own_codings(store: Store) -> list[tuple[int, int, int, int, int]]:
    return [(c.id, c.coder_id, c.source_id, c.code_id, c.end)
            for c in store.codings(layer=Layer.CODER)]


def consensus_done(store: Store) -> set[str]:
    carol = store.coder("carol")
    return {store.source(store.unit(r.unit_id).source_id).external_id
            for r in store.reviews(coder_id=carol.id, layer=Layer.CONSENSUS)}


@pytest.mark.parametrize(("keys", "r001", "r002"), [
    (["a", "a"], {"Fear"}, {"Workload"}),
    (["b", "b"], {"Fear", "Relief"}, {"Support"}),
    (["o", "o"], {"Fear", "Relief"}, {"Workload", "Support"}),
    (["n", "n"], {"Fear"}, set()),
])
def test_each_choice_writes_the_consensus_and_keeps_the_originals(
        disputed: Store, keys: list[str], r001: set[str], r002: set[str]) -> None:
    before = own_codings(disputed)
    events = len(disputed.events())

    async def scenario(pilot: Pilot, app: AdjudicationApp) -> None:
        for key in keys:
            await pilot.press(key)
        await pilot.press("escape")  # close the report shown when all units are settled

    drive(disputed, scenario)
    expected = {"R001": r001, "R002": r002}
    assert {k: v for k, v in consensus(disputed).items()} == {k: v for k, v in
                                                             expected.items() if v}
    assert own_codings(disputed) == before
    new = disputed.events()[events:]
    assert [e.action for e in new] == ["consensus.settle", "consensus.settle"]
    assert {e.coder_id for e in new} == {disputed.coder("carol").id}
    assert consensus_done(disputed) == {"R001", "R002"}


def test_edit_picks_codes_with_the_picker(disputed: Store) -> None:
    async def scenario(pilot: Pilot, app: AdjudicationApp) -> None:
        await pilot.press("s")  # R001 -> R002 (the next unsettled unit)
        await pilot.press("e")
        await pilot.pause()
        picker = app.screen.query_one("#picker")
        picker.select(code_id(disputed, "Insight"))  # used by neither coder
        picker.select(code_id(disputed, "Workload"))
        await pilot.press("enter")

    drive(disputed, scenario)
    assert consensus(disputed) == {"R002": {"Insight", "Workload"}}
    r2 = disputed.source_by_external_id("R002")
    [insight] = [c for c in disputed.codings(layer=Layer.CONSENSUS)
                 if c.code_id == code_id(disputed, "Insight")]
    assert (insight.start, insight.end) == (0, len(r2.text))  # nobody's span: the whole unit


def test_undo_and_redo_take_back_a_decision(disputed: Store) -> None:
    async def scenario(pilot: Pilot, app: AdjudicationApp) -> None:
        await pilot.press("b", "u")
        assert app.session.index == 0 or app.session.current.key == "R002"
        await pilot.press("u")  # nothing left to undo: harmless

    drive(disputed, scenario)
    assert consensus(disputed) == {}
    assert consensus_done(disputed) == set()

    async def again(pilot: Pilot, app: AdjudicationApp) -> None:
        await pilot.press("a", "u", "r")

    drive(disputed, again)
    assert consensus(disputed) == {"R001": {"Fear"}}
    assert consensus_done(disputed) == {"R001"}


def test_copy_agreed_and_the_report_of_agreement_with_consensus(disputed: Store) -> None:
    shown: list[ConsensusReport] = []

    async def scenario(pilot: Pilot, app: AdjudicationApp) -> None:
        await pilot.press("g")  # R003 (Support) and R004 (nothing) are agreed
        await pilot.press("a")
        await pilot.press("b")  # the last unit: the report opens by itself
        await pilot.pause()
        assert isinstance(app.screen, ConsensusReport)
        shown.append(app.screen)
        await pilot.press("escape")

    drive(disputed, scenario)
    assert consensus(disputed) == {"R001": {"Fear"}, "R002": {"Support"}, "R003": {"Support"}}
    assert consensus_done(disputed) == {"R001", "R002", "R003", "R004"}
    # alice's consensus: R001 taken from alice, R002 from bob. By hand on 4 units: alice
    # differs from the consensus on R002 only (Workload and Support), bob on R001 (Relief).
    alice = agreement_report(disputed, ["alice", "consensus"], level="code")
    assert alice.n_units == 4
    rows = {r.path.split("/")[-1]: r for r in alice.rows}
    assert rows["Workload"].percent_agreement == pytest.approx(3 / 4)
    assert rows["Fear"].percent_agreement == 1.0
    body = shown[0].body
    from rich.console import Console
    console = Console(width=100, record=True)
    console.print(body)
    text = console.export_text()
    assert "alice vs consensus: 4 units counted" in text
    assert "bob vs consensus: 4 units counted" in text


def test_progress_is_shown_and_settled_units_are_skipped_on_restart(disputed: Store) -> None:
    async def first(pilot: Pilot, app: AdjudicationApp) -> None:
        await pilot.press("a")

    drive(disputed, first)
    statuses: list[str] = []

    async def second(pilot: Pilot, app: AdjudicationApp) -> None:
        statuses.append(str(app.screen.query_one("#adj-status").render()))
        assert app.session.current.key == "R002"

    drive(disputed, second)
    assert "1 of 2 units settled" in statuses[0]


@pytest.mark.parametrize("request_args", [
    {"coder_b": "zed"},                      # a mistyped coder
    {"group_by": "no_such_field"},           # an unknown metadata field
])
def test_a_refused_request_adds_no_adjudicator(disputed: Store, request_args: dict) -> None:
    """A mistake in the command is one error and leaves the project's coders as they were."""
    from qualcode.errors import QualcodeError

    before = [c.name for c in disputed.coders()]
    args = {"coder_a": "alice", "coder_b": "bob", **request_args}
    with pytest.raises(QualcodeError):
        make_adjudication_app(disputed, "erin", args.pop("coder_a"), args.pop("coder_b"),
                              **args)
    assert [c.name for c in disputed.coders()] == before
