"""Frequencies are computed once: the TUI screen and the charts give equal numbers.

Both go through qualcode.analysis.frequencies.layer_frequencies; the test also counts
the same project object by object (store.codings(), a set of (source, node) pairs) so
the shared function is checked against an independent count, not only against itself.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import ENGINES, engine_store
from qualcode.analysis.charts import frequencies as chart_frequencies
from qualcode.analysis.frequencies import coded_layers, layer_frequencies
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store
from qualcode.tui.screens.frequencies import frequencies as screen_frequencies


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

SEED = 20261204


def _project(store: Store, seed: int) -> None:
    """Two themes (one codable, with a sub-theme), three coders, a consensus layer."""
    rng = random.Random(seed)
    store.import_sources([SourceRecord(f"s{i}", f"Source number {i} says something.")
                          for i in range(12)], path="fixture.csv")
    care = store.add_code("Care", kind=CodeKind.THEME, codable=True)
    time = store.add_code("Time", parent_id=care.id, kind=CodeKind.SUBTHEME, codable=True)
    nodes = [care, time, store.add_code("Rush", parent_id=time.id),
             store.add_code("Touch", parent_id=care.id)]
    calm = store.add_code("Calm", kind=CodeKind.THEME)
    nodes.append(store.add_code("Quiet", parent_id=calm.id))
    sources = [store.source_by_external_id(f"s{i}").id for i in range(12)]
    coders = [store.coder(name) for name in ("alice", "bob", "carol")]
    for coder in coders[:2]:  # carol codes nothing: no column of her own
        for source_id in sources:
            for code in rng.sample(nodes, rng.randint(0, 3)):
                start = rng.randint(0, 10)
                store.add_coding(coder.id, source_id, code.id, start, start + rng.randint(1, 8))
    for source_id in sources[:5]:
        store.add_coding(coders[0].id, source_id, rng.choice(nodes).id,
                         layer=Layer.CONSENSUS)


def _by_hand(store: Store, layer: str) -> tuple[dict[int, int], dict[int, int]]:
    """Count (source, node) pairs object by object: direct, and rolled up to every ancestor."""
    book = store.codebook()
    if layer == "consensus":
        codings = store.codings(layer=Layer.CONSENSUS)
    else:
        codings = store.codings(coder_id=store.coder(layer, create=False).id,
                                layer=Layer.CODER)
    direct = {(c.source_id, c.code_id) for c in codings}
    nested = {(source, node.id) for source, code_id in direct
              for node in [book.by_id(code_id), *book.ancestors(book.by_id(code_id))]}
    count = lambda pairs, node: sum(1 for _, n in pairs if n == node)  # noqa: E731
    return ({c.id: count(direct, c.id) for c in book}, {c.id: count(nested, c.id) for c in book})


@pytest.mark.parametrize("seed", [SEED, SEED + 1, SEED + 2])
def test_screen_and_charts_give_equal_numbers(store: Store, seed: int) -> None:
    _project(store, seed)
    book = store.codebook()
    names, counts = screen_frequencies(store)
    assert names == coded_layers(store) == ["alice", "bob", "consensus"]
    codes = chart_frequencies(store, level="code", layers=names)
    themes = chart_frequencies(store, level="theme", layers=names)
    codable = [c for _, c in book.walk() if c.codable]
    for name in names:
        screen = counts[name]
        direct, nested = _by_hand(store, name)
        assert themes.series[name] == tuple(screen.get(t.id, 0) for t in book.roots())
        assert themes.series[name] == tuple(nested[t.id] for t in book.roots())
        on_screen = tuple(screen.get(-c.id if c.parent_id is None else c.id, 0)
                          for c in codable)
        assert codes.series[name] == on_screen == tuple(direct[c.id] for c in codable)
        shared = layer_frequencies(store, [name])[name]
        assert shared.direct == direct and shared.nested == nested


def test_a_coder_without_codings_is_refused_by_name(store: Store) -> None:
    _project(store, SEED)
    from qualcode.errors import StoreError

    with pytest.raises(StoreError, match="carol"):
        layer_frequencies(store, ["carol"])
