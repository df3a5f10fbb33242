"""weight-powers (the blog posts' numbers), against oracles written here.

Oracles: exact fractions (Python's fractions module), mpmath at 40 digits, plain float central
differences of the chains written here, and the rounding rules applied by hand to the printed values.
"""

import dataclasses
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from scipy.special import expit

import gradmath
from gradmath.contract import Verdict
from gradmath.solvers.weight_powers import ITEMS, WeightPowersProblem, chain_derivative, printed_agrees

KEYS = {
    "0.25^5 (best case, 5 layers; seed 003)": Fraction(1, 4) ** 5,
    "3-layer chain, w_2 = w_3 = 0.95, sigma' = 1/4 (seed 003)": Fraction(1, 4) ** 3 * Fraction(19, 20) ** 2,
    "3-layer chain, w_2 = w_3 = 2, sigma' = 1/4 (seed 003)": Fraction(1, 4) ** 3 * 2**2,
    "0.6^3 (seed 004)": Fraction(3, 5) ** 3,
    "0.6^15 (seed 004)": Fraction(3, 5) ** 15,
    "1.6^15 (seed 004)": Fraction(8, 5) ** 15,
}


@pytest.fixture(scope="module")
def sol():
    return gradmath.solve("weight-powers", n_draws=200_000, seed=11)


def test_answer_keys_and_values_against_fractions_and_mpmath(sol):
    assert set(sol.answer) == {*KEYS, "sigma'(5) (seed 004)", "P(|w| < 1), w ~ N(0,1)"}
    for key, value in KEYS.items():
        assert sol.answer[key] == value  # SymPy Rational == Fraction, exactly
    with mpmath.workdps(40):
        sp5 = mpmath.exp(5) / (1 + mpmath.exp(5)) ** 2
        p = mpmath.erf(1 / mpmath.sqrt(2))
        assert (
            abs(mpmath.mpf(str(sol.answer["sigma'(5) (seed 004)"].evalf(40))) - sp5) < mpmath.mpf(10) ** -35
        )
        assert (
            abs(mpmath.mpf(str(sol.answer["P(|w| < 1), w ~ N(0,1)"].evalf(40))) - p) < mpmath.mpf(10) ** -35
        )


def _sigmoid_chain_fd(weights, h=1e-6):
    """d a_n / d b_1 of a sigmoid chain from a_0 = 1 with every z_j = 0, by a float central difference."""

    def a_n(db):
        act, z_prev_act = 1.0, 1.0
        for j, wv in enumerate(weights):
            b = -wv * z_prev_act  # the bias that puts z_j at 0 in the unperturbed chain
            act = expit(wv * act + b + (db if j == 0 else 0.0))
            z_prev_act = 0.5
        return act

    return (a_n(h) - a_n(-h)) / (2 * h)


def test_chain_derivatives_against_plain_finite_differences():
    for item in ITEMS[:3]:
        assert float(chain_derivative(item)) == pytest.approx(_sigmoid_chain_fd(item.weights), rel=1e-7)
    for item in ITEMS[3:6]:
        # a linear chain: output = w^n x, so the derivative is the slope of a secant through two inputs
        out = [x * np.prod(item.weights) for x in (0.0, 1.0)]
        assert float(chain_derivative(item)) == pytest.approx(out[1] - out[0], rel=1e-13)
    sig5 = (expit(5 + 1e-6) - expit(5 - 1e-6)) / 2e-6
    assert float(chain_derivative(ITEMS[6])) == pytest.approx(sig5, rel=1e-7)


def test_printed_values_judged_by_rounding():
    # 0.6^3 = 0.216: rounded to two decimals it is 0.22, so the post's 0.21 is a truncation
    assert printed_agrees(0.216, "0.21") == "truncated"
    assert printed_agrees(0.216, "0.22") == "rounded"
    assert printed_agrees(float(Fraction(3, 5) ** 15), "0.00047") == "rounded"
    assert printed_agrees(float(Fraction(8, 5) ** 15), "1152.92") == "rounded"
    assert printed_agrees(0.216, "0.3") is None


def test_verdicts(sol):
    by_book = {c.book: c.verdict for c in sol.checks if c.book is not None}
    assert by_book["0.21"] == Verdict.CORRECTED
    assert by_book["0.00047"] == by_book["1152.92"] == by_book["0.0066"] == Verdict.CONFIRMED
    assert by_book["grows exponentially"] == Verdict.CORRECTED
    assert by_book["shrinks by at least 4"] == Verdict.CORRECTED
    assert by_book["2/3"] == Verdict.CONFIRMED
    assert sol.verdict == Verdict.CORRECTED
    assert sol.passed and all(c.catches for c in sol.checks)
    assert len(sol.corrections) == 5


def test_weight_two_and_weight_eight_layers(sol):
    r = sol.result
    assert r.max_factor_w2 == pytest.approx(2 * 0.25, rel=1e-9)  # 2 max σ' = 2/4
    assert r.factor_w8 == pytest.approx(8 * 0.25, rel=1e-12)  # a layer that doubles the gradient
    # a factor above 1/4 needs |w| > 1 (σ' <= 1/4), so the share of such layers is positive but below
    # P(|w| > 1) = 1 − erf(1/√2)
    assert 0 < 1 - r.p_factor_quarter < 1 - math.erf(1 / math.sqrt(2))


def test_two_thirds(sol):
    p = math.erf(1 / math.sqrt(2))
    check = next(c for c in sol.checks if c.book == "2/3")
    assert check.agreement == pytest.approx(abs(p - 2 / 3), rel=1e-12)
    assert check.passed
    r = sol.result
    assert r.p_w_mc == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 200_000))


def test_checks_fail_on_plausible_mistakes(sol):
    prob = WeightPowersProblem()
    r = sol.result
    # one layer too many in the 0.6 chain
    wrong = dataclasses.replace(r, measured=r.measured[:4] + (r.measured[4] * 0.6,) + r.measured[5:])
    assert not prob.checks(wrong)[4].passed
    # a layer factor that ignores the weight (the post's 1/4)
    wrong = dataclasses.replace(r, factor_w8=0.25)
    assert not next(c for c in prob.checks(wrong) if c.book == "shrinks by at least 4").passed
    # the one-sided Φ(1) for P(|w| < 1)
    wrong = dataclasses.replace(r, p_w_mc=0.5 * (1 + math.erf(1 / math.sqrt(2))))
    assert not next(c for c in prob.checks(wrong) if "draws" in str(c.methods[0])).passed


def test_size_limit():
    with pytest.raises(ValueError, match="20,000,000"):
        gradmath.solve("weight-powers", n_draws=10**10)
