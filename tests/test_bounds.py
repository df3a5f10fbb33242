"""Problem 1: the exact interval, eq. 123, its accuracy in floating point, and its maximum.

Expected values are derived here independently: eq. 123 typed from the book (in float64 where it is
accurate, in mpmath with enough digits everywhere), roots of |w σ′(wa + b)| = 1 by bisection, the
maximum by mpmath on the book's formula, errors measured in ulps against mpmath.
"""

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import gradmath
from gradmath import bounds


def eq123(w):
    """Eq. 123 exactly as printed in the book (float64: fine for moderate |w|)."""
    w = abs(w)
    return 2 / w * math.log(w * (1 + math.sqrt(1 - 4 / w)) / 2 - 1)


def eq123_mp(w, extra=0):
    """Eq. 123 as printed, in mpmath with 40 + log10|w| digits: enough for its own cancellations."""
    w = abs(w)
    with mpmath.workdps(40 + extra + int(math.log10(w))):
        x = mpmath.mpf(w)
        return +(2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1))


def zstar_mp(w):
    """z* = 2 artanh √(1 − 4/|w|) in mpmath (the naive form, with digits to spare)."""
    w = abs(w)
    with mpmath.workdps(40 + int(math.log10(w))):
        x = mpmath.mpf(w)
        return +(2 * mpmath.atanh(mpmath.sqrt(1 - 4 / x)))


def ulps(value, exact):
    """|value − exact| in units of the last place of the float nearest to exact."""
    with mpmath.workdps(60):
        return float(abs(mpmath.mpf(value) - exact) / math.ulp(float(exact)))


def relative(value, exact):
    """|value − exact| / |exact| in units of the unit roundoff u = 2⁻⁵³ (an ulp is between u and 2u)."""
    with mpmath.workdps(60):
        return float(abs(mpmath.mpf(value) - exact) / abs(exact)) / 2.0**-53


def factor(w, a, b):
    z = w * a + b
    s = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
    return abs(w * s * (1 - s))


# --- interval_width and z_star -----------------------------------------------------------------


@pytest.mark.parametrize("w", [4.5, 5.0, 6.9, 8.0, 10.0, 25.0, 100.0, 1e4])
def test_interval_width_is_eq123(w):
    assert gradmath.interval_width(w) == pytest.approx(eq123(w), rel=1e-12)
    assert gradmath.interval_width(-w) == gradmath.interval_width(w)


def test_interval_width_at_four_is_zero_and_known_values():
    assert gradmath.interval_width(4) == 0.0
    assert bounds.z_star(4.0) == 0.0
    # |w| = 8: u = sqrt(1/2), width = (2/8) ln((1+u)/(1-u)) = (1/4) ln(3 + 2 sqrt 2) by hand
    assert gradmath.interval_width(8) == pytest.approx(0.25 * math.log(3 + 2 * math.sqrt(2)), rel=1e-15)
    # |w| = 16/3: u = 1/2, z* = ln 3, width = (2/(16/3)) ln 3 = (3/8) ln 3
    assert gradmath.interval_width(16 / 3) == pytest.approx(3 / 8 * math.log(3), rel=1e-15)


#: |w| − 4 = 10^k on a log grid from 1e-15.5 to 1e299.5 (|w| up to 3e299), and the values the issue names
SWEEP = [4.0 + 10.0**k for k in np.arange(-15.5, 299.6, 0.25)] + [4.0000001, 1e12, 1e17, 1e300, 4 + 2**-50]


# z* = 2 log1p(u) + log1p(d/4): two log1p within an ulp each and one rounded sum, 3u (measured 2.63u over
# 60,000 random |w|); the width 2z*/|w| adds one division, 4u (measured 3.60u, which is 2.07 ulps: an ulp
# of the result can be 2u, so "two ulps" was not a bound, and Hypothesis found a |w| at 2.002 ulps).


def test_interval_width_within_4u_of_mpmath_over_the_whole_range():
    errors = [relative(gradmath.interval_width(w), eq123_mp(w)) for w in SWEEP if w != 4.0]
    assert max(errors) <= 4.0, (max(errors), SWEEP[int(np.argmax(errors))])


def test_z_star_within_3u_of_mpmath_over_the_whole_range():
    errors = [relative(bounds.z_star(w), zstar_mp(w)) for w in SWEEP if w != 4.0]
    assert max(errors) <= 3.0


@settings(deadline=None, max_examples=300)
@given(st.floats(-16.0, 300.0), st.sampled_from([-1.0, 1.0]))
@example(7.88310321076851, -1.0)  # 2.002 ulps (2.01u): found by Hypothesis
def test_interval_width_accuracy_property(k, sign):
    w = sign * (4.0 + 10.0**k)
    assume(4.0 < abs(w) <= 1e300)
    assert relative(gradmath.interval_width(w), eq123_mp(w)) <= 4.0


def test_the_values_the_issue_names():
    # 8e-10 relative error at 4.0000001, 1e-6 at 1e12 and a domain error at 1e17 before the fix
    for w in (4.0000001, 1e12):
        assert gradmath.interval_width(w) == pytest.approx(float(eq123_mp(w)), rel=4e-16)
    assert gradmath.interval_width(1e17) == pytest.approx(7.8287893161797e-16, rel=1e-13)
    assert gradmath.interval_width(1e300) == pytest.approx(2 * math.log(1e300) / 1e300, rel=1e-15)
    # and the textbook forms in float64 really do fail there: the tests above are not vacuous
    with pytest.raises(ValueError):
        4 / 1e17 * math.atanh(math.sqrt(1 - 4 / 1e17))
    assert ulps(eq123(4.0000001), eq123_mp(4.0000001)) > 1e5


@pytest.mark.parametrize("bad", [3.99, 0.0, -2.0, float("nan"), float("inf"), -float("inf")])
def test_interval_width_rejects_bad_w(bad):
    with pytest.raises(ValueError, match="w"):
        gradmath.interval_width(bad)


@pytest.mark.parametrize("bad", ["8", None, [8.0], True])
def test_interval_width_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="w must be a real number"):
        gradmath.interval_width(bad)


# --- activation_interval ------------------------------------------------------------------------


def test_activation_interval_rejects_bad_input():
    with pytest.raises(ValueError, match="must be >= 4"):
        gradmath.activation_interval(2.0, 0.0)
    with pytest.raises(ValueError, match="b must be a finite"):
        gradmath.activation_interval(5.0, float("nan"))
    with pytest.raises(TypeError, match="b must be a real number"):
        gradmath.activation_interval(5.0, "0")


def test_activation_interval_single_point_at_four():
    lo, hi = gradmath.activation_interval(4.0, 1.0)
    assert lo == hi == -0.25
    assert factor(4.0, lo, 1.0) == pytest.approx(1.0, abs=1e-15)


def endpoints_mp(w, b):
    """((−z* − b)/w, (z* − b)/w) sorted, from the naive z* at many digits."""
    with mpmath.workdps(120 + int(math.log10(abs(w)))):
        x = mpmath.mpf(abs(w))
        zs = 2 * mpmath.atanh(mpmath.sqrt(1 - 4 / x))
        return sorted([(-zs - b) / w, (zs - b) / w])


@settings(deadline=None, max_examples=300)
@given(
    st.floats(-15.0, 299.0),
    st.sampled_from([-1.0, 1.0]),
    st.floats(-1e3, 1e3),
    st.sampled_from([0, 1, 2, 3]),
    st.floats(0.5, 15.0),
)
def test_activation_interval_endpoints_within_a_few_ulps(k, sign, b, kind, j):
    w = sign * (4.0 + 10.0**k)
    if kind in (1, 2):  # a bias at (or next to) ±z*, where one endpoint cancels completely
        b = (1 if kind == 1 else -1) * bounds.z_star(w)
        b = math.nextafter(b, math.inf) if k > 0 else b
    elif kind == 3:  # a bias within a relative 10^-j of z*: partial cancellation
        b = bounds.z_star(w) * (1 + 10.0**-j)
    lo, hi = gradmath.activation_interval(w, b)
    exact = endpoints_mp(w, b)
    for got, want in zip((lo, hi), exact, strict=True):
        if float(want) == 0.0:
            assert abs(got) <= 5e-324 * 4
        else:
            assert ulps(got, want) <= 4.0


@settings(deadline=None, max_examples=200)
@given(st.floats(4.01, 60.0), st.sampled_from([-1.0, 1.0]), st.floats(-20.0, 20.0), st.floats(0.0, 1.0))
def test_activation_interval_is_exactly_the_set(aw, sign, b, t):
    """Points inside (by a margin) satisfy |w σ′(wa + b)| ≥ 1; points outside do not."""
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


# --- symbolic -------------------------------------------------------------------------------------


def test_symbolic_forms_all_equal_eq123():
    W = sympy.Symbol("W", positive=True)
    book = 2 / W * sympy.log(W * (1 + sympy.sqrt(1 - 4 / W)) / 2 - 1)
    forms = [bounds.eq123_expr(), bounds.eq123_display(), bounds.artanh_expr(), bounds.artanh_display(),
             bounds.width_expr()]  # fmt: skip
    for form in forms:
        f = form.subs(bounds.W, W)
        for wv in (4, 5, sympy.Rational(69, 10), 50, 10**6):
            assert sympy.N(f.subs(W, wv) - book.subs(W, wv), 40) == pytest.approx(0, abs=1e-35)
    assert bounds.prove_width_equals_eq123()


def test_derivatives_are_those_of_eq123():
    f, f1, f2 = bounds.width_derivatives()
    book = lambda x: 2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1)  # noqa: E731
    with mpmath.workdps(40):
        for wv in ("4.5", "6.9", "30"):
            x = mpmath.mpf(wv)
            assert sympy.lambdify(bounds.W, f1, "mpmath")(x) == pytest.approx(mpmath.diff(book, x), rel=1e-25)
            assert sympy.lambdify(bounds.W, f2, "mpmath")(x) == pytest.approx(
                mpmath.diff(book, x, 2), rel=1e-25
            )


def test_interval_width_solver():
    sol = gradmath.solve("interval-width")
    W = sympy.Symbol("W", positive=True)
    width = sol.answer["width"].subs(bounds.W, W)
    book = 2 / W * sympy.log(W * (1 + sympy.sqrt(1 - 4 / W)) / 2 - 1)
    for wv in (4, 5, sympy.Rational(69, 10), 50):
        assert sympy.N(width.subs(W, wv) - book.subs(W, wv), 30) == 0
    assert not sol.answer["width"].has(sympy.Symbol("b", real=True))
    lo, hi = sol.answer["endpoints"]
    zs = sympy.Symbol("z^*")
    w, b = sympy.symbols("w b", real=True)
    assert sympy.simplify(hi - lo - 2 * zs / w) == 0
    assert sol.passed
    assert all(c.passed for c in sol.checks) and len(sol.checks) == 3


# --- Problem 1(3): the maximum --------------------------------------------------------------------


def independent_max(dps):
    """mpmath on the book's formula, derivative by mpmath.diff (not SymPy)."""
    with mpmath.workdps(dps):
        f = lambda x: 2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1)  # noqa: E731
        w_star = mpmath.findroot(lambda x: mpmath.diff(f, x), 7)
        return w_star, f(w_star), mpmath.diff(f, w_star, 2)


def test_width_max_to_every_digit_independently():
    w_star, width, second = independent_max(60)
    sol = gradmath.solve("interval-width-max")
    assert sol.answer["w"] == float(w_star)  # correctly rounded
    assert sol.answer["width"] == float(width)
    with mpmath.workdps(60):
        assert sol.answer["w_digits"] == mpmath.nstr(w_star, 40, strip_zeros=False)
        assert sol.answer["width_digits"] == mpmath.nstr(width, 40, strip_zeros=False)
    # the curvature: -0.01593..., not the -0.0075 an old docstring claimed
    assert sol.answer["second_derivative"] == pytest.approx(float(second), rel=1e-15)
    assert round(sol.answer["second_derivative"], 5) == -0.01593
    assert round(sol.answer["w"], 1) == 6.9 and round(sol.answer["width"], 2) == 0.45
    assert sol.passed


def test_width_max_many_digits():
    r = bounds.interval_width_max(300)
    w_star, width, _ = independent_max(330)
    with mpmath.workdps(330):
        assert r.w_digits == mpmath.nstr(w_star, 300, strip_zeros=False)
        assert r.width_digits == mpmath.nstr(width, 300, strip_zeros=False)


def test_width_max_few_digits_still_rounds_floats_correctly():
    r = bounds.interval_width_max(3)
    assert r.w_digits == "6.89" and r.width_digits == "0.448"
    assert r.w == 6.894151032272928 and r.width == 0.44774320469430284


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError), ("x", TypeError),
                                            (True, TypeError), (10_001, ValueError)])  # fmt: skip
def test_width_max_validates_dps(bad, error):
    with pytest.raises(error, match="^dps must be an integer"):
        bounds.interval_width_max(bad)
    with pytest.raises(error, match="^dps must be an integer"):
        gradmath.solve("interval-width-max", dps=bad)


def test_width_max_dps_limits_are_documented():
    assert bounds.MAX_DPS == 10_000
    with pytest.raises(
        ValueError, match=r"^dps must be an integer in \[1, 10,000\] \(more digits take minutes\)"
    ):
        bounds.interval_width_max(10_001)
    assert bounds.interval_width_max(1).w_digits == "7."  # one digit is allowed
    # the solver also runs a second, slower route (mpmath.diff): half the digits
    with pytest.raises(ValueError, match=r"^dps must be an integer in \[1, 5,000\] \(the second route"):
        gradmath.solve("interval-width-max", dps=5001)


def test_width_max_digit_strings_keep_trailing_zeros():
    # w* = 6.89415103227292801..., width = 0.447743204694...: zeros at the 17th and 8th digits
    assert bounds.interval_width_max(17).w_digits == "6.8941510322729280"
    assert bounds.interval_width_max(8).width_digits == "0.44774320"
    r = bounds.interval_width_max()
    assert r.dps == 40 and len(r.w_digits) == 41


def test_width_max_minimiser_is_only_good_to_about_sqrt_eps():
    r = bounds.interval_width_max()
    # a flat maximum: f(w* + δ) − f(w*) = f″δ²/2 is below rounding for δ ≲ √(2 ε f/|f″|) ≈ 1.1e-7
    limit = math.sqrt(2 * 2.2e-16 * r.width / abs(r.second_derivative))
    assert abs(r.w_minimizer - r.w) < 3 * limit
    assert abs(r.w_minimizer - r.w) > 1e-12  # it really is worse than the root of f′


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
