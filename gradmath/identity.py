"""Problem 2 of chapter 5: the identity neuron, w₂ σ(w₁x + b) ≈ x on [0, 1].

The hint's construction: write x = 1/2 + Δ and take b = −w₁/2, so that w₁x + b = w₁Δ and

    σ(w₁Δ) = 1/2 + (w₁Δ)/4 − (w₁Δ)³/48 + (w₁Δ)⁵/480 − ...

With w₂ = 4/w₁ the neuron outputs (4/w₁) σ(w₁Δ) = x + (2/w₁ − 1/2) − w₁²Δ³/12 + ...: the identity
plus a constant offset 2/w₁ − 1/2, with an error of order w₁². The error
e(Δ) = (4/w₁)(σ(w₁Δ) − 1/2) − Δ is odd and decreasing (e′ = 4σ′ − 1 ≤ 0), so its maximum on [0, 1]
is at the ends: exactly 1/2 − (2/w₁) tanh(w₁/4) = w₁²/96 − w₁⁴/3840 + ... (:func:`exact_max_error`,
accurate to a few ulps for 1e-300 ≤ w₁ ≤ 1e300).

Without an offset no choice of (w₁, b, w₂) makes w₂ σ(w₁x + b) ≈ x arbitrarily well. The best fits:
:func:`least_squares_fit` (the stationary point of the L² error, solved at 30 digits) and
:func:`minimax_fit` (the equioscillation conditions solved at 50 digits; the alternation at four
points proves it optimal, see :class:`MinimaxFit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import mpmath
import numpy as np
from scipy.special import expit

from . import validate

__all__ = [
    "W1_MIN",
    "W1_MAX",
    "LEADING_ERROR_CONSTANT",
    "IdentityNeuron",
    "identity_neuron",
    "exact_max_error",
    "Fit",
    "critical_points",
    "sup_error",
    "rms_error",
    "least_squares_scipy",
    "least_squares_fit",
    "minimax_scipy",
    "MinimaxFit",
    "minimax_fit",
]

#: the range of w₁ over which the construction and its error are computed to a few ulps
W1_MIN, W1_MAX = 1e-300, 1e300

#: max_x |w₂ σ(w₁x + b) − offset − x| = C w₁² + O(w₁⁴) with C = 1/96.
LEADING_ERROR_CONSTANT = 1.0 / 96.0


def _check_w1(w1) -> float:
    return validate.real(w1, "w1", W1_MIN, W1_MAX)


def exact_max_error(w1) -> float:
    """max over x in [0, 1] of |(4/w₁) σ(w₁x − w₁/2) − (2/w₁ − 1/2) − x| = 1/2 − (2/w₁) tanh(w₁/4).

    With t = w₁/4 this is (t − tanh t)/(2t) = (t cosh t − sinh t)/(2t cosh t). For t ≤ 2 the numerator
    is summed as its Taylor series Σₖ 2k t^(2k+1)/(2k+1)! (k ≥ 1), whose terms are all positive, so
    nothing cancels (the textbook form gives 0.0 at w₁ = 1e-8, where the error is 1.04e-18); for t > 2,
    1/2 − tanh(t)/(2t) loses at most one bit. A few ulps over 1e-300 ≤ w₁ ≤ 1e300 (below
    w₁ ≈ 1.5e-153 the result, w₁²/96, is subnormal and rounded to the subnormal grid).
    """
    t = _check_w1(w1) / 4.0
    if t > 2.0:
        return 0.5 - math.tanh(t) / (2.0 * t)
    t2 = t * t
    term, total = 1.0 / 3.0, 0.0
    for k in range(1, 20):  # at t = 2 the 15th term is below 1e-26 of the sum
        total += term
        term *= t2 / (2 * k * (2 * k + 3))  # term_(k+1)/term_k = t²/(2k(2k + 3))
    return t * (t * total / (2.0 * math.cosh(t)))  # = t² S / (2 cosh t); underflows gracefully


@dataclass(frozen=True)
class IdentityNeuron:
    """The hint's identity neuron for a given w₁: b = −w₁/2, w₂ = 4/w₁, output = x + offset + error."""

    w1: float
    b: float
    w2: float
    offset: float
    error_bound: float

    def __call__(self, x):
        """w₂ σ(w₁x + b) − offset: the identity up to ``error_bound`` on [0, 1] (float64: for small w₁
        the subtraction of the offset loses digits; use mpmath to see errors below 1e-16 w₂)."""
        return self.w2 * expit(self.w1 * np.asarray(x, dtype=float) + self.b) - self.offset


def identity_neuron(w1: float = 0.1) -> IdentityNeuron:
    """The construction of Problem 2 (hint: x = 1/2 + Δ, Taylor series in w₁Δ), for 1e-300 ≤ w₁ ≤ 1e300."""
    w1 = _check_w1(w1)
    return IdentityNeuron(
        w1=w1, b=-w1 / 2.0, w2=4.0 / w1, offset=2.0 / w1 - 0.5, error_bound=exact_max_error(w1)
    )


# --- fits without an offset: exact error measures (mpmath) ---------------------------------------


def _sigma(z):
    return 1 / (1 + mpmath.exp(-z))


def critical_points(w1, b, w2) -> list:
    """The x where e(x) = x − w₂σ(w₁x + b) has e′(x) = 0, i.e. w₁w₂ σ′(w₁x + b) = 1 (mpmath numbers).

    σ′(z) = 1/(w₁w₂) has the two roots z = ±z*, z* = 2 artanh √(1 − 4/(w₁w₂)), when w₁w₂ > 4 (the
    interval of Problem 1 for the weight w₁w₂), none when w₁w₂ < 4: e has at most two critical points.
    """
    w1, b, w2 = (mpmath.mpf(v) for v in (w1, b, w2))
    slope = w1 * w2
    if not slope > 4:
        return []
    zs = 2 * mpmath.atanh(mpmath.sqrt(1 - 4 / slope))
    return sorted([(-zs - b) / w1, (zs - b) / w1])


def sup_error(w1, b, w2) -> tuple:
    """(max over [0, 1] of |x − w₂σ(w₁x + b)|, the x where it is attained), exactly: |e| is largest at an
    end or at a critical point of e (:func:`critical_points`). In the current mpmath precision."""
    xs = [mpmath.mpf(0), mpmath.mpf(1)] + [x for x in critical_points(w1, b, w2) if 0 < x < 1]
    w1, b, w2 = (mpmath.mpf(v) for v in (w1, b, w2))
    errs = [abs(x - w2 * _sigma(w1 * x + b)) for x in xs]
    i = max(range(len(xs)), key=lambda k: errs[k])
    return errs[i], xs[i]


def rms_error(w1, b, w2):
    """√(∫₀¹ (x − w₂σ(w₁x + b))² dx) by mpmath quadrature, in the current precision."""
    w1, b, w2 = (mpmath.mpf(v) for v in (w1, b, w2))
    return mpmath.sqrt(mpmath.quad(lambda x: (x - w2 * _sigma(w1 * x + b)) ** 2, [0, 1]))


@dataclass(frozen=True)
class Fit:
    """A fit of w₂σ(w₁x + b) to x on [0, 1] (no offset). ``digits`` holds the same numbers to more
    digits than a float (strings, every digit correct) when the fit was solved in mpmath."""

    w1: float
    b: float
    w2: float
    rms_error: float
    max_error: float
    method: str
    digits: dict = field(default_factory=dict)

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


def _exact_fit(p, method: str, digits: int) -> Fit:
    """A Fit from mpmath parameters: errors computed exactly, floats correctly rounded."""
    rms, (sup, _) = rms_error(*p), sup_error(*p)
    values = dict(zip(("w1", "b", "w2", "rms_error", "max_error"), (*p, rms, sup), strict=True))
    return Fit(**{k: float(v) for k, v in values.items()}, method=method,
               digits={k: mpmath.nstr(v, digits) for k, v in values.items()})  # fmt: skip


# --- the least-squares fit ---------------------------------------------------------------------

_GL_X, _GL_W = np.polynomial.legendre.leggauss(200)
_GL_X = 0.5 * (_GL_X + 1.0)  # nodes on [0, 1]
_GL_W = 0.5 * _GL_W
_STARTS = [(1.0, 0.0, 1.0), (3.0, -1.5, 1.5), (0.5, -2.0, 5.0), (4.0, -3.0, 1.2), (2.0, -1.0, 2.0)]


def _model(p, x):
    return p[2] * expit(p[0] * x + p[1])


@cache
def least_squares_scipy() -> Fit:
    """The L² fit in float64: scipy.optimize.least_squares (TRF) on 200-point Gauss-Legendre residuals,
    from five starts. Its error is right to about 15 digits, its parameters to about 8 (the minimum is
    quadratic): the start of :func:`least_squares_fit`."""
    from scipy.optimize import least_squares

    sw = np.sqrt(_GL_W)
    runs = [least_squares(lambda p: sw * (_model(p, _GL_X) - _GL_X), s, xtol=1e-15, ftol=1e-15, gtol=1e-15,
                          max_nfev=20000) for s in _STARTS]  # fmt: skip
    p = min(runs, key=lambda r: r.cost).x
    r = _model(p, _GL_X) - _GL_X
    grid = np.linspace(0.0, 1.0, 20001)
    return Fit(*map(float, p), rms_error=float(np.sqrt(np.sum(_GL_W * r * r))),
               max_error=float(np.max(np.abs(_model(p, grid) - grid))), method="SciPy least_squares")  # fmt: skip


def _l2_gradient(w1, b, w2):
    """∇ of J = ∫₀¹ (w₂σ(w₁x + b) − x)² dx / 2 with respect to (w₁, b, w₂) (tanh-sinh quadrature)."""

    def parts(x):
        s = _sigma(w1 * x + b)
        r = w2 * s - x
        return r * w2 * s * (1 - s), r * s

    g_w1 = mpmath.quad(lambda x: parts(x)[0] * x, [0, 1])
    g_b = mpmath.quad(lambda x: parts(x)[0], [0, 1])
    g_w2 = mpmath.quad(lambda x: parts(x)[1], [0, 1])
    return [g_w1, g_b, g_w2]


@cache
def least_squares_fit(dps: int = 30) -> Fit:
    """The best L² fit on [0, 1]: the zero of the analytic gradient of ∫₀¹ (w₂σ(w₁x + b) − x)² dx,
    by mpmath.findroot at ``dps`` digits, started from :func:`least_squares_scipy`.

    It is a local minimum (the Hessian is positive definite there, see the solver); that it is the
    global one rests on the multi-start search of the start (and a differential-evolution search in the
    tests): unlike the minimax fit, no alternation theorem certifies an L² optimum.
    """
    dps = validate.integer(dps, "dps", 20, 200)
    start = least_squares_scipy()
    with mpmath.workdps(dps + 10):
        p = mpmath.findroot(
            lambda *q: _l2_gradient(*q), [mpmath.mpf(v) for v in (start.w1, start.b, start.w2)]
        )
        return _exact_fit(list(p), "zero of the L² gradient (mpmath.findroot)", dps)


# --- the minimax fit ------------------------------------------------------------------------


@cache
def minimax_scipy(start: Fit | None = None) -> Fit:
    """The sup-norm fit in float64: minimise t subject to |model − x| ≤ t on 2001 points (SLSQP), from the
    least-squares fit. Only about 9 digits are right (the grid misses the true extrema): the start of
    :func:`minimax_fit`."""
    from scipy.optimize import minimize

    start = start or least_squares_scipy()
    grid = np.linspace(0.0, 1.0, 2001)

    def cons(q):
        r = _model(q[:3], grid) - grid
        return np.concatenate([q[3] - r, q[3] + r])

    res = minimize(lambda q: q[3], np.array([start.w1, start.b, start.w2, start.max_error]), method="SLSQP",
                   constraints=[{"type": "ineq", "fun": cons}], options={"ftol": 1e-15, "maxiter": 1000})  # fmt: skip
    p = res.x[:3]
    dense = np.linspace(0.0, 1.0, 20001)
    return Fit(*map(float, p), rms_error=float("nan"), max_error=float(np.max(np.abs(_model(p, dense) - dense))),
               method="SLSQP on 2001 points")  # fmt: skip


@dataclass(frozen=True)
class MinimaxFit:
    """The best sup-norm fit and its certificate.

    The error e(x) = x − w₂σ(w₁x + b) alternates in sign at ``points`` (0, x₁, x₂, 1) with values
    ``levels``. Two members of the family differ by a function with at most two zeros (after clearing
    denominators, w₂ − v₂ + w₂e^(−c)e^(−v₁x) − v₂e^(−b)e^(−w₁x), a sum of three exponentials: at most two
    real zeros by Descartes' rule of signs for exponential sums). So a member with max error below
    ``lower`` = min |levels| would differ from this one with the signs of e at four alternating points:
    three zeros. Hence every member has max error ≥ ``lower`` (de la Vallée Poussin), and this one has
    max error ``upper`` (the exact maximum over [0, 1], :func:`sup_error`): the optimum lies in
    [lower, upper], an interval of width ``upper − lower``.
    """

    fit: Fit
    points: tuple[float, ...]
    levels: tuple[float, ...]
    alternating: bool
    lower: str
    upper: str
    gap: float  # upper − lower
    start: Fit  # the SciPy fit the system was started from
    dps: int


def _remez_system(w1, b, w2, level, x1, x2):
    """e(0) = −E, e(x₁) = E, e(x₂) = −E, e(1) = E, e′(x₁) = e′(x₂) = 0 with e(x) = x − w₂σ(w₁x + b)."""

    def e(x):
        return x - w2 * _sigma(w1 * x + b)

    def de(x):
        s = _sigma(w1 * x + b)
        return 1 - w1 * w2 * s * (1 - s)

    return [e(0) + level, e(x1) - level, e(x2) + level, e(1) - level, de(x1), de(x2)]


@cache
def minimax_fit(dps: int = 50) -> MinimaxFit:
    """The best sup-norm fit on [0, 1]: the equioscillation (Remez) conditions solved by mpmath.findroot
    at ``dps`` digits from the SciPy fit (:func:`minimax_scipy`), and certified (:class:`MinimaxFit`)."""
    dps = validate.integer(dps, "dps", 30, 300)
    start = minimax_scipy()
    with mpmath.workdps(dps + 10):
        x0 = critical_points(start.w1, start.b, start.w2)
        guess = [mpmath.mpf(v) for v in (start.w1, start.b, start.w2, start.max_error)] + x0
        sol = mpmath.findroot(lambda *q: _remez_system(*q), guess)
        p = list(sol[:3])
        points = [mpmath.mpf(0), *critical_points(*p), mpmath.mpf(1)]
        levels = [x - p[2] * _sigma(p[0] * x + p[1]) for x in points]
        alternating = len(points) == 4 and all(levels[i] * levels[i + 1] < 0 for i in range(3))
        lower = min(abs(v) for v in levels) if alternating else mpmath.mpf(0)
        upper = sup_error(*p)[0]
        return MinimaxFit(
            fit=_exact_fit(p, "equioscillation solved by mpmath.findroot", 20),
            points=tuple(float(x) for x in points), levels=tuple(float(v) for v in levels),
            alternating=alternating, lower=mpmath.nstr(lower, 25), upper=mpmath.nstr(upper, 25),
            gap=float(upper - lower), start=start, dps=dps,
        )  # fmt: skip
