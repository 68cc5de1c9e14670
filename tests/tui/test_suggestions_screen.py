"""Suggestions in the coding screen, driven by Pilot: pane, accept keys, modes, log, order.

A small fake suggester stands in for the real model so what the pane must show is known
independently of any fitting; the real model is wired in test_suggestions_model.py.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from helpers.tui_project import code_id, unit_of
from qualcode.model import Layer, Suggestion
from qualcode.storage import Store
from qualcode.storage.suggestion_log import logged
from qualcode.tui.app import CodingApp, make_app
from qualcode.tui.widgets.queue_list import QueueList
from qualcode.tui.widgets.suggestion_pane import SuggestionPane

Scenario = Callable[[Pilot, CodingApp], Awaitable[None]]


class FakeSuggester:
    """Fear for texts mentioning fear words, Workload for time words, else Support."""

    def __init__(self, store: Store, *, sure: dict[str, float] | None = None) -> None:
        self.fear = code_id(store, "Fear")
        self.support = code_id(store, "Support")
        self.workload = code_id(store, "Workload")
        self.sure = sure or {}
        self.threads: list[str] = []

    def suggest(self, source_text: str, top: int) -> list[Suggestion]:
        self.threads.append(threading.current_thread().name)
        if "afraid" in source_text:
            items = [Suggestion(self.fear, 0.91, ("afraid", "presenting")),
                     Suggestion(self.support, 0.40, ("group",)),
                     Suggestion(self.workload, 0.05, ())]
        elif "Time" in source_text:
            items = [Suggestion(self.workload, 0.77, ("time pressure",))]
        else:
            items = [Suggestion(self.support, 0.30, ("leader",))]
        return items[:top]

    def uncertainty(self, texts: list[str]) -> list[float]:
        return [self.sure.get(text.split()[0], 0.0) for text in texts]


async def settle(pilot: Pilot) -> None:
    """Let thread workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def drive(store: Store, scenario: Scenario, *, size: tuple[int, int] = (100, 30),
          **options: Any) -> CodingApp:
    app = make_app(store, "alice", **options)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot, app)
            await settle(pilot)

    asyncio.run(run())
    return app


def pane_text(app: CodingApp) -> str:
    return str(app.screen.query_one(SuggestionPane).content)


def alice_codings(store: Store) -> list[tuple[str, str, int, int]]:
    alice = store.coder("alice")
    return [(store.source(c.source_id).external_id, store.code(c.code_id).name, c.start, c.end)
            for c in store.codings(coder_id=alice.id, layer=Layer.CODER)]


def test_pane_shows_ranked_suggestions_with_scores_and_terms_off_the_main_thread(
        project: Store) -> None:
    suggester = FakeSuggester(project)
    seen: list[str] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        seen.append(pane_text(app))

    drive(project, scenario, suggester=suggester)
    lines = seen[0].splitlines()
    assert lines[0].startswith("1 [f] Fear") and "0.91 afraid, presenting" in lines[1]
    assert lines[2].startswith("2 [s] Support") and "0.40 group" in lines[3]
    assert lines[4].startswith("3 [w] Workload") and "0.05 (no telling terms)" in lines[5]
    assert suggester.threads and threading.main_thread().name not in suggester.threads
    rows = logged(project)
    assert [(r.rank, r.code_id, r.score, r.mode, r.unit_done) for r in rows] == [
        (1, suggester.fear, 0.91, "on", False), (2, suggester.support, 0.40, "on", False),
        (3, suggester.workload, 0.05, "on", False)]
    assert {r.unit_id for r in rows} == {unit_of(project, "R001")}


def test_accept_key_codes_the_whole_unit_logs_it_and_undo_takes_it_back(
        project: Store) -> None:
    suggester = FakeSuggester(project)
    states: list[list[tuple[str, str, int, int]]] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+2")
        await settle(pilot)
        states.append(alice_codings(project))
        await pilot.press("alt+2")  # accepting again never removes
        await settle(pilot)
        states.append(alice_codings(project))
        await pilot.press("u")
        await settle(pilot)

    drive(project, scenario, suggester=suggester)
    whole = len(project.source_by_external_id("R001").text)
    assert states == [[("R001", "Support", 0, whole)]] * 2
    assert alice_codings(project) == []
    accepted = [r for r in logged(project) if r.accepted_at is not None]
    assert [(r.rank, r.code_id) for r in accepted] == [(2, suggester.support)]
    assert accepted[0].coding_id is not None  # the coding made, now undone; the log stays


def test_accept_key_codes_the_selection(project: Store) -> None:
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("alt+down", "alt+1")  # first sentence, then suggestion 1

    drive(project, scenario, suggester=FakeSuggester(project))
    first = "I was afraid of presenting my case."
    assert alice_codings(project) == [("R001", "Fear", 0, len(first))]


def test_after_mode_hides_until_done_then_d_stays_so_the_coder_can_accept(
        project: Store) -> None:
    suggester = FakeSuggester(project)
    seen: list[str] = []
    opened: list[int | None] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        seen.append(pane_text(app))
        await pilot.press("alt+1")  # hidden: nothing to accept
        await settle(pilot)
        seen.append(str(alice_codings(project)))
        await pilot.press("d")
        await settle(pilot)
        seen.append(pane_text(app))
        opened.append(app.session.view.unit.id if app.session.view else None)
        await pilot.press("alt+1")  # accepting after done is allowed
        await settle(pilot)
        await pilot.press("d")  # d again moves on
        await settle(pilot)
        opened.append(app.session.view.unit.id if app.session.view else None)
        seen.append(pane_text(app))

    drive(project, scenario, suggester=suggester, suggest="after")
    assert "hidden until you mark" in seen[0]
    assert seen[1] == "[]"
    assert "Fear" in seen[2] and "afraid" in seen[2]
    assert opened == [unit_of(project, "R001"), unit_of(project, "R002")]
    assert "hidden until you mark" in seen[3]  # R002 is not done yet
    rows = logged(project)
    assert {r.unit_id for r in rows} == {unit_of(project, "R001")}
    assert all(r.mode == "after" and r.unit_done for r in rows)
    assert [r.code_id for r in rows if r.accepted_at] == [suggester.fear]
    assert [c[1] for c in alice_codings(project)] == ["Fear"]


def test_off_mode_has_no_pane_logs_nothing_and_never_asks_the_suggester(
        project: Store) -> None:
    suggester = FakeSuggester(project)
    panes: list[int] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        panes.append(len(app.screen.query(SuggestionPane)))
        await pilot.press("alt+1")

    drive(project, scenario, suggester=suggester, suggest="off")
    assert panes == [0] and suggester.threads == []
    assert logged(project) == [] and alice_codings(project) == []


def test_uncertain_order_puts_the_least_sure_units_first_and_ctrl_o_switches_back(
        project: Store) -> None:
    # Uncertainty keyed by each text's first word (R003 "The", R005 "We", R002 "Time").
    suggester = FakeSuggester(project, sure={"The": 0.9, "We": 0.7, "Time": 0.5})
    project.mark_done(unit_of(project, "R003"), project.coder("alice").id)  # done: last
    orders: list[list[str]] = []
    opened: list[str] = []

    def queue_ids(app: CodingApp) -> list[str]:
        return [row.external_id for row in app.session.queue.page(0, 10)]

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        orders.append(queue_ids(app))
        opened.append(app.session.view.source.external_id if app.session.view else "")
        title = app.screen.query_one("#queue-pane").border_title
        opened.append(str(title))
        await pilot.press("ctrl+o")
        await settle(pilot)
        orders.append(queue_ids(app))
        await pilot.press("ctrl+o")
        await settle(pilot)
        orders.append(queue_ids(app))

    drive(project, scenario, suggester=suggester, order="uncertain")
    assert orders[0] == ["R005", "R002", "R001", "R004", "R006", "R003"]
    assert opened == ["R005", "Units · most uncertain"]
    assert orders[1] == ["R001", "R002", "R003", "R004", "R005", "R006"]
    assert orders[2] == orders[0]


def test_search_dialog_offers_the_uncertainty_order(project: Store) -> None:
    suggester = FakeSuggester(project, sure={"Nothing": 0.99})
    orders: list[list[str]] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("slash")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#order").value = "uncertain"
        await pilot.pause()
        dialog.action_apply()
        await settle(pilot)
        orders.append([row.external_id for row in app.session.queue.page(0, 2)])
        orders.append([row.external_id
                       for row in app.screen.query_one(QueueList).queue.page(0, 1)])

    drive(project, scenario, suggester=suggester)
    assert orders == [["R004", "R001"], ["R004"]]


def test_refits_run_on_a_worker_after_changes_and_replace_the_model(
        project: Store, monkeypatch: Any) -> None:
    from qualcode.tui.screens import coding_suggestions

    monkeypatch.setattr(coding_suggestions, "REFIT_DELAY", 0.05)
    fits: list[tuple[str, int]] = []

    def fitter(store: Store) -> FakeSuggester:
        # Runs with its own connection: it sees what the coder committed.
        done = store.done_count(store.coder("alice").id)
        fits.append((threading.current_thread().name, done))
        return FakeSuggester(store)

    models: list[object] = []

    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        models.append(app.session.suggester)
        await pilot.press("f", "d")
        await pilot.pause(0.3)
        await settle(pilot)
        models.append(app.session.suggester)

    drive(project, scenario, learn=fitter)
    # The first fit at start-up; the last one (debounced, maybe after f alone too) sees d.
    assert fits[0][1] == 0 and fits[-1][1] == 1
    assert all(name != threading.main_thread().name for name, _ in fits)
    assert models[0] is not None and models[1] is not models[0]


def test_escape_digit_as_most_terminals_send_alt_digit_also_accepts(project: Store) -> None:
    # ESC 3 reaches Textual as "£" (what macOS types for Option+3): still suggestion 3.
    async def scenario(pilot: Pilot, app: CodingApp) -> None:
        await pilot.press("pound_sign")

    drive(project, scenario, suggester=FakeSuggester(project))
    assert [c[1] for c in alice_codings(project)] == ["Workload"]
