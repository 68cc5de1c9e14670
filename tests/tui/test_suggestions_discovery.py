"""Candidate themes in the coding screen (ctrl+e): a candidate becomes a new, undoable code."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from qualcode.storage import Store
from qualcode.tui.app import make_app
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.discovery import DiscoveryScreen


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_a_candidate_theme_becomes_a_code_through_the_add_code_path(project: Store) -> None:
    app = make_app(project, "alice")
    seen: dict[str, object] = {}

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+e")
            await settle(pilot)
            screen = app.screen
            seen["screen"] = type(screen)
            options = screen.query_one(OptionList)
            seen["candidates"] = options.option_count
            await pilot.press("enter")  # pick the highlighted candidate: the name box
            await pilot.pause()
            name = screen.query_one("#candidate-name", Input)
            seen["focused"] = app.focused is name
            seen["proposed"] = name.value
            name.value = "Presenting fears"
            await pilot.press("enter")
            await settle(pilot)
            seen["back"] = type(app.screen)
            seen["after_add"] = [c.name for c in project.codebook()]
            await pilot.press("u")
            await settle(pilot)

    asyncio.run(run())
    assert seen["screen"] is DiscoveryScreen and seen["back"] is CodingScreen
    assert isinstance(seen["candidates"], int) and seen["candidates"] >= 2
    assert seen["focused"] and seen["proposed"]
    assert "Presenting fears" in seen["after_add"]  # type: ignore[operator]
    assert "Presenting fears" not in [c.name for c in project.codebook()]  # u undid it
    alice = project.coder("alice")
    added = [e for e in project.events(coder_id=alice.id) if e.action == "code.add"]
    assert len(added) == 1 and added[0].payload  # one logged event of alice's


def test_the_new_code_carries_the_candidates_terms_and_examples(project: Store) -> None:
    app = make_app(project, "alice")

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+e")
            await settle(pilot)
            await pilot.press("down", "enter")  # the second candidate
            await pilot.pause()
            await pilot.press("enter")  # keep the proposed name
            await settle(pilot)

    asyncio.run(run())
    new = [c for c in project.codebook() if c.description.startswith("Candidate theme")]
    assert len(new) == 1
    code = new[0]
    assert code.description.startswith("Candidate theme 2 from `qualcode discover`")
    assert 1 <= len(code.examples) <= 2
    texts = [s.text for s in project.iter_sources()]
    assert all(any(" ".join(t.split())[:60] in " ".join(x.split()) for x in texts)
               for t in code.examples)
