"""Figures for papers: code and theme frequencies, and kappa per theme with 95% CI whiskers.

Drawn with matplotlib (the optional ``charts`` extra) through its object API, never
pyplot, so nothing global changes and no window opens. SVG keeps text as text (editable
in a vector editor) and is byte-for-byte reproducible; PNG is written at ``dpi``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.analysis.frequencies import layer_frequencies
from qualcode.analysis.matrices import CONSENSUS
from qualcode.errors import QualcodeError
from qualcode.interchange.writers import atomic_write
from qualcode.interchange.writers.cells import estimate
from qualcode.interchange.writers.table import Estimate

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["CHART_FORMATS", "Frequencies", "KappaPoint", "KappaSeries", "chart_format",
           "draw_frequencies", "draw_kappa", "frequencies", "kappa_series"]

CHART_FORMATS = ("svg", "png")
WIDTH_IN = 6.5  # a journal's text width
ROW_IN = 0.28
PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")


def _matplotlib() -> Any:
    """Return matplotlib's Figure class, or say how to install the charts extra."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise QualcodeError("charts need matplotlib, which is not installed; install it with "
                            "pip install 'qualcode[charts]' (or pip install matplotlib)") from None
    return Figure


def chart_format(fmt: str | None, output: Path) -> str:
    """Return svg or png: the one asked for, else from the output's suffix."""
    chosen = fmt or output.suffix.lower().lstrip(".")
    if chosen not in CHART_FORMATS:
        raise QualcodeError(f"charts are written as .svg or .png, not {output.suffix or 'a file'}"
                            f" without a suffix; use -o FILE.svg or -o FILE.png",
                            path=str(output))
    return chosen


# -- data ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Frequencies:
    """Units coded per code (or theme), one series per layer, in codebook order."""

    level: str
    labels: tuple[str, ...]
    colours: tuple[str | None, ...]
    series: dict[str, tuple[int, ...]]


def frequencies(store: ProjectStore, *, level: str = "code",
                layers: Sequence[str] = (CONSENSUS,)) -> Frequencies:
    """Count the units (sources) coded with each code, or with each theme or anything below it."""
    if level not in ("code", "theme"):
        raise QualcodeError(f"unknown --level {level!r}; use code or theme")
    if not layers:
        raise QualcodeError("name at least one --layer")
    book = store.codebook()
    nodes = book.roots() if level == "theme" else [c for _, c in book.walk() if c.codable]
    counted = layer_frequencies(store, layers, book=book)
    series = {layer: tuple((found.nested if level == "theme" else found.direct)[c.id]
                           for c in nodes)
              for layer, found in counted.items()}
    return Frequencies(level, tuple(c.name for c in nodes), tuple(c.colour for c in nodes),
                       series)


@dataclass(frozen=True)
class KappaPoint:
    """One theme's (or code's) kappa with its interval; ``kappa.value`` None when undefined."""

    label: str
    kappa: Estimate
    note: str


@dataclass(frozen=True)
class KappaSeries:
    """Kappa per row for two coders over ``n_units`` units both marked done."""

    coders: tuple[str, str]
    level: str
    n_units: int
    points: tuple[KappaPoint, ...]


def kappa_series(store: ProjectStore, coders: Sequence[str], *,
                 level: str = "theme") -> KappaSeries:
    """Per-theme (or per-code) Cohen's kappa with 95% CI, from the agreement report."""
    from qualcode.analysis.agreement_report import agreement_report

    if len(coders) != 2:
        raise QualcodeError("a kappa chart compares exactly two coders, e.g. --coders alice bob")
    if level not in ("code", "theme"):
        raise QualcodeError(f"unknown --level {level!r}; use code or theme")
    report = agreement_report(store, coders, level=level)
    points = tuple(KappaPoint(r.path.rsplit("/", 1)[-1],
                              Estimate(r.kappa, r.kappa_ci_low, r.kappa_ci_high), r.note)
                   for r in report.rows)
    return KappaSeries((coders[0], coders[1]), level, report.n_units, points)


# -- drawing ---------------------------------------------------------------------------------
def _save(figure: Any, output: Path, fmt: str, dpi: int) -> None:
    import io

    from matplotlib import rc_context

    buffer = io.BytesIO()
    # Fixed ids and no date: the same project gives the same SVG bytes.
    with rc_context({"svg.hashsalt": "qualcode", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight",
                       metadata={"Date": None} if fmt == "svg" else None)
    atomic_write(output, buffer.getvalue())


def _figure(rows: int) -> Any:
    figure_class = _matplotlib()
    return figure_class(figsize=(WIDTH_IN, max(2.0, 1.0 + ROW_IN * rows)), layout="constrained")


def draw_frequencies(data: Frequencies, output: Path, *, fmt: str = "svg",
                     title: str | None = None, dpi: int = 300) -> None:
    """Draw horizontal bars of units per code or theme (grouped when several layers)."""
    n = len(data.series)
    figure = _figure(round(len(data.labels) * (1 + 0.5 * (n - 1))))  # grouped bars need room
    ax = figure.add_subplot()
    height = 0.8 / max(n, 1)
    positions = list(range(len(data.labels)))
    for k, (layer, values) in enumerate(data.series.items()):
        offsets = [p - 0.4 + height * (k + 0.5) for p in positions]
        colours = ([c or PALETTE[0] for c in data.colours] if n == 1
                   else PALETTE[k % len(PALETTE)])
        bars = ax.barh(offsets, values, height=height, color=colours, label=layer,
                       edgecolor="#333333", linewidth=0.4)
        ax.bar_label(bars, padding=2, fontsize=7)
    ax.set_yticks(positions, labels=list(data.labels), fontsize=8)
    ax.set_ylim(len(positions) - 0.5, -0.5)  # codebook order from the top, no empty band
    ax.set_xlabel("Units coded")
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.08)
    if n > 1:
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    what = "Themes" if data.level == "theme" else "Codes"
    ax.set_title(title or f"{what}: units coded"
                 + (f" ({next(iter(data.series))})" if n == 1 else ""), fontsize=10)
    _save(figure, output, fmt, dpi)


def draw_kappa(data: KappaSeries, output: Path, *, fmt: str = "svg",
               title: str | None = None, dpi: int = 300) -> None:
    """Draw each row's kappa as a point with its 95% CI as whiskers, values written beside."""
    figure = _figure(len(data.points))
    ax = figure.add_subplot()
    for y, point in enumerate(data.points):
        k = point.kappa
        if k.value is None:
            ax.text(0, y, " undefined", va="center", fontsize=7, color="#777777")
            continue
        low = k.value if k.low is None else max(-1.0, k.low)
        high = k.value if k.high is None else min(1.0, k.high)
        ax.errorbar([k.value], [y], xerr=[[k.value - low], [high - k.value]], fmt="o",
                    color="#1F3B5A", ecolor="#1F3B5A", capsize=3, markersize=4, linewidth=1)
    ax.set_yticks(range(len(data.points)), labels=[p.label for p in data.points], fontsize=8)
    ax.set_ylim(len(data.points) - 0.5, -0.5)
    lows = [p.kappa.low for p in data.points if p.kappa.low is not None]
    ax.set_xlim(min([-0.1, *(max(-1.0, v) for v in lows)]) - 0.05, 1.05)
    ax.axvline(0, color="#999999", linewidth=0.8, linestyle="--")
    for x in (0.2, 0.4, 0.6, 0.8):  # Landis & Koch's bands
        ax.axvline(x, color="#DDDDDD", linewidth=0.6, zorder=0)
    labels_ax = ax.secondary_yaxis("right")
    labels_ax.set_yticks(range(len(data.points)),
                         labels=[estimate(p.kappa) for p in data.points], fontsize=7)
    labels_ax.tick_params(length=0)
    ax.set_xlabel("Cohen's kappa (95% CI)")
    ax.spines[["top", "right"]].set_visible(False)
    labels_ax.spines["right"].set_visible(False)
    a, b = data.coders
    what = "theme" if data.level == "theme" else "code"
    ax.set_title(title or f"Agreement per {what}: {a} and {b}, {data.n_units} units",
                 fontsize=10)
    _save(figure, output, fmt, dpi)
