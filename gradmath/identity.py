"""Problem 2 of chapter 5: the identity neuron, w2 sigma(w1 x + b) ~ x on [0, 1].

The hint's construction: write x = 1/2 + Delta and take b = -w1/2, so that w1 x + b = w1 Delta and

    sigma(w1 Delta) = 1/2 + (w1 Delta)/4 - (w1 Delta)^3/48 + (w1 Delta)^5/480 - ...

With w2 = 4/w1 the neuron outputs (4/w1) sigma(w1 Delta) = x + (2/w1 - 1/2) - w1^2 Delta^3/12 + ...:
the identity plus a constant offset 2/w1 - 1/2, with an error of order w1^2. The error
e(Delta) = (4/w1)(sigma(w1 Delta) - 1/2) - Delta is odd and decreasing (e' = 4 sigma' - 1 <= 0), so its
maximum on [0, 1] is at the ends: exactly 1/2 - (2/w1) tanh(w1/4) = w1^2/96 - w1^4/3840 + ...

Without an offset no choice of (w1, b, w2) makes w2 sigma(w1 x + b) ~ x arbitrarily well; the best
least-squares and minimax fits are computed by :func:`least_squares_fit` and :func:`minimax_fit`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

__all__ = [
    "IdentityNeuron",
    "identity_neuron",
    "exact_max_error",
    "LEADING_ERROR_CONSTANT",
    "Fit",
    "least_squares_fit",
    "minimax_fit",
    "equioscillation",
]

#: max_x |w2 sigma(w1 x + b) - offset - x| = C w1^2 + O(w1^4) with C = 1/96.
LEADING_ERROR_CONSTANT = 1.0 / 96.0


def _check_w1(w1) -> float:
    if isinstance(w1, bool) or not isinstance(w1, numbers.Real):
        raise TypeError(f"w1 must be a real number, got {type(w1).__name__}")
    w1 = float(w1)
    if not math.isfinite(w1) or w1 <= 0:
        raise ValueError(
            f"w1 must be finite and > 0 (the construction needs a small positive w1; "
            f"w1 < 0 is the same neuron with x -> 1 - x), got {w1}"
        )
    return w1


@dataclass(frozen=True)
class IdentityNeuron:
    """The hint's identity neuron for a given w1: b = -w1/2, w2 = 4/w1, output = x + offset + error."""

    w1: float
    b: float
    w2: float
    offset: float
    error_bound: float
    leading_error: float

    def __call__(self, x):
        """w2 sigma(w1 x + b) - offset: the identity up to ``error_bound`` on [0, 1]."""
        return self.w2 * expit(self.w1 * np.asarray(x, dtype=float) + self.b) - self.offset


def exact_max_error(w1) -> float:
    """max over x in [0, 1] of |(4/w1) sigma(w1 x - w1/2) - (2/w1 - 1/2) - x| = 1/2 - (2/w1) tanh(w1/4)."""
    w1 = _check_w1(w1)
    return 0.5 - (2.0 / w1) * math.tanh(w1 / 4.0)


def identity_neuron(w1: float = 0.1) -> IdentityNeuron:
    """The construction of Problem 2 (hint: x = 1/2 + Delta, Taylor series in w1 Delta)."""
    w1 = _check_w1(w1)
    return IdentityNeuron(
        w1=w1,
        b=-w1 / 2.0,
        w2=4.0 / w1,
        offset=2.0 / w1 - 0.5,
        error_bound=exact_max_error(w1),
        leading_error=LEADING_ERROR_CONSTANT * w1**2,
    )


# --- fits without an offset ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """A fit of w2 sigma(w1 x + b) to x on [0, 1] (no offset)."""

    w1: float
    b: float
    w2: float
    rms_error: float
    max_error: float
    method: str
    extra: dict = field(default_factory=dict)

    def __call__(self, x):
        return self.w2 * expit(self.w1 * np.asarray(x, dtype=float) + self.b)

    def as_dict(self) -> dict:
        return {
            "w1": self.w1,
            "b": self.b,
            "w2": self.w2,
            "rms_error": self.rms_error,
            "max_error": self.max_error,
        }


def _model(p, x):
    w1, b, w2 = p
    return w2 * expit(w1 * x + b)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(200)
_GL_X = 0.5 * (_GL_X + 1.0)  # nodes on [0, 1]
_GL_W = 0.5 * _GL_W
_DENSE = np.linspace(0.0, 1.0, 20001)


def _rms(p) -> float:
    """sqrt(integral_0^1 (model - x)^2 dx) by 200-point Gauss-Legendre quadrature."""
    r = _model(p, _GL_X) - _GL_X
    return float(np.sqrt(np.sum(_GL_W * r * r)))


def _maxerr(p) -> float:
    return float(np.max(np.abs(_model(p, _DENSE) - _DENSE)))


_STARTS = [(1.0, 0.0, 1.0), (3.0, -1.5, 1.5), (0.5, -2.0, 5.0), (4.0, -3.0, 1.2), (2.0, -1.0, 2.0)]


def least_squares_fit() -> Fit:
    """The best L2 fit on [0, 1]: scipy.optimize.least_squares on the quadrature residuals, multi-start."""
    from scipy.optimize import least_squares

    sw = np.sqrt(_GL_W)
    best = None
    for start in _STARTS:
        res = least_squares(
            lambda p: sw * (_model(p, _GL_X) - _GL_X),
            start,
            xtol=1e-15,
            ftol=1e-15,
            gtol=1e-15,
            max_nfev=20000,
        )
        if best is None or res.cost < best.cost:
            best = res
    p = best.x
    return Fit(*map(float, p), rms_error=_rms(p), max_error=_maxerr(p), method="scipy least_squares (TRF)")


def minimax_fit(start: Fit | None = None) -> Fit:
    """The best sup-norm fit on [0, 1]: minimise t subject to |model - x| <= t on a dense grid (SLSQP).

    Started from the least-squares fit; the result is confirmed by :func:`equioscillation`.
    """
    from scipy.optimize import minimize

    start = start or least_squares_fit()
    grid = np.linspace(0.0, 1.0, 2001)
    p0 = np.array([start.w1, start.b, start.w2, start.max_error])

    def cons(q):
        r = _model(q[:3], grid) - grid
        return np.concatenate([q[3] - r, q[3] + r])

    res = minimize(
        lambda q: q[3],
        p0,
        method="SLSQP",
        constraints=[{"type": "ineq", "fun": cons}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    p = res.x[:3]
    return Fit(
        *map(float, p), rms_error=_rms(p), max_error=_maxerr(p), method="SLSQP epigraph on 2001 points"
    )


@dataclass(frozen=True)
class Equioscillation:
    """Alternation points of the minimax error: for 3 parameters, at least 4 points with |e| = max|e|
    and alternating signs characterise the best approximation (Chebyshev alternation)."""

    points: np.ndarray
    errors: np.ndarray
    alternating: bool
    spread: float  # (max - min)/max of |e| over the alternation points


def equioscillation(fit: Fit, n_points: int = 4) -> Equioscillation:
    """Find the local extrema of e(x) = fit(x) - x on [0, 1] (ends included) and test alternation."""
    x = _DENSE
    e = fit(x) - x
    idx = [0]
    de = np.diff(e)
    for i in range(1, len(de)):
        if de[i - 1] * de[i] < 0:
            idx.append(i)
    idx.append(len(x) - 1)
    idx = np.array(idx)
    # keep the n_points largest extrema, in x order
    top = np.sort(idx[np.argsort(-np.abs(e[idx]))[:n_points]])
    errs = e[top]
    signs = np.sign(errs)
    alternating = bool(np.all(signs[1:] * signs[:-1] < 0))
    mags = np.abs(errs)
    return Equioscillation(x[top], errs, alternating, float((mags.max() - mags.min()) / mags.max()))
