"""Backpropagation through random networks at initialisation, example by example.

The mean-field theory (:mod:`gradmath.meanfield`) predicts how the mean squared norm of δ^l changes
from layer to layer. This module measures it, with plain NumPy written independently of
:class:`~gradmath.network.Network`: a forward pass, the output error of the cross-entropy cost
(a − y), and δ^l = φ′(z^l) ⊙ (w^{l+1})ᵀ δ^{l+1} kept *per example*, so that three measures of the
layer-to-layer ratio can be compared:

- ``rms``: √(mean_x ‖δ^{l+1}_x‖² / mean_x ‖δ^l_x‖²), what the mean-field χ describes;
- ``mean``: ‖mean_x δ^{l+1}_x‖ / ‖mean_x δ^l_x‖, the book's measure (the norm of the gradient of
  the mean cost over the images);
- ``typical``: exp(mean_x [log ‖δ^{l+1}_x‖ − log ‖δ^l_x‖]), the ratio of a typical example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from . import validate
from .meanfield import ACTIVATIONS, Config

__all__ = ["LayerRatios", "init_params", "hidden_deltas", "layer_ratios", "random_network_ratios",
           "book_network_ratios", "MAX_WIDTH", "MAX_DEPTH"]  # fmt: skip

#: limits that keep one random network under a few seconds here
MAX_WIDTH = 4000
MAX_DEPTH = 200


@dataclass(frozen=True)
class LayerRatios:
    """Ratios ‖δ^{l+1}‖/‖δ^l‖ between consecutive hidden layers (first pair first), three ways."""

    rms: np.ndarray
    mean: np.ndarray
    typical: np.ndarray

    def stacked(self) -> np.ndarray:
        """The three measures side by side: shape (pairs, 3), columns rms, mean, typical."""
        return np.stack([self.rms, self.mean, self.typical], axis=1)


def init_params(sizes, config: Config, rng: np.random.Generator, first_layer_var: float | None = None):
    """Weights N(0, σ_w²/n_in) and biases N(0, σ_b²) for layer sizes ``sizes``.

    The first layer's weight variance may differ (``first_layer_var``, e.g. Xavier's 2/(n_in + n_out)
    for 784 -> 30, or the book's 1/784).
    """
    weights, biases = [], []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        var = config.sigma_w2 / n_in if (k > 0 or first_layer_var is None) else first_layer_var
        weights.append(rng.standard_normal((n_out, n_in)) * np.sqrt(var))
        biases.append(rng.standard_normal(n_out) * np.sqrt(config.sigma_b2))
    return weights, biases


def hidden_deltas(
    weights, biases, X: np.ndarray, y: np.ndarray, activation: str, first_z: np.ndarray | None = None
) -> list[np.ndarray]:
    """Per-example δ^l of every hidden layer, shape (n, width_l): sigmoid outputs, cross-entropy cost.

    ``first_z`` may give the first layer's weighted inputs ``X wᵀ + b`` when the caller has them.
    """
    phi, dphi = ACTIVATIONS[activation]
    a, zs = X, []
    for k, (w, b) in enumerate(zip(weights[:-1], biases[:-1], strict=True)):
        z = first_z if (k == 0 and first_z is not None) else a @ w.T + b
        zs.append(z)
        a = phi(z)
    out = expit(a @ weights[-1].T + biases[-1])
    target = np.zeros_like(out)
    target[np.arange(len(y)), y] = 1.0
    delta = out - target  # cross-entropy with sigmoid outputs: δ^L = a^L − y
    deltas = []
    for l in range(len(zs) - 1, -1, -1):
        delta = dphi(zs[l]) * (delta @ weights[l + 1])
        deltas.append(delta)
    return deltas[::-1]


def layer_ratios(deltas: list[np.ndarray]) -> LayerRatios:
    """The three ratios between consecutive layers of per-example deltas."""
    sq = np.array([np.mean(np.sum(d * d, axis=1)) for d in deltas])
    mean = np.array([np.linalg.norm(d.mean(axis=0)) for d in deltas])
    logs = np.array([np.log(np.linalg.norm(d, axis=1)) for d in deltas])
    return LayerRatios(
        rms=np.sqrt(sq[1:] / sq[:-1]),
        mean=mean[1:] / mean[:-1],
        typical=np.exp(np.mean(logs[1:] - logs[:-1], axis=1)),
    )


def random_network_ratios(
    config: Config, width: int, depth: int, n_inputs: int, seed: int, X: np.ndarray | None = None
) -> LayerRatios:
    """Ratios in a random network of ``depth`` hidden layers of ``width`` units and 10 outputs.

    Inputs: ``X`` (e.g. MNIST images; the first layer has the config's variance σ_w²/n_in), or
    ``n_inputs`` Gaussian vectors N(0, I) of dimension ``width``. Labels are random digits.
    """
    width = validate.integer(width, "width", 1, MAX_WIDTH, why_hi="a wider network takes over a minute")
    depth = validate.integer(depth, "depth", 2, MAX_DEPTH, why_hi="a deeper network takes over a minute")
    rng = np.random.default_rng(seed)
    if X is None:
        X = rng.standard_normal((validate.integer(n_inputs, "n_inputs", 2, 100_000), width))
    sizes = [X.shape[1]] + [width] * depth + [10]
    weights, biases = init_params(sizes, config, rng)
    y = rng.integers(0, 10, len(X))
    return layer_ratios(hidden_deltas(weights, biases, X, y, config.activation))


def book_network_ratios(configs: dict[str, Config], X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...],
                        seeds: int, width: int = 30) -> dict[tuple[str, int], np.ndarray]:  # fmt: skip
    """The three ratios in [n_in, width x h, 10] networks at initialisation, for every config and h.

    Returns ``{(config, h): array (seeds, h − 1, 3)}`` (:meth:`LayerRatios.stacked`). For each seed one
    standard normal first-layer matrix G is drawn and X Gᵀ computed once: every configuration scales it
    by its own standard deviation (``first_layer_variance``), the costly product is not repeated. The
    draws of a (seed, h) pair do not depend on which configurations or depths are asked for.
    """
    from .meanfield import first_layer_variance

    out = {(name, h): np.empty((seeds, h - 1, 3)) for name in configs for h in hidden}
    for s in range(seeds):
        rng = np.random.default_rng(s)
        g1 = rng.standard_normal((width, X.shape[1]))
        xg = X @ g1.T
        for name, config in configs.items():
            sd1 = np.sqrt(first_layer_variance(config, X.shape[1], width))
            for h in hidden:
                sizes = [width] * h + [10]
                weights, biases = init_params(sizes, config, np.random.default_rng((s, h)))
                b1 = np.random.default_rng((s, h, 1)).standard_normal(width) * np.sqrt(config.sigma_b2)
                weights = [g1 * sd1] + weights
                biases = [b1] + biases
                r = layer_ratios(
                    hidden_deltas(weights, biases, X, y, config.activation, first_z=xg * sd1 + b1)
                )
                out[(name, h)][s] = r.stacked()
    return out
