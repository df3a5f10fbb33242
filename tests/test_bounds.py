"""Problem 1: weight bound, the exact interval, eq. 123 and its maximum.

Expected values are derived here independently: eq. 123 typed from the book, roots of
|w sigma'(wa+b)| = 1 by bisection, the maximum by mpmath on the book's formula.
"""

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gradmath
from gradmath import bounds


def eq123(w):
    """Eq. 123 exactly as printed in the book."""
    w = abs(w)
    return 2 / w * math.log(w * (1 + math.sqrt(1 - 4 / w)) / 2 - 1)


def factor(w, a, b):
    z = w * a + b
    s = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
    return abs(w * s * (1 - s))


@pytest.mark.parametrize("w", [4.5, 5.0, 6.9, 8.0, 10.0, 25.0, 100.0, 1e4])
def test_interval_width_is_eq123(w):
    assert gradmath.interval_width(w) == pytest.approx(eq123(w), rel=1e-12)
    assert gradmath.interval_width(-w) == gradmath.interval_width(w)


def test_interval_width_at_four_is_zero_and_known_values():
    assert gradmath.interval_width(4) == 0.0
    # |w| = 8: u = sqrt(1/2), width = (2/8) ln((1+u)/(1-u)) = (1/4) ln(3 + 2 sqrt 2) by hand
    assert gradmath.interval_width(8) == pytest.approx(0.25 * math.log(3 + 2 * math.sqrt(2)), rel=1e-14)


@pytest.mark.parametrize("bad", [3.99, 0.0, -2.0, float("nan"), float("inf"), -float("inf")])
def test_interval_width_rejects_bad_w(bad):
    with pytest.raises(ValueError, match="w"):
        gradmath.interval_width(bad)


@pytest.mark.parametrize("bad", ["8", None, [8.0], True])
def test_interval_width_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="w must be a real number"):
        gradmath.interval_width(bad)


def test_activation_interval_rejects_bad_input():
    with pytest.raises(ValueError, match="|w| must be >= 4"):
        gradmath.activation_interval(2.0, 0.0)
    with pytest.raises(ValueError, match="b must be finite"):
        gradmath.activation_interval(5.0, float("nan"))


def test_activation_interval_single_point_at_four():
    lo, hi = gradmath.activation_interval(4.0, 1.0)
    assert lo == hi == -0.25
    assert factor(4.0, lo, 1.0) == pytest.approx(1.0, abs=1e-15)


@settings(deadline=None, max_examples=200)
@given(
    st.floats(4.01, 60.0),
    st.sampled_from([-1.0, 1.0]),
    st.floats(-20.0, 20.0),
    st.floats(0.0, 1.0),
)
def test_activation_interval_is_exactly_the_set(aw, sign, b, t):
    """Points inside (by a margin) satisfy |w sigma'(wa+b)| >= 1; points outside do not."""
    w = sign * aw
    lo, hi = gradmath.activation_interval(w, b)
    assert lo <= hi
    width = hi - lo
    assume(width > 1e-6)
    margin = 1e-7 * max(1.0, abs(lo), abs(hi))
    inside = lo + margin + t * (width - 2 * margin)
    assert factor(w, inside, b) >= 1 - 1e-9
    for outside in (lo - 10 * margin - t, hi + 10 * margin + t):
        assert factor(w, outside, b) < 1
    # the endpoints are where the factor equals 1
    assert factor(w, lo, b) == pytest.approx(1.0, abs=1e-7)
    assert factor(w, hi, b) == pytest.approx(1.0, abs=1e-7)
    assert width == pytest.approx(eq123(w), rel=1e-9, abs=1e-12)


def test_width_is_independent_of_b_by_bisection():
    from scipy.optimize import bisect

    w = 7.0
    widths = []
    for b in (-5.0, 0.0, 0.3, 12.0):
        c = -b / w
        f = lambda a: factor(w, a, b) - 1.0  # noqa: E731, B023
        widths.append(bisect(f, c, c + 10, xtol=1e-14) - bisect(f, c - 10, c, xtol=1e-14))
    assert max(widths) - min(widths) < 1e-12
    assert widths[0] == pytest.approx(eq123(w), rel=1e-11)


def test_symbolic_width_equals_eq123():
    sol = gradmath.solve("interval-width")
    W = sympy.Symbol("W", positive=True)
    width = sol.answer["width"].subs(bounds.W, W)
    book = 2 / W * sympy.log(W * (1 + sympy.sqrt(1 - 4 / W)) / 2 - 1)
    for wv in (4, 5, sympy.Rational(69, 10), 50):
        assert sympy.N(width.subs(W, wv) - book.subs(W, wv), 30) == 0
    assert not sol.answer["width"].has(sympy.Symbol("b", real=True))
    assert sol.passed


def test_width_max_to_twelve_digits_independently():
    # independent: mpmath on the book's formula, derivative by mpmath.diff (not SymPy), 40 digits
    with mpmath.workdps(40):
        f = lambda x: 2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1)  # noqa: E731
        w_star = mpmath.findroot(lambda x: mpmath.diff(f, x), 7)
        width = f(w_star)
    sol = gradmath.solve("interval-width-max")
    assert sol.answer["w"] == pytest.approx(float(w_star), rel=1e-13)
    assert sol.answer["width"] == pytest.approx(float(width), rel=1e-13)
    assert sol.answer["w_digits"][:14] == mpmath.nstr(w_star, 30)[:14]
    assert len(sol.answer["w_digits"].replace(".", "")) >= 30
    # the book's values
    assert round(sol.answer["w"], 1) == 6.9
    assert round(sol.answer["width"], 2) == 0.45
    assert sol.passed


def test_width_max_beats_a_dense_grid():
    sol = gradmath.solve("interval-width-max")
    grid = np.linspace(4, 30, 200001)
    values = [eq123(w) for w in grid[1:]]
    assert max(values) <= sol.answer["width"] + 1e-15
    assert abs(grid[1 + int(np.argmax(values))] - sol.answer["w"]) < 2e-4


def test_weight_bound():
    sol = gradmath.solve("weight-bound")
    assert sol.answer["min_abs_w"] == 4
    assert sol.passed
    # by hand: max over a of |w sigma'(wa+b)| is |w|/4 (at z = 0), < 1 for |w| < 4
    for w in (1.0, 3.9, 4.0, 6.0):
        best = max(factor(w, a, 0.7) for a in np.linspace(-5, 5, 100001))
        assert best == pytest.approx(w / 4, rel=1e-8)
