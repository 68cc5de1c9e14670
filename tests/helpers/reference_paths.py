"""Reference implementations, object by object, that the fast column paths are tested against.

Production code reads codings and sources as numpy columns (qualcode.storage.arrays,
qualcode.analysis.matrices, qualcode.analysis.theme_quotes). These are the
straightforward versions the column paths replaced: one Python object per source and
per coding. tests/test_scale_paths.py checks both give the same results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from helpers.object_presence import build_units, code_presence, theme_membership
from qualcode.analysis.matrices import MISSING
from qualcode.analysis.theme_quotes import choose, collapse, pools, widened
from qualcode.analysis.theme_table import Quote, quote_kind
from qualcode.errors import StoreError
from qualcode.model import Code, Codebook, Coding, Source
from qualcode.storage import Store


@dataclass(frozen=True)
class Presence:
    """Which codebook nodes are present in which sources, directly or through a child.

    ``direct`` and ``nested`` have shape (sources, nodes); ``nested`` counts a node as
    present when it or any node below it is coded. Nodes are in codebook display order.
    """

    sources: tuple[Source, ...]
    nodes: tuple[Code, ...]
    direct: np.ndarray
    nested: np.ndarray

    def column(self, code: Code) -> int:
        """Return the column of a node."""
        return self.nodes.index(code)


def node_presence(sources: Sequence[Source], codings: Sequence[Coding],
                  book: Codebook) -> Presence:
    """Return the presence of every node per source (whole-source units)."""
    nodes = tuple(code for _, code in book.walk())
    ids = [c.id for c in nodes]
    units = build_units(sources, "source")
    direct = code_presence(units, codings, ids)
    member = theme_membership(book, ids, nodes).astype(np.int64)  # (node, ancestor-or-self)
    nested = (direct.astype(np.int64) @ member) > 0
    return Presence(tuple(sources), nodes, direct, nested)


@dataclass(frozen=True)
class StudyIndex:
    """Sources grouped into studies by a metadata field, in order of first appearance."""

    field: str
    keys: tuple[str, ...]
    labels: dict[str, str]
    of_source: dict[int, str]

    def label(self, key: str) -> str:
        """Return a study's label (the label field's value, else its key)."""
        return self.labels.get(key, key)


def study_index(store: Store, sources: Sequence[Source], field: str,
                label_field: str | None = None) -> StudyIndex:
    """Group sources by ``field``; label each study by ``label_field`` when given."""
    known = store.metadata_fields()
    for name, option in ((field, "--study-field"), (label_field, "--study-label")):
        if name is not None and name not in known:
            raise StoreError(f"no source has a metadata field {name!r} for {option} "
                             f"(fields: {', '.join(known) or 'none'})")
    of_source: dict[int, str] = {}
    labels: dict[str, str] = {}
    keys: dict[str, None] = {}
    for source in sources:
        value = source.metadata.get(field)
        key = MISSING if value in (None, "") else str(value)
        of_source[source.id] = key
        keys.setdefault(key)
        if label_field is not None and key not in labels:
            label = source.metadata.get(label_field)
            if label not in (None, ""):
                labels[key] = str(label)
    return StudyIndex(field, tuple(keys), labels, of_source)


def exemplar_quotes(codings: Sequence[Coding], sources: dict[int, Source],
                    studies: StudyIndex | None, n: int, quote_field: str | None,
                    used: set[str] | None = None,
                    pinned: Sequence[tuple[int, int, int]] = ()) -> tuple[Quote, ...]:
    """Pick up to ``n`` quotes: the pinned (source id, start, end) spans, then passages.

    Coded spans are widened to their sentences and ranked as theme_quotes.rank says,
    round-robin over studies. Passages in ``used`` (shown for an earlier row) come only
    when nothing else is left, so two codes applied to the same finding do not show the
    same quote; the picked passages are added to ``used``.
    """
    if n <= 0:
        return ()
    used = set() if used is None else used
    chosen: list[tuple[str, int, str, bool]] = []
    for source_id, start, end in pinned:
        source = sources[source_id]
        text = collapse(source.text[start:end])
        if text and len(chosen) < n and text not in [c[2] for c in chosen]:
            key = studies.of_source[source_id] if studies else source.external_id
            chosen.append((key, source_id, text, True))
    passages = []
    for coding in sorted(codings, key=lambda c: (c.source_id, c.start, c.end, c.id)):
        source = sources[coding.source_id]
        study = studies.of_source[source.id] if studies else source.external_id
        start, end = widened(source.text, coding.start, coding.end)
        passages.append((source.id, coding.start, collapse(source.text[start:end]), study))
    fresh, stale = pools(passages, used, {c[2] for c in chosen})
    order = {key: i for i, key in enumerate(studies.keys)} if studies else {}
    chosen += [(key, source_id, text, False) for key, source_id, text in choose(
        fresh, stale, order, n - len(chosen), {c[0] for c in chosen}, {c[1] for c in chosen})]
    quotes: list[Quote] = []
    for key, source_id, text, is_pin in chosen:
        source = sources[source_id]
        kind = quote_kind(source.metadata.get(quote_field)) if quote_field else ""
        quotes.append(Quote(text, source.external_id, key if studies else "",
                            studies.label(key) if studies else source.external_id, kind,
                            is_pin))
        used.add(text)
    return tuple(quotes)
