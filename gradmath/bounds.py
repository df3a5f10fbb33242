"""Problem 1 of chapter 5: when can |w σ′(wa + b)| reach 1, and over how wide a range of a?

- (1) σ′(z) ≤ 1/4, so |w σ′(wa + b)| ≤ |w|/4: |w| ≥ 4 is necessary, and w = 4, z = 0 attains 1.
- (2) For |w| ≥ 4, |w σ′(z)| ≥ 1 means s(1 − s) ≥ 1/|w| with s = σ(z), i.e. s in [s₋, s₊],
  s± = (1 ± u)/2, u = √(1 − 4/|w|); so z lies in [−z*, z*] with z* = ln(s₊/s₋) = 2 artanh(u), and
  a = (z − b)/w ranges over an interval of width 2z*/|w|. That is eq. 123,
  (2/|w|) ln((|w|/2)(1 + u) − 1) = (4/|w|) artanh(u), and it does not depend on b.
- (3) Eq. 123 is greatest where its derivative vanishes: |w*| = 6.894151032272928 (f″(w*) = −0.01593),
  where the width is 0.4477432046943028.

Floating point: z* is evaluated as 2 log1p(u) + log1p((|w| − 4)/4) (that is ln((1 + u)²|w|/4), a sum
of two non-negative terms, so nothing cancels) with u = √((|w| − 4)/|w|); :func:`interval_width` is
within a relative 4·2⁻⁵³ of the exact width over 4 < |w| ≤ 1e300 (tests/test_bounds.py measures it against
mpmath). The textbook forms lose digits: artanh(u) near u = 1 (large |w|) and ln(...) of an argument
near 1 (|w| near 4).

Examples
--------
>>> round(interval_width(6.9), 4)
0.4477
>>> activation_interval(4.0, 0.0)
(0.0, 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import mpmath
import sympy

from . import validate
from .notation import abs_w, ordered, ordered_sum

__all__ = [
    "W",
    "z_star",
    "interval_width",
    "activation_interval",
    "eq123_expr",
    "eq123_display",
    "artanh_expr",
    "artanh_display",
    "width_expr",
    "prove_width_equals_eq123",
    "width_derivatives",
    "IntervalWidthMax",
    "interval_width_max",
    "MAX_DPS",
]

#: |w| as a positive symbol, the variable of eq. 123 (the same symbol as :data:`gradmath.notation.abs_w`).
W = abs_w

#: the largest ``dps`` accepted by :func:`interval_width_max` (10,000 digits take about 2 s here).
MAX_DPS = 10_000


def _abs_w(w) -> float:
    w = validate.real(w, "w")
    if abs(w) < 4:
        raise ValueError(
            f"|w| must be >= 4 for |w sigma'(wa+b)| >= 1 to be possible (Problem 1(1)), got w = {w}"
        )
    return abs(w)


def z_star(w) -> float:
    """z* = ln(s₊/s₋) = 2 artanh √(1 − 4/|w|): σ′(z) ≥ 1/|w| exactly for |z| ≤ z* (Problem 1(2)).

    Evaluated as 2 log1p(u) + log1p((|w| − 4)/4) with u = √((|w| − 4)/|w|), the same number
    (ln((1 + u)²|w|/4), since (1 + u)/(1 − u) = (1 + u)²/(1 − u²) and 1 − u² = 4/|w|): two log1p within
    an ulp each and one rounded sum, so a relative error below 3·2⁻⁵³ for every |w| ≥ 4 (measured: at most
    2.63·2⁻⁵³ over 60,000 random |w|). ValueError for |w| < 4 or a non-finite w; TypeError for a non-number.
    """
    aw = _abs_w(w)
    d = aw - 4.0  # exact for |w| <= 8 (Sterbenz); one rounding above
    u = math.sqrt(d / aw)
    return 2.0 * math.log1p(u) + math.log1p(d / 4.0)


def interval_width(w) -> float:
    """Eq. 123: the width of {a : |w σ′(wa + b)| ≥ 1}, (2/|w|) ln((|w|/2)(1 + √(1 − 4/|w|)) − 1).

    Computed as 2z*/|w| (:func:`z_star`): z*'s relative error and one division, so within a relative
    4·2⁻⁵³ of the exact value for 4 < |w| ≤ 1e300 (measured: 3.60·2⁻⁵³, that is 2.07 ulps).
    Even in w and independent of b; 0 at |w| = 4. ValueError for |w| < 4 or a non-finite w.
    """
    aw = _abs_w(w)
    return 2.0 * z_star(aw) / aw


def _endpoint(c: float, b: float, w: float) -> float:
    """(c − b)/w with c = ±z*; where c − b cancels, recomputed from z* at 60 digits (mpmath)."""
    if abs(c - b) >= 0.5 * (abs(c) + abs(b)):
        return (c - b) / w
    with mpmath.workdps(60):
        aw = mpmath.mpf(abs(w))
        u = mpmath.sqrt((aw - 4) / aw)
        zs = 2 * mpmath.log1p(u) + mpmath.log1p((aw - 4) / 4)
        return float((mpmath.sign(c) * zs - b) / w)


def activation_interval(w, b) -> tuple[float, float]:
    """The exact (lo, hi) of the set of a with |w σ′(wa + b)| ≥ 1 (Problem 1(2)).

    The set is a = (z − b)/w with |z| ≤ z*; for w < 0 the endpoints swap. At |w| = 4 it is the
    single point a = −b/w. Each endpoint is within a few ulps of the exact value (where ±z* − b
    cancels, it is recomputed at 60 digits).
    """
    zs = z_star(w)
    w = float(w)
    b = validate.real(b, "b")
    ends = (_endpoint(-zs, b, w), _endpoint(zs, b, w))
    return (min(ends), max(ends))


# --- symbolic ------------------------------------------------------------------------------------


def eq123_expr() -> sympy.Expr:
    """Eq. 123 as printed in the book, (2/|w|) ln(|w|(1 + √(1 − 4/|w|))/2 − 1), in the symbol |w|."""
    return 2 / W * sympy.log(W * (1 + sympy.sqrt(1 - 4 / W)) / 2 - 1)


def eq123_display() -> sympy.Expr:
    """Eq. 123 for display: (2/|w|) ln((|w|/2)(1 + √(1 − 4/|w|)) − 1), no fraction inside a fraction."""
    inner = ordered_sum(ordered(W / 2, ordered_sum(1, sympy.sqrt(1 - 4 / W))), -1)
    return ordered(2 / W, sympy.log(inner))


def artanh_expr() -> sympy.Expr:
    """The same width as (4/|w|) artanh √(1 − 4/|w|)."""
    return 4 / W * sympy.atanh(sympy.sqrt(1 - 4 / W))


def artanh_display() -> sympy.Expr:
    """(4/|w|) artanh √(1 − 4/|w|), factors in this order, for display."""
    return ordered(4 / W, sympy.atanh(sympy.sqrt(1 - 4 / W)))


def width_expr() -> sympy.Expr:
    """Our derivation's width, 2z*/|w| with z* = ln(s₊/s₋), s± = (1 ± √(1 − 4/|w|))/2."""
    u = sympy.sqrt(1 - 4 / W)
    s_plus, s_minus = (1 + u) / 2, (1 - u) / 2
    return 2 / W * sympy.log(s_plus / s_minus)


def prove_width_equals_eq123() -> bool:
    """Symbolic proof that :func:`width_expr`, eq. 123 and :func:`artanh_expr` agree for every |w| ≥ 4.

    All three are (2/|w|) ln(...), with artanh(u) = ln((1 + u)/(1 − u))/2: it suffices that the log
    arguments agree. Substituting |w| = 4/(1 − u²) (u = √(1 − 4/|w|) in [0, 1)) turns the arguments
    into rational functions of u whose differences simplify to 0.
    """
    u = sympy.Symbol("u", nonnegative=True)
    w_of_u = 4 / (1 - u**2)
    ours = (1 + u) / (1 - u)
    residuals = (
        w_of_u * (1 + u) / 2 - 1 - ours,  # eq. 123's argument
        sympy.sqrt(1 - 4 / w_of_u) - u,  # the substitution inverts (u ≥ 0: √(u²) = u)
        sympy.exp(2 * sympy.atanh(u).rewrite(sympy.log)) - ours,  # e^(2 artanh u)
    )
    return all(sympy.simplify(r) == 0 for r in residuals)


@cache
def width_derivatives() -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """f(|w|) = (4/|w|) artanh √(1 − 4/|w|) (= eq. 123) and its first two derivatives (SymPy)."""
    f = artanh_expr()
    f1 = sympy.simplify(sympy.diff(f, W))
    f2 = sympy.diff(f1, W)
    return f, f1, f2


# --- Problem 1(3): the maximum ------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalWidthMax:
    """The maximum of eq. 123 over |w| ≥ 4 (Problem 1(3)).

    Attributes
    ----------
    w, width : float
        The maximiser |w*| and the maximal width, correctly rounded to float64.
    w_digits, width_digits : str
        The same to ``dps`` significant digits (mpmath; all of them correct).
    second_derivative : float
        f″(w*) = −0.01593..., negative: a maximum.
    w_minimizer : float
        Where a bounded scalar minimiser of −f stops (SciPy): only about 8 digits agree with w*, since
        near a flat maximum f changes by f″δ²/2, below rounding for δ ≲ √(2ε f/|f″|).
    dps : int
        The digits requested.
    """

    w: float
    width: float
    w_digits: str
    width_digits: str
    second_derivative: float
    w_minimizer: float
    dps: int


def interval_width_max(dps: int = 40) -> IntervalWidthMax:
    """Maximise eq. 123: the zero of its derivative, found by mpmath.findroot at ``dps`` digits.

    The maximum is flat (f″(w*) = −0.01593), so minimising −f pins w* only to about √ε relative
    (``w_minimizer`` records what SciPy's bounded minimiser finds, as the starting point); the root of
    the analytic f′ (SymPy) is found at ``dps + 10`` working digits (at least 40).

    Parameters
    ----------
    dps : int
        Significant digits of ``w_digits`` and ``width_digits``, 1 to :data:`MAX_DPS` (10,000 digits
        take about 2 s).
    """
    from scipy.optimize import minimize_scalar

    dps = validate.integer(dps, "dps", 1, MAX_DPS, why_hi="more digits take minutes")
    f, f1, f2 = width_derivatives()
    f_np = sympy.lambdify(W, f, "math")
    start = minimize_scalar(
        lambda x: -f_np(x), bounds=(4.0, 20.0), method="bounded", options={"xatol": 1e-12}
    )
    f_mp, f1_mp, f2_mp = (sympy.lambdify(W, g, "mpmath") for g in (f, f1, f2))
    with mpmath.workdps(max(dps, 30) + 10):
        w_star = mpmath.findroot(f1_mp, mpmath.mpf(float(start.x)))
        width = f_mp(w_star)
        return IntervalWidthMax(
            w=float(w_star),
            width=float(width),
            w_digits=mpmath.nstr(w_star, dps, strip_zeros=False),
            width_digits=mpmath.nstr(width, dps, strip_zeros=False),
            second_derivative=float(f2_mp(w_star)),
            w_minimizer=float(start.x),
            dps=dps,
        )
