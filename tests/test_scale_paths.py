"""The column paths of agreement, the theme table, matrices and charts against the
object-by-object reference.

``agreement_report`` and ``theme_table`` read units, done marks, codings and quotes as
numpy columns (qualcode.agreement.spans, qualcode.analysis.agreement_units,
qualcode.analysis.theme_quotes). Here seeded random projects -- irregular whitespace,
duplicate passages, zero-width and partial codings, nested stored units, sentence-level
done marks, odd metadata values -- are computed both ways and must agree exactly.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from helpers.object_presence import build_units, code_presence, keep_done, presence_table
from helpers.reference_paths import exemplar_quotes, node_presence, study_index
from helpers.store_engines import ENGINES, engine_store
from qualcode.agreement.presence import AnalysisUnit
from qualcode.agreement.spans import SpanUnits, overlap_presence
from qualcode.analysis import theme_quotes
from qualcode.analysis.agreement_report import _columns, _prepare
from qualcode.analysis.charts import frequencies
from qualcode.analysis.matrices import cooccurrence, layer_codings, matrix
from qualcode.analysis.theme_table import theme_table
from qualcode.errors import StoreError
from qualcode.model import CodeKind, Coding, Layer, SourceRecord, UnitKind
from qualcode.segmentation import sentences
from qualcode.storage import Store, arrays
from qualcode.storage.pins import pin_quote, pinned_quotes


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

WORDS = ["care", "time", "team", "we", "felt", "e.g.", "shift", "“quoted”", "ok", "night"]
GAPS = [" ", " ", " ", " ", "  ", "\n", "\t", "\u00a0", ". ", "! ", ".\n\n", " " * 25]
STUDIES = ["S1", "S2", "S3", "", None, 3, 2.5, True]


def _text(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return ""
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 14))]
    text = "".join(w + rng.choice(GAPS) for w in words)
    return rng.choice(["", " ", "\n"]) + text.rstrip() + rng.choice(["", ".", " "])


def _project(tmp: Path, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store.create(tmp / f"p{seed}.qualcode")
    texts: list[str] = []
    records = []
    for i in range(rng.randint(5, 40)):
        text = rng.choice(texts) if texts and rng.random() < 0.2 else _text(rng)
        texts.append(text)
        study = rng.choice(STUDIES)
        meta = {} if study is None else {"study": study}
        if rng.random() < 0.7:
            meta["finding_type"] = rng.choice(["participant_quote", "author", ""])
        records.append(SourceRecord(f"R{i:02d}", text, metadata=meta))
    store.import_sources(records, path="random.csv")
    themes = [store.add_code(f"Theme {k}", kind=CodeKind.THEME) for k in range(2)]
    sub = store.add_code("Sub", parent_id=themes[0].id, kind=CodeKind.SUBTHEME)
    codes = [store.add_code(f"Code {k}", parent_id=rng.choice([themes[0].id, themes[1].id,
                                                                sub.id])) for k in range(4)]
    nodes = [*themes, sub, *codes]
    coders = [store.coder(name).id for name in ("alice", "bob", "carol")]
    db = store.db
    with db.conn:
        for sid, text in db.execute("SELECT id, text FROM sources").fetchall():
            spans = sentences(text)
            if rng.random() < 0.4 and spans:  # stored sentence units, sometimes nested
                stored = spans + ([(0, len(text))] if rng.random() < 0.3 and spans[0][0] else [])
                for pos, (s, e) in enumerate(stored):
                    db.execute('INSERT INTO units(guid, source_id, start, "end", kind, position) '
                               "VALUES (?, ?, ?, ?, 'sentence', ?)",
                               [f"u{sid}-{s}", sid, s, e, pos])
        for coder in coders:
            for unit_id, kind in db.execute("SELECT id, kind FROM units").fetchall():
                if rng.random() < (0.8 if kind == "source" else 0.3):
                    db.execute("INSERT INTO reviews(unit_id, coder_id, layer, done_at) VALUES "
                               "(?, ?, 'coder', 'x')", [unit_id, coder])
            for sid, length in db.execute("SELECT id, length(text) FROM sources").fetchall():
                for _ in range(rng.choice([0, 1, 1, 2, 3])):
                    a, b = sorted(rng.randint(0, length) for _ in range(2))
                    a, b = rng.choice([(a, b), (0, length), (a, a)])
                    db.execute('INSERT INTO codings(guid, coder_id, source_id, code_id, start, '
                               '"end", layer, created_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, '
                               "'coder', 'x', ?)", [f"c{rng.random()}", coder, sid,
                                                    rng.choice(nodes).id, a, b,
                                                    "x" if rng.random() < 0.05 else None])
        if rng.random() < 0.4:  # a code hidden behind its codings' back: they must not count
            db.execute("UPDATE codes SET deleted_at = 'x' WHERE id = ?", [codes[-1].id])
    return store


def _reference_prepare(store: Store, names: list[str], kind: UnitKind, group_by: str | None,
                       partial: bool) -> tuple[list[AnalysisUnit], dict[str, int], dict]:
    """What agreement_report gathered before the column path: objects throughout."""
    sources = list(store.iter_sources())
    cuts: dict[int, list[tuple[int, int]]] = {}
    for u in store.units(kind) if kind != UnitKind.SOURCE else []:
        cuts.setdefault(u.source_id, []).append((u.start, u.end))
    units = build_units(sources, kind.value, group_by, cuts=cuts)
    codings: dict[str, list[Coding]] = {}
    done: dict[str, set[object]] = {}
    for name in names:
        coder = store.coder(name, create=False)
        # Codings covering only whitespace are left out at every unit level (README).
        text = {s.id: s.text for s in sources}
        codings[name] = [c for c in store.codings(coder_id=coder.id, layer=Layer.CODER)
                         if c.end == c.start or not text[c.source_id][c.start:c.end].isspace()]
        done[name] = set()
        for sid, k, s, e in store.db.execute(
                'SELECT u.source_id, u.kind, u.start, u."end" FROM reviews r JOIN units u ON '
                "u.id = r.unit_id WHERE r.coder_id = ?", [coder.id]):
            done[name].add(sid if k == "source" else (sid, s, e))
    kept, excluded = keep_done(units, done, require_all=group_by is not None and not partial)
    book = store.codebook()
    tables = {lv: presence_table(kept, codings, book, level=lv) for lv in ("code", "theme")}
    return kept, excluded, tables


@pytest.mark.parametrize("seed", range(16))
def test_agreement_columns_match_the_object_path(tmp_path: Path, seed: int) -> None:
    store = _project(tmp_path, seed)
    rng = random.Random(seed + 100)
    for _ in range(4):
        names = rng.choice([["alice", "bob"], ["bob", "carol"], ["alice", "bob", "carol"]])
        kind = rng.choice(list(UnitKind))
        group_by = rng.choice([None, "study"])
        partial = rng.random() < 0.5
        kept, excluded, tables = _reference_prepare(store, names, kind, group_by, partial)
        prep = _prepare(store, names, kind, group_by, partial)
        assert list(prep.units) == kept
        assert list(prep.excluded.items()) == list(excluded.items())
        for level, table in tables.items():
            columns, presence = _columns(prep, level)
            assert columns == table.columns
            assert np.array_equal(presence, table.presence)
    store.close()


@pytest.mark.parametrize("seed", range(30))
def test_overlap_join_matches_code_presence(seed: int) -> None:
    rng = np.random.default_rng(seed)
    spans = []
    for source in range(1, 6):
        cuts = np.unique(rng.integers(0, 40, size=rng.integers(1, 8)))
        spans += [(source, int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=False)]
        if rng.random() < 0.3:  # a unit nested in another: the sequential fallback
            spans.append((source, int(cuts[0]), 45))
    units = [AnalysisUnit(str(i), (span,)) for i, span in enumerate(spans)]
    starts = rng.integers(0, 45, size=60)
    ends = np.minimum(starts + rng.integers(0, 12, size=60), 45)
    codings = [Coding(i, "g", 1, int(rng.integers(0, 7)), int(rng.integers(0, 3)), int(s), int(e))
               for i, (s, e) in enumerate(zip(starts, ends, strict=True))]
    table = np.array(spans, dtype=np.int64).reshape(-1, 3)
    columns = SpanUnits.build(table[:, 0], table[:, 1], table[:, 2], np.arange(len(spans)),
                              len(spans))
    got = overlap_presence(columns, np.array([c.source_id for c in codings]),
                           np.array([c.start for c in codings]), np.array([c.end for c in codings]),
                           np.array([c.code_id for c in codings]), 3)
    assert np.array_equal(got, code_presence(units, codings, [0, 1, 2]))


def _reference_themes(store: Store, layer: str, study_field: str | None, quotes: int,
                      quote_field: str | None) -> list[tuple]:
    """The theme table's rows as computed object by object before the column path."""
    book = store.codebook()
    codings = layer_codings(store, layer)
    sources = list(store.iter_sources())
    by_id = {s.id: s for s in sources}
    studies = study_index(store, sources, study_field) if study_field else None
    presence = node_presence(sources, codings, book)
    direct: dict[int, list[Coding]] = {}
    for coding in codings:
        direct.setdefault(coding.code_id, []).append(coding)
    pins: dict[int, list[tuple[int, int, int]]] = {}
    for pin in pinned_quotes(store):
        pins.setdefault(pin.code_id, []).append((pin.source_id, pin.start, pin.end))
    rows, used = [], set()
    for _, code in book.walk():
        present = presence.nested[:, presence.column(code)]
        units = [sources[i] for i in present.nonzero()[0]]
        keys: tuple[str, ...] = ()
        if studies:
            rank = {k: i for i, k in enumerate(studies.keys)}
            keys = tuple(sorted(dict.fromkeys(studies.of_source[s.id] for s in units),
                                key=rank.__getitem__))
        rows.append((code.id, keys, len(units), exemplar_quotes(
            direct.get(code.id, []), by_id, studies, quotes, quote_field, used,
            pins.get(code.id, ()))))
    return rows


def _pin_some(store: Store, rng: random.Random) -> None:
    """Pin a few random spans (some whole sources, some duplicates of coded passages)."""
    codes = [c for c in store.codebook() if c.codable]
    sources = list(store.iter_sources())
    for _ in range(rng.randint(0, 6)):
        source, code = rng.choice(sources), rng.choice(codes)
        a, b = sorted(rng.randint(0, len(source.text)) for _ in range(2))
        span = rng.choice([(a, b), (None, None)])
        try:
            pin_quote(store, code_id=code.id, source_id=source.id, start=span[0], end=span[1])
        except StoreError:
            pass  # an empty or blank span, or one pinned already


@pytest.mark.parametrize("seed", range(16))
def test_theme_table_columns_match_the_object_path(tmp_path: Path, seed: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = _project(tmp_path, seed)
    _pin_some(store, random.Random(seed + 900))
    rng = random.Random(seed + 200)
    for first_read in (1, 3, theme_quotes.FIRST_READ):
        monkeypatch.setattr(theme_quotes, "FIRST_READ", first_read)
        layer = rng.choice(["alice", "bob"])
        study_field = rng.choice([None, "study"])
        quotes = rng.choice([0, 1, 2, 3, 5])
        quote_field = rng.choice([None, "finding_type"])
        table = theme_table(store, layer=layer, study_field=study_field, quotes=quotes,
                            quote_field=quote_field, auto_kappa=False)
        got = [(r.code.id, r.studies, r.n_units, r.quotes) for r in table.rows]
        assert got == _reference_themes(store, layer, study_field, quotes, quote_field)
    store.close()


def test_a_long_raw_passage_that_collapses_short_is_chosen(store: Store,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(theme_quotes, "FIRST_READ", 1)
    store.import_sources([SourceRecord("A", "ab" + " " * 40 + "cd", metadata={"study": "S1"}),
                          SourceRecord("B", "abcdefgh", metadata={"study": "S2"})], path="x.csv")
    code = store.add_code("Code")
    alice = store.coder("alice")
    for source in store.iter_sources():
        store.add_coding(alice.id, source.id, code.id)
    table = theme_table(store, layer="alice", study_field="study", quotes=1, auto_kappa=False)
    assert [q.text for q in table.rows[0].quotes] == ["ab cd"]


def test_every_whitespace_but_the_space_is_unprintable() -> None:
    """theme_quotes.regular relies on it to skip collapsing most passages."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and c != 32]
    assert spaces and not any(c.isprintable() for c in spaces)
    assert theme_quotes.regular("a b") and not theme_quotes.regular("a\u00a0b")


def _reference_matrix(store: Store, rows: str, cols: str, layer: str, tick: bool,
                      study_field: str) -> tuple[list[str], list[tuple]]:
    """Headers and cells of ``matrix`` as computed object by object before the column path."""
    book = store.codebook()
    sources = list(store.iter_sources())
    nodes = [(0, c) for c in book.roots()] if rows == "theme" else list(book.walk())
    if cols == "coder":
        names = [c.name for c in store.coders() if store.codings(coder_id=c.id, layer=Layer.CODER)]
        per = [node_presence(sources, layer_codings(store, n), book) for n in names]
        headers, masks = names, []
    else:
        presence = node_presence(sources, layer_codings(store, layer), book)
        if cols == "study":
            index = study_index(store, sources, study_field)
            headers = [index.label(k) for k in index.keys]
            masks = [np.array([index.of_source[s.id] == k for s in sources], dtype=bool)
                     for k in index.keys]
        else:
            headers = [s.external_id for s in sources]
            masks = [np.arange(len(sources)) == i for i in range(len(sources))]
    out = []
    for _, code in nodes:
        if rows == "code" and not code.codable:
            out.append((code.name, *[None] * (len(headers) + (cols != "coder"))))
            continue
        if cols == "coder":
            counts = [int((p.nested if rows == "theme" else p.direct)[:, p.column(code)].sum())
                      for p in per]
            cells: list[object] = [c > 0 for c in counts] if tick else counts
        else:
            present = (presence.nested if rows == "theme" else presence.direct)[
                :, presence.column(code)]
            counts = [int((present & m).sum()) for m in masks]
            cells = [c > 0 for c in counts] if tick else list(counts)
            cells.append(sum(c > 0 for c in counts) if tick else int(present.sum()))
        out.append((code.name, *cells))
    return headers, out


@pytest.mark.parametrize("seed", range(12))
def test_matrices_and_frequencies_columns_match_the_object_path(tmp_path: Path,
                                                                 seed: int) -> None:
    store = _project(tmp_path, seed)
    rng = random.Random(seed + 300)
    book = store.codebook()
    for _ in range(4):
        rows, cols = rng.choice(["theme", "code"]), rng.choice(["study", "source", "coder"])
        layer, tick = rng.choice(["alice", "bob", "carol"]), rng.random() < 0.5
        table = matrix(store, rows=rows, cols=cols, layer=layer, tick=tick, study_field="study")
        headers, cells = _reference_matrix(store, rows, cols, layer, tick, "study")
        assert [c.header for c in table.columns[1:1 + len(headers)]] == headers
        assert [r.cells for r in table.rows] == cells
    for level in ("code", "theme"):
        layer = rng.choice(["alice", "bob", "carol"])
        presence = node_presence(list(store.iter_sources()), layer_codings(store, layer), book)
        codes = book.roots() if level == "theme" else [c for c in presence.nodes if c.codable]
        got = (presence.nested if level == "theme" else presence.direct)[
            :, [presence.column(c) for c in codes]].astype(np.int64)
        table = cooccurrence(store, level=level, layer=layer)
        assert [list(r.cells[1:]) for r in table.rows] == (got.T @ got).tolist()
        series = frequencies(store, level=level, layers=["alice", "bob"]).series
        for name in ("alice", "bob"):
            p = node_presence(list(store.iter_sources()), layer_codings(store, name), book)
            wanted = (p.nested if level == "theme" else p.direct)[
                :, [p.column(c) for c in codes]].sum(axis=0).tolist()
            assert list(series[name]) == wanted
    store.close()


@pytest.mark.parametrize("seed", range(8))
def test_coding_columns_are_the_live_codings(tmp_path: Path, seed: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store = _project(tmp_path, seed)
    monkeypatch.setattr(arrays, "ROWID_CHUNK", 7)  # many id ranges, some empty
    for coder in [None, *(c.id for c in store.coders())]:
        for layer in (Layer.CODER, Layer.CONSENSUS):
            cols = arrays.coding_columns(store, layer=layer, coder_id=coder)
            got = sorted(zip(cols.id.tolist(), cols.source.tolist(), cols.code.tolist(),
                             cols.start.tolist(), cols.end.tolist(), strict=True))
            wanted = sorted((c.id, c.source_id, c.code_id, c.start, c.end)
                            for c in store.codings(coder_id=coder, layer=layer))
            assert got == wanted
            assert arrays.has_codings(store, layer=layer, coder_id=coder) == bool(wanted)
    store.close()



def test_field_values_read_every_json_type_as_str_of_the_decoded_value(tmp_path: Path) -> None:
    """Booleans, arrays, objects and reals give what str(source.metadata[field]) gives; a
    key repeated in one source's JSON counts once, the last copy winning (as json.loads)."""
    import json

    from qualcode.model import SourceRecord
    from qualcode.storage.arrays import field_values

    values = [True, False, [1, "a"], {"k": 2}, 1.5, 0.1, 3, "x", "", None, [], 1e-7]
    with Store.create(tmp_path / "fields.qualcode") as store:
        store.import_sources([SourceRecord(f"s{i}", "text", metadata={"f": v})
                              for i, v in enumerate(values)])
        store.db.execute("UPDATE sources SET metadata = ? WHERE external_id = 's0'",
                         ['{"f": "first", "f": "last"}'])
        found = field_values(store, "f")
    expected = [None if v in (None, "") else str(v) for v in values]
    expected[0] = str(json.loads('{"f": "first", "f": "last"}')["f"])
    assert found == expected
