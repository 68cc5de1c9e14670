"""What one coder is doing: the unit in view, their codings on it, and every action.

The screen is a view over a :class:`CodingSession`; the session is the only place that
writes to the store, one committed transaction per action, so what the screen shows
as saved is on disk. It holds no Textual objects, so it can be tested without a terminal.

Blindness lives here too: every read is filtered to this coder unless ``reveal`` was
asked for, and :meth:`CodingSession.others` is the only door to other coders' work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from qualcode.errors import NotFoundError
from qualcode.model import (
    Code,
    Codebook,
    CodeKind,
    Coder,
    Coding,
    Event,
    Layer,
    Memo,
    Source,
    Suggestion,
    Unit,
    UnitKind,
)
from qualcode.storage.failures import one_line_failures
from qualcode.storage.queue import Order, QueueFilter, UnitQueue
from qualcode.tui.suggesting import Fitter, SuggestionState, SuggestMode

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore
    from qualcode.tui.suggester import Suggester

Toggled = Literal["added", "removed"]
UNIT_ACTIONS = frozenset({"coding.add", "coding.remove", "review.done", "review.undone",
                          "memo.set"})


_Method = TypeVar("_Method", bound=Callable[..., Any])


def saving(method: _Method) -> _Method:
    """Say a database failure during a coding action in one line (a StoreError the screen
    shows), instead of a traceback: locked past the timeout, read-only, disk full."""

    @functools.wraps(method)
    def wrapper(self: CodingSession, *args: Any, **kwargs: Any) -> Any:
        with one_line_failures(self.store.path):
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]  # the wrapper keeps the method's signature


@dataclass(frozen=True, slots=True)
class UnitView:
    """A unit as this coder sees it: its text, their codings on it, done mark and memo."""

    unit: Unit
    source: Source
    codings: tuple[Coding, ...]
    done: bool
    memo: Memo | None
    coding_memos: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        """The unit's text (offsets in the text pane count from its first character)."""
        return self.source.text[self.unit.start:self.unit.end]

    def relative(self, coding: Coding) -> tuple[int, int]:
        """Return a coding's span in text-pane offsets, clipped to the unit."""
        start = min(max(coding.start - self.unit.start, 0), len(self.text))
        end = min(max(coding.end - self.unit.start, start), len(self.text))
        return start, end

    def is_whole(self, coding: Coding) -> bool:
        """Return True when a coding covers the whole unit."""
        return coding.start <= self.unit.start and coding.end >= self.unit.end

    def spans(self) -> list[Coding]:
        """Return the codings on part of the unit (the ones the text pane underlines)."""
        return [c for c in self.codings if not self.is_whole(c)]

    def wholes(self) -> list[Coding]:
        """Return the codings covering the whole unit."""
        return [c for c in self.codings if self.is_whole(c)]

    def at(self, offset: int) -> list[Coding]:
        """Return the span codings under a text-pane offset, innermost first."""
        found = []
        for coding in self.spans():
            start, end = self.relative(coding)
            if start <= offset < end or start == end == offset:
                found.append(coding)
        return sorted(found, key=lambda c: (c.end - c.start, -c.id))


@dataclass(frozen=True, slots=True)
class OtherCoder:
    """Another coder's work on the unit in view (only ever built with ``reveal``)."""

    coder: Coder
    codings: tuple[Coding, ...]
    done: bool


class CodingSession:
    """One coder working through the units of one project."""

    def __init__(self, store: ProjectStore, coder: Coder, *, reveal: bool = False,
                 kind: UnitKind = UnitKind.SOURCE, suggester: Suggester | None = None,
                 suggest: SuggestMode | str | None = None, fitter: Fitter | None = None,
                 order: Order | str = Order.QUEUE) -> None:
        self.store = store
        self.coder = coder
        self.reveal = reveal
        self.suggesting = SuggestionState(store, coder, kind=kind, suggester=suggester,
                                          mode=suggest, fitter=fitter)
        self.queue = UnitQueue(store, coder.id, kind=kind,
                               queue_filter=QueueFilter(order=Order(order)))
        self.codebook: Codebook = store.codebook()
        self.view: UnitView | None = None
        self._fields: list[str] | None = None

    # -- reading -----------------------------------------------------------------------
    def open(self, unit_id: int) -> UnitView:
        """Show a unit: read it, its source and this coder's codings on it."""
        unit = self.store.unit(unit_id)
        source = self.store.source(unit.source_id)
        self.view = self._build(unit, source)
        return self.view

    def reload(self) -> UnitView:
        """Read the unit in view again (after an action changed it)."""
        if self.view is None:
            raise NotFoundError("no unit is open")
        self.view = self._build(self.view.unit, self.view.source)
        return self.view

    def _build(self, unit: Unit, source: Source) -> UnitView:
        codings = tuple(c for c in self.store.codings(coder_id=self.coder.id, layer=Layer.CODER,
                                                      source_id=source.id)
                        if c.overlaps(unit.start, unit.end))
        with_memo = frozenset(c.guid for c in codings if self._own_memo("coding", c.guid))
        return UnitView(unit=unit, source=source, codings=codings,
                        done=self.store.is_done(unit.id, self.coder.id),
                        memo=self._own_memo("unit", unit.guid), coding_memos=with_memo)

    def _own_memo(self, kind: str, guid: str) -> Memo | None:
        mine = [m for m in self.store.memos(kind, guid) if m.coder_id == self.coder.id]
        return mine[-1] if mine else None

    def start_unit(self) -> int | None:
        """Return where to start: the first not-done unit, else the first unit."""
        return self.queue.next_not_done(None) or self.queue.first()

    def progress(self) -> tuple[int, int]:
        """Return (units done, units in the project) for this coder."""
        return self.queue.done(), self.queue.total()

    def others(self) -> list[OtherCoder]:
        """Return the other coders' work on the unit in view; empty unless revealed."""
        if not self.reveal or self.view is None:
            return []
        unit, result = self.view.unit, []
        for coder in self.store.coders():
            if coder.id == self.coder.id:
                continue
            codings = tuple(c for c in self.store.codings(coder_id=coder.id, layer=Layer.CODER,
                                                          source_id=unit.source_id)
                            if c.overlaps(unit.start, unit.end))
            done = self.store.is_done(unit.id, coder.id)
            if codings or done:
                result.append(OtherCoder(coder=coder, codings=codings, done=done))
        return result

    @property
    def suggester(self) -> Suggester | None:
        """The suggester in use (None until one is given or fitted)."""
        return self.suggesting.suggester

    def suggestions(self, text: str, top: int = 5) -> list[Suggestion]:
        """Ask the suggester (if any) to rank codes for a unit's text (safe off the main
        thread: it does not touch the store)."""
        suggester = self.suggester
        if suggester is None:
            return []
        return self.suggesting.compute(suggester, text, top)

    def metadata_fields(self) -> list[str]:
        """Return the metadata keys of the corpus (read once: it scans every source)."""
        if self._fields is None:
            self._fields = self.store.metadata_fields()
        return self._fields

    # -- coding ------------------------------------------------------------------------
    def _current(self) -> UnitView:
        if self.view is None:
            raise NotFoundError("no unit is open; pick one in the queue")
        return self.view

    @saving
    def toggle(self, code_id: int, start: int | None = None,
               end: int | None = None) -> tuple[Toggled, UnitView]:
        """Apply a code to a span of the unit (text-pane offsets), or remove it if there.

        With no span the code covers the whole unit. Each addition or removal is one
        committed, logged, undoable action.
        """
        view = self._current()
        unit = view.unit
        whole = start is None or end is None or (start <= 0 and end >= len(view.text))
        if whole or start is None or end is None:
            first, last = unit.start, unit.end
        else:
            first, last = unit.start + min(start, end), unit.start + max(start, end)
        same = [c for c in view.codings if c.code_id == code_id and
                ((whole and view.is_whole(c)) or (c.start, c.end) == (first, last))]
        with self.queue.tracking(unit.id):
            if same:
                for coding in same:
                    self.store.remove_coding(coding.id, actor_id=self.coder.id)
                outcome: Toggled = "removed"
            else:
                self.store.add_coding(self.coder.id, unit.source_id, code_id, first, last)
                outcome = "added"
        self.suggesting.changed()
        return outcome, self.reload()

    def has_code(self, code_id: int, start: int | None = None, end: int | None = None) -> bool:
        """Return True when this coder has the code on that span (or the whole unit) already."""
        view = self._current()
        if start is None or end is None or (start <= 0 and end >= len(view.text)):
            return any(c.code_id == code_id and view.is_whole(c) for c in view.codings)
        first, last = view.unit.start + min(start, end), view.unit.start + max(start, end)
        return any(c.code_id == code_id and (c.start, c.end) == (first, last)
                   for c in view.codings)

    @saving
    def accept(self, rank: int, start: int | None = None,
               end: int | None = None) -> tuple[Suggestion | None, str]:
        """Apply the suggestion shown at ``rank`` (1 = top) as the code key would; log it.

        Returns the suggestion (None when nothing was applied) and what happened in words.
        Accepting never removes: a code already there is left as it is.
        """
        view = self._current()
        item = self.suggesting.pick(view.unit.id, rank)
        if item is None:
            return None, f"no suggestion {rank} is shown for this unit"
        name = self.code_name(item.code_id)
        if self.has_code(item.code_id, start, end):
            return None, f"{name} is already applied there"
        before = {c.id for c in view.codings}
        self.toggle(item.code_id, start, end)
        made = [c.id for c in self._current().codings if c.id not in before]
        self.suggesting.record_accepted(view.unit.id, item.code_id, made[0] if made else None)
        return item, f"saved: +{name} (suggested)"

    @saving
    def remove(self, coding_id: int) -> UnitView:
        """Remove one of this coder's codings on the unit in view."""
        view = self._current()
        if coding_id not in {c.id for c in view.codings}:
            raise NotFoundError(f"coding {coding_id} is not one of yours on this unit")
        with self.queue.tracking(view.unit.id):
            self.store.remove_coding(coding_id, actor_id=self.coder.id)
        self.suggesting.changed()
        return self.reload()

    @saving
    def mark_done(self) -> bool:
        """Mark the unit in view done ("no code applies" is a decision too)."""
        view = self._current()
        with self.queue.tracking(view.unit.id):
            changed = self.store.mark_done(view.unit.id, self.coder.id)
        self.suggesting.changed()
        self.reload()
        return changed

    @saving
    def mark_not_done(self) -> bool:
        """Take back the done mark of the unit in view."""
        view = self._current()
        with self.queue.tracking(view.unit.id):
            changed = self.store.mark_not_done(view.unit.id, self.coder.id)
        self.suggesting.changed()
        self.reload()
        return changed

    def next_not_done(self) -> int | None:
        """Return the next unit of the queue this coder has not marked done."""
        after = self.view.unit.id if self.view else None
        return self.queue.next_not_done(after)

    # -- undo --------------------------------------------------------------------------
    @saving
    def undo(self) -> tuple[Event | None, int | None]:
        """Undo this coder's last action; return it and the unit it touched."""
        return self._step(redo=False)

    @saving
    def redo(self) -> tuple[Event | None, int | None]:
        """Redo this coder's last undone action; return it and the unit it touched."""
        return self._step(redo=True)

    def merge_note(self, undone: Event | None) -> str | None:
        """Say so when a merge came after the action undone (or undo ran out in a merged file).

        Undo takes back only this coder's own part of a merge; the automatic backup taken
        before the merge is what restores the whole of it (``qualcode undo`` names it).
        """
        from qualcode.storage.undo import merge_after

        merge = merge_after(self.store, undone.id if undone is not None else None)
        if merge is None:
            return None
        file = Path(str(merge.payload.get("file", "a file"))).name
        return (f"{file} was merged in after this (event {merge.id}): undo takes back only "
                "your part of a merge; `qualcode undo` from the shell names the backup "
                "that restores the project as it was before it")

    def _step(self, *, redo: bool) -> tuple[Event | None, int | None]:
        step = self.store.redo if redo else self.store.undo
        peek = self._peek(redo=redo)
        unit_id = self.queue.unit_of_event(peek) if peek is not None else None
        if peek is not None and peek.action in UNIT_ACTIONS and unit_id is not None:
            with self.queue.tracking(unit_id):
                event = step(self.coder.id)
        else:
            event = step(self.coder.id)
            self.queue.invalidate()
        if event is not None and event.action.startswith("code"):
            self.codebook = self.store.codebook()
        if event is not None:
            self.suggesting.changed()
        if self.view is not None:
            self.reload()
        return event, unit_id

    def _peek(self, *, redo: bool) -> Event | None:
        """Return the event an undo (or redo) would act on, without acting."""
        return self.store.undo_target(self.coder.id, redo=redo)

    # -- memos -------------------------------------------------------------------------
    def memo_target(self, offset: int | None) -> tuple[str, str, str]:
        """Return (kind, guid, label) of what ``m`` annotates: the coding under the cursor
        if there is one, else the unit."""
        view = self._current()
        if offset is not None:
            under = view.at(offset)
            if under:
                coding = under[0]
                name = self.code_name(coding.code_id)
                start, end = view.relative(coding)
                return "coding", coding.guid, f"coding {name!r} (characters {start}-{end})"
        return "unit", view.unit.guid, f"unit {view.source.external_id}"

    def memo_text(self, kind: str, guid: str) -> str:
        """Return this coder's memo on a target ('' when none)."""
        memo = self._own_memo(kind, guid)
        return memo.text if memo else ""

    @saving
    def set_memo(self, kind: str, guid: str, text: str) -> UnitView:
        """Write this coder's memo on a target (empty text removes it); one event."""
        self.store.set_memo(kind, guid, text, coder_id=self.coder.id)
        return self.reload()

    # -- codebook ----------------------------------------------------------------------
    def code_name(self, code_id: int) -> str:
        """Return a code's name, or a placeholder for a code deleted meanwhile."""
        try:
            return self.codebook.by_id(code_id).name
        except KeyError:
            return f"code {code_id}"

    @saving
    def add_code(self, name: str, *, parent_id: int | None, kind: CodeKind = CodeKind.CODE,
                 shortcut: str | None = None, description: str = "",
                 examples: Sequence[str] = ()) -> Code:
        """Add a code to the shared codebook (an event of this coder, so ``u`` undoes it)."""
        code = self.store.add_code(name, parent_id=parent_id, kind=kind,
                                   shortcut=shortcut or None, description=description,
                                   examples=examples, actor_id=self.coder.id)
        self.codebook = self.store.codebook()
        return code

    def refresh_codebook(self) -> bool:
        """Re-read the shared codebook; return True when another coder changed it."""
        fresh = self.store.codebook()
        if fresh == self.codebook:
            return False
        self.codebook = fresh
        return True

    def set_filter(self, queue_filter: QueueFilter) -> bool:
        """Show another selection of units in the queue.

        Returns True when the filter asks for the uncertainty order and it still has to be
        computed (the screen does that on a worker, then calls :meth:`set_order`).
        """
        self.queue.set_filter(queue_filter)
        if queue_filter.order is Order.QUEUE:
            self.queue.set_order(None)
            return False
        return not self.queue.ordered

    def set_order(self, unit_ids: Sequence[int]) -> None:
        """Put these units first in the queue (most uncertain first), if still wanted."""
        if self.queue.filter.order is Order.UNCERTAIN:
            self.queue.set_order(unit_ids)
