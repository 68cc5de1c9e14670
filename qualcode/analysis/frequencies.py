"""Code and theme frequencies: the number of sources each layer coded with each node.

The one computation behind the TUI's frequencies screen and ``qualcode export chart
--kind frequencies``. A source counts once per node however many codings it holds; a
node's ``nested`` count is the sources coded with it or with anything below it (a theme's
roll-up), its ``direct`` count the sources coded with the node itself. Counting goes
through the column path the agreement report and the matrices use
(:func:`qualcode.analysis.matrices.source_presence`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.analysis.matrices import CONSENSUS, layer_columns, source_presence
from qualcode.model import Codebook, Layer
from qualcode.storage.arrays import ColumnReads

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["LayerFrequencies", "coded_layers", "layer_frequencies"]


@dataclass(frozen=True)
class LayerFrequencies:
    """Sources coded per codebook node in one layer (a coder's name, or ``consensus``)."""

    layer: str
    direct: dict[int, int]
    nested: dict[int, int]


def coded_layers(store: ProjectStore, reads: ColumnReads | None = None) -> list[str]:
    """Return the coders with live codings (in the order they joined), then ``consensus``."""
    reads = reads or ColumnReads(store)
    names = [coder.name for coder in store.coders()
             if len(reads.codings(layer=Layer.CODER, coder_id=coder.id))]
    if len(reads.codings(layer=Layer.CONSENSUS)):
        names.append(CONSENSUS)
    return names


def layer_frequencies(store: ProjectStore, layers: Sequence[str] | None = None, *,
                      book: Codebook | None = None,
                      reads: ColumnReads | None = None) -> dict[str, LayerFrequencies]:
    """Return each layer's frequencies (every layer with codings when ``layers`` is None).

    A named layer without codings is refused with the message of
    :func:`~qualcode.analysis.matrices.layer_columns`.
    """
    reads = reads or ColumnReads(store)
    book = book or store.codebook()
    chosen = coded_layers(store, reads) if layers is None else list(dict.fromkeys(layers))
    result: dict[str, LayerFrequencies] = {}
    for layer in chosen:
        presence = source_presence(store, layer_columns(store, layer, reads), book, reads)
        direct = presence.direct.sum(axis=0)
        nested = presence.nested.sum(axis=0)
        result[layer] = LayerFrequencies(
            layer,
            {code.id: int(direct[j]) for j, code in enumerate(presence.nodes)},
            {code.id: int(nested[j]) for j, code in enumerate(presence.nodes)})
    return result
