"""Draw the solvers' :class:`~gradmath.contract.Figure` specs with matplotlib (Agg) as SVG.

Figures are data (``Figure`` -> ``Panel`` -> ``Series``); this module is the only place that knows
matplotlib. The style is chosen for print:

- drawn at the printed size (:data:`TEXT_WIDTH_IN`, the report's text width), so that no text is
  smaller than :data:`MIN_FONT_PT` on paper;
- the Okabe–Ito colour-blind-safe palette, each colour paired with its own line style, so that
  overlapping curves stay distinct in colour *and* in dash pattern (and in greyscale);
- integer ticks on layer and epoch axes (``Panel.integer_x``, or any axis whose data are all small
  integers);
- legends outside the data: below each panel, or one legend below the whole figure when the panels
  share their labels.

Every Series kind of the contract is drawn: line, scatter, errorbar, bar, fill, step, hline, vline,
vspan (shades ``x`` to ``y`` across the panel), point.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..printing.unicode import superscript

__all__ = [
    "render_svg",
    "draw",
    "style",
    "prop_cycle",
    "SERIES_KINDS",
    "TEXT_WIDTH_IN",
    "MIN_FONT_PT",
    "PALETTE",
    "LINESTYLES",
    "warm_up",
]

SERIES_KINDS = (
    "line", "scatter", "errorbar", "bar", "fill", "step", "hline", "vline", "vspan", "point", "heatmap", "contour",
)  # fmt: skip

#: the report's text width in inches (A4 with 2.3 cm side margins): figures are drawn at this width
TEXT_WIDTH_IN = (21.0 - 2 * 2.3) / 2.54
#: no text in a figure is smaller than this at print size (points)
MIN_FONT_PT = 8.0
#: Okabe and Ito's colour-blind-safe palette (yellow last: weak on white)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: one dash pattern per colour, so that curves differ in two ways
LINESTYLES = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1.5, 1, 1.5, 1, 1.5)),
    (0, (1, 1)),
    (0, (8, 2)),
    (0, (3, 1, 1, 1)),
)

_RC = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.5,
    "svg.fonttype": "path",
    "svg.hashsalt": "gradmath",
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "figure.constrained_layout.use": True,
    "legend.frameon": False,
    "figure.dpi": 72,  # the SVG backend's own: text is measured once, not at two resolutions
    "savefig.dpi": 72,
}


def _arr(v: Any) -> np.ndarray | None:
    return np.asarray(v, dtype=float) if v is not None else None


def _scalar(v: Any) -> float:
    return float(np.ravel(np.asarray(v, dtype=float))[0])


def _draw_series(ax, s) -> None:
    style = dict(s.style or {})
    label, kind = s.label, s.kind
    if kind == "line":
        ax.plot(_arr(s.x), _arr(s.y), label=label, **style)
    elif kind == "scatter":
        style.setdefault("s", 14)
        ax.scatter(_arr(s.x), _arr(s.y), label=label, **style)
    elif kind == "errorbar":
        style.setdefault("capsize", 3)
        style.setdefault("marker", "o")
        style.setdefault("markersize", 4)
        ax.errorbar(_arr(s.x), _arr(s.y), yerr=_arr(s.yerr), label=label, **style)
    elif kind == "bar":
        style.setdefault("width", 0.8)
        ax.bar(_arr(s.x), _arr(s.y), label=label, **style)
    elif kind == "fill":
        style.setdefault("alpha", 0.3)
        y2 = _arr(s.y2) if s.y2 is not None else 0.0
        ax.fill_between(_arr(s.x), _arr(s.y), y2, label=label, **style)
    elif kind == "step":
        style.setdefault("where", "mid")
        ax.step(_arr(s.x), _arr(s.y), label=label, **style)
    elif kind in ("hline", "vline"):
        style.setdefault("linestyle", "--")
        style.setdefault("color", "0.35")
        style.setdefault("linewidth", 1.0)
        if kind == "hline":
            ax.axhline(_scalar(s.y), label=label, **style)
        else:
            ax.axvline(_scalar(s.x), label=label, **style)
    elif kind == "vspan":
        style.setdefault("alpha", 0.18)
        style.setdefault("color", PALETTE[2])
        ax.axvspan(_scalar(s.x), _scalar(s.y), label=label, linewidth=0, **style)
    elif kind == "point":
        x, y = _scalar(s.x), _scalar(s.y)
        style.setdefault("color", PALETTE[1])
        style.setdefault("zorder", 5)
        ax.plot([x], [y], "o", markersize=5, **style)
        if label:
            ax.annotate(label, (x, y), xytext=(6, 6), textcoords="offset points", fontsize=MIN_FONT_PT + 0.5)
    elif kind in ("heatmap", "contour"):
        _draw_field(ax, s, kind, style, label)
    else:
        raise ValueError(f"unknown Series kind {kind!r}; allowed: {', '.join(SERIES_KINDS)}")


def _draw_field(ax, s, kind: str, style: dict, label: str | None) -> None:
    """A function of two variables: ``x``, ``y`` grids and ``y2`` the values, shape (len(y), len(x)).

    "heatmap" colours it (colour-blind-safe viridis, with a colour bar named ``style["label"]``);
    "contour" draws the levels ``style["levels"]``, labelled with the series' label."""
    z = np.asarray(s.y2, dtype=float)
    ax.grid(False)
    if kind == "heatmap":
        mesh = ax.pcolormesh(_arr(s.x), _arr(s.y), z, shading="auto", cmap="viridis", rasterized=True)
        ax.figure.colorbar(mesh, ax=ax, label=style.get("label"))
        return
    cs = ax.contour(_arr(s.x), _arr(s.y), z, levels=style.get("levels"), colors="white", linewidths=1.6)
    if label:
        ax.clabel(cs, fmt=dict.fromkeys(cs.levels, label), fontsize=MIN_FONT_PT + 0.5)


def _integer_axis(panel) -> bool:
    """``Panel.integer_x``, or x data that are all integers with few distinct values (layers, epochs)."""
    if panel.integer_x:
        return True
    if panel.xscale != "linear" or panel.xticklabels is not None:
        return False
    kinds = ("line", "errorbar", "step") if any(s.kind != "scatter" for s in panel.series) else ("scatter",)
    xs = [np.ravel(_arr(s.x)) for s in panel.series if s.kind in kinds and s.x is not None]
    xs = [x for x in xs if x.size]
    if not xs:
        return False
    allx = np.concatenate(xs)
    finite = allx[np.isfinite(allx)]
    return bool(finite.size and np.all(finite == np.round(finite)) and np.unique(finite).size <= 40)


def _category_ticks(ax, panel, width_in: float) -> None:
    ticks = [s for s in panel.series if s.kind in ("bar", "errorbar", "line", "scatter")]
    if not ticks:
        return
    xs = np.ravel(_arr(ticks[0].x))
    labels = list(panel.xticklabels)[: len(xs)]
    ax.set_xticks(xs[: len(labels)])
    room = width_in * 72 / max(len(labels), 1)  # points per label
    longest = max((len(str(t)) for t in labels), default=0) * 0.55 * _RC["xtick.labelsize"]
    if longest > room:
        ax.set_xticklabels(labels, rotation=30, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticklabels(labels)


def _power_label(v: float) -> str:
    """``10⁻⁵`` for a power of ten, in plain text (matplotlib's default, mathtext ``$10^{-5}$``, costs a
    parse per label: a third of the drawing time of a figure with log axes)."""
    e = round(math.log10(v)) if v > 0 else 0
    if v > 0 and math.isclose(v, 10.0**e, rel_tol=1e-9):
        return "1" if e == 0 else "10" if e == 1 else "10" + superscript(str(e))
    return f"{v:g}"


def _minor_label(v: float, _pos=None) -> str:
    """Minor ticks 2 and 5 of a decade labelled (when fewer than two powers of ten are on the axis)."""
    lead = v / 10.0 ** math.floor(math.log10(v) + 1e-12)
    return f"{v:g}" if any(math.isclose(lead, d, rel_tol=1e-6) for d in (2, 5)) else ""


def _log_labels(ax) -> None:
    """Tick labels of log axes in plain text: powers of ten as ``10⁻⁵``; on an axis spanning less than
    a decade (where matplotlib labels minor ticks "6 × 10⁰") plain numbers, minor ticks included; with
    fewer than two powers of ten on the axis, its minor ticks 2 and 5 as plain numbers too."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        lo, hi = sorted(lim)
        if axis.get_scale() != "log" or lo <= 0:
            continue
        if hi / lo < 10:
            fmt = FuncFormatter(lambda v, _pos: f"{v:g}")
            axis.set_major_formatter(fmt)
            axis.set_minor_formatter(fmt)
        else:
            axis.set_major_formatter(FuncFormatter(lambda v, _pos: _power_label(v)))
            decades = math.floor(math.log10(hi)) - math.ceil(math.log10(lo)) + 1  # powers of ten shown
            axis.set_minor_formatter(FuncFormatter(_minor_label) if decades < 2 else NullFormatter())


def _setup_axes(ax, panel, width_in: float) -> None:
    from matplotlib.ticker import MaxNLocator

    if panel.title:
        chars = max(
            int(0.85 * width_in * 72 / (0.62 * _RC["axes.titlesize"])), 12
        )  # the axes are narrower than their column
        ax.set_title("\n".join(textwrap.wrap(panel.title, chars)) if "$" not in panel.title else panel.title)
    ax.set_xlabel(panel.xlabel or "")
    ax.set_ylabel(panel.ylabel or "")
    if panel.xscale and panel.xscale != "linear":
        ax.set_xscale(panel.xscale)
    if panel.yscale and panel.yscale != "linear":
        ax.set_yscale(panel.yscale)
    if panel.xlim is not None:
        ax.set_xlim(*panel.xlim)
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    _log_labels(ax)
    if panel.xticklabels is not None:
        _category_ticks(ax, panel, width_in)
    elif _integer_axis(panel):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins="auto", steps=[1, 2, 5, 10]))


def _entries(ax) -> tuple[list, list[str]]:
    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels, strict=True) if lab and not lab.startswith("_")]
    return [h for h, _ in keep], [lab for _, lab in keep]


def _ncol(labels: list[str], width_in: float) -> int:
    longest = max(len(lab.replace("$", "").replace("\\", "")) for lab in labels)
    per = longest * 0.55 * _RC["legend.fontsize"] + 30  # points per entry, handle included
    return max(1, min(len(labels), int(width_in * 72 // per)))


def _add_legends(fig, axes, panels, width_in: float) -> None:
    """Legends outside the data: one below the figure when the panels' labels nest, else below each."""
    from matplotlib.transforms import ScaledTranslation

    wanted = [(ax, *_entries(ax)) for ax, p in zip(axes, panels, strict=False) if p.legend]
    wanted = [w for w in wanted if w[2]]
    if not wanted:
        return
    sets = [set(w[2]) for w in wanted]
    union = max(sets, key=len)
    if len(wanted) == 1 or all(s <= union for s in sets):
        source = next(w for w in wanted if set(w[2]) == union)
        fig.legend(source[1], source[2], loc="outside lower center", ncol=_ncol(source[2], width_in))
        return
    renderer = fig.canvas.get_renderer()
    for ax, handles, labels in wanted:
        box = ax.get_position()
        bottom_px = box.y0 * fig.bbox.height
        # what hangs below the axes is the x axis's tick labels and label (data are clipped to the axes,
        # colour bars sit beside them): measuring the x axis alone skips the y axis's ticks and the
        # artists, a tenth of the drawing time, with the same result
        overhang = max(bottom_px - ax.xaxis.get_tightbbox(renderer).y0, 0.0) * 72 / fig.dpi + 3
        panel_w = box.width * fig.get_figwidth()
        shift = ScaledTranslation(0, -overhang / 72, fig.dpi_scale_trans)
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=ax.transAxes + shift,
                  ncol=_ncol(labels, panel_w), borderaxespad=0.0)  # fmt: skip


def _grow_for_legends(fig) -> None:
    """Make the figure taller by its legends' height, so that they do not squeeze the axes."""
    renderer = fig.canvas.get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    if not legends:
        return
    extra = max(lg.get_window_extent(renderer).height for lg in legends) / fig.dpi
    w, h = fig.get_size_inches()
    fig.set_size_inches(w, h + extra + 0.08)


def prop_cycle():
    """Sixteen (colour, dash) pairs: the palette with its own dashes, then again with shifted dashes."""
    from cycler import cycler

    n = len(PALETTE)
    dashes = list(LINESTYLES) + [LINESTYLES[(k + n // 2) % n] for k in range(n)]
    return cycler(color=list(PALETTE) * 2) + cycler(linestyle=dashes)


def _size(spec, nrows: int) -> tuple[float, float]:
    width = TEXT_WIDTH_IN
    height = min(float(spec.height or 3.2) * width / float(spec.width or 6.4), 0.4 * width * nrows)
    return width, max(height, 2.3 * nrows, 2.2)


def style():
    """The report's matplotlib style as a context manager (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.rc_context(dict(_RC, **{"axes.prop_cycle": prop_cycle()}))


def draw(fig_spec):
    """The matplotlib Figure for a Figure spec, drawn at print size (call inside :func:`style`)."""
    import matplotlib.pyplot as plt

    panels = list(fig_spec.panels)
    n = max(len(panels), 1)
    ncols = fig_spec.ncols or min(n, 3)
    nrows = math.ceil(n / ncols)
    width, height = _size(fig_spec, nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
    try:
        flat = list(axes.flat)
        for ax, panel in zip(flat, panels, strict=False):
            for s in panel.series:
                _draw_series(ax, s)
            _setup_axes(ax, panel, width / ncols)
        for ax in flat[len(panels) :]:
            ax.set_visible(False)
        _add_legends(fig, flat[: len(panels)], panels, width)
        _grow_for_legends(fig)
    except BaseException:
        plt.close(fig)
        raise
    return fig


#: the MathTextParser that :func:`shared_mathtext` parses with, one per output type (vector for the SVG,
#: raster for Agg)
_PARSERS: dict[str, Any] = {}


@functools.lru_cache(maxsize=2048)
def _parse(inner, output_type: str, rc: tuple, args: tuple) -> Any:
    return inner(_PARSERS[output_type], *args)


@contextmanager
def shared_mathtext() -> Iterator[None]:
    """While it is active, every renderer in this process shares one cache of mathtext parses.

    matplotlib caches a parse per ``MathTextParser`` instance (an ``lru_cache`` on the method, so the
    instance is part of the key), and each renderer has its own parser. A figure here is measured by
    an Agg renderer (to place its legends), then drawn twice by the SVG backend (constrained layout's
    dry run, then the SVG itself), so each ``$...$`` label was parsed at least three times, and again
    in the next figure: a sixth of the drawing time. Shared, each label is parsed once per output type
    (vector for the SVG, raster for Agg's measuring), font and size. A parse depends on those, the
    arguments and the ``mathtext.*`` settings, which are part of the key; the SVGs are byte-identical.
    On a matplotlib whose parser is not built this way, nothing changes.
    """
    from matplotlib import mathtext, rcParams

    cls = mathtext.MathTextParser
    own = cls.__dict__.get("_parse_cached")
    inner = getattr(own, "__wrapped__", None)
    if inner is None:
        yield
        return
    rc = tuple((k, repr(v)) for k, v in sorted(rcParams.items()) if k.startswith("mathtext."))

    def parse_cached(self, *args):
        kind = getattr(self, "_output_type", None)
        if not isinstance(kind, str):
            return inner(self, *args)
        _PARSERS.setdefault(kind, self)
        return _parse(inner, kind, rc, args)

    cls._parse_cached = parse_cached
    try:
        yield
    finally:
        cls._parse_cached = own


def render_svg(fig_spec) -> bytes:
    """Draw one Figure spec at print size; return the SVG bytes (deterministic: fixed hash salt, no date)."""
    import matplotlib.pyplot as plt

    with style(), shared_mathtext():
        fig = draw(fig_spec)
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return buf.getvalue()


def warm_up() -> None:
    """Import matplotlib's drawing machinery (the workers do it once, before their first figure)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot  # noqa: F401
