"""The coding screen with the real suggester: fitted in the background, shown with reasons."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from tui_project import code_id

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
