"""Problem 2: the identity neuron. Expected values derived by hand or by independent optimisers."""

import math

import numpy as np
import pytest
from scipy.optimize import differential_evolution
from scipy.special import expit

import gradmath
from gradmath import identity as idn


def test_construction_parameters_by_hand():
    # b = -w1/2, w2 = 4/w1, offset 2/w1 - 1/2 (hint's Taylor series to first order)
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


def test_leading_constant_is_one_over_96():
    # (4/w1) * (-(w1 Delta)^3 / 48) at |Delta| = 1/2 -> w1^2 / 96
    for w1 in (0.05, 0.02, 0.01):
        assert idn.exact_max_error(w1) / w1**2 == pytest.approx(1 / 96, rel=1e-4)
    # next term: 1/2 - (2/w)(w/4 - w^3/192 + 2 w^5/15360) = w^2/96 - w^4/3840
    w1 = 0.3
    assert idn.exact_max_error(w1) == pytest.approx(w1**2 / 96 - w1**4 / 3840, rel=1e-5)


@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_w1(bad):
    with pytest.raises(ValueError, match="w1"):
        gradmath.solve("identity-neuron", w1=bad)


def test_bad_w1_type():
    with pytest.raises(TypeError, match="w1"):
        gradmath.solve("identity-neuron", w1="small")


def _sup_error(p, x):
    return np.max(np.abs(p[2] * expit(p[0] * x + p[1]) - x))


def test_minimax_fit_against_global_search_and_symmetry():
    sol = gradmath.solve("identity-neuron")
    mm = sol.answer["minimax_fit"]
    x = np.linspace(0, 1, 4001)
    de = differential_evolution(
        lambda p: _sup_error(p, x),
        [(0.1, 20), (-10, 0), (0.1, 5)],
        seed=1,
        tol=1e-12,
        maxiter=3000,
        polish=True,
    )
    assert mm["max_error"] == pytest.approx(de.fun, rel=2e-3)
    assert mm["max_error"] <= de.fun * (1 + 1e-6)
    # the best sup-norm fit is symmetric about x = 1/2: w2 = 1, b = -w1/2
    assert mm["w2"] == pytest.approx(1.0, abs=1e-6)
    assert mm["b"] == pytest.approx(-mm["w1"] / 2, rel=1e-6)


def test_least_squares_fit_against_global_search():
    sol = gradmath.solve("identity-neuron")
    ls = sol.answer["least_squares_fit"]
    x = np.linspace(0, 1, 2001)

    def rms(p):
        r = p[2] * expit(p[0] * x + p[1]) - x
        return math.sqrt(np.trapezoid(r * r, x))

    de = differential_evolution(rms, [(0.1, 20), (-10, 0), (0.1, 5)], seed=2, tol=1e-12, maxiter=3000)
    assert ls["rms_error"] == pytest.approx(de.fun, rel=1e-4)
    # no offset: cannot be arbitrarily good
    assert ls["rms_error"] > 0.02 and sol.answer["minimax_fit"]["max_error"] > 0.05
