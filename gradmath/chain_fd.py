"""Central differences of the actual chain of single neurons, in mpmath: the oracle for eq. 114-122.

The derived gradients of :mod:`gradmath.chain` are checked against these: they differentiate the
chain itself (``z_j = w_j a_{j-1} + b_j``, ``a_j = 1/(1 + e^{-z_j})``, cost ``C = (a_n - y)^2 / 2``)
and use neither sigma' nor the chain rule.

- :func:`finite_difference` carries the *difference* of the two perturbed chains forward exactly, so
  no precision is lost at any depth (a gradient of 1e-1000 keeps its digits at 40 digits' precision);
- :func:`finite_difference_direct` subtracts the two costs, the plain way; it needs about
  ``|log10 gradient|`` more digits and is kept as the cross-check of the first.

Both take exact parameters too (ints, floats, fractions, SymPy rationals), so that a chain stated in
exact numbers is differenced as stated.

Examples
--------
>>> fd = finite_difference([1.0, 1.0], [-0.5, -0.5], 0.5, param="b", j=1)
>>> round(float(fd.value), 12)  # sigma'(0) * 1 * sigma'(0) * a_2, with a_2 = 1/2
0.03125
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import numpy as np

from .chain import as_params, check_depth

__all__ = ["FiniteDifference", "finite_difference", "finite_difference_direct"]

_ONE = mpmath.mpf(1)  # exact at every precision


@dataclass
class FiniteDifference:
    """A central finite difference (mpmath): ``value``, its ``log_abs`` and ``sign``; ``dps`` and ``h``."""

    value: mpmath.mpf
    log_abs: float
    sign: float
    dps: int
    h: mpmath.mpf


def _mp(x) -> mpmath.mpf:
    """``x`` as an mpf at the working precision: ints and floats exactly, fractions rounded once."""
    if isinstance(x, (float, np.floating)):
        return mpmath.mpf(float(x))
    if isinstance(x, numbers.Integral):
        return mpmath.mpf(int(x))
    if isinstance(x, numbers.Rational):
        return mpmath.mpf(int(x.numerator)) / int(x.denominator)
    return mpmath.mpf(float(x))


def _mp_cost(w, b, a0, y, param, j, delta):
    """C = (a_n - y)^2 / 2 of the chain with b_j (or w_j) shifted by ``delta``, at the current dps."""
    act = _mp(a0)
    for k in range(len(w)):
        wk = _mp(w[k])
        bk = _mp(b[k])
        if k == j - 1:
            if param == "b":
                bk += delta
            else:
                wk += delta
        zk = wk * act + bk
        act = 1 / (1 + mpmath.exp(-zk))
    return (act - y) ** 2 / 2


def _check_fd_args(w, b, a0, param, j):
    w, b, a0 = as_params(w, b, a0)
    if param not in ("b", "w"):
        raise ValueError(f"param must be 'b' or 'w', got {param!r}")
    check_depth(j, "j")
    if j > w.size:
        raise ValueError(f"j must be in 1..{w.size}, got {j}")
    return w, b, a0


def _result(d, dps, h) -> FiniteDifference:
    return FiniteDifference(
        value=+d, log_abs=float(mpmath.log(abs(d))), sign=float(mpmath.sign(d)), dps=dps, h=h
    )


def _one_minus_exp_neg(d):
    """1 - e^{-d} = -expm1(-d); for |d| < 1e-13 as d (1 - d/2 + d^2/6) (relative error < 1e-52)."""
    if abs(d) < 1e-13:
        return d - d * d * (0.5 - d / 6)
    return -mpmath.expm1(-d)


def _sigma_pair(z_minus, dz):
    """``(sigma(z-), sigma(z- + dz) - sigma(z-))``, the difference without cancellation:
    ``sigma(u) - sigma(v) = sigma(u) sigma(-v) (1 - e^{-(u - v)})``."""
    e_minus = mpmath.exp(-z_minus)
    s_minus = _ONE / (_ONE + e_minus)
    s_plus = _ONE / (_ONE + mpmath.exp(-(z_minus + dz)))
    return s_minus, s_plus * (e_minus * s_minus) * _one_minus_exp_neg(dz)


def finite_difference(
    w: Sequence,
    b: Sequence,
    a0,
    y: float = 0.0,
    param: str = "b",
    j: int = 1,
    dps: int = 40,
    rel_h: float | None = None,
) -> FiniteDifference:
    """dC/db_j (or dC/dw_j) of the actual chain by a central difference, at any depth.

    The secant ``(C(p + h) - C(p - h)) / 2h`` with ``C = (a_n - y)^2 / 2``. For a deep chain the
    two costs agree to hundreds of digits, so they are not subtracted: the *difference* of the
    two perturbed chains is carried forward exactly instead (no derivative, no sigma' is used),

    - ``z+_k - z-_k = w_k (a+_{k-1} - a-_{k-1})``,
    - ``sigma(u) - sigma(v) = sigma(u) sigma(-v) (1 - e^{-(u - v)})`` (an identity, no cancellation),
    - ``C+ - C- = (a+_n - a-_n)(a+_n + a-_n - 2y) / 2``,

    in mpmath, whose numbers have an unbounded exponent, so a difference of 1e-1000 neither
    underflows nor loses digits. ``dps`` digits suffice at any depth because nothing cancels.
    The parameters may be exact (ints, fractions, SymPy rationals: converted at ``dps`` digits).
    The secant differs from the derivative by ``O(h^2)``. The default step is
    ``h = 1e-20 max(|p|, 1) / G`` with ``G = prod_{k>j} max(1, |w_k|/4)``, an a-priori bound on how
    much the chain can amplify a perturbation (``|w sigma'| <= |w|/4``), so that even an exploding
    chain is differenced in its linear regime.
    """
    wf, _, _ = _check_fd_args(w, b, a0, param, j)
    with mpmath.workdps(dps):
        ws, bs = [_mp(x) for x in w], [_mp(x) for x in b]
        if rel_h is None:
            log10_gain = float(np.sum(np.log10(np.maximum(np.abs(wf[j:]) / 4, 1.0))))
            rel_h = mpmath.power(10, -20 - math.ceil(log10_gain))
        h = mpmath.mpf(rel_h) * max(abs(bs[j - 1] if param == "b" else ws[j - 1]), 1)
        act = _mp(a0)
        for k in range(j - 1):  # before the perturbed neuron both chains coincide
            act = _ONE / (_ONE + mpmath.exp(-(ws[k] * act + bs[k])))
        wj, bj = ws[j - 1], bs[j - 1]
        if param == "b":
            act, diff = _sigma_pair(wj * act + bj - h, 2 * h)
        else:
            act, diff = _sigma_pair((wj - h) * act + bj, 2 * h * act)
        for k in range(j, len(ws)):  # act = a-_k (the chain with p - h), diff = a+_k - a-_k
            act, diff = _sigma_pair(ws[k] * act + bs[k], ws[k] * diff)
        d_cost = diff * (2 * act + diff - 2 * mpmath.mpf(y)) / 2
        return _result(d_cost / (2 * h), dps, h)


def finite_difference_direct(
    w: Sequence,
    b: Sequence,
    a0,
    y: float = 0.0,
    param: str = "b",
    j: int = 1,
    dps: int | None = None,
    rel_h: float = 1e-20,
) -> FiniteDifference:
    """The same central difference computed the plain way: two costs, subtracted, in mpmath.

    Needs about ``-log10|dC/dp| + 2 log10(1/h) + 30`` digits (the default allows gradients down
    to ``10^-(3n)`` for n neurons); slow for deep chains, used to validate
    :func:`finite_difference` on moderate depths.
    """
    wf, _, _ = _check_fd_args(w, b, a0, param, j)
    if dps is None:
        dps = 80 + 3 * wf.size
    with mpmath.workdps(dps):
        p = _mp(b[j - 1] if param == "b" else w[j - 1])
        h = mpmath.mpf(rel_h) * max(abs(p), mpmath.mpf(1))
        up = _mp_cost(w, b, a0, y, param, j, h)
        down = _mp_cost(w, b, a0, y, param, j, -h)
        return _result((up - down) / (2 * h), dps, h)
