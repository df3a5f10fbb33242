"""Activations: numeric stability and the symbolic sigma / sigma' functions."""

import math
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradmath import activations as act


def test_sigmoid_prime_max_is_quarter_at_zero():
    assert act.sigmoid_prime(0.0) == 0.25
    zs = np.linspace(-10, 10, 20001)
    assert act.sigmoid_prime(zs).max() == 0.25


def test_sigmoid_is_stable_for_huge_arguments():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = act.sigmoid(np.array([-1e6, -800.0, 0.0, 800.0, 1e6]))
    assert values.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]


@settings(deadline=None, max_examples=60)
@given(st.floats(-30, 30))
def test_derivatives_match_finite_differences(x):
    h = 1e-6
    for name, (f, fp) in act.ACTIVATIONS.items():
        if name in ("relu", "leaky_relu") and abs(x) < 1e-3:
            continue  # kink at 0
        fd = (f(x + h) - f(x - h)) / (2 * h)
        assert fp(x) == pytest.approx(fd, abs=1e-6), name


def test_symbolic_sigma_derivatives():
    x = sympy.Symbol("x", real=True)
    assert sympy.diff(act.sigma(x), x) == act.sigma_prime(x)
    explicit = 1 / (1 + sympy.exp(-x))
    # sigma' rewritten with exp equals the derivative of the explicit logistic function
    assert sympy.simplify(act.sigma_prime(x).rewrite(sympy.exp) - sympy.diff(explicit, x)) == 0
    # and the derivative of sigma' (as rewritten) equals the second derivative of the explicit form
    second = sympy.diff(act.sigma_prime(x), x).rewrite(sympy.exp)
    assert sympy.simplify(second - sympy.diff(explicit, x, 2)) == 0
    assert act.sigma(0) == sympy.Rational(1, 2)
    assert act.sigma_prime(0) == sympy.Rational(1, 4)


def test_lambdify_sigma_evaluates_stably():
    x = sympy.Symbol("x")
    f = act.lambdify_sigma([x], act.sigma_prime(x) * act.sigma(x))
    assert f(0.0) == pytest.approx(0.125)
    assert f(2.0) == pytest.approx(math.exp(-2) / (1 + math.exp(-2)) ** 2 / (1 + math.exp(-2)))


def test_unknown_activation_lists_options():
    with pytest.raises(ValueError, match="'sigmoid'.*'leaky_relu'"):
        act.get_activation("softplus")
