"""Charts: the numbers drawn are counted by hand, and the files are valid SVG and PNG."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from lxml import etree

from helpers.theme_project import ALICE, BOB, PARENTS, TREE, build_project
from qualcode.analysis import charts
from qualcode.analysis.agreement_report import agreement_report
from qualcode.errors import QualcodeError
from qualcode.storage import Store

pytest.importorskip("matplotlib")

SVG = "{http://www.w3.org/2000/svg}"
CODES = ["Listening", "Talking", "Empathy", "=Time", "Nothing"]


@pytest.fixture
def project(store: Store) -> Store:
    return build_project(store)


def _count(layer: dict[int, list[str]], node: str, nested: bool) -> int:
    return sum(any((c == node or node in PARENTS[c]) if nested else c == node for c in codes)
               for codes in layer.values())


def test_frequencies_are_units_per_code_and_theme(project: Store) -> None:
    codes = charts.frequencies(project, level="code", layers=["alice", "bob"])
    assert codes.labels == tuple(CODES)
    assert codes.series == {name: tuple(_count(layer, c, False) for c in CODES)
                            for name, layer in (("alice", ALICE), ("bob", BOB))}
    themes = charts.frequencies(project, level="theme", layers=["bob"])
    assert themes.labels == tuple(TREE)
    assert themes.series["bob"] == tuple(_count(BOB, t, True) for t in TREE)


def test_kappa_series_is_the_agreement_report(project: Store) -> None:
    series = charts.kappa_series(project, ["alice", "bob"], level="theme")
    report = agreement_report(project, ["alice", "bob"], level="theme")
    assert [p.label for p in series.points] == list(TREE)
    assert [(p.kappa.value, p.kappa.low, p.kappa.high) for p in series.points] == [
        (r.kappa, r.kappa_ci_low, r.kappa_ci_high) for r in report.rows]
    assert series.n_units == report.n_units


def _svg_texts(path: Path) -> list[str]:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.getroot().tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_frequency_svg_is_valid_and_keeps_labels_as_text(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "freq.svg"
    charts.draw_frequencies(charts.frequencies(project, layers=["alice", "bob"]), out)
    texts = _svg_texts(out)
    for code in CODES:
        assert code in texts
    assert "alice" in texts and "bob" in texts  # the legend
    first = out.read_bytes()
    charts.draw_frequencies(charts.frequencies(project, layers=["alice", "bob"]), out)
    assert out.read_bytes() == first  # reproducible


def test_kappa_svg_shows_each_theme_with_its_interval(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "kappa.svg"
    series = charts.kappa_series(project, ["alice", "bob"])
    charts.draw_kappa(series, out)
    texts = _svg_texts(out)
    for point in series.points:
        assert point.label in texts
    defined = [p for p in series.points if p.kappa.value is not None]
    assert defined
    for p in defined:
        assert f"{p.kappa.value:.2f} ({p.kappa.low:.2f} to {p.kappa.high:.2f})" in texts


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_has_magic_bytes_and_scales_with_dpi(project: Store, tmp_path: Path) -> None:
    series = charts.kappa_series(project, ["alice", "bob"])
    low, high = tmp_path / "k100.png", tmp_path / "k200.png"
    charts.draw_kappa(series, low, fmt="png", dpi=100)
    charts.draw_kappa(series, high, fmt="png", dpi=200)
    w1, h1 = _png_size(low)
    w2, h2 = _png_size(high)
    assert 500 < w1 < 800  # 6.5 inches wide at 100 dpi, give or take the tight crop
    assert abs(w2 - 2 * w1) <= 4 and abs(h2 - 2 * h1) <= 4


def test_format_comes_from_the_suffix(tmp_path: Path) -> None:
    assert charts.chart_format(None, tmp_path / "a.SVG") == "svg"
    assert charts.chart_format("png", tmp_path / "a") == "png"
    with pytest.raises(QualcodeError, match=r"\.svg or \.png"):
        charts.chart_format(None, tmp_path / "a.pdf")


def test_missing_matplotlib_is_a_clear_error(project: Store, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import now fails
    data = charts.frequencies(project, layers=["alice"])
    with pytest.raises(QualcodeError, match=r"pip install 'qualcode\[charts\]'"):
        charts.draw_frequencies(data, tmp_path / "f.svg")
    assert not (tmp_path / "f.svg").exists()


def test_kappa_chart_needs_two_coders(project: Store) -> None:
    with pytest.raises(QualcodeError, match="exactly two"):
        charts.kappa_series(project, ["alice"])
