"""The chain of single neurons (eq. 114-122) and its solvers, against independent oracles.

Oracles: hand-derived constants (1/4, 25, 1/16, the seed posts' numbers), SymPy's own diff of the
nested chain, brute-force mpmath finite differences of the actual chain, and small Monte Carlo
simulations written here independently of gradmath.chain.
"""

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

import gradmath
from gradmath import chain as ch
from gradmath.activations import sigma_prime

# --- symbolic ------------------------------------------------------------------------------------


def test_eq_122_by_hand():
    z1, z2, z3, z4 = sympy.symbols("z1:5", real=True)
    w1, w2, w3, w4 = sympy.symbols("w1:5", real=True)
    dC = sympy.Symbol("dC/da_4", real=True)
    book = sigma_prime(z1) * w2 * sigma_prime(z2) * w3 * sigma_prime(z3) * w4 * sigma_prime(z4) * dC
    g = ch.chain_gradient(4)
    assert g.gradient == book
    assert g.bias_gradients[3] == sigma_prime(z3) * w4 * sigma_prime(z4) * dC
    assert g.weight_gradients[1] == sympy.Symbol("a_0", real=True) * book


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_every_gradient_equals_sympy_nested_diff(depth):
    g = ch.chain_gradient(depth)
    for j in range(1, depth + 1):
        assert sympy.expand(ch.nested_diff(depth, "b", j) - g.bias_gradients[j]) == 0
        assert sympy.expand(ch.nested_diff(depth, "w", j) - g.weight_gradients[j]) == 0


def test_gradient_size_is_linear_in_depth():
    # dC/db_1 has exactly 2n factors: n sigma', n - 1 weights, dC/da_n
    for n in (1, 10, 300):
        assert len(sympy.Mul.make_args(ch.chain_gradient(n).gradient)) == 2 * n


@pytest.mark.parametrize("bad", [0, -1])
def test_bad_depth_value(bad):
    with pytest.raises(ValueError, match="depth"):
        ch.chain_gradient(bad)
    with pytest.raises(ValueError, match="depth"):
        gradmath.solve("chain-gradient", depth=bad)


@pytest.mark.parametrize("bad", [2.5, True, "4", None])
def test_bad_depth_type(bad):
    with pytest.raises(TypeError, match="depth"):
        gradmath.solve("chain-gradient", depth=bad)


# --- numeric: chain rule vs finite differences ------------------------------------------------------

chains = st.integers(1, 25).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(-6, 6), min_size=n, max_size=n),
        st.lists(st.floats(-4, 4), min_size=n, max_size=n),
        st.floats(0.01, 0.99),
        st.floats(-1, 1),
        st.integers(1, n),
        st.sampled_from("bw"),
    )
)


def _plain_fd(w, b, a0, y, param, j, dps):
    """Brute-force central difference written here from scratch (mpmath, two costs subtracted)."""
    with mpmath.workdps(dps):
        h = mpmath.mpf("1e-15")

        def cost(delta):
            act = mpmath.mpf(a0)
            for k, (wk, bk) in enumerate(zip(w, b, strict=True)):
                wk, bk = mpmath.mpf(wk), mpmath.mpf(bk)
                if k == j - 1:
                    if param == "b":
                        bk += delta
                    else:
                        wk += delta
                act = 1 / (1 + mpmath.exp(-(wk * act + bk)))
            return (act - y) ** 2 / 2

        return (cost(h) - cost(-h)) / (2 * h)


@settings(deadline=None, max_examples=40)
@given(chains)
def test_backprop_and_symbolic_product_equal_finite_differences(args):
    w, b, a0, y, j, param = args
    w = [x if abs(x) > 1e-3 else 1e-3 for x in w]
    fd = _plain_fd(w, b, a0, y, param, j, dps=60 + 10 * len(w))
    if fd == 0:
        return
    fw = ch.forward(w, b, a0)
    bw = ch.backward_log(fw, fw.a[-1] - y)
    log_abs = bw.log_abs_b if param == "b" else bw.log_abs_w
    sign = bw.sign_b if param == "b" else bw.sign_w
    assert log_abs[j - 1] == pytest.approx(float(mpmath.log(abs(fd))), abs=1e-8)
    assert sign[j - 1] == float(mpmath.sign(fd))
    g = ch.chain_gradient(len(w))
    expr = g.bias_gradients[j] if param == "b" else g.weight_gradients[j]
    la, sa = ch.log_abs_eval(expr, fw, fw.a[-1] - y)
    assert la == pytest.approx(float(mpmath.log(abs(fd))), abs=1e-8)
    assert sa == float(mpmath.sign(fd))


@settings(deadline=None, max_examples=15)
@given(st.integers(20, 120), st.integers(0, 10**6), st.sampled_from("bw"))
def test_propagated_secant_equals_brute_force_difference(n, seed, param):
    rng = np.random.default_rng(seed)
    w, b = rng.standard_normal(n) * 2, rng.standard_normal(n)
    fast = ch.finite_difference(w, b, 0.4, 0.1, param, 1)
    slow = _plain_fd(w.tolist(), b.tolist(), 0.4, 0.1, param, 1, dps=60 + 8 * n)
    assert fast.log_abs == pytest.approx(float(mpmath.log(abs(slow))), abs=1e-10)
    assert fast.sign == float(mpmath.sign(slow))


def test_deep_chain_log_space_gradient_matches_brute_force():
    # depth 200: |dC/db_1| ~ 1e-200 underflows nothing in log space
    rng = np.random.default_rng(5)
    n = 200
    w, b = rng.standard_normal(n), rng.standard_normal(n)
    fw = ch.forward(w, b, 0.5)
    bw = ch.backward_log(fw, fw.a[-1])
    slow = _plain_fd(w.tolist(), b.tolist(), 0.5, 0.0, "b", 1, dps=int(-bw.log_abs_b[0] / math.log(10)) + 80)
    assert bw.log_abs_b[0] < -300  # far below float range's comfort
    assert bw.log_abs_b[0] == pytest.approx(float(mpmath.log(abs(slow))), abs=1e-9)


def test_finite_difference_bad_inputs():
    with pytest.raises(ValueError, match="param"):
        ch.finite_difference([1.0], [0.0], 0.5, param="x")
    with pytest.raises(ValueError, match="j"):
        ch.finite_difference([1.0], [0.0], 0.5, j=2)
    with pytest.raises(ValueError, match="finite"):
        ch.forward([float("nan")], [0.0], 0.5)


def test_chain_gradient_solver_depth_1000_fast_and_verified():
    sol = gradmath.solve("chain-gradient", depth=1000)
    assert sol.passed and sol.answer["depth"] == 1000
    assert sol.elapsed < 10
    assert len(sympy.Mul.make_args(sol.answer["gradient"])) == 2000


def test_chain_gradient_default():
    sol = gradmath.solve("chain-gradient")
    assert sol.answer["depth"] == 4 and sol.passed
    assert sol.answer["gradient"].has(sympy.Symbol("dC/da_4", real=True))
    assert sol.elapsed < 1.0


# --- the book's constants ------------------------------------------------------------------------


def test_sigmoid_prime_max():
    sol = gradmath.solve("sigmoid-prime-max")
    assert sol.answer["max"] == sympy.Rational(1, 4)
    assert sol.answer["argmax"] == 0
    grid = np.linspace(-10, 10, 200001)
    s = expit(grid)
    assert np.max(s * (1 - s)) <= 0.25
    assert sol.passed


def test_exploding_example_factor_25():
    sol = gradmath.solve("exploding-example")
    assert sol.answer["term"] == 25
    # a_0 = 1/4: b_1 = -100/4, then every a_j = sigma(0) = 1/2 and b_j = -50
    assert [int(x) for x in sol.answer["biases"]] == [-25, -50, -50, -50]
    np.testing.assert_allclose(sol.answer["layer_ratios"], 25.0, rtol=0, atol=1e-9)
    assert sol.passed


def test_exploding_example_bad_input():
    with pytest.raises(ValueError, match="a0"):
        gradmath.solve("exploding-example", a0=1.5)
    with pytest.raises(ValueError, match="depth"):
        gradmath.solve("exploding-example", depth=1)
    with pytest.raises(TypeError, match="depth"):
        gradmath.solve("exploding-example", depth=3.0)


def test_exploding_example_deep_and_non_dyadic_input():
    # 40 layers: dC/db_1 = (1/4) 25^39 a_40 with a_40 = 1/2, i.e. about 1e54
    sol = gradmath.solve("exploding-example", depth=40, a0=0.3)
    np.testing.assert_allclose(sol.answer["layer_ratios"], 25.0, rtol=0, atol=1e-9)
    assert sol.answer["gradient_b1_over_dC_da"] == sympy.Rational(25**39, 4)
    assert sol.passed


def test_gradient_ratio_bound_one_sixteenth():
    sol = gradmath.solve("gradient-ratio", n_samples=20000)
    z1, z2 = sympy.symbols("z1 z2", real=True)
    w2, w3 = sympy.symbols("w2 w3", real=True)
    assert sol.answer["bound"] == sympy.Rational(1, 16)
    assert sympy.simplify(sol.answer["ratio"] - sigma_prime(z1) * w2 * sigma_prime(z2) * w3) == 0
    assert sol.answer["median_abs_ratio"] < 1 / 16  # 'a factor of 16 or more' is the typical case
    assert sol.passed
