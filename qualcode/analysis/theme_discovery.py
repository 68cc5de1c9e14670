"""Glue between a project and theme discovery: the units no coder has coded yet, grouped.

"Not yet coded" means no live coding of any coder (or the consensus) touches the unit. A
unit someone marked done with no code is included: nothing in the codebook fitted it,
which is exactly where a new theme may be hiding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.model import UnitKind
from qualcode.storage.unit_texts import uncoded_unit_texts

if TYPE_CHECKING:
    from qualcode.nlp.theme_clusters import CandidateTheme
    from qualcode.storage import ProjectStore

EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class UncodedUnits:
    """Units no coder has coded, with the id of their source and their text."""

    unit_ids: list[int]
    external_ids: list[str]
    texts: list[str]


@dataclass(frozen=True, slots=True)
class ExampleUnit:
    """One unit shown as an example of a candidate theme."""

    unit_id: int
    source: str
    text: str
    strength: float


@dataclass(frozen=True, slots=True)
class ProjectCandidate:
    """A candidate theme over project units: top terms, size, example units, all unit ids."""

    number: int
    label: str
    terms: tuple[str, ...]
    size: int
    examples: tuple[ExampleUnit, ...]
    unit_ids: tuple[int, ...]

    def description(self) -> str:
        """Return a definition to start a new code from (the coder edits it)."""
        return (f"Candidate theme {self.number} from `qualcode discover` ({self.size} uncoded "
                f"units); top terms: {', '.join(self.terms)}.")


@dataclass(frozen=True, slots=True)
class ProjectDiscovery:
    """The candidate themes of a project's uncoded units."""

    candidates: tuple[ProjectCandidate, ...]
    uncoded: int
    unplaced: int
    seed: int
    kind: UnitKind


def uncoded_units(store: ProjectStore, *, kind: UnitKind = UnitKind.SOURCE) -> UncodedUnits:
    """Return the units of a kind that no live coding of any coder or layer touches."""
    rows = uncoded_unit_texts(store, kind=kind)
    return UncodedUnits([r[0] for r in rows], [r[1] for r in rows], [r[2] or "" for r in rows])


def discover_themes(store: ProjectStore, *, clusters: int = 8, seed: int = 0, examples: int = 3,
                    kind: UnitKind = UnitKind.SOURCE,
                    spacy_model: str | None = None) -> ProjectDiscovery:
    """Group the project's uncoded units into candidate themes (:func:`discover`)."""
    from qualcode.nlp.pipeline import build_pipeline
    from qualcode.nlp.theme_clusters import discover

    units = uncoded_units(store, kind=kind)
    found = discover(units.texts, clusters=clusters, seed=seed,
                     pipeline=build_pipeline(spacy_model))
    return ProjectDiscovery(candidates=tuple(_candidate(c, units, examples)
                                             for c in found.candidates),
                            uncoded=len(units.unit_ids), unplaced=len(found.unplaced),
                            seed=seed, kind=UnitKind(kind))


def _candidate(found: CandidateTheme, units: UncodedUnits, examples: int) -> ProjectCandidate:
    shown = tuple(
        ExampleUnit(
            unit_id=units.unit_ids[i],
            source=units.external_ids[i],
            text=_excerpt(units.texts[i]),
            strength=strength,
        )
        for i, strength in zip(found.members[: max(0, examples)], found.strengths, strict=False)
    )
    return ProjectCandidate(number=found.number, label=found.label(), terms=found.terms,
                            size=found.size, examples=shown,
                            unit_ids=tuple(units.unit_ids[i] for i in found.members))


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS - 1] + "…"


def as_json(result: ProjectDiscovery) -> dict[str, object]:
    """Return a discovery as plain data (the ``--format json`` output)."""
    return {
        "uncoded_units": result.uncoded, "unplaced_units": result.unplaced,
        "seed": result.seed, "unit_kind": result.kind.value,
        "candidates": [{"number": c.number, "label": c.label, "terms": list(c.terms),
                        "size": c.size,
                        "examples": [{"unit_id": e.unit_id, "source": e.source,
                                      "text": e.text, "strength": e.strength}
                                     for e in c.examples],
                        "unit_ids": list(c.unit_ids)}
                       for c in result.candidates]}
