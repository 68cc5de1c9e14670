"""Drive the coding screen headless through a scenario, as a coder would (Textual's Pilot)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from qualcode.storage import Store
from qualcode.tui.app import CodingApp, make_app

Scenario = Callable[[Pilot, CodingApp], Awaitable[None]]
"""Keys pressed and checks made while the app runs."""


def drive(store: Store, scenario: Scenario, *, coder: str = "alice", reveal: bool = False,
          size: tuple[int, int] = (100, 30)) -> CodingApp:
    """Run the coding screen on ``store`` through ``scenario`` and return the app."""
    app = make_app(store, coder, reveal=reveal)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot, app)
            await pilot.pause()

    asyncio.run(run())
    return app
