"""Problem 2: the identity neuron. Expected values derived by hand, in mpmath at high precision, or by
independent optimisers (differential evolution, a one-parameter reduction of the minimax problem)."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import differential_evolution
from scipy.special import expit

import gradmath
from gradmath import identity as idn


def exact_error_mp(w1):
    """1/2 − (2/w₁) tanh(w₁/4) in mpmath with enough digits for its cancellation (w₁ small)."""
    with mpmath.workdps(40 + 2 * max(0, math.ceil(-math.log10(w1)))):
        v = mpmath.mpf(w1)
        return +(mpmath.mpf(1) / 2 - 2 / v * mpmath.tanh(v / 4))


def ulps(value, exact):
    with mpmath.workdps(40):
        return float(abs(mpmath.mpf(value) - exact) / math.ulp(float(exact)))


# --- the construction -------------------------------------------------------------------------


def test_construction_parameters_by_hand():
    # b = -w1/2, w2 = 4/w1, offset 2/w1 - 1/2 (the hint's Taylor series to first order)
    sol = gradmath.solve("identity-neuron", w1=0.2)
    assert sol.answer["b"] == pytest.approx(-0.1)
    assert sol.answer["w2"] == pytest.approx(20.0)
    assert sol.answer["offset"] == pytest.approx(9.5)
    assert sol.passed


@pytest.mark.parametrize("w1", [2.0, 1.0, 0.3, 0.1, 0.01])
def test_error_bound_against_brute_force(w1):
    x = np.linspace(0, 1, 200001)
    out = (4 / w1) * expit(w1 * x - w1 / 2) - (2 / w1 - 0.5)
    brute = np.max(np.abs(out - x))
    n = idn.identity_neuron(w1)
    # the brute force subtracts numbers of size 4/w1: its rounding error is ~ 100 eps / w1
    assert n.error_bound == pytest.approx(brute, rel=1e-9, abs=1e-13 / w1)
    assert n(np.array([0.0, 0.5, 1.0])) == pytest.approx(
        [n.error_bound, 0.5, 1 - n.error_bound], abs=1e-13 / w1
    )


#: w₁ on a log grid from 1e-300 to 1e300, and the values the issue names
W1_SWEEP = [10.0**k for k in np.arange(-300.0, 300.01, 0.5)] + [1e-8, 1e-4, 0.1, 7.99, 8.0, 8.01]


def test_exact_max_error_within_a_few_ulps_of_mpmath_over_the_whole_range():
    errors = [ulps(idn.exact_max_error(w), exact_error_mp(w)) for w in W1_SWEEP]
    assert max(errors) <= 4.0, (max(errors), W1_SWEEP[int(np.argmax(errors))])


@settings(deadline=None, max_examples=300)
@given(st.floats(-300.0, 300.0))
def test_exact_max_error_accuracy_property(k):
    w1 = 10.0**k
    assert ulps(idn.exact_max_error(w1), exact_error_mp(w1)) <= 4.0


def test_the_values_the_issue_names():
    # the textbook form gave 0.0 at w1 = 1e-8 and overflowed at 1e300
    assert idn.exact_max_error(1e-8) == pytest.approx(1e-16 / 96 - 1e-32 / 3840, rel=1e-15)
    assert 0.5 - (2 / 1e-8) * math.tanh(1e-8 / 4) == 0.0  # (the test is not vacuous)
    assert idn.exact_max_error(1e300) == 0.5
    n = idn.identity_neuron(1e300)
    assert (n.w2, n.offset, n.error_bound) == (4e-300, 2e-300 - 0.5, 0.5)
    n = idn.identity_neuron(1e-300)
    assert n.w2 == 4 / 1e-300 and n.error_bound == 0.0  # 1.04e-602 underflows to 0


@pytest.mark.parametrize("w1", [1e-300, 1e-8, 1e-4, 5.0, 1e300])
def test_solver_passes_at_extreme_w1(w1):
    sol = gradmath.solve("identity-neuron", w1=w1)
    assert sol.passed, [str(c.claim) for c in sol.failed_checks]
    assert ulps(sol.answer["error_bound"], exact_error_mp(w1)) <= 4.0


def test_leading_constant_is_one_over_96():
    # (4/w1) * (-(w1 Delta)^3 / 48) at |Delta| = 1/2 -> w1^2 / 96
    for w1 in (0.05, 0.02, 0.01):
        assert idn.exact_max_error(w1) / w1**2 == pytest.approx(1 / 96, rel=1e-4)
    # tanh t = t - t^3/3 + 2t^5/15 - 17t^7/315 + 62t^9/2835, so with t = w/4
    # 1/2 - (2/w)tanh(w/4) = w^2/96 - w^4/3840 + 17 w^6/2580480 - 31 w^8/185794560 + O(w^10)
    w1 = 0.3
    series = w1**2 / 96 - w1**4 / 3840 + 17 * w1**6 / 2580480 - 31 * w1**8 / 185794560
    assert idn.exact_max_error(w1) == pytest.approx(series, rel=1e-12)
    sol = gradmath.solve("identity-neuron")
    assert sol.answer["leading_error_constant"] == sympy_rational(1, 96)


def sympy_rational(p, q):
    import sympy

    return sympy.Rational(p, q)


@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan"), float("inf"), 1e301, 1e-301])
def test_bad_w1(bad):
    with pytest.raises(ValueError, match="^w1 must be"):
        gradmath.solve("identity-neuron", w1=bad)
    with pytest.raises(ValueError, match="^w1 must be"):
        idn.identity_neuron(bad)


def test_bad_w1_type():
    with pytest.raises(TypeError, match="w1"):
        gradmath.solve("identity-neuron", w1="small")


# --- error measures -----------------------------------------------------------------------------


# the last: both critical points of e lie in (1, 2), where |e| exceeds its maximum over [0, 1]
@pytest.mark.parametrize(
    "p", [(5.0, -2.5, 1.0), (1.0, 0.0, 1.0), (3.0, -1.0, 2.0), (12.0, -9.0, 1.3), (8.0, -12.0, 0.6)]
)
def test_sup_and_rms_error_against_a_dense_grid(p):
    x = np.linspace(0, 1, 400001)
    e = x - p[2] * expit(p[0] * x + p[1])
    with mpmath.workdps(30):
        sup, where = idn.sup_error(*p)
        rms = idn.rms_error(*p)
    assert float(sup) == pytest.approx(np.max(np.abs(e)), rel=1e-9)
    assert float(sup) >= np.max(np.abs(e)) * (1 - 1e-15)  # the grid can only miss the maximum
    with mpmath.workdps(30):
        assert abs(where - p[2] / (1 + mpmath.exp(-(p[0] * where + p[1])))) == sup  # attained there
    assert float(rms) == pytest.approx(math.sqrt(np.trapezoid(e * e, x)), rel=1e-8)


def test_critical_points_are_where_the_slope_is_one():
    with mpmath.workdps(30):
        pts = idn.critical_points(5.0, -2.5, 1.2)
        assert len(pts) == 2
        for p in pts:
            s = 1 / (1 + mpmath.exp(-(5 * p - 2.5)))
            assert 5 * 1.2 * s * (1 - s) == pytest.approx(1, rel=1e-25)
        assert idn.critical_points(1.0, 0.0, 3.9) == []  # w1 w2 < 4: e is monotone
        assert len(idn.critical_points(1.0, 0.0, 4.5)) == 2


# --- the fits -----------------------------------------------------------------------------------


def _sup_error(p, x):
    return np.max(np.abs(p[2] * expit(p[0] * x + p[1]) - x))


def test_minimax_fit_against_global_search():
    mm = gradmath.solve("identity-neuron").answer["minimax_fit"]
    x = np.linspace(0, 1, 4001)
    de = differential_evolution(lambda p: _sup_error(p, x), [(0.1, 20), (-10, 0), (0.1, 5)], seed=1, tol=1e-12,
                                maxiter=3000, polish=True)  # fmt: skip
    assert mm["max_error"] == pytest.approx(de.fun, rel=2e-3)
    # the grid can only under-estimate a maximum, and the optimum is optimal: DE's true sup is no better
    with mpmath.workdps(30):
        assert float(idn.sup_error(*de.x)[0]) >= mm["max_error"] * (1 - 1e-15)


def test_minimax_fit_by_a_one_parameter_reduction():
    """Assume the symmetric form w2 = 1, b = −w1/2: the error is odd about 1/2, equioscillation needs only
    σ(−w1/2) = E and, at the interior maximum x1 = 1/2 − z*/w1 (where w1 σ′ = 1), x1 − σ(−z*) = E."""
    with mpmath.workdps(40):

        def level_gap(w1):
            zs = 2 * mpmath.atanh(mpmath.sqrt(1 - 4 / w1))
            return (mpmath.mpf(1) / 2 - zs / w1 - 1 / (1 + mpmath.exp(zs))) - 1 / (1 + mpmath.exp(w1 / 2))

        w1 = mpmath.findroot(level_gap, 5.6)
        level = 1 / (1 + mpmath.exp(w1 / 2))
        digits = gradmath.solve("identity-neuron").answer["minimax_digits"]
        assert mpmath.mpf(digits["w1"]) == pytest.approx(w1, rel=1e-19)
        assert mpmath.mpf(digits["max_error"]) == pytest.approx(level, rel=1e-19)
        assert mpmath.mpf(digits["b"]) == pytest.approx(-w1 / 2, rel=1e-19)
        assert mpmath.mpf(digits["w2"]) == 1
    # and 0.05605038431 (the old grid answer) is 1.3e-10 below the optimum: its digits were wrong
    assert float(level) - 0.05605038431067222 == pytest.approx(1.3e-10, rel=0.01)


def test_minimax_certificate():
    mm = idn.minimax_fit()
    # the float64 model evaluates the alternation: x − fit(x) at the points equals the mpmath levels
    assert np.array(mm.points) - mm.fit(np.array(mm.points)) == pytest.approx(mm.levels, abs=1e-15)
    assert idn.identity_neuron().w1 == 0.1  # the default of Problem 2's solver
    assert mm.alternating and len(mm.points) == 4
    assert mm.points[0] == 0.0 and mm.points[-1] == 1.0
    assert [math.copysign(1, v) for v in mm.levels] == [-1, 1, -1, 1]
    assert mm.gap < 1e-45
    # any other member is worse: perturb each parameter
    with mpmath.workdps(30):
        best = mpmath.mpf(mm.upper)
        for dp in ((1e-3, 0, 0), (0, 1e-3, 0), (0, 0, 1e-3), (-1e-3, 5e-4, 0)):
            p = (mm.fit.w1 + dp[0], mm.fit.b + dp[1], mm.fit.w2 + dp[2])
            assert idn.sup_error(*p)[0] > best


def test_least_squares_fit_against_global_search():
    sol = gradmath.solve("identity-neuron")
    ls = sol.answer["least_squares_fit"]
    x = np.linspace(0, 1, 2001)

    def rms(p):
        r = p[2] * expit(p[0] * x + p[1]) - x
        return math.sqrt(np.trapezoid(r * r, x))

    de = differential_evolution(rms, [(0.1, 20), (-10, 0), (0.1, 5)], seed=2, tol=1e-12, maxiter=3000)
    assert ls["rms_error"] == pytest.approx(de.fun, rel=1e-4)
    assert de.x == pytest.approx([ls["w1"], ls["b"], ls["w2"]], rel=1e-3)
    # no offset: cannot be arbitrarily good
    assert ls["rms_error"] > 0.02 and sol.answer["minimax_fit"]["max_error"] > 0.05


def test_least_squares_digits_make_the_gradient_vanish():
    digits = gradmath.solve("identity-neuron").answer["least_squares_digits"]
    with mpmath.workdps(45):
        w1, b, w2 = (mpmath.mpf(digits[k]) for k in ("w1", "b", "w2"))

        def resid(s):
            return w2 / (1 + mpmath.exp(-(w1 * s + b))) - s

        def d_dw2(s):
            return 1 / (1 + mpmath.exp(-(w1 * s + b)))

        g = mpmath.quad(lambda s: resid(s) * d_dw2(s), [0, 1])
        assert abs(g) < 1e-27
        # the cost at the digits is a minimum: moving any parameter raises it
        cost = lambda q: mpmath.quad(lambda s: (q[2] / (1 + mpmath.exp(-(q[0] * s + q[1]))) - s) ** 2, [0, 1])  # noqa: E731
        c0 = cost((w1, b, w2))
        assert mpmath.sqrt(c0) == pytest.approx(mpmath.mpf(digits["rms_error"]), rel=1e-28)
        for k in range(3):
            q = [w1, b, w2]
            q[k] += mpmath.mpf("1e-6")
            assert cost(q) > c0


def test_solver_answer_keys_and_checks():
    sol = gradmath.solve("identity-neuron")
    for key in ("b", "w2", "offset", "error_bound", "least_squares_fit", "minimax_fit"):
        assert key in sol.answer
    for fit, err in (("least_squares_fit", "rms_error"), ("minimax_fit", "max_error")):
        assert set(sol.answer[fit]) >= {"w1", "b", "w2", err}
    assert sol.passed and len(sol.checks) == 9
    assert sol.verdict.value == "corrected" and sol.corrections
