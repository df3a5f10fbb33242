"""Draw the solvers' :class:`~gradmath.solutions.Figure` specs with matplotlib (Agg) as SVG.

Figures are data (``Figure`` -> ``Panel`` -> ``Series``); this module is the only place that knows
matplotlib. Every Series kind of the contract is drawn: line, scatter, errorbar, bar, fill, step,
hline, vline, point.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

__all__ = ["render_svg", "SERIES_KINDS", "FigurePool"]

SERIES_KINDS = ("line", "scatter", "errorbar", "bar", "fill", "step", "hline", "vline", "point", "heatmap", "contour")

_RC = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.4,
    "svg.fonttype": "path",
    "svg.hashsalt": "gradmath",
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
}


def _arr(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=float) if v is not None else None


def _draw_series(ax, s) -> None:
    style = dict(s.style or {})
    label = s.label
    kind = s.kind
    if kind == "line":
        ax.plot(_arr(s.x), _arr(s.y), label=label, **style)
    elif kind == "scatter":
        style.setdefault("s", 12)
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
    elif kind == "hline":
        style.setdefault("linestyle", "--")
        style.setdefault("color", "0.4")
        style.setdefault("linewidth", 1.0)
        ax.axhline(float(np.ravel(s.y)[0]), label=label, **style)
    elif kind == "vline":
        style.setdefault("linestyle", "--")
        style.setdefault("color", "0.4")
        style.setdefault("linewidth", 1.0)
        ax.axvline(float(np.ravel(s.x)[0]), label=None, **style)
        if label:
            ax.annotate(
                label,
                (float(np.ravel(s.x)[0]), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -10),
                textcoords="offset points",
                fontsize=7.5,
                color="0.3",
            )
    elif kind == "point":
        x, y = float(np.ravel(s.x)[0]), float(np.ravel(s.y)[0])
        style.setdefault("color", "C3")
        style.setdefault("zorder", 5)
        ax.plot([x], [y], "o", markersize=5, **style)
        if label:
            ax.annotate(label, (x, y), xytext=(6, 6), textcoords="offset points", fontsize=8)
    elif kind == "heatmap":
        label = style.pop("label", None)
        mesh = ax.pcolormesh(_arr(s.x), _arr(s.y), np.asarray(s.y2, dtype=float), shading="auto", cmap="viridis")
        ax.figure.colorbar(mesh, ax=ax, label=label)
    elif kind == "contour":
        levels = style.pop("levels", None)
        cs = ax.contour(_arr(s.x), _arr(s.y), np.asarray(s.y2, dtype=float), levels=levels, colors="white",
                        linewidths=1.4)
        if label:
            ax.clabel(cs, fmt={lv: label for lv in cs.levels}, fontsize=7)
    else:
        raise ValueError(f"unknown Series kind {kind!r}; allowed: {', '.join(SERIES_KINDS)}")


def render_svg(fig_spec) -> bytes:
    """Draw one Figure spec; return the SVG bytes (deterministic: fixed hash salt, no date)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    panels = list(fig_spec.panels)
    n = max(len(panels), 1)
    ncols = fig_spec.ncols or min(n, 3)
    nrows = math.ceil(n / ncols)
    width = float(fig_spec.width or 6.4)
    height = float(fig_spec.height or 3.2)
    if nrows > 1 and height < 2.6 * nrows:
        height = 2.6 * nrows
    with plt.rc_context(_RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
        try:
            for ax, panel in zip(axes.flat, panels, strict=False):
                for s in panel.series:
                    _draw_series(ax, s)
                if panel.title:
                    ax.set_title(panel.title)
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
                if panel.xticklabels is not None:
                    ticks = [s for s in panel.series if s.kind in ("bar", "errorbar", "line", "scatter")]
                    if ticks:
                        xs = np.ravel(_arr(ticks[0].x))
                        ax.set_xticks(xs[: len(panel.xticklabels)])
                        ax.set_xticklabels(panel.xticklabels[: len(xs)])
                if panel.legend:
                    handles, labels = ax.get_legend_handles_labels()
                    if labels:
                        ax.legend(frameon=False)
            for ax in list(axes.flat)[len(panels) :]:
                ax.set_visible(False)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return buf.getvalue()


class FigurePool:
    """Draw figures in one worker process, overlapping with the solvers; in-process if that fails.

    ``submit_outcome(index, outcome)`` queues the outcome's figures (file names ``fig-II-JJ.svg`` are
    recorded in ``outcome.figures``); ``collect(stream)`` returns ``{file name: svg bytes}``.
    """

    def __init__(self) -> None:
        self._executor = None
        self._jobs: list = []  # (outcome, fig name, file name, future or Figure)

    def __enter__(self) -> FigurePool:
        try:
            import concurrent.futures as cf
            import multiprocessing as mp

            self._executor = cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("forkserver"))
        except Exception:
            self._executor = None
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=exc[0] is None, cancel_futures=True)

    def submit_outcome(self, index: int, outcome) -> None:
        if outcome.solution is None:
            return
        for j, fig in enumerate(outcome.solution.figures):
            name = f"fig-{index:02d}-{j:02d}.svg"
            job = fig
            if self._executor is not None:
                try:
                    job = self._executor.submit(render_svg, fig)
                except Exception:
                    job = fig
            self._jobs.append((outcome, fig, name, job))

    def collect(self, stream) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for outcome, fig, name, job in self._jobs:
            try:
                try:
                    data = job.result() if hasattr(job, "result") else render_svg(fig)
                except Exception as exc:
                    if not hasattr(job, "result") or isinstance(exc, ValueError):
                        raise
                    data = render_svg(fig)  # the worker died or could not pickle: draw here
                files[name] = data
                outcome.figures[fig.name] = name
            except Exception as exc:
                stream.write(f"warning: figure {fig.name!r} of {outcome.id}: {type(exc).__name__}: {exc}\n")
        return files
