"""Glue between a project and the suggester: training data from a layer, stored models.

The suggester learns at the unit level: for each unit the coder (or the consensus) marked
done, the set of codes present in it (a coding overlapping the unit, design.md §4). A
unit done with no code is kept as a real "no code applies" example.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.model import Codebook, Coder, Layer, UnitKind
from qualcode.storage.suggester_models import MAX_MODEL_BYTES, save_model, stored_model
from qualcode.storage.unit_texts import done_unit_texts, pending_unit_texts

if TYPE_CHECKING:
    from qualcode.nlp.suggester import CodeSuggester, SuggesterConfig
    from qualcode.storage import ProjectStore

log = logging.getLogger(__name__)
"""Where a refused stored model is reported (Python prints warnings to stderr by default)."""

@dataclass(frozen=True, slots=True)
class LayerUnits:
    """Units of one kind with their texts and, for done units, the codes present."""

    unit_ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    labels: list[set[int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.unit_ids)


def training_units(store: ProjectStore, *, coder: Coder | None, layer: Layer = Layer.CODER,
                   kind: UnitKind = UnitKind.SOURCE) -> LayerUnits:
    """Return the done units of a coder's layer (or the consensus) with the codes present."""
    coder_id = None if coder is None else coder.id
    rows, present = done_unit_texts(store, layer=layer, coder_id=coder_id, kind=kind)
    return LayerUnits([r[0] for r in rows], [r[1] for r in rows],
                      [present.get(r[0], set()) for r in rows])


def pending_units(store: ProjectStore, coder: Coder, *, kind: UnitKind = UnitKind.SOURCE,
                  limit: int | None = None) -> tuple[list[int], list[str], list[str]]:
    """Return (unit ids, source external ids, texts) of units this coder has not done."""
    rows = pending_unit_texts(store, coder.id, kind=kind, limit=limit)
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def fingerprint(data: LayerUnits, codebook: Codebook, *, pipeline: str,
                config: SuggesterConfig) -> str:
    """Return a digest of everything a fitted model depends on."""
    from qualcode.nlp.suggester import FORMAT

    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT, pipeline, repr(config)]).encode())
    for code in codebook:
        digest.update(json.dumps([code.id, code.parent_id, code.name, code.description,
                                  code.inclusion, list(code.examples), code.codable],
                                 ensure_ascii=False).encode())
    for unit_id, text, labels in zip(data.unit_ids, data.texts, data.labels, strict=True):
        digest.update(json.dumps([unit_id, sorted(labels)]).encode())
        digest.update(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())
    return digest.hexdigest()


def load_or_fit_suggester(store: ProjectStore, coder: Coder | str | None, *,
                          layer: Layer = Layer.CODER, kind: UnitKind = UnitKind.SOURCE,
                          spacy_model: str | None = None, config: SuggesterConfig | None = None,
                          keep: bool = True) -> CodeSuggester:
    """Return a suggester for this layer, reusing the model stored in the project if current.

    The stored model is reused when the fingerprint of the training data (done units,
    their texts and codes, the codebook) is unchanged; otherwise a new one is fitted and,
    with ``keep``, stored. ``suggester.origin`` says which happened ("stored", "fitted", or
    "refitted" when a stored model was refused as unreadable or untrustworthy, which
    ``suggester.note`` then explains and :data:`log` reports as a warning).
    """
    from qualcode.errors import QualcodeError
    from qualcode.nlp.pipeline import build_pipeline
    from qualcode.nlp.suggester import CodeSuggester, SuggesterConfig

    if isinstance(coder, str):
        coder = store.coder(coder, create=False)
    config = config or SuggesterConfig()
    pipeline = build_pipeline(spacy_model)
    codebook = store.codebook()
    data = training_units(store, coder=coder, layer=layer, kind=kind)
    digest = fingerprint(data, codebook, pipeline=pipeline.name, config=config)
    coder_id = coder.id if coder is not None else None
    found = stored_model(store, layer=layer, coder_id=coder_id, unit_kind=kind,
                         pipeline=pipeline.name)
    note = None
    if found is not None and found.fingerprint == digest:
        try:
            if found.oversize:
                raise QualcodeError(f"stored suggester model refused: it is "
                                    f"{found.size / 2**20:.0f} MB, over the "
                                    f"{MAX_MODEL_BYTES // 2**20} MB limit; it will be refitted")
            suggester = CodeSuggester.from_bytes(found.model, pipeline=pipeline)
            codable = tuple(c.id for c in codebook if c.codable)
            if suggester.code_ids != codable:
                raise QualcodeError("stored suggester model refused: its codes are not the "
                                    "codebook's; it will be refitted")
        except QualcodeError as error:
            # Untrusted bytes (the project may come from anyone) or another version's model:
            # say so, refit, and replace it.
            suggester, note = None, f"{store.path}: {error}"
            log.warning("%s", note)
        if suggester is not None:
            suggester.origin = "stored"
            return suggester
    suggester = CodeSuggester(pipeline=pipeline, config=config)
    suggester.fit(data.texts, data.labels, codebook)
    suggester.origin = "fitted" if note is None else "refitted"
    suggester.note = note
    if keep:
        save_model(store, layer=layer, coder_id=coder_id, unit_kind=kind, pipeline=pipeline.name,
                   fingerprint=digest, units=len(data), model=suggester.to_bytes())
    return suggester
