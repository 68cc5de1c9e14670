"""The coding screen's suggestion side: the pane, accept keys, refits, uncertainty order.

A mixin of :class:`~qualcode.tui.screens.coding.CodingScreen`, kept apart so the screen
module stays about coding. Model work (suggesting, fitting, ranking by uncertainty) runs
on Textual thread workers; only their results come back to the main thread, so no key
press ever waits for the model.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.timer import Timer

from qualcode.errors import QualcodeError
from qualcode.model import Code, Suggestion
from qualcode.storage.queue import Order
from qualcode.tui.screens.discovery import DiscoveryScreen
from qualcode.tui.suggesting import SuggestMode
from qualcode.tui.widgets.coded_text import CodedText
from qualcode.tui.widgets.queue_list import QueueList
from qualcode.tui.widgets.suggestion_pane import SuggestionPane

if TYPE_CHECKING:
    from qualcode.model import Event
    from qualcode.storage.queue import QueueFilter
    from qualcode.tui.session import CodingSession
    from qualcode.tui.suggester import Suggester

REFIT_DELAY = 2.0
"""Seconds without a change before the model is refitted (a burst of keys refits once)."""


class SuggestionsMixin:
    """Suggestion pane, accept keys, background refits and the uncertainty order."""

    session: CodingSession
    _refit_timer: Timer | None = None
    _fitting = False
    _refit_again = False
    _order_opens_first = False
    _pane_visible: bool | None = None

    # Provided by CodingScreen / Screen.
    query_one: Any
    app: Any
    set_timer: Any
    notify: Any

    def _say(self, message: str) -> None:  # pragma: no cover - CodingScreen overrides
        raise NotImplementedError

    if TYPE_CHECKING:  # CodingScreen's own methods, which this mixin calls back.
        def open_unit(self, unit_id: int) -> None: ...
        def apply_filter(self, queue_filter: QueueFilter) -> None: ...
        def _redraw(self, *, new_unit: bool = False) -> None: ...
        def _after_change(self, unit_id: int, count_before: int, message: str) -> None: ...
        def _codebook_changed(self, event: Event | None = None) -> None: ...

    # -- start -------------------------------------------------------------------------
    def _needs_model(self) -> bool:
        state = self.session.suggesting
        return state.enabled or self.session.queue.filter.order is Order.UNCERTAIN

    def start_suggestions(self) -> None:
        """Fit (or load) the model in the background if the session asks for one."""
        state = self.session.suggesting
        if state.enabled:
            self.query_one("#suggestions").border_subtitle = "alt+1…3 accept"
        self._order_title()
        wants_order = self.session.queue.filter.order is Order.UNCERTAIN
        self._order_opens_first = wants_order
        if state.suggester is None and state.can_fit and self._needs_model():
            self._begin_fit()
        elif wants_order and state.suggester is not None:
            self._compute_order(state.suggester)

    # -- the pane ----------------------------------------------------------------------
    def refresh_suggestions(self) -> None:
        """Show suggestions for the unit in view, or say why there are none."""
        state = self.session.suggesting
        if not state.enabled:
            return
        pane = self.query_one(SuggestionPane)
        view = self.session.view
        state.hide()
        self._pane_visible = state.visible(view)
        if view is None:
            pane.message("")
        elif state.suggester is None:
            pane.message("fitting the model…" if self._fitting else "no model")
        elif not state.visible(view):
            pane.message("hidden until you mark\nthis unit done (d)")
        else:
            pane.message("…")
            self._suggest(view.unit.id, view.text, state.suggester)

    def follow_done(self) -> None:
        """In ``after`` mode, show or hide the suggestions when the done mark changes."""
        state = self.session.suggesting
        if state.mode is SuggestMode.AFTER and \
                state.visible(self.session.view) != self._pane_visible:
            self.refresh_suggestions()

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest(self, unit_id: int, text: str, suggester: Suggester) -> None:
        """Rank codes off the main thread (a long text may take a while)."""
        try:
            items = self.session.suggesting.compute(suggester, text)
        except Exception as error:  # noqa: BLE001 - a model failure must not end the session
            self.app.call_from_thread(self._say, f"suggestions failed: {self._worded(error)}")
            return
        self.app.call_from_thread(self._show_suggestions, unit_id, items)

    def _show_suggestions(self, unit_id: int, items: list[Suggestion]) -> None:
        view = self.session.view
        state = self.session.suggesting
        if view is None or view.unit.id != unit_id or not state.visible(view):
            return  # the coder has moved on: what was computed was never shown
        if not self.query_one(SuggestionPane).display:
            return  # hidden with ctrl+s: not shown, so neither logged nor acceptable
        self.query_one(SuggestionPane).show(items, self.session.codebook,
                                            getattr(self, "colours", {}))
        state.record_shown(view, items)

    def action_accept_suggestion_1(self) -> None:
        """Accept the top suggestion."""
        self.action_accept_suggestion(1)

    def action_accept_suggestion_2(self) -> None:
        """Accept the second suggestion."""
        self.action_accept_suggestion(2)

    def action_accept_suggestion_3(self) -> None:
        """Accept the third suggestion."""
        self.action_accept_suggestion(3)

    def action_accept_suggestion(self, rank: int) -> None:
        """Apply suggestion ``rank`` to the selection or the whole unit, and log it."""
        view = self.session.view
        if view is None:
            return
        if not self.session.suggesting.enabled:
            self._say("suggestions are off (qualcode code --suggest on)")
            return
        if not self.query_one(SuggestionPane).display:
            self._say("suggestions are hidden (ctrl+s shows them)")
            return
        selection = self.query_one(CodedText).selection
        before = self.session.queue.count()
        span = (None, None) if selection is None else (selection.start, selection.end)
        try:
            item, message = self.session.accept(rank, *span)
        except QualcodeError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if item is None:
            self._say(message)
            return
        self._after_change(view.unit.id, before, message)

    # -- refits ------------------------------------------------------------------------
    def codings_changed(self) -> None:
        """Refit once the coder pauses (called after every change they make)."""
        if not self.session.suggesting.can_fit or not self._needs_model():
            return
        if self._refit_timer is not None:
            self._refit_timer.stop()
        self._refit_timer = self.set_timer(REFIT_DELAY, self._refit_due)

    def _refit_due(self) -> None:
        self._refit_timer = None
        if self._fitting:
            self._refit_again = True
            return
        if self.session.suggesting.stale:
            self._begin_fit()

    def _begin_fit(self) -> None:
        self._fitting = True
        self._fit(self.session.suggesting.changes,
                  self.session.queue.filter.order is Order.UNCERTAIN)

    @work(thread=True, group="refit")
    def _fit(self, mark: int, order: bool) -> None:
        """Fit or load the model (and rank units by uncertainty) on a worker thread."""
        state = self.session.suggesting
        try:
            suggester = state.fit()
            ranked = state.uncertain_order(suggester) if order else None
        except Exception as error:  # noqa: BLE001 - shown to the coder, session goes on
            self.app.call_from_thread(self._fit_failed, self._worded(error))
            return
        self.app.call_from_thread(self._fitted, suggester, mark, ranked)

    def _worded(self, error: BaseException) -> str:
        """One line for a worker's failure: a database, disk or server failure says what
        to do (a dropped server session: the next action reconnects), anything else as is."""
        from qualcode.storage.failures import failure_line

        said = failure_line(error, self.session.store.path)
        return " ".join(str(said if said is not None else error).split())

    def _fit_failed(self, message: str) -> None:
        self._fitting = False
        self.notify(f"Suggestion model: {message}", severity="error", timeout=8, markup=False)
        self.refresh_suggestions()

    def _fitted(self, suggester: Suggester, mark: int, ranked: list[int] | None) -> None:
        state = self.session.suggesting
        self._fitting = False
        first = state.suggester is None
        state.suggester = suggester
        state.fitted_at_change = mark
        note = getattr(suggester, "note", None)
        if note:  # a stored model was refused and refitted: say so once
            self.notify(f"Suggestion model: {note}", severity="warning", timeout=8,
                        markup=False)
        if ranked is not None:
            self._apply_order(ranked)
        elif self.session.queue.filter.order is Order.UNCERTAIN:
            self._compute_order(suggester)
        view = self.session.view
        # A done unit is now training data: re-ranking it would show the model its own
        # answer, so its pane keeps what the coder saw.
        if first or (view is not None and not view.done):
            self.refresh_suggestions()
        if self._refit_again or state.stale:
            self._refit_again = False
            self.codings_changed()

    # -- uncertainty order -------------------------------------------------------------
    def action_toggle_order(self) -> None:
        """Switch the queue between queue order and most uncertain first."""
        current = self.session.queue.filter
        wanted = Order.QUEUE if current.order is Order.UNCERTAIN else Order.UNCERTAIN
        self.apply_filter(replace(current, order=wanted))

    def order_requested(self) -> None:
        """The filter asks for the uncertainty order: compute it (or fit first)."""
        state = self.session.suggesting
        if state.suggester is not None:
            self._say("ordering the queue by uncertainty…")
            self._compute_order(state.suggester)
        elif state.can_fit:
            if not self._fitting:
                self._begin_fit()
            self._say("fitting the suggestion model to order the queue…")
        else:
            self._say("no suggester: the queue stays in queue order")

    @work(thread=True, exclusive=True, group="order")
    def _compute_order(self, suggester: Suggester) -> None:
        try:
            ranked = self.session.suggesting.uncertain_order(suggester)
        except Exception as error:  # noqa: BLE001
            self.app.call_from_thread(self._say,
                                      f"cannot order by uncertainty: {self._worded(error)}")
            return
        self.app.call_from_thread(self._apply_order, ranked)

    def _apply_order(self, ranked: list[int]) -> None:
        if self.session.queue.filter.order is not Order.UNCERTAIN:
            return  # the coder switched back meanwhile
        self.session.set_order(ranked)
        queue = self.query_one(QueueList)
        queue.reload()
        self._order_title()
        view = self.session.view
        if self._order_opens_first and self.session.suggesting.changes == 0:
            # Started with --order uncertain and nothing done yet: begin at the top.
            first = self.session.queue.next_not_done(None)
            if first is not None and (view is None or first != view.unit.id):
                self.open_unit(first)
        elif view is not None:
            queue.show_unit(view.unit.id)
        self._order_opens_first = False
        self._redraw()
        self._say(f"queue: {len(ranked)} units not done, most uncertain first")

    def _order_title(self) -> None:
        queue = self.session.queue
        title = "Units"
        if queue.filter.order is Order.UNCERTAIN:
            title = "Units · most uncertain" if queue.ordered else "Units · ordering…"
        self.query_one("#queue-pane").border_title = title

    # -- discovery ---------------------------------------------------------------------
    def action_discover(self) -> None:
        """Show candidate themes among the uncoded units; one can become a new code."""
        def added(code: Code | None) -> None:
            if code is not None:
                self._codebook_changed()
                self._say(f"saved: new code {code.name} (u undoes it)")
                self.codings_changed()

        self.app.push_screen(DiscoveryScreen(self.session), added)
