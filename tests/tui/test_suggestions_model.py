"""The coding screen with the real suggester: fitted in the background, shown with reasons."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from helpers.tui_project import code_id
from qualcode.storage import Store
from qualcode.storage.suggestion_log import logged
from qualcode.tui.app import make_app
from qualcode.tui.widgets.suggestion_pane import SuggestionPane


async def settle(pilot: Pilot) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_cold_start_model_is_fitted_in_the_background_and_explains_itself(
        project: Store) -> None:
    app = make_app(project, "alice", suggest="on", learn=True)
    seen: list[str] = []

    async def run() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            seen.append(str(app.screen.query_one(SuggestionPane).content))
            await pilot.press("alt+1")
            await settle(pilot)

    asyncio.run(run())
    # R001 is about being afraid of presenting; Fear's definition and example say so.
    first, because = seen[0].splitlines()[:2]
    assert "Fear" in first
    text = project.source_by_external_id("R001").text.lower()
    score, _, listed = because.strip().partition(" ")
    assert 0 < float(score) <= 1
    terms = [t.strip() for t in listed.split(",") if t.strip()]
    assert terms and all(term in text for term in terms)
    rows = logged(project)
    assert rows[0].code_id == code_id(project, "Fear") and rows[0].model.startswith(
        "CodeSuggester")
    assert rows[0].accepted_at is not None


def test_fitter_can_learn_from_the_consensus_layer(project: Store) -> None:
    """`qualcode code --learn-from consensus`: the model learns from adjudicated units only."""
    from helpers.tui_project import unit_of
    from qualcode.model import Layer, UnitKind
    from qualcode.storage.suggester_models import stored_model
    from qualcode.tui.suggesting import default_fitter

    carol, dana = project.coder("carol"), project.coder("dana")
    for external_id, code in (("R002", "Workload"), ("R003", "Support"), ("R001", "Fear")):
        source = project.source_by_external_id(external_id)
        project.add_coding(carol.id, source.id, code_id(project, code), layer=Layer.CONSENSUS)
        project.mark_done(unit_of(project, external_id), carol.id, layer=Layer.CONSENSUS)
    # dana's own layer: one unit done, nothing coded; a coder-layer model would see 1 unit.
    project.mark_done(unit_of(project, "R004"), dana.id)

    suggester = default_fitter(dana, UnitKind.SOURCE, layer=Layer.CONSENSUS)(project)

    kept = stored_model(project, layer=Layer.CONSENSUS, coder_id=None, pipeline="blank:en")
    assert kept is not None and kept.units == 3
    assert stored_model(project, layer=Layer.CODER, coder_id=dana.id, pipeline="blank:en") is None
    assert suggester.origin == "fitted"
    # Learnt from the consensus: the top suggestion for a Workload-like text is Workload.
    top = suggester.suggest("Too much workload and time pressure this month.", top=1)
    assert [s.code_id for s in top] == [code_id(project, "Workload")]
