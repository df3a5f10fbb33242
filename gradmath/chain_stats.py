"""The statistics of the factors w_j σ′(z_j) in long random chains of single neurons (ch. 5, sec. 5.1).

With weights and biases drawn from N(0, 1), how big is a typical factor |w_j σ′(z_j)|, and how fast
does a gradient shrink along a chain? :func:`random_chains` simulates chains; :func:`stationary_chain`
computes the stationary law of the weighted inputs z_j on a grid (Nyström method), from which
:func:`factor_cdf` and :func:`ratio_cdf` integrate the laws of one factor and of the ratio
∂C/∂b₁ / ∂C/∂b₃ (two dependent factors). :func:`relu_chains` simulates the same chains with ReLU
units, and :func:`chain_mean` gives a Monte Carlo mean with its standard error.

Size limits: a simulation holds about ten arrays of ``n_chains × depth`` floats, so
``n_chains * depth`` may not exceed :data:`MAX_CELLS` (2·10⁷: about 20 s and 1.5 GB here); larger
requests are refused at once with a ValueError that gives the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import validate
from .activations import sigmoid, sigmoid_prime
from .chain import log_sigmoid_prime

__all__ = [
    "RandomChains",
    "random_chains",
    "StationaryChain",
    "stationary_chain",
    "factor_cdf",
    "ratio_cdf",
    "EULER_LOG_ABS_NORMAL",
    "LOG_ABS_NORMAL_VAR",
    "MAX_CELLS",
    "check_size",
    "chain_mean",
    "ReluChains",
    "relu_chains",
    "factor_median",
    "normal_pdf",
    "mean_log_abs_normal_quad",
]

#: the largest ``n_chains * depth`` a simulation accepts (about 20 s and 1.5 GB here)
MAX_CELLS = 20_000_000


def check_size(n_chains, depth, max_cells: int = MAX_CELLS, *, n_name: str = "n_chains",
               depth_name: str = "depth") -> tuple[int, int]:  # fmt: skip
    """Validate a simulation's size: integers ``n_chains >= 1``, ``depth >= 1`` whose product is at most
    ``max_cells``; a ValueError naming both parameters and the limit otherwise (before any allocation)."""
    n = validate.integer(n_chains, n_name, 1, max_cells)
    d = validate.integer(depth, depth_name, 1, max_cells)
    if n * d > max_cells:
        raise ValueError(
            f"{n_name} * {depth_name} must be at most {max_cells:,} (a larger simulation takes over a "
            f"minute here), got {n:,} * {d:,} = {n * d:,}; lower {n_name} or {depth_name}"
        )
    return n, d


def chain_mean(values: np.ndarray) -> tuple[float, float]:
    """Monte Carlo mean and standard error of ``values`` (shape ``(n_chains, ...)``).

    Values within one chain are dependent (they share its activations), chains are independent: the
    mean is taken over each chain first, and the standard error is that of the chain means (ddof=1).
    """
    v = np.asarray(values, dtype=float)
    per_chain = v.reshape(v.shape[0], -1).mean(axis=1)
    return float(per_chain.mean()), float(per_chain.std(ddof=1) / math.sqrt(per_chain.size))


# --- random chains: the statistics of the factors w_j sigma'(z_j) --------------------------------


@dataclass
class RandomChains:
    """``n_chains`` random chains of ``depth`` neurons with N(0, 1) weights and biases.

    ``z[:, j-1] = z_j``, ``w[:, j-1] = w_j``, ``a[:, j] = a_j``; activation ``k sigma(c z)``.
    ``log_factor[:, j-1] = log|w_j f'(z_j)|`` and ``log_grad[:, n-1] = log|dC/db_1| - log|dC/da_n|``
    for the chain made of the first n neurons (eq. 122 without its last factor).
    """

    z: np.ndarray
    w: np.ndarray
    a: np.ndarray
    log_factor: np.ndarray
    log_grad: np.ndarray
    k: float
    c: float


def random_chains(
    n_chains: int, depth: int, seed: int = 0, k: float = 1.0, c: float = 1.0, burn_in: int = 30
) -> RandomChains:
    """Simulate random chains: w_j, b_j ~ N(0, 1) iid, a_j = k sigma(c z_j), z_j = w_j a_{j-1} + b_j.

    The input ``a_0`` is the activation after ``burn_in`` further random neurons, i.e. drawn
    (to within the chain's fast mixing) from the stationary distribution of the activations, so
    that every layer of the chain is statistically alike.
    """
    n_chains, depth = check_size(n_chains, depth)
    k = validate.real(k, "k", 0.0, None, lo_open=True)
    c = validate.real(c, "c", 0.0, None, lo_open=True)
    burn_in = validate.integer(burn_in, "burn_in", 0, 10_000)
    rng = np.random.default_rng(validate.integer(seed, "seed", 0))
    act = np.full(n_chains, 0.5 * k)
    for _ in range(burn_in):
        act = k * sigmoid(c * (rng.standard_normal(n_chains) * act + rng.standard_normal(n_chains)))
    w = rng.standard_normal((n_chains, depth))
    b = rng.standard_normal((n_chains, depth))
    z = np.empty((n_chains, depth))
    a = np.empty((n_chains, depth + 1))
    a[:, 0] = act
    for j in range(depth):
        z[:, j] = w[:, j] * a[:, j] + b[:, j]
        a[:, j + 1] = k * sigmoid(c * z[:, j])
    log_fp = math.log(k * c) + log_sigmoid_prime(c * z)  # log f'(z_j)
    with np.errstate(divide="ignore"):
        log_factor = np.log(np.abs(w)) + log_fp
    # dC/db_1 / dC/da_n = f'(z_1) * prod_{j=2..n} w_j f'(z_j)
    log_grad = log_fp[:, :1] + np.concatenate(
        [np.zeros((n_chains, 1)), np.cumsum(log_factor[:, 1:], axis=1)], axis=1
    )
    return RandomChains(z=z, w=w, a=a, log_factor=log_factor, log_grad=log_grad, k=k, c=c)


EULER_LOG_ABS_NORMAL = -(np.euler_gamma + math.log(2.0)) / 2
"""E[log|w|] for w ~ N(0, 1): -(gamma + log 2)/2 = -0.6351814227..."""


def mean_log_abs_normal_quad() -> float:
    """E[log|w|] for w ~ N(0, 1) by SciPy's adaptive quadrature, 2 ∫₀^∞ ln(t) φ(t) dt: the numerical side
    of :data:`EULER_LOG_ABS_NORMAL` (its closed form)."""
    from scipy.integrate import quad

    return quad(lambda t: 2 * math.log(t) * normal_pdf(t), 0, np.inf, limit=200)[0]


LOG_ABS_NORMAL_VAR = math.pi**2 / 8
"""Var(log|w|) for w ~ N(0, 1): ψ′(1/2)/4 = π²/8 (log w² is log 2 plus the log of a Gamma(1/2) variable)."""


@dataclass
class StationaryChain:
    """The stationary distribution of ``z_j`` in a long random chain, on a grid (Nystrom method).

    Given the incoming activation a, ``z = w a + b ~ N(0, 1 + a^2)``, and ``a = k sigma(c z')``
    for the previous ``z'``: the density q solves ``q(z) = int N(z; 0, 1 + a(z')^2) q(z') dz'``.
    ``weights`` are the trapezoid weights times q (they sum to 1), ``a`` the activations
    ``k sigma(c z)`` at the grid.
    """

    z: np.ndarray
    weights: np.ndarray
    a: np.ndarray
    k: float
    c: float

    def mean_log_factor(self) -> float:
        """E[log|w f'(z)|] = E[log|w|] + E[log f'(z)] (linearity: holds though w and z are dependent)."""
        lfp = math.log(self.k * self.c) + log_sigmoid_prime(self.c * self.z)
        return EULER_LOG_ABS_NORMAL + float(self.weights @ lfp)


def stationary_chain(
    k: float = 1.0, c: float = 1.0, half_width: float | None = None, m: int = 801
) -> StationaryChain:
    """Solve for the stationary density of z_j (see :class:`StationaryChain`) by power iteration.

    The grid has ``m`` points (51 to 4001: the kernel is an ``m × m`` matrix) on
    ``[-half_width, half_width]`` (default twelve standard deviations of the widest conditional law).
    """
    k = validate.real(k, "k", 0.0, None, lo_open=True)
    c = validate.real(c, "c", 0.0, None, lo_open=True)
    m = validate.integer(m, "m", 51, 4001, why_hi="the kernel is an m-by-m matrix")
    var_max = 1.0 + k * k
    L = (validate.real(half_width, "half_width", 0.0, None, lo_open=True) if half_width is not None
         else 12.0 * math.sqrt(var_max))  # fmt: skip
    z = np.linspace(-L, L, m)
    h = z[1] - z[0]
    a = k * sigmoid(c * z)
    var = 1.0 + a * a  # variance of z_next given z (through a)
    kernel = np.exp(-(z[:, None] ** 2) / (2 * var[None, :])) / np.sqrt(2 * np.pi * var[None, :]) * h
    q = np.exp(-(z**2) / 2)
    q /= q.sum()
    for _ in range(200):
        q_new = kernel @ q
        q_new /= q_new.sum()
        if np.max(np.abs(q_new - q)) < 1e-15:
            q = q_new
            break
        q = q_new
    return StationaryChain(z=z, weights=q, a=a, k=k, c=c)


def _z_star(ratio):
    """|z| beyond which sigma'(z) < ratio (for 0 < ratio < 1/4): 2 arccosh(1 / (2 sqrt(ratio)))."""
    return 2.0 * np.arccosh(1.0 / (2.0 * np.sqrt(ratio)))


def normal_pdf(x):
    """φ(x) = e^(−x²/2) / √(2π), the standard normal density (as ``scipy.stats.norm.pdf`` computes it;
    SciPy's special functions have the distribution function Φ, ``scipy.special.ndtr``, but not φ)."""
    return np.exp(-x * x / 2.0) / _SQRT_2PI


_SQRT_2PI = math.sqrt(2 * math.pi)


def factor_cdf(t: float, st: StationaryChain, tol: float = 1e-10) -> float:
    """P(|w sigma'(w a + b)| < t) for w, b ~ N(0, 1) and a from the stationary chain (k = c = 1).

    For |w| <= 4t the factor is below t whatever z (sigma' <= 1/4); for |w| > 4t it is below t
    iff |w a + b| > z*(t/|w|), an event of probability Phi(w a - z*) + Phi(-w a - z*) given w.
    The law is even in w, so ``P = (2 Phi(4t) - 1) + 2 int_{4t}^inf phi(w) P(...|w) dw``,
    integrated by ``scipy.integrate.quad_vec`` for all grid activations at once.
    """
    from scipy.integrate import quad_vec
    from scipy.special import ndtr

    if not (st.k == 1.0 and st.c == 1.0):
        raise ValueError("factor_cdf is for the sigmoid chain (k = c = 1)")
    t = validate.real(t, "t")
    if not t > 0:
        return 0.0
    keep = st.weights > 1e-14
    a, wts = st.a[keep], st.weights[keep]
    wts = wts / wts.sum()

    def integrand(w):  # scipy.special directly: scipy.stats' per-call overhead tripled the run time
        zs = _z_star(t / w)
        return normal_pdf(w) * (ndtr(w * a - zs) + ndtr(-w * a - zs))

    tail, _ = quad_vec(integrand, 4 * t, np.inf, epsabs=tol, epsrel=tol)
    return float((2 * ndtr(4 * t) - 1) + 2 * (wts @ tail))


def factor_median(st: StationaryChain, tol: float = 1e-8, xtol: float = 1e-10) -> float:
    """The median of |w σ′(wa + b)| in the stationary sigmoid chain: the root of ``factor_cdf(t) = 1/2``
    (SciPy brentq on [10⁻³, 1/4]: the median is below 1/4 because P(factor < 1/4) ≥ P(|w| < 1) > 1/2)."""
    from scipy.optimize import brentq

    return float(brentq(lambda t: factor_cdf(t, st, tol=tol) - 0.5, 1e-3, 0.25, xtol=xtol))


def ratio_cdf(t: float, st: StationaryChain, n_nodes: int = 48, tol: float = 1e-9) -> float:
    """P(|sigma'(z_1) w_2 sigma'(z_2) w_3| < t): the ratio dC/db_1 / dC/db_3 in a random chain.

    z_1 from the stationary chain; w_2, b_2, w_3 ~ N(0, 1); z_2 = w_2 sigma(z_1) + b_2 (so the two
    factors sigma'(z_1) w_2 and sigma'(z_2) w_3 are *dependent*, through w_2 and z_1). Given
    (z_1, w_2, b_2) the event is |w_3| < t / X, X = sigma'(z_1) |w_2| sigma'(z_2), of probability
    2 Phi(t / X) - 1. The integral over w_2 (which varies on the scale of t) is adaptive
    (``scipy.integrate.quad_vec``, the integrand is even in w_2 after symmetrising b_2), over b_2
    Gauss-Hermite (``scipy.special.roots_hermitenorm``), over z_1 the stationary grid.
    """
    from scipy.integrate import quad_vec
    from scipy.special import ndtr, roots_hermitenorm

    x, wx = roots_hermitenorm(n_nodes)
    wx = wx / wx.sum()
    keep = st.weights > 1e-10
    z1, q = st.z[keep], st.weights[keep] / st.weights[keep].sum()
    sp1 = sigmoid_prime(z1)[:, None]
    a1 = sigmoid(z1)[:, None]
    b2 = x[None, :]
    weight = q[:, None] * wx[None, :]

    def integrand(w2):
        X = sp1 * w2 * sigmoid_prime(w2 * a1 + b2)
        with np.errstate(divide="ignore"):
            p = 2 * ndtr(t / X) - 1
        return np.sqrt(2 / np.pi) * np.exp(-w2 * w2 / 2) * float(np.sum(weight * p))

    val, _ = quad_vec(integrand, 0.0, np.inf, epsabs=tol, epsrel=tol)
    return float(val)


# --- ReLU chains ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReluChains:
    """``n_chains`` random chains of ``depth`` ReLU neurons, w_j, b_j ~ N(0, 1), a_j = max(z_j, 0).

    ``active[:, j-1]`` is z_j > 0 (the unit's derivative is 1 there and 0 below);
    ``alive[:, n-1]`` says that ∂C/∂b₁ of the chain of the first n neurons is not 0, i.e. every
    z_1 ... z_n > 0; ``log_abs_w[:, j-1] = log|w_j|``. Where alive,
    log|∂C/∂b₁ / ∂C/∂a_n| = Σ_{j=2..n} log|w_j| (eq. 122 with ReLU′ = 1).
    """

    active: np.ndarray
    alive: np.ndarray
    log_abs_w: np.ndarray


def relu_chains(n_chains: int, depth: int, seed: int = 0, a0: float = 1.0) -> ReluChains:
    """Simulate ReLU chains from the input activation ``a0 >= 0`` (see :class:`ReluChains`)."""
    n_chains, depth = check_size(n_chains, depth)
    a0 = validate.real(a0, "a0", 0.0, None)
    rng = np.random.default_rng(validate.integer(seed, "seed", 0))
    w = rng.standard_normal((n_chains, depth))
    b = rng.standard_normal((n_chains, depth))
    active = np.empty((n_chains, depth), dtype=bool)
    act = np.full(n_chains, a0)
    for j in range(depth):
        zj = w[:, j] * act + b[:, j]
        active[:, j] = zj > 0
        act = np.maximum(zj, 0.0)
    with np.errstate(divide="ignore"):
        log_abs_w = np.log(np.abs(w))
    return ReluChains(active=active, alive=np.logical_and.accumulate(active, axis=1), log_abs_w=log_abs_w)
