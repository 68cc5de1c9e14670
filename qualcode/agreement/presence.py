"""Units of analysis and the roll-up of presence from codes to the nodes above them.

The unit of analysis is explicit (design.md §4): a whole source, a sentence, a paragraph,
or a group of sources sharing a metadata value (a study). A code is *present* for
(unit, coder) when any live coding of that coder with that code overlaps the unit; a
theme is present when any code below it is. The counting itself runs on columns
(:mod:`qualcode.agreement.spans`, :mod:`qualcode.analysis.agreement_units`); the
object-by-object version it replaced lives in ``tests/helpers/object_presence.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qualcode.model import Code, Codebook

Span = tuple[int, int, int]  # (source_id, start, end), end exclusive, code points


@dataclass(frozen=True, slots=True)
class AnalysisUnit:
    """One unit of analysis: one or more source spans under one label."""

    key: str
    spans: tuple[Span, ...]


def rolled_up(codebook: Codebook, nodes: Sequence[Code], direct: np.ndarray,
              targets: Sequence[Code]) -> np.ndarray:
    """Presence of each target where it or any node below it is present.

    ``direct`` has one column per node of ``nodes``; the result one column per target.

    >>> from qualcode.model import CodeKind
    >>> book = Codebook((Code(1, "", "Theme", CodeKind.THEME), Code(2, "", "Code", parent_id=1)))
    >>> rolled_up(book, book.codes, np.array([[False, True], [False, False]]), book.roots())
    array([[ True],
           [False]])
    """
    position = {c.id: j for j, c in enumerate(nodes)}
    out = np.zeros((direct.shape[0], len(targets)), dtype=bool)
    for t, target in enumerate(targets):
        below = [position[c.id] for c in [target, *codebook.descendants(target)]
                 if c.id in position]
        out[:, t] = direct[:, below].any(axis=1)
    return out
