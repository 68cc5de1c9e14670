"""Walking two coders' disagreements and settling each unit into the consensus layer.

The adjudication screen is a view over an :class:`AdjudicationSession`; the session reads
the disagreements from :func:`qualcode.analysis.agreement_report.disagreements`, plans
each decision with :func:`qualcode.storage.consensus.plan_unit` and writes it with
:func:`~qualcode.storage.consensus.settle` (one transaction, one undoable event). It holds
no Textual objects, so it is tested without a terminal.

Completeness of the consensus layer: deciding a unit writes *all* of its consensus codes
(the agreed ones too), and a source is marked done in the consensus layer once every
disputed unit in it is settled; at sentence or paragraph level the agreed sentences of
that source are copied in the same event. Units the coders agreed on entirely are copied
by :meth:`AdjudicationSession.copy_agreed` (one event), so that comparing a coder with the
consensus counts every unit both coders finished, not only the disputed ones.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.agreement.presence import AnalysisUnit
from qualcode.analysis.agreement_report import (
    CONSENSUS,
    AgreementReport,
    Disagreement,
    agreement_report,
    counted_units,
    disagreements,
)
from qualcode.errors import NotFoundError
from qualcode.model import Codebook, Coder, Coding, Event, Layer, UnitKind
from qualcode.storage.consensus import (
    CONSENSUS_ACTION,
    SettleResult,
    UnitPlan,
    consensus_codings,
    consensus_done_sources,
    plan_unit,
    settle,
)

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

CHOICE_NAMES = {"a": "took {a}", "b": "took {b}", "both": "took both",
                "neither": "took neither (agreed codes only)", "edit": "edited"}


@dataclass(frozen=True, slots=True)
class DisputedUnit:
    """One unit of analysis where the coders differ, with every code they differ on."""

    unit: AnalysisUnit
    source_ids: tuple[int, ...]
    text: str
    items: tuple[Disagreement, ...]

    @property
    def key(self) -> str:
        """The unit's label (source id, ``id#n`` for a sentence, or the group value)."""
        return self.unit.key


class AdjudicationSession:
    """One adjudicator settling the disagreements of two coders."""

    def __init__(self, store: ProjectStore, adjudicator: Coder | str, coder_a: str, coder_b: str, *,
                 level: str = "code", unit: UnitKind = UnitKind.SOURCE,
                 group_by: str | None = None) -> None:
        self.store = store
        self.coder_a = store.coder(coder_a, create=False)
        self.coder_b = store.coder(coder_b, create=False)
        self.level = level
        self.kind = UnitKind(unit)
        self.group_by = group_by
        self.codebook: Codebook = store.codebook()
        self.units: list[DisputedUnit] = []
        self.index = 0
        self._settled_here: set[str] = set()  # sentence units settled in this session
        self.load()
        # Created (when new) only once the request is known to be valid, so a mistyped
        # coder or field does not leave a stray adjudicator in the project.
        self.adjudicator = (adjudicator if isinstance(adjudicator, Coder)
                            else store.coder(adjudicator))

    # -- reading -----------------------------------------------------------------------
    def load(self) -> None:
        """Read the disagreements again and group them by unit, in unit order."""
        found = disagreements(self.store, self.coder_a.name, self.coder_b.name,
                              level=self.level, unit=self.kind, group_by=self.group_by)
        grouped: dict[str, list[Disagreement]] = {}
        for item in found:
            grouped.setdefault(item.unit.key, []).append(item)
        self.units = [DisputedUnit(items[0].unit, items[0].source_ids, items[0].text,
                                   tuple(items)) for items in grouped.values()]
        self.index = min(self.index, max(len(self.units) - 1, 0))

    @property
    def current(self) -> DisputedUnit:
        """The unit in view."""
        if not self.units:
            raise NotFoundError("the two coders do not disagree on any unit both finished")
        return self.units[self.index]

    def codings_of(self, coder: Coder, unit: DisputedUnit) -> list[Coding]:
        """Return a coder's own codings that meet the unit."""
        return self._meeting(unit, coder_id=coder.id, layer=Layer.CODER)

    def consensus_of(self, unit: DisputedUnit) -> list[Coding]:
        """Return the consensus codings that meet the unit (any adjudicator)."""
        return consensus_codings(self.store, unit.unit.spans)

    def _meeting(self, unit: DisputedUnit, *, coder_id: int, layer: Layer) -> list[Coding]:
        found: list[Coding] = []
        for source_id in unit.source_ids:
            for coding in self.store.codings(coder_id=coder_id, layer=layer,
                                             source_id=source_id):
                if any(s[0] == source_id and coding.overlaps(s[1], s[2])
                       for s in unit.unit.spans):
                    found.append(coding)
        return found

    def is_settled(self, unit: DisputedUnit) -> bool:
        """A unit is settled when its sources are done in the consensus layer (or, below
        source level, when it was settled in this session)."""
        return self._settled(unit, consensus_done_sources(self.store))

    def _settled(self, unit: DisputedUnit, done: Collection[int]) -> bool:
        """:meth:`is_settled` with the consensus-done sources read once by the caller."""
        return unit.key in self._settled_here or all(s in done for s in unit.source_ids)

    def progress(self) -> tuple[int, int, int]:
        """Return (units settled, disputed units, disagreements on them)."""
        done = consensus_done_sources(self.store)
        settled = sum(1 for u in self.units if self._settled(u, done))
        return settled, len(self.units), sum(len(u.items) for u in self.units)

    def disputed_codes(self, unit: DisputedUnit) -> set[int]:
        """Return the code ids in dispute, with every code under a disputed theme."""
        ids: set[int] = set()
        for item in unit.items:
            ids.add(item.code_id)
            if item.level == "theme":
                theme = self.codebook.by_id(item.code_id)
                ids.update(c.id for c in self.codebook.descendants(theme))
        return ids

    # -- moving ------------------------------------------------------------------------
    def go(self, step: int) -> None:
        """Move to the next (+1) or previous (-1) disputed unit."""
        if self.units:
            self.index = max(0, min(len(self.units) - 1, self.index + step))

    def next_unsettled(self) -> bool:
        """Move to the next unsettled unit after this one (wrapping); False when none."""
        count, done = len(self.units), consensus_done_sources(self.store)
        for offset in range(1, count + 1):
            candidate = (self.index + offset) % count
            if not self._settled(self.units[candidate], done):
                self.index = candidate
                return True
        return False

    # -- deciding ----------------------------------------------------------------------
    def decide(self, choice: str, picked: Collection[int] | None = None) -> Event:
        """Settle the unit in view with a choice (a, b, both, neither, edit): one event."""
        unit = self.current
        plan = plan_unit(unit.key, unit.unit.spans, self.codings_of(self.coder_a, unit),
                         self.codings_of(self.coder_b, unit), choice,
                         disputed=self.disputed_codes(unit), picked=picked)
        plans, done = [plan], set(unit.source_ids)
        if self.kind != UnitKind.SOURCE and self.group_by is None:
            settled = self._settled_here | {unit.key}
            done = {s for s in unit.source_ids if all(
                u.key in settled for u in self.units if s in u.source_ids)}
            plans += self._agreed_plans(done, exclude={u.key for u in self.units})
        result = settle(self.store, self.adjudicator.id, plans, done_source_ids=done,
                        detail={"coders": [self.coder_a.name, self.coder_b.name],
                                "level": self.level, "unit_kind": self.kind.value})
        self._settled_here.add(unit.key)
        return self._event_of(result)

    def _event_of(self, result: SettleResult) -> Event:
        """The log entry a settlement wrote (settle logs one whenever it is given plans)."""
        assert result.event_id is not None
        return self.store.events_by_id([result.event_id])[0]

    def describe(self, choice: str) -> str:
        """Return how a choice reads in the status line ('took alice' ...)."""
        return CHOICE_NAMES[choice].format(a=self.coder_a.name, b=self.coder_b.name)

    def agreed_units(self) -> list[AnalysisUnit]:
        """Return the units both coders finished with no disagreement not yet in consensus."""
        disputed = {u.key for u in self.units}
        done = consensus_done_sources(self.store)
        return [u for u in self.counted_units() if u.key not in disputed
                and not all(s[0] in done for s in u.spans)]

    def copy_agreed(self) -> Event | None:
        """Copy every fully agreed unit into the consensus layer: one event (None if none)."""
        units = self.agreed_units()
        if not units:
            return None
        plans = [self._plan_agreed(u) for u in units]
        consensus_done = consensus_done_sources(self.store)
        disputed_sources = {s for u in self.units for s in u.source_ids
                            if not self._settled(u, consensus_done)}
        done = {s[0] for u in units for s in u.spans} - disputed_sources
        result = settle(self.store, self.adjudicator.id, plans, done_source_ids=done,
                        detail={"coders": [self.coder_a.name, self.coder_b.name],
                                "copied_agreed": len(units)})
        return self._event_of(result)

    def _plan_agreed(self, unit: AnalysisUnit) -> UnitPlan:
        view = DisputedUnit(unit, tuple(dict.fromkeys(s[0] for s in unit.spans)), "", ())
        return plan_unit(unit.key, unit.spans, self.codings_of(self.coder_a, view),
                         self.codings_of(self.coder_b, view), "both")

    def _agreed_plans(self, source_ids: Collection[int], exclude: set[str]) -> list[UnitPlan]:
        return [self._plan_agreed(u) for u in self.counted_units()
                if u.key not in exclude and all(s[0] in source_ids for s in u.spans)]

    def counted_units(self) -> list[AnalysisUnit]:
        """The units both coders finished: the agreement report's own (its column path)."""
        return list(counted_units(self.store, self.coder_a.name, self.coder_b.name,
                                  unit=self.kind, group_by=self.group_by))

    # -- undo and the result -----------------------------------------------------------
    def undo(self) -> Event | None:
        """Undo the adjudicator's last action (a decision or a copy); None when none."""
        event = self.store.undo(self.adjudicator.id)
        if event is not None and event.action == CONSENSUS_ACTION:
            self._settled_here -= set(event.payload.get("units", []))
        return event

    def redo(self) -> Event | None:
        """Redo what the adjudicator undid last."""
        event = self.store.redo(self.adjudicator.id)
        if event is not None and event.action == CONSENSUS_ACTION:
            self._settled_here |= set(event.payload.get("units", [])) & {
                u.key for u in self.units}
        return event

    def consensus_reports(self) -> list[AgreementReport]:
        """Return each coder's agreement with the consensus (empty before any decision)."""
        if not consensus_done_sources(self.store):
            return []
        return [agreement_report(self.store, [coder.name, CONSENSUS], level="both",
                                 unit=self.kind, group_by=self.group_by)
                for coder in (self.coder_a, self.coder_b)]
