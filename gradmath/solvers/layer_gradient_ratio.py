"""From the chain to the layer: the book's five-fold gradient ratio per layer, predicted by mean-field
theory and measured.

The book's chain of single neurons shrinks a gradient about ten-fold per layer (a typical factor
|w σ′(z)|), but its table of initial speeds (0.07 → 0.31; 0.012 → 0.060 → 0.283; 0.003 → 0.017 →
0.070 → 0.285) shows about five-fold. With weights N(0, σ_w²/n_in) and biases N(0, σ_b²), wide layers
multiply the mean squared gradient norm by χ = σ_w² E[φ′(√q* Z)²] per layer (Poole et al. 2016,
Schoenholz et al. 2017), so the norm grows by 1/√χ per layer towards the output: 4.88 for the book's
sigmoid network. The computation is in :mod:`gradmath.meanfield` (theory) and
:mod:`gradmath.random_networks` (measurement); the written solution is in :mod:`.layer_gradient_ratio_text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import meanfield as mf
from ..contract import Check, Figure, Writeup
from ..experiments.initial import MAX_SEEDS
from ..experiments.protocol import BOOK_INITIAL_NORMS, book_images, network_sizes
from ..network import Network
from ..random_networks import book_network_ratios, hidden_deltas, layer_ratios, random_network_ratios
from ..registry import Problem, RunOptions, problem
from ..sources import Source
from .mnist_common import load_data, seed_count

__all__ = ["LayerGradientRatio", "LayerGradientRatioProblem", "book_ratios"]

#: the Monte Carlo cross-check of χ: inputs through one random layer of this width
WIDE_LAYER, WIDE_INPUTS = 1000, 100
MEASURES = ("rms", "mean", "typical")  # see gradmath.random_networks


def book_ratios() -> dict[int, np.ndarray]:
    """The ratios of consecutive printed norms: 0.31/0.07, 0.060/0.012, ..."""
    return {h: np.array(v[1:]) / np.array(v[:-1]) for h, v in BOOK_INITIAL_NORMS.items()}


@dataclass(frozen=True)
class Theory:
    """One configuration's mean-field numbers."""

    fixed: mf.FixedPoint
    chi: float  # Gauss-Hermite (closed form for the ReLU family)
    chi_quad: float  # SciPy quad
    map_residual: float  # |quad variance map(q*) − q*|
    chi_mc: float  # Monte Carlo: one wide random layer at the fixed point
    chi_mc_se: float


@dataclass(frozen=True)
class LayerGradientRatio:
    """The typed result (no prose)."""

    theory: dict[str, Theory]
    predicted: dict[str, tuple[np.ndarray, np.ndarray]]  # config -> (rms, mean) ratios, 4 hidden layers
    measured: dict[str, np.ndarray]  # config -> (seeds, 3 layer pairs, 3 measures)
    book_nets: dict[int, np.ndarray]  # hidden layers -> (seeds, pairs, measures), sigmoid-default
    book_predicted: dict[int, tuple[np.ndarray, np.ndarray]]
    first_correlation: dict[str, float]  # mean correlation of two images' first-layer pre-activations
    widths: tuple[int, ...]
    width_ratios: dict[tuple[str, int], np.ndarray]  # (inputs, width) -> (seeds, measures): mean over layers
    depth: int
    depth_ratios: dict[int, np.ndarray]  # depth -> (seeds, measures): width 30, MNIST inputs
    phase: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    n_images: int
    seeds: int


def _wide_layer_chi(
    config: mf.Config, q: float, seed: int, width: int = WIDE_LAYER, n: int = WIDE_INPUTS
) -> tuple[float, float]:
    """χ by Monte Carlo: δ = φ′(z) ⊙ wᵀδ′ through one random width-``width`` layer, z ~ N(0, q)."""
    rng = np.random.default_rng(seed)
    dphi = mf.ACTIVATIONS[config.activation][1]
    w = rng.standard_normal((width, width)) * math.sqrt(config.sigma_w2 / width)
    upper = rng.standard_normal((n, width))
    z = rng.standard_normal((n, width)) * math.sqrt(q)
    ratio = np.sum((dphi(z) * (upper @ w)) ** 2, axis=1) / np.sum(upper**2, axis=1)
    return float(ratio.mean()), float(ratio.std(ddof=1) / math.sqrt(n))


def _theory(config: mf.Config, seed: int) -> Theory:
    fp = mf.fixed_point(config.activation, config.sigma_w2, config.sigma_b2)
    q = fp.q_star if fp.q_star else 1.0  # χ does not depend on q for the ReLU family; tanh: q* = 0
    phi, dphi = mf.ACTIVATIONS[config.activation]
    chi = mf.chi(config.activation, q if fp.q_star != 0 else 0.0, config.sigma_w2)
    chi_quad = config.sigma_w2 * mf.expect_quad(lambda u: dphi(u) ** 2, q if fp.q_star != 0 else 0.0)
    residual = 0.0
    if fp.q_star:
        residual = abs(
            config.sigma_w2 * mf.expect_quad(lambda u: phi(u) ** 2, fp.q_star) + config.sigma_b2 - fp.q_star
        )
    mc, se = _wide_layer_chi(config, q if fp.q_star != 0 else 1e-6, seed)
    return Theory(fp, chi, chi_quad, residual, mc, se)


def _width_study(X, widths, depth: int, seeds: int) -> dict[tuple[str, int], np.ndarray]:
    """Per-layer ratios in random sigmoid networks (the book's init) of several widths: per seed, the
    geometric mean over the layers after the first two of each measure."""
    config = mf.CONFIGS["sigmoid-default"]
    out = {}
    for inputs in ("gaussian", "mnist"):
        for width in widths:
            wide = width >= 1000
            rows = []
            for s in range(1 if wide else seeds):
                n = 16 if wide else 64
                r = random_network_ratios(config, width, min(depth, 10) if wide else depth, n, s,
                                          X[s * n : s * n + n] if inputs == "mnist" else None)  # fmt: skip
                rows.append([float(np.exp(np.mean(np.log(getattr(r, m)[2:])))) for m in MEASURES])
            out[(inputs, width)] = np.array(rows)
    return out


def _book_init_ratios(X, y, hidden, seeds: int) -> dict[int, np.ndarray]:
    """``{h: (seeds, h − 1, 3)}``: the ratios in the very networks ``Network(sizes, seed=s)`` of the
    initial-speeds experiment (the book's initialisation), so that they are that experiment's, seed for
    seed."""
    activation = mf.CONFIGS["sigmoid-default"].activation
    nets = {h: [Network(network_sizes(h, n_in=X.shape[1]), seed=s) for s in range(seeds)] for h in hidden}
    return {h: np.array([layer_ratios(hidden_deltas(n.weights, n.biases, X, y, activation)).stacked() for n in ns])
            for h, ns in nets.items()}  # fmt: skip


def _first_layers(p: mf.Propagation, h: int) -> mf.Propagation:
    """The statistics of the first ``h`` hidden layers (the same seed and pairs: a shallower network's)."""
    return mf.Propagation(p.q[:h], p.chi[:h], p.chi_pair[:h], p.c[:h])


def _depth_study(X, depths, seeds: int, width: int = 30) -> dict[int, np.ndarray]:
    """Per-layer ratios in random sigmoid networks of the book's width and init fed MNIST images, for
    several depths: per seed, the geometric mean over the layers after the first two of each measure."""
    config, n = mf.CONFIGS["sigmoid-default"], 64
    return {
        depth: np.array([
            [float(np.exp(np.mean(np.log(getattr(r, m)[2:])))) for m in MEASURES]
            for r in (random_network_ratios(config, width, depth, n, s, X[s * n : s * n + n]) for s in range(seeds))
        ])
        for depth in depths
    }  # fmt: skip


@problem("layer-gradient-ratio", source=Source("nielsen", "sec. 5.1, the table of initial speeds"), order=135)
class LayerGradientRatioProblem(Problem):
    title = "The gradient's growth per layer in the book's networks"
    quick = "5 seeds instead of 20; width study 10 layers deep instead of 20; depths 10 and 30 only; coarser phase diagram"
    uses = frozenset({"seeds", "data"})
    max_seeds = (MAX_SEEDS, "each seed builds 15 networks")

    def compute(self, options: RunOptions) -> LayerGradientRatio:
        X, y = book_images(load_data(options))  # the book's training_data[:1000]
        seeds = seed_count(options, 20, 5)
        theory = {name: _theory(c, k) for k, (name, c) in enumerate(mf.CONFIGS.items())}
        options.report(0.2, "predictions")
        n_pairs = 100 if options.quick else 300
        props = {name: mf.propagate(c, X, 4, n_pairs=n_pairs) for name, c in mf.CONFIGS.items()}
        options.report(0.4, "measurements")
        book = _book_init_ratios(X, y, (2, 3, 4), seeds)
        others = {name: c for name, c in mf.CONFIGS.items() if name != "sigmoid-default"}
        nets = book_network_ratios(others, X, y, (4,), seeds)
        options.report(0.6, "widths")
        widths = (1, 10, 30, 100, 1000)
        depth = 10 if options.quick else 20
        grid = 21 if options.quick else 41
        phase = {
            "sigmoid": (np.geomspace(0.25, 400, grid), np.linspace(0, 4, grid)),
            "tanh": (np.linspace(0.25, 4, grid), np.linspace(0, 1, grid)),
        }
        return LayerGradientRatio(
            theory=theory,
            predicted={name: p.ratios() for name, p in props.items()},
            measured={name: book[4] if name == "sigmoid-default" else nets[(name, 4)] for name in mf.CONFIGS},
            book_nets=book,
            book_predicted={h: _first_layers(props["sigmoid-default"], h).ratios() for h in (2, 3, 4)},
            first_correlation={name: float(p.c[0].mean()) for name, p in props.items()},
            widths=widths,
            width_ratios=_width_study(X, widths, depth, 3 if options.quick else 6),
            depth=depth,
            depth_ratios=_depth_study(X, (10, 30) if options.quick else (10, 20, 30, 50), 3 if options.quick else 6),
            phase={a: (w2, b2, mf.phase_chi(a, w2, b2)) for a, (w2, b2) in phase.items()},
            n_images=len(X),
            seeds=seeds,
        )  # fmt: skip

    def answer(self, r: LayerGradientRatio) -> dict:
        return {
            "q_star": {n: t.fixed.q_star for n, t in r.theory.items()},
            "chi": {n: t.chi for n, t in r.theory.items()},
            "ratio": {n: 1 / math.sqrt(t.chi) for n, t in r.theory.items()},
            "measured": {
                n: {"mean": m[:, :, 1].mean(axis=0), "std": m[:, :, 1].std(axis=0, ddof=1), "seeds": r.seeds}
                for n, m in r.measured.items()
            },  # fmt: skip
            "predicted": {n: {"rms": p[0], "mean": p[1]} for n, p in r.predicted.items()},
            "book": book_ratios(),
        }

    def explain(self, r: LayerGradientRatio) -> Writeup:
        from .layer_gradient_ratio_text import writeup

        return writeup(r)

    def checks(self, r: LayerGradientRatio) -> list[Check]:
        from .layer_gradient_ratio_text import checks

        return checks(r)

    def figures(self, r: LayerGradientRatio) -> list[Figure]:
        from .layer_gradient_ratio_text import figures

        return figures(r)
