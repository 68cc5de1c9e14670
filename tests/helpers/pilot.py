"""Drive the coding screen headless through a scenario, as a coder would (Textual's Pilot)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.app import App
from textual.pilot import Pilot

from qualcode.storage import Store
from qualcode.tui.app import CodingApp, make_app

Scenario = Callable[[Pilot, CodingApp], Awaitable[None]]
"""Keys pressed and checks made while the app runs."""

AppT = TypeVar("AppT", bound=App)


def run_headless(app: AppT, scenario: Callable[[Pilot, AppT], Awaitable[None]],
                 size: tuple[int, int] = (100, 30)) -> AppT:
    """Run ``app`` headless through ``scenario`` (settled before and after) and return it."""

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot, app)
            await pilot.pause()

    asyncio.run(run())
    return app


def drive(store: Store, scenario: Scenario, *, coder: str = "alice", reveal: bool = False,
          size: tuple[int, int] = (100, 30)) -> CodingApp:
    """Run the coding screen on ``store`` through ``scenario`` and return the app."""
    return run_headless(make_app(store, coder, reveal=reveal), scenario, size)
