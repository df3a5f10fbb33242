"""Signal propagation in wide random networks: the mean-field theory of Poole et al. (2016) and
Schoenholz et al. (2017), for the layer-to-layer ratio of the gradient.

A hidden layer of width n has weights N(0, σ_w²/n_in) and biases N(0, σ_b²). For wide layers the
pre-activations z of a unit are Gaussian with a variance q that obeys the *variance map*

    q_{l+1} = σ_w² E[φ(√q_l Z)²] + σ_b²,        Z ~ N(0, 1),

and settles at a fixed point q*. Backpropagation δ^l = φ′(z^l) ⊙ (w^{l+1})ᵀ δ^{l+1} multiplies the
mean squared norm of δ by

    χ = σ_w² E[φ′(√q* Z)²]

per layer, so a gradient norm grows by 1/√χ per layer towards the output (χ < 1: vanishing; χ > 1:
exploding; χ = 1: the "edge of chaos"). For two inputs whose pre-activations have correlation c, the
inner product δ_x · δ_x′ (which the norm of a *mean* gradient is made of) is multiplied by

    χ_c = σ_w² E[φ′(u₁) φ′(u₂)],  (u₁, u₂) ~ N(0, q* [[1, c], [c, 1]]),

and the correlations obey their own map c ↦ (σ_w² E[φ(u₁)φ(u₂)] + σ_b²)/q*.

Expectations are Gauss-Hermite quadrature (:func:`expect`) with :func:`expect_quad` (SciPy ``quad``)
as the independent cross-check; ReLU and leaky ReLU have closed forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import integrate, optimize

from .activations import ACTIVATIONS, LEAKY_SLOPE  # activation -> (φ, φ′), for arrays

__all__ = [
    "Config",
    "CONFIGS",
    "ACTIVATIONS",
    "expect",
    "expect_quad",
    "expect_decaying",
    "second_moment",
    "variance_map",
    "FixedPoint",
    "fixed_point",
    "chi",
    "chi_c",
    "correlation_map",
    "correlation_fixed_point",
    "phase_chi",
    "first_layer_variance",
    "pair_expect",
    "Propagation",
    "propagate",
]


@dataclass(frozen=True)
class Config:
    """An activation with an initialisation, as (σ_w², σ_b²) for the hidden-to-hidden layers.

    ``init`` is the :class:`~gradmath.network.Network` initialiser that realises it.
    """

    activation: str
    sigma_w2: float
    sigma_b2: float
    init: str


#: the book's initialisation and the blog post's remedies, for 30 -> 30 hidden layers
CONFIGS: dict[str, Config] = {
    "sigmoid-default": Config("sigmoid", 1.0, 1.0, "default"),
    "sigmoid-xavier": Config("sigmoid", 1.0, 0.0, "xavier"),
    "tanh-xavier": Config("tanh", 1.0, 0.0, "xavier"),
    "relu-he": Config("relu", 2.0, 0.0, "he"),
    "leaky-relu-he": Config("leaky_relu", 2.0, 0.0, "he"),
}


@cache
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / math.sqrt(2 * math.pi)


def expect(f: Callable, q, n: int = 200) -> np.ndarray:
    """E[f(√q Z)] for Z ~ N(0, 1) by Gauss-Hermite quadrature with ``n`` nodes (vectorised over q).

    Accurate to about 1e-12 relative for the sigmoid up to q = 4 and for tanh up to q = 1 (200 nodes);
    tanh′² has poles at ±iπ/(2√q), so for large q the error grows (4e-5 at q = 6): use
    :func:`expect_quad` there.
    """
    x, w = _hermite(n)
    q = np.asarray(q, dtype=float)
    return np.tensordot(f(np.sqrt(q)[..., None] * x), w, axes=([-1], [0]))


def expect_quad(f: Callable, q: float) -> float:
    """E[f(√q Z)] by adaptive quadrature of f against the normal density (SciPy ``quad``), split at 0
    where the ReLU family has its kink."""
    s = math.sqrt(q)

    def integrand(t: float) -> float:
        return float(f(s * t)) * math.exp(-t * t / 2) / math.sqrt(2 * math.pi)

    total = 0.0
    for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)):
        val, _ = integrate.quad(integrand, lo, hi, epsabs=1e-15, epsrel=1e-13, limit=200)
        total += val
    return total


def _relu_second_moment(activation: str) -> float:
    """E[φ(√q Z)²]/q for the ReLU family: (1 + α²)/2 (and E[φ′²] is the same number)."""
    slope = 0.0 if activation == "relu" else LEAKY_SLOPE
    return (1 + slope**2) / 2


_U = np.linspace(-40.0, 40.0, 1601)  # φ′ and φ′² of sigmoid and tanh are below 1e-17 beyond |u| = 40


def expect_decaying(g: Callable, q, n: int = 200) -> np.ndarray:
    """E[g(√q Z)] for a g that decays exponentially (σ′, σ′², tanh′, tanh′²), accurate at any q.

    Gauss-Hermite in Z for q <= 1; beyond, where g(√q Z) is narrow in Z, the trapezoid rule in
    u = √q Z on [−40, 40] against the N(0, q) density (about 1e-13 relative, checked against mpmath).
    """
    q = np.asarray(q, dtype=float)
    out = np.empty(q.shape)
    small = q <= 1.0
    if small.any():
        out[small] = expect(g, q[small], n)
    if (~small).any():
        qq = q[~small][:, None]
        du = _U[1] - _U[0]
        dens = np.exp(-_U * _U / (2 * qq)) / np.sqrt(2 * np.pi * qq)
        gu = g(_U)
        out[~small] = dens @ gu * du - 0.5 * du * (dens[:, 0] * gu[0] + dens[:, -1] * gu[-1])
    return out if out.shape else out[()]


def second_moment(activation: str, q, n: int = 200) -> np.ndarray:
    """E[φ(√q Z)²], through a decaying integrand at every q: σ² = σ − σ′ with E[σ(√q Z)] = 1/2 (the
    symmetry σ(−u) = 1 − σ(u)), and tanh² = 1 − tanh′; closed form for the ReLU family."""
    if activation in ("relu", "leaky_relu"):
        return _relu_second_moment(activation) * np.asarray(q, dtype=float)
    dphi = ACTIVATIONS[activation][1]
    base = 0.5 if activation == "sigmoid" else 1.0
    return base - expect_decaying(dphi, q, n)


def variance_map(q, activation: str, sigma_w2: float, sigma_b2: float, n: int = 200):
    """q ↦ σ_w² E[φ(√q Z)²] + σ_b²."""
    return sigma_w2 * second_moment(activation, q, n) + sigma_b2


@dataclass(frozen=True)
class FixedPoint:
    """The fixed point of the variance map, or why there is none.

    ``kind``: "stable" (a unique positive q*), "zero" (q* = 0: the variance decays to 0), "every q"
    (the map is the identity: every q is a fixed point), "none" (the variance grows without bound).
    ``slope`` is the derivative of the map at q* (its rate of convergence).
    """

    q_star: float | None
    kind: str
    slope: float


def fixed_point(activation: str, sigma_w2: float, sigma_b2: float) -> FixedPoint:
    """q* of the variance map (eq. of Poole et al. 2016), solved by ``brentq`` on map(q) − q."""
    if activation in ("relu", "leaky_relu"):
        gain = sigma_w2 * _relu_second_moment(activation)
        if sigma_b2 == 0:
            kind = "every q" if gain == 1 else ("none" if gain > 1 else "zero")
            return FixedPoint(None if kind != "zero" else 0.0, kind, gain)
        if gain >= 1:
            return FixedPoint(None, "none", gain)
        return FixedPoint(sigma_b2 / (1 - gain), "stable", gain)

    def g(q: float) -> float:
        return float(variance_map(q, activation, sigma_w2, sigma_b2)) - q

    def slope(q: float, h: float = 1e-6) -> float:
        return (g(q + h) - g(max(q - h, 0.0))) / (q + h - max(q - h, 0.0)) + 1.0

    if sigma_b2 == 0 and g(1e-12) <= 0 and g(1.0) < 0:
        # map(q) < q for small q > 0: the only fixed point at the origin (tanh, sigmoid-free)
        if all(g(q) < 0 for q in (1e-6, 1e-3, 1.0, 10.0, 100.0)):
            return FixedPoint(0.0, "zero", slope(1e-9))
    hi = max(1.0, 2 * sigma_b2 + 2 * sigma_w2)
    while g(hi) > 0:
        hi *= 2
        if hi > 1e12:
            return FixedPoint(None, "none", math.inf)
    lo = 1e-300 if sigma_b2 == 0 else 0.0
    q = optimize.brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return FixedPoint(float(q), "stable", slope(q))


def chi(activation: str, q, sigma_w2, n: int = 200):
    """χ = σ_w² E[φ′(√q Z)²]: the factor of the mean squared gradient norm per layer (a float; an
    array where ``q`` or ``sigma_w2`` is one)."""
    if activation in ("relu", "leaky_relu"):  # φ′² is (1 + α²)/2 on average, any q
        out = np.multiply(sigma_w2, _relu_second_moment(activation)) * np.ones(np.shape(q))
    else:
        dphi = ACTIVATIONS[activation][1]
        out = np.multiply(sigma_w2, expect_decaying(lambda u: dphi(u) ** 2, np.asarray(q, dtype=float), n))
    return float(out) if np.ndim(out) == 0 else out


def _pair(c: float, q: float, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, w = _hermite(n)
    X1, X2 = np.meshgrid(x, x, indexing="ij")
    s = math.sqrt(q)
    u1 = s * X1
    u2 = s * (c * X1 + math.sqrt(max(1 - c * c, 0.0)) * X2)
    return u1, u2, np.outer(w, w)


def chi_c(activation: str, q: float, c: float, sigma_w2: float, n: int = 96) -> float:
    """χ_c = σ_w² E[φ′(u₁)φ′(u₂)], (u₁, u₂) Gaussian with variance q and correlation c."""
    dphi = ACTIVATIONS[activation][1]
    u1, u2, w2 = _pair(c, q, n)
    return float(sigma_w2 * np.sum(w2 * dphi(u1) * dphi(u2)))


def correlation_map(
    c: float, activation: str, q: float, sigma_w2: float, sigma_b2: float, n: int = 96
) -> float:
    """c ↦ (σ_w² E[φ(u₁)φ(u₂)] + σ_b²)/q at the variance fixed point q."""
    phi = ACTIVATIONS[activation][0]
    u1, u2, w2 = _pair(c, q, n)
    return float((sigma_w2 * np.sum(w2 * phi(u1) * phi(u2)) + sigma_b2) / q)


def correlation_fixed_point(activation: str, q: float, sigma_w2: float, sigma_b2: float, c0: float = 0.0,
                            iterations: int = 2000) -> float:  # fmt: skip
    """The fixed point c* of the correlation map reached from ``c0`` by iteration."""
    c = c0
    for _ in range(iterations):
        c_new = min(correlation_map(c, activation, q, sigma_w2, sigma_b2), 1.0)
        if abs(c_new - c) < 1e-13:
            return c_new
        c = c_new
    return c


def phase_chi(
    activation: str, sigma_w2: np.ndarray, sigma_b2: np.ndarray, iterations: int = 200
) -> np.ndarray:
    """χ at the variance fixed point on a grid of (σ_w², σ_b²), by iterating the map on the whole grid.

    Where the variance decays to zero (σ_b² = 0 and χ(0) ≤ 1) the iteration approaches q* = 0
    slowly; χ is then evaluated at the iterate, which converges to χ(0) = σ_w² φ′(0)².
    """
    W2, B2 = np.meshgrid(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float), indexing="xy")
    q = np.ones_like(W2)
    active = np.ones(W2.shape, dtype=bool)
    for _ in range(iterations):
        q_new = variance_map(q[active], activation, W2[active], B2[active], 60)
        moved = np.abs(q_new - q[active]) > 1e-12 * np.maximum(q_new, 1e-300)
        q[active] = q_new
        active[active] = moved
        if not active.any():
            break
    return chi(activation, q, W2, 60)


def first_layer_variance(config: Config, n_in: int, n_out: int) -> float:
    """The weight variance of the input layer: Xavier's 2/(n_in + n_out), else σ_w²/n_in."""
    return 2.0 / (n_in + n_out) if config.init == "xavier" else config.sigma_w2 / n_in


def pair_expect(f: Callable, g: Callable, q1, q2, q12, n: int = 32) -> np.ndarray:
    """E[f(u₁) g(u₂)] for (u₁, u₂) ~ N(0, [[q1, q12], [q12, q2]]), vectorised over the pairs."""
    x, w = _hermite(n)
    X1, X2 = np.meshgrid(x, x, indexing="ij")
    q1, q2, q12 = (np.asarray(v, dtype=float)[..., None, None] for v in (q1, q2, q12))
    c = np.clip(q12 / np.sqrt(q1 * q2), -1.0, 1.0)
    u1 = np.sqrt(q1) * X1
    u2 = np.sqrt(q2) * (c * X1 + np.sqrt(1 - c * c) * X2)
    return np.sum(np.outer(w, w) * f(u1) * g(u2), axis=(-2, -1))


@dataclass(frozen=True)
class Propagation:
    """Layer-by-layer mean-field statistics of real inputs through ``depth`` hidden layers.

    ``q[l, x]``: the pre-activation variance of example x at hidden layer l+1; ``chi[l, x]`` =
    σ_w² E[φ′(z)²] there; ``chi_pair[l, p]`` = σ_w² E[φ′(u₁)φ′(u₂)] for the pair p of examples;
    ``c[l, p]``: the pair's correlation.
    """

    q: np.ndarray
    chi: np.ndarray
    chi_pair: np.ndarray
    c: np.ndarray

    def ratios(self) -> tuple[np.ndarray, np.ndarray]:
        """Predicted ‖δ^{l+1}‖/‖δ^l‖ between consecutive hidden layers: (per-example root mean
        square, norm of the mean over the examples). Each example's δ (each pair's inner product)
        shrinks by the layers' χ (χ_pair) going back; the top layer's sizes are taken equal."""

        def ratio(factors: np.ndarray) -> np.ndarray:
            depth = factors.shape[0]
            out = []
            for l in range(depth - 1):
                upper = np.prod(factors[l + 1 : depth - 1], axis=0)
                out.append(math.sqrt(float(np.mean(upper)) / float(np.mean(factors[l] * upper))))
            return np.array(out)

        return ratio(self.chi), ratio(self.chi_pair)


def propagate(config: Config, X: np.ndarray, depth: int, width: int = 30, n_pairs: int = 2000,
              seed: int = 0) -> Propagation:  # fmt: skip
    """Mean-field statistics of the images ``X`` (rows) through ``depth`` hidden layers of ``width``.

    The first layer sees the pixels: q¹ₓ = v ‖x‖² + σ_b² and q¹ₓₓ′ = v x·x′ + σ_b² with v its weight
    variance; each later layer applies the variance map to every example and the covariance map
    q ↦ σ_w² E[φ(u₁)φ(u₂)] + σ_b² to ``n_pairs`` random pairs of distinct examples.
    """
    phi, dphi = ACTIVATIONS[config.activation]
    v = first_layer_variance(config, X.shape[1], width)
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, len(X), (2, n_pairs))
    i, j = i[i != j], j[i != j]
    q = v * np.einsum("ij,ij->i", X, X) + config.sigma_b2
    q12 = v * np.einsum("ij,ij->i", X[i], X[j]) + config.sigma_b2
    qs, chis, chip, cs = [], [], [], []
    for _ in range(depth):
        qs.append(q)
        cs.append(q12 / np.sqrt(q[i] * q[j]))
        chis.append(chi(config.activation, q, config.sigma_w2, 80))
        chip.append(config.sigma_w2 * pair_expect(dphi, dphi, q[i], q[j], q12))
        q12 = config.sigma_w2 * pair_expect(phi, phi, q[i], q[j], q12) + config.sigma_b2
        q = variance_map(q, config.activation, config.sigma_w2, config.sigma_b2, 80)
    return Propagation(np.array(qs), np.array(chis), np.array(chip), np.array(cs))
