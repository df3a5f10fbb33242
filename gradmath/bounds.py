"""Problem 1 of chapter 5: when can |w sigma'(wa + b)| reach 1, and over how wide a range of a?

- (1) sigma'(z) <= 1/4, so |w sigma'(wa+b)| <= |w|/4: |w| >= 4 is necessary, and w = 4, z = 0 attains 1.
- (2) For |w| >= 4, |w sigma'(z)| >= 1 means s(1 - s) >= 1/|w| with s = sigma(z), i.e.
  s in [s-, s+], s+- = (1 +- u)/2, u = sqrt(1 - 4/|w|); so z in [-z*, z*] with
  z* = ln(s+/s-) = 2 artanh(u), and a = (z - b)/w ranges over an interval of width 2 z*/|w|, which
  equals eq. 123, (2/|w|) ln(|w|(1 + u)/2 - 1), and does not depend on b.
- (3) Eq. 123 is greatest where its derivative vanishes: |w| = 6.9..., width 0.45....

Examples
--------
>>> round(interval_width(6.9), 4)
0.4498
>>> activation_interval(4.0, 0.0)
(0.0, 0.0)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import cache

import mpmath
import numpy as np
import sympy

__all__ = [
    "interval_width",
    "activation_interval",
    "interval_width_max",
    "IntervalWidthMax",
    "z_star",
    "width_expr",
    "eq123_expr",
    "W",
]

#: |w| as a positive symbol, the variable of eq. 123.
W = sympy.Symbol("|w|", positive=True)


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _abs_w(w) -> float:
    w = _real(w, "w")
    if abs(w) < 4:
        raise ValueError(
            f"|w| must be >= 4 for |w sigma'(wa+b)| >= 1 to be possible (Problem 1(1)), got w = {w}"
        )
    return abs(w)


def z_star(w) -> float:
    """z* = ln(s+/s-) = 2 artanh(sqrt(1 - 4/|w|)): sigma'(z) >= 1/|w| exactly for |z| <= z*."""
    return 2.0 * math.atanh(math.sqrt(1.0 - 4.0 / _abs_w(w)))


def interval_width(w) -> float:
    """Eq. 123: the width (2/|w|) ln(|w|(1 + sqrt(1 - 4/|w|))/2 - 1) of {a : |w sigma'(wa+b)| >= 1}.

    Computed as 2 z*/|w| = (4/|w|) artanh(sqrt(1 - 4/|w|)) (the same number, see Problem 1(2)),
    which stays accurate as |w| -> 4. Even in w; ValueError for |w| < 4 or a non-finite w.
    """
    aw = _abs_w(w)
    return 2.0 * z_star(aw) / aw


def activation_interval(w, b) -> tuple[float, float]:
    """The exact (lo, hi) of the set of a with |w sigma'(wa + b)| >= 1 (Problem 1(2)).

    The set is a = (z - b)/w with |z| <= z*; for w < 0 the endpoints swap. At |w| = 4 it is the
    single point a = -b/w.
    """
    zs = z_star(w)
    w = float(w)
    b = _real(b, "b")
    ends = ((-zs - b) / w, (zs - b) / w)
    return (min(ends), max(ends))


# --- symbolic ------------------------------------------------------------------------------------


def eq123_expr() -> sympy.Expr:
    """Eq. 123 as printed in the book, in the positive symbol |w|."""
    return 2 / W * sympy.log(W * (1 + sympy.sqrt(1 - 4 / W)) / 2 - 1)


def width_expr() -> sympy.Expr:
    """Our derivation's width, 2 z*/|w| with z* = ln(s+/s-), s+- = (1 +- sqrt(1 - 4/|w|))/2."""
    u = sympy.sqrt(1 - 4 / W)
    s_plus, s_minus = (1 + u) / 2, (1 - u) / 2
    return 2 / W * sympy.log(s_plus / s_minus)


def prove_width_equals_eq123() -> bool:
    """Symbolic proof that width_expr() == eq. 123 for every |w| >= 4.

    Both are (2/|w|) ln(...): it suffices that the log arguments agree. Substituting
    |w| = 4/(1 - u^2) (u = sqrt(1 - 4/|w|) in [0, 1)) turns both arguments into rational functions
    of u, whose difference simplifies to 0.
    """
    u = sympy.Symbol("u", nonnegative=True)
    ours = (1 + u) / (1 - u)
    book = (4 / (1 - u**2)) * (1 + u) / 2 - 1
    return sympy.simplify(ours - book) == 0 and sympy.simplify(sympy.sqrt(1 - 4 / (4 / (1 - u**2))) - u) == 0


# --- Problem 1(3): the maximum ------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalWidthMax:
    """The maximum of eq. 123 over |w| >= 4 (Problem 1(3)).

    Attributes
    ----------
    w, width : float
        The maximiser |w*| and the maximal width, as float64 (correctly rounded from ``*_digits``).
    w_digits, width_digits : str
        The same to ``dps`` significant digits (mpmath).
    w_minimizer : float
        What a bounded scalar minimiser alone finds (SciPy), to show why we solve f'(w) = 0 instead.
    w_brentq : float
        The zero of the analytic derivative by SciPy's brentq (float64).
    second_derivative : float
        f''(w*), negative at a maximum.
    """

    w: float
    width: float
    w_digits: str
    width_digits: str
    w_minimizer: float
    w_brentq: float
    second_derivative: float
    dps: int


@cache
def _derivatives():
    f = 4 / W * sympy.atanh(sympy.sqrt(1 - 4 / W))  # = eq. 123 (prove_width_equals_eq123)
    f1 = sympy.simplify(sympy.diff(f, W))
    f2 = sympy.diff(f1, W)
    return f, f1, f2


def interval_width_max(dps: int = 40) -> IntervalWidthMax:
    """Maximise eq. 123: a bounded minimiser for a start, then the zero of the derivative.

    The maximum is flat (f'' ~ -0.0075), so minimising -f alone pins w only to about sqrt(eps)
    ~ 1e-8 relative; the root of the analytic f' is found by brentq to float precision and refined
    by mpmath.findroot at ``dps`` digits.
    """
    from scipy.optimize import brentq, minimize_scalar

    f, f1, f2 = _derivatives()
    f_np = sympy.lambdify(W, f, "numpy")
    f1_np = sympy.lambdify(W, f1, "numpy")
    start = minimize_scalar(
        lambda x: -f_np(x), bounds=(4.0, 20.0), method="bounded", options={"xatol": 1e-12}
    )
    w_b = brentq(f1_np, 5.0, 10.0, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
    f_mp = sympy.lambdify(W, f, "mpmath")
    f1_mp = sympy.lambdify(W, f1, "mpmath")
    f2_mp = sympy.lambdify(W, f2, "mpmath")
    with mpmath.workdps(dps + 10):
        w_star = mpmath.findroot(f1_mp, mpmath.mpf(w_b), tol=mpmath.mpf(10) ** (-(dps + 5)))
        width = f_mp(w_star)
        second = f2_mp(w_star)
        w_digits = mpmath.nstr(w_star, dps)
        width_digits = mpmath.nstr(width, dps)
    return IntervalWidthMax(
        w=float(mpmath.mpf(w_digits)),
        width=float(mpmath.mpf(width_digits)),
        w_digits=w_digits,
        width_digits=width_digits,
        w_minimizer=float(start.x),
        w_brentq=float(w_b),
        second_derivative=float(second),
        dps=dps,
    )
