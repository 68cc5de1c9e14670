"""Code suggestions for one coding session: when to show them, logging, refits, uncertainty.

No Textual here: the screen calls :meth:`SuggestionState.compute`, :meth:`fit` and
:meth:`uncertain_order` on worker threads and everything else on the main thread. The
worker-thread methods never touch the session's store connection: a fit opens its own
connection, so a refit reading thousands of units cannot interleave with the coder's
write transactions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from qualcode.model import Coder, Layer, Suggestion, UnitKind

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore
    from qualcode.tui.session import UnitView
    from qualcode.tui.suggester import Suggester

TOP = 3
CHUNK = 256
"""Texts ranked per call when ordering by uncertainty (short calls keep keys responsive)."""
"""Suggestions shown per unit (alt+1 ... alt+3 accept them)."""


class SuggestMode(StrEnum):
    """When the coding screen shows suggestions."""

    ON = "on"
    AFTER = "after"
    OFF = "off"


Fitter = Callable[["ProjectStore"], "Suggester"]
"""Builds a suggester from a project (called on a worker thread with its own connection)."""


def default_fitter(coder: Coder, kind: UnitKind, *, layer: Layer = Layer.CODER,
                   spacy_model: str | None = None) -> Fitter:
    """Return a fitter learning from this coder's done units, or from the consensus layer.

    The stored model is reused when current. The fit runs in a child process: a thread
    would share the interpreter lock with the screen, and tokenising thousands of texts in
    Python holds it often enough to delay keys by frames. The child stores the model in
    the project; this side only loads it. ``spacy_model`` names an installed spaCy
    pipeline to lemmatise with (default: the built-in blank English one).
    """

    def fit(store: ProjectStore) -> Suggester:
        return fit_in_child(store, coder, kind, layer=layer, spacy_model=spacy_model)

    return fit


def fit_in_child(store: ProjectStore, coder: Coder, kind: UnitKind, *, layer: Layer = Layer.CODER,
                 spacy_model: str | None = None) -> Suggester:
    """Fit (or reuse) the stored model in a child process, then load it here."""
    import subprocess
    import sys

    from qualcode.errors import QualcodeError
    from qualcode.nlp.pipeline import build_pipeline
    from qualcode.nlp.suggester import CodeSuggester
    from qualcode.storage.suggester_models import stored_model

    done = subprocess.run([sys.executable, "-m", "qualcode.tui.suggesting", str(store.path),
                           str(coder.id), UnitKind(kind).value, Layer(layer).value,
                           spacy_model or ""],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise QualcodeError(lines[-1] if lines else f"fitting failed ({done.returncode})")
    pipeline = build_pipeline(spacy_model)
    found = stored_model(store, layer=layer, coder_id=coder.id, unit_kind=kind,
                         pipeline=pipeline.name)
    if found is None:
        raise QualcodeError("the fitted model was not stored in the project")
    suggester = CodeSuggester.from_bytes(found.model, pipeline=pipeline)
    suggester.origin = done.stdout.strip() or "fitted"
    if suggester.origin == "refitted":  # the child refused the stored model: keep its reason
        suggester.note = next((line for line in reversed(done.stderr.splitlines())
                               if "refused" in line), None)
    return suggester


def _child(argv: Sequence[str]) -> int:
    """Child process entry: fit or reuse the stored model, store it, print its origin."""
    import contextlib
    import os

    from qualcode.analysis.suggestions import load_or_fit_suggester
    from qualcode.storage import Store

    path, coder_id, kind, layer, spacy_model = argv
    # A refit is background work: at a lower priority the coder's keys win the CPU on a
    # busy machine (not available on every platform, and harmless to skip there).
    with contextlib.suppress(AttributeError, OSError):
        os.nice(10)
    with Store.open(path) as store:
        coder = next(c for c in store.coders() if c.id == int(coder_id))
        suggester = load_or_fit_suggester(store, coder, kind=UnitKind(kind), layer=Layer(layer),
                                          spacy_model=spacy_model or None, keep=True)
        print(getattr(suggester, "origin", "fitted"))
    return 0


def model_label(suggester: object) -> str:
    """Return a short description of a suggester for the log ('CodeSuggester:fitted')."""
    origin = getattr(suggester, "origin", "")
    return type(suggester).__name__ + (f":{origin}" if origin else "")


class SuggestionState:
    """The suggester of a session, the mode it is shown in, and the log of what was shown."""

    def __init__(self, store: ProjectStore, coder: Coder, *, kind: UnitKind,
                 suggester: Suggester | None, mode: SuggestMode | str | None,
                 fitter: Fitter | None) -> None:
        self.store = store
        self.coder = coder
        self.kind = kind
        self.suggester = suggester
        # Without a mode, suggestions show when there is a model or a way to fit one.
        self.mode = SuggestMode(mode) if mode is not None else (
            SuggestMode.ON if suggester is not None or fitter is not None else SuggestMode.OFF)
        self.fitter = fitter
        self.shown: tuple[int, tuple[Suggestion, ...]] | None = None
        """(unit id, suggestions) the pane shows now, for the accept keys."""
        self.changes = 0
        """How many changes to this coder's codings the session has made (refit trigger)."""
        self.fitted_at_change = 0

    @property
    def enabled(self) -> bool:
        """True when suggestions are shown at some point (mode on or after)."""
        return self.mode is not SuggestMode.OFF

    @property
    def can_fit(self) -> bool:
        """True when a model can be (re)fitted from the project."""
        return self.fitter is not None

    def visible(self, view: UnitView | None) -> bool:
        """Return True when the pane may show suggestions for this unit now."""
        if view is None or self.suggester is None:
            return False
        if self.mode is SuggestMode.ON:
            return True
        return self.mode is SuggestMode.AFTER and view.done

    # -- worker threads ----------------------------------------------------------------
    def compute(self, suggester: Suggester, text: str, top: int = TOP) -> list[Suggestion]:
        """Rank codes for a unit's text (safe off the main thread: no store access)."""
        return list(suggester.suggest(text, top))

    def fit(self) -> Suggester:
        """Fit (or load the stored) model on a connection of its own; call off the main thread."""
        from qualcode.storage import Store

        if self.fitter is None:
            raise RuntimeError("this session has no fitter")
        own = Store.open(self.store.path)
        try:
            return self.fitter(own)
        finally:
            own.close()

    def uncertain_order(self, suggester: Suggester) -> list[int]:
        """Return this coder's not-done units, most uncertain first (off the main thread)."""
        from qualcode.analysis.suggestions import pending_units
        from qualcode.storage import Store

        own = Store.open(self.store.path)
        try:
            unit_ids, _, texts = pending_units(own, self.coder, kind=self.kind)
        finally:
            own.close()
        if not unit_ids:
            return []
        measure: Any = getattr(suggester, "uncertainty", None)
        if measure is not None:
            scores = []
            for start in range(0, len(texts), CHUNK):
                scores += [float(s) for s in measure(texts[start:start + CHUNK])]
                time.sleep(0)  # hand the interpreter to the screen between chunks
        else:
            # A suggester without its own measure: how close its best score is to a coin flip.
            scores = [1 - 2 * abs((top[0].score if top else 0.0) - 0.5)
                      for top in (suggester.suggest(text, 1) for text in texts)]
        # Ties keep queue order (sorted is stable), so the order is reproducible.
        ranked = sorted(range(len(unit_ids)), key=lambda i: -scores[i])
        return [unit_ids[i] for i in ranked]

    # -- main thread -------------------------------------------------------------------
    def record_shown(self, view: UnitView, items: Sequence[Suggestion]) -> None:
        """Remember what the pane shows for a unit and log it (one short transaction)."""
        from qualcode.storage.suggestion_log import log_shown

        self.shown = (view.unit.id, tuple(items))
        if items and self.mode is not SuggestMode.OFF:
            log_shown(self.store, coder_id=self.coder.id, unit_id=view.unit.id,
                      suggestions=items, mode=self.mode.value, unit_done=view.done,
                      model=model_label(self.suggester))

    def hide(self) -> None:
        """Nothing is shown (another unit is opening, or the pane is hidden)."""
        self.shown = None

    def pick(self, unit_id: int, rank: int) -> Suggestion | None:
        """Return the suggestion shown at a rank (1 = top) for this unit, if any."""
        if self.shown is None or self.shown[0] != unit_id:
            return None
        items = self.shown[1]
        return items[rank - 1] if 1 <= rank <= len(items) else None

    def record_accepted(self, unit_id: int, code_id: int, coding_id: int | None) -> None:
        """Stamp the logged suggestion as accepted."""
        from qualcode.storage.suggestion_log import log_accepted

        log_accepted(self.store, coder_id=self.coder.id, unit_id=unit_id, code_id=code_id,
                     coding_id=coding_id)

    def changed(self) -> None:
        """Note a change to this coder's codings or done marks (the model may be stale)."""
        self.changes += 1

    @property
    def stale(self) -> bool:
        """True when codings changed since the model in use was fitted."""
        return self.changes != self.fitted_at_change


if __name__ == "__main__":
    import sys

    sys.exit(_child(sys.argv[1:]))
