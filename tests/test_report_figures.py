"""Figures people read: print size, text no smaller than 7 pt, legends outside the data, integer ticks
on layer axes, distinct colour and dash for every curve, every Series kind drawn."""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
import pytest

from gradmath.contract import Figure, Panel, Series
from gradmath.report import figures
from gradmath.report.document import SIDE_MARGIN_CM

xs = np.linspace(0.0, 1.0, 11)


def _drawn(spec):
    import matplotlib.pyplot as plt

    with figures.style():
        fig = figures.draw(spec)
        fig.canvas.draw()
    return fig, plt


def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_figures_are_drawn_as_wide_as_the_text():
    assert figures.TEXT_WIDTH_IN == pytest.approx((21.0 - 2 * SIDE_MARGIN_CM) / 2.54)
    fig, plt = _drawn(Figure("w", "", [Panel([Series(xs, xs, "a")])], width=9.0, height=3.0))
    assert fig.get_figwidth() == pytest.approx(figures.TEXT_WIDTH_IN)  # printed at 100 %: no scaling
    plt.close(fig)


def test_no_text_is_smaller_than_the_minimum():
    from matplotlib.text import Text

    spec = Figure("t", "", [Panel([Series(xs, xs, "line"), Series(0.5, 0.5, "a point", kind="point")],
                                  title="a panel", xlabel="layer", ylabel="$y$") for _ in range(3)])  # fmt: skip
    fig, plt = _drawn(spec)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(sizes) > 20 and min(sizes) >= figures.MIN_FONT_PT >= 7
    plt.close(fig)


@pytest.mark.parametrize("n_panels", [1, 2])
def test_legends_lie_outside_every_axes(n_panels):
    panels = [
        Panel([Series(xs, xs * (k + 1), f"curve {k} of panel {p}") for k in range(4)])
        for p in range(n_panels)
    ]
    fig, plt = _drawn(Figure("l", "", panels))
    renderer = fig.canvas.get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert legends
    for legend, ax in itertools.product(legends, fig.axes):
        assert not _boxes_overlap(legend.get_window_extent(renderer), ax.get_window_extent(renderer))
    plt.close(fig)


def test_layer_axes_get_integer_ticks():
    layers = np.arange(1, 5)
    flagged = Panel([Series(layers, [1.0, 0.5, 0.2, 0.1], "norm")], integer_x=True)
    inferred = Panel([Series(layers, [1.0, 0.5, 0.2, 0.1], "norm", kind="errorbar", yerr=0.01 + 0 * layers)])
    fractional = Panel([Series(xs, xs, "x")])
    fig, plt = _drawn(Figure("i", "", [flagged, inferred, fractional]))
    for ax in fig.axes[:2]:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks)
    lo, hi = fig.axes[2].get_xlim()
    assert any(not float(t).is_integer() for t in fig.axes[2].get_xticks() if lo <= t <= hi)
    plt.close(fig)


def test_every_curve_differs_in_colour_and_dash():
    cycle = list(figures.prop_cycle())
    pairs = {(c["color"], str(c["linestyle"])) for c in cycle}
    assert len(cycle) == 16 and len(pairs) == 16  # no two curves alike, even after the first eight
    assert {c["color"] for c in cycle} == set(figures.PALETTE)  # Okabe-Ito's colour-blind-safe palette
    fig, plt = _drawn(Figure("c", "", [Panel([Series(xs, xs + k, f"c{k}") for k in range(16)])]))
    drawn = [line.get_color() for line in fig.axes[0].get_lines()]
    assert drawn == [c["color"] for c in cycle]  # the curves take the cycle in order
    plt.close(fig)


def test_every_series_kind_draws():
    series = [
        Series(xs, xs**2, "line"),
        Series(xs, xs, "scatter", kind="scatter"),
        Series(xs, xs + 1, "err", kind="errorbar", yerr=0.1 + 0 * xs),
        Series(xs, xs / 2, "bar", kind="bar", style={"width": 0.05}),
        Series(xs, xs, "fill", kind="fill", y2=xs / 3),
        Series(xs, 1 + xs, "step", kind="step"),
        Series(None, 1.5, "h", kind="hline"),
        Series(0.5, None, "v", kind="vline"),
        Series(0.2, 0.4, "interval", kind="vspan"),
        Series(0.5, 1.5, "p", kind="point"),
    ]
    gx, gy = np.linspace(0, 1, 6), np.linspace(0, 2, 4)
    field = np.add.outer(gy, gx)  # shape (len(gy), len(gx)), crossing 1.5 inside the grid
    fields = [Series(gx, gy, None, kind="heatmap", y2=field, style={"label": "value"}),
              Series(gx, gy, "level 1.5", kind="contour", y2=field, style={"levels": [1.5]})]  # fmt: skip
    assert {s.kind for s in series + fields} == set(figures.SERIES_KINDS)
    fig = Figure("all", "", [Panel(series, yscale="log"), Panel(fields, legend=False)])
    svg = figures.render_svg(fig)
    assert svg.startswith(b"<?xml") and svg == figures.render_svg(fig)
    with pytest.raises(ValueError, match="unknown Series kind 'pie'"):
        figures.render_svg(Figure("bad", "", [Panel([Series(xs, xs, kind="pie")])]))


def _mathtext_figure():
    """Two panels with different legends (so each is measured by the Agg renderer), mathtext in the
    titles, axis labels and legends, on log and linear axes."""
    grid = np.logspace(-3, 1, 9)
    return Figure("m", "", [
        Panel([Series(grid, grid**2, r"$\|\delta^l\| / \|\delta^L\|$"),
               Series(grid, grid, r"$w\,\sigma'(z)$")],
              title=r"$\sigma'(z) \leq 1/4$", xlabel=r"layer $l$", ylabel=r"$\sqrt{n_j}$", xscale="log",
              yscale="log"),
        Panel([Series(xs, xs, r"$e(x) = x - w_2\,\sigma(w_1 x + b)$")], xlabel="$x$", ylabel=r"$|e(x)|$"),
    ])  # fmt: skip


def _matplotlib_alone(monkeypatch, spec) -> bytes:
    """The SVG of ``spec`` drawn with matplotlib's own per-renderer parse caches (no sharing)."""
    with monkeypatch.context() as m:
        m.setattr(figures, "shared_mathtext", contextlib.nullcontext)
        return figures.render_svg(spec)


def test_shared_mathtext_parses_change_no_byte(monkeypatch):
    """Sharing matplotlib's mathtext parses between renderers (render_svg) gives the SVG that
    matplotlib's own per-renderer caches give, and does parse each label once."""
    from matplotlib import mathtext

    own = mathtext.MathTextParser.__dict__["_parse_cached"]
    assert hasattr(own, "cache_info")  # matplotlib's own lru_cache, not a method an earlier drawing left
    spec = _mathtext_figure()
    shared = figures.render_svg(spec)
    assert mathtext.MathTextParser.__dict__["_parse_cached"] is own  # matplotlib's method is put back
    before = figures._parse.cache_info()
    assert figures.render_svg(spec) == shared
    after = figures._parse.cache_info()
    assert after.misses == before.misses and after.hits > before.hits  # the second time: no parse at all
    assert _matplotlib_alone(monkeypatch, spec) == shared


def test_shared_mathtext_parses_follow_the_mathtext_settings(monkeypatch):
    """A ``mathtext.*`` setting the report's style leaves alone (here upright maths letters) changes the
    parse: a cache keyed without the settings would return the italic parse of the first drawing."""
    import matplotlib

    spec = _mathtext_figure()
    italic = figures.render_svg(spec)
    with matplotlib.rc_context({"mathtext.default": "rm"}):
        upright = figures.render_svg(spec)
        assert _matplotlib_alone(monkeypatch, spec) == upright
    assert upright != italic
