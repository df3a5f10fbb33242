"""The chain of single neurons (eq. 114-122) and its solvers, against independent oracles.

Oracles: hand-derived constants (1/4, 25, 1/16, the seed posts' numbers), SymPy's own diff of the
nested chain, brute-force mpmath finite differences of the actual chain, and small Monte Carlo
simulations written here independently of gradmath.chain.
"""

import math
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

import gradmath
from gradmath import chain as ch
from gradmath import chain_fd
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


def test_default_depth_and_symbols():
    g = ch.chain_gradient()
    assert (
        g.depth == 4 and g.z == sympy.symbols("z1:5", real=True) and g.w == sympy.symbols("w1:5", real=True)
    )
    assert g.dC_da == sympy.Symbol("dC/da_4", real=True)
    # nested_diff's defaults: the derivative with respect to b_1
    assert sympy.expand(ch.nested_diff(3) - ch.chain_gradient(3).gradient) == 0


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
    fast = chain_fd.finite_difference(w, b, 0.4, 0.1, param, 1)
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
        chain_fd.finite_difference([1.0], [0.0], 0.5, param="x")
    with pytest.raises(ValueError, match="j"):
        chain_fd.finite_difference([1.0], [0.0], 0.5, j=2)
    with pytest.raises(ValueError, match="finite"):
        ch.forward([float("nan")], [0.0], 0.5)


def test_finite_difference_accepts_exact_parameters():
    # the book's exploding chain with a_0 = 3/10 (not a binary fraction) and b_1 = -30 exactly:
    # every z_j = 0, so dC/db_j = sigma'(0) 25^(n-j) a_n with a_n = 1/2, by hand
    n = 30
    w, b = [100] * n, [Fraction(-30)] + [Fraction(-50)] * (n - 1)
    dps = 40 + math.ceil((n - 1) * math.log10(25))
    for j in (1, 2, n):
        fd = chain_fd.finite_difference(w, b, Fraction(3, 10), param="b", j=j, dps=dps)
        expected = mpmath.mpf(25) ** (n - j) / 8
        assert float(fd.value / expected) == pytest.approx(1, abs=1e-15)
    slow = chain_fd.finite_difference_direct(
        w, [sympy.Integer(-30)] + b[1:], sympy.Rational(3, 10), j=2, dps=dps + 80, rel_h=1e-60
    )
    assert float(slow.value / (mpmath.mpf(25) ** (n - 2) / 8)) == pytest.approx(1, abs=1e-15)
    # the same chain with a_0 = 0.3 rounded to binary: z_1 is off by ~1e-17 and layer 30 saturates
    off = chain_fd.finite_difference(w, b, 0.3, param="b", j=1, dps=dps)
    assert abs(off.log_abs - float(mpmath.log(mpmath.mpf(25) ** (n - 1) / 8))) > 1


@pytest.mark.parametrize("param", ["b", "w"])
def test_propagated_secant_with_a_large_step_equals_the_plain_secant(param):
    # a large relative step takes the expm1 branch of the propagated difference; the plain secant
    # (two costs subtracted, written here) with the same h is the same number to ~40 digits
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal(6) * 3, rng.standard_normal(6)
    for rel_h in (1e-3, 1e-8, 1e-12):
        fast = chain_fd.finite_difference(w, b, 0.7, 0.2, param, 2, dps=50, rel_h=rel_h)
        with mpmath.workdps(90):
            h = mpmath.mpf(rel_h) * max(abs(mpmath.mpf(b[1] if param == "b" else w[1])), 1)
            slow = (
                _cost_shifted(w, b, 0.7, 0.2, param, 2, h) - _cost_shifted(w, b, 0.7, 0.2, param, 2, -h)
            ) / (2 * h)
            assert abs(fast.value / slow - 1) < mpmath.mpf(10) ** -35
        assert fast.h == h


def _cost_shifted(w, b, a0, y, param, j, delta):
    act = mpmath.mpf(a0)
    for k, (wk, bk) in enumerate(zip(w, b, strict=True)):
        wk, bk = mpmath.mpf(wk), mpmath.mpf(bk)
        if k == j - 1:
            wk, bk = (wk, bk + delta) if param == "b" else (wk + delta, bk)
        act = 1 / (1 + mpmath.exp(-(wk * act + bk)))
    return (act - y) ** 2 / 2


def test_finite_difference_zero_gradient_and_its_step():
    # a_0 = 0 makes dC/dw_1 = a_0 dC/db_1 exactly 0: log -inf, sign 0 (both methods)
    for method in (chain_fd.finite_difference, chain_fd.finite_difference_direct):
        fd = method([1.0, 2.0], [0.3, -0.1], 0.0, param="w", j=1)
        assert fd.value == 0 and fd.sign == 0 and fd.log_abs == -math.inf
    # default step: 1e-20 max(|p|, 1), shrunk by the possible gain prod max(1, |w_k|/4) after layer j
    fd = chain_fd.finite_difference([1.0, 8.0, 40.0], [2.5, 0.0, 0.0], 0.5, param="b", j=1)
    assert float(fd.h / 2.5e-22) == pytest.approx(1, abs=1e-12)  # gain 2 * 10 = 20 -> 10^-(20 + 2)
    assert fd.dps == 40
    for w, rel_h in (([1.0, 48.0], 1e-22), ([1.0, 36.0, 4.4], 1e-21), ([1.0, -3.0, 2.0], 1e-20)):
        # gains 12 (two digits), 9 * 1.1 = 9.9 (one digit), 1 (none)
        step = chain_fd.finite_difference(w, [0.5] * len(w), 0.5, param="w", j=1).h
        assert float(step / rel_h) == pytest.approx(1, abs=1e-12)  # p = w_1 = 1
    direct = chain_fd.finite_difference_direct([1.0, 8.0, 40.0], [2.5, 0.0, 0.0], 0.5, param="b", j=1)
    assert direct.dps == 80 + 3 * 3 and float(direct.h / 2.5e-20) == pytest.approx(1, abs=1e-12)
    assert direct.log_abs == pytest.approx(fd.log_abs, abs=1e-12)
    for param, j, p in (("b", 2, 1.0), ("w", 3, 40.0), ("w", 1, 1.0), ("b", 1, 2.5)):  # h = 1e-20 max(|p|, 1)
        step = chain_fd.finite_difference_direct([1.0, 8.0, 40.0], [2.5, 0.0, 0.0], 0.5, param=param, j=j).h
        assert float(step / (1e-20 * p)) == pytest.approx(1, abs=1e-12)


def test_finite_difference_defaults_other_number_types_and_targets():
    # default j = 1 and param = "b", against the brute-force difference written here
    w, b = [0.8, -1.7, 2.2], [0.3, 0.1, -0.4]
    slow = _plain_fd(w, b, 0.6, 0.3, "b", 1, dps=80)
    for method in (chain_fd.finite_difference, chain_fd.finite_difference_direct):
        fd = method(w, b, 0.6, 0.3)
        assert float(fd.value / slow) == pytest.approx(1, abs=1e-14)
    # SymPy floats are read at their value; a target y != 0 enters C = (a_n - y)^2 / 2
    fl = chain_fd.finite_difference_direct(
        [sympy.Float(x) for x in w], [sympy.Float(x) for x in b], sympy.Float(0.6), 0.3
    )
    assert float(fl.value / slow) == pytest.approx(1, abs=1e-14)
    fl = chain_fd.finite_difference([sympy.Float(x) for x in w], b, sympy.Float(0.6), 0.3)
    assert float(fl.value / slow) == pytest.approx(1, abs=1e-14)


def test_finite_difference_messages():
    with pytest.raises(ValueError, match=r"param must be 'b' or 'w', got 'x'"):
        chain_fd.finite_difference_direct([1.0], [0.0], 0.5, param="x")
    with pytest.raises(ValueError, match=r"j must be in 1\.\.2, got 3"):
        chain_fd.finite_difference([1.0, 1.0], [0.0, 0.0], 0.5, j=3)
    with pytest.raises(ValueError, match=r"j must be an int >= 1, got 0"):
        chain_fd.finite_difference([1.0], [0.0], 0.5, j=0)
    with pytest.raises(ValueError, match=r"same length >= 1, got \(2,\), \(1,\)"):
        ch.forward([1.0, 2.0], [0.0], 0.5)
    with pytest.raises(ValueError, match="same length"):
        ch.forward([], [], 0.5)
    with pytest.raises(ValueError, match=r"^w, b and a0 must be finite$"):
        ch.forward([1.0], [0.0], math.inf)
    with pytest.raises(ValueError, match="must be finite"):
        ch.forward_exact([1.0], [math.nan], 0.5)


# --- the chain's forms, exact forward pass, log-space evaluation ---------------------------------


def test_book_form_keeps_the_books_factor_order():
    g = ch.chain_gradient(4)
    z1, z2, z3, z4 = sympy.symbols("z1:5", real=True)
    w2, w3, w4 = sympy.symbols("w2:5", real=True)
    dC = sympy.Symbol("dC/da_4", real=True)
    assert g.book_form().args == (
        sigma_prime(z1),
        w2,
        sigma_prime(z2),
        w3,
        sigma_prime(z3),
        w4,
        sigma_prime(z4),
        dC,
    )
    assert g.book_form(3).args == (sigma_prime(z3), w4, sigma_prime(z4), dC)
    assert g.book_form(4).args == (sigma_prime(z4), dC)
    for j in range(1, 5):  # the displayed product is the gradient's value
        assert sympy.simplify(g.book_form(j) - g.bias_gradients[j]) == 0
    assert str(gradmath.tx("{}", g.book_form())) == "σ′(z₁) w₂ σ′(z₂) w₃ σ′(z₃) w₄ σ′(z₄) ∂C/∂a₄"


def test_product_form_of_a_deep_chain():
    g = ch.chain_gradient(9)
    first, prod, last = g.product_form().args
    assert first == sigma_prime(sympy.Symbol("z1", real=True)) and last == sympy.Symbol("dC/da_9", real=True)
    assert isinstance(prod, sympy.Product)
    (j, lo, hi) = prod.limits[0]
    assert (lo, hi) == (2, 9) and j.name == "j" and j.is_integer and j.is_positive
    assert prod.function.args == (sympy.Symbol("w_j", real=True), sigma_prime(sympy.Symbol("z_j", real=True)))
    # substituting j = 2..9 term by term gives back dC/db_1
    terms = [
        prod.function.subs(
            {sympy.Symbol("w_j", real=True): g.w[k - 1], sympy.Symbol("z_j", real=True): g.z[k - 1]}
        )
        for k in range(2, 10)
    ]
    assert sympy.Mul(first, *terms, last) == g.gradient


def test_recursion_steps_and_lazy_maps():
    g = ch.chain_gradient(3)
    z = sympy.symbols("z1:4", real=True)
    db = [sympy.Symbol(f"dC/db_{j}", real=True) for j in (1, 2, 3)]
    last = g.recursion[3]
    assert last.lhs == db[2] and last.rhs.args == (sigma_prime(z[2]), sympy.Symbol("dC/da_3", real=True))
    step = g.recursion[1]
    assert step.lhs == db[0] and step.rhs.args == (sigma_prime(z[0]), g.w[1], db[1])
    assert list(g.bias_gradients) == [1, 2, 3] and len(g.weight_gradients) == 3
    assert g.weight_gradients[2] == sympy.Symbol("a_1", real=True) * g.bias_gradients[2]
    assert g.bias_gradients[2] is g.bias_gradients[2]  # built once
    for bad in (0, 4, True, 1.0):
        with pytest.raises(KeyError) as err:
            g.bias_gradients[bad]
        assert err.value.args == (bad,)
    assert repr(g.bias_gradients) == "<dC/db_j for j = 1..3, built on access>"
    assert repr(g.weight_gradients) == "<dC/dw_j for j = 1..3, built on access>"
    assert repr(g.recursion) == "<dC/db_j = sigma'(z_j) w_(j+1) dC/db_(j+1) for j = 1..3, built on access>"
    assert repr(g) == "ChainGradient(depth=3, gradient has 6 factors)"
    assert g.a(0) == sympy.Symbol("a_0", real=True) and g.b(2) == sympy.Symbol("b_2", real=True)


def test_check_depth_messages():
    assert ch.check_depth(np.int64(3)) == 3 and type(ch.check_depth(np.int64(3))) is int
    with pytest.raises(TypeError, match=r"depth must be an int >= 1, got True of type bool"):
        ch.check_depth(True)
    with pytest.raises(TypeError, match=r"n_chains must be an int >= 1, got 2\.0 of type float"):
        ch.check_depth(2.0, "n_chains")
    with pytest.raises(ValueError, match=r"depth must be an int >= 1, got 0"):
        ch.check_depth(0)
    with pytest.raises(ValueError, match=r"wrt must be 'b' or 'w', got 'a'"):
        ch.nested_diff(2, "a")


def test_nested_chain_by_hand():
    cost, Z = ch.nested_chain(2)
    w1, w2 = sympy.symbols("w1 w2", real=True)
    b1, b2, a0 = (sympy.Symbol(s, real=True) for s in ("b_1", "b_2", "a_0"))
    assert Z[0] == w1 * a0 + b1
    assert Z[1] == w2 * gradmath.activations.sigma(w1 * a0 + b1) + b2
    assert cost == sympy.Function("C")(gradmath.activations.sigma(Z[1]))


def test_random_parameters_follow_the_documented_draw():
    p = ch.random_parameters(5, 11)
    rng = np.random.default_rng(11)
    np.testing.assert_array_equal(p.w, rng.standard_normal(5))
    np.testing.assert_array_equal(p.b, rng.standard_normal(5))
    assert p.a0 == rng.uniform(0.1, 0.9)
    with pytest.raises(ValueError, match="depth"):
        ch.random_parameters(0, 1)


def test_forward_exact_by_hand():
    # z_1 = 2 * (1/2) - 1 = 0, a_1 = 1/2; z_2 = 1/2 + 0, a_2 = 1/(1 + e^(-1/2))
    fe = ch.forward_exact([2, 1], [-1, 0], Fraction(1, 2))
    half = sympy.Rational(1, 2)
    assert fe.z == (0, half)
    assert fe.a == (half, half, 1 / (1 + sympy.exp(-half)))
    # floats are taken at their exact binary value: 0.1 is not 1/10
    fe = ch.forward_exact([1.0], [0.0], 0.1)
    assert fe.z[0] == sympy.Rational(3602879701896397, 36028797018963968)
    fe = ch.forward_exact([sympy.Integer(3)], [sympy.Rational(-3, 4)], sympy.Rational(1, 4))
    assert fe.z == (0,) and fe.a[1] == half
    fe = ch.forward_exact([sympy.sqrt(2)], [np.int64(1)], half)
    assert fe.z == (sympy.sqrt(2) / 2 + 1,)


def test_float_forward_pass_by_hand():
    fw = ch.forward([2.0, -1.0], [0.5, 0.25], 0.25)
    assert fw.z[0] == 1.0 and fw.a[1] == pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-15)
    assert fw.z[1] == pytest.approx(-fw.a[1] + 0.25, rel=1e-15)
    assert fw.a[0] == 0.25 and fw.a.shape == (3,) and fw.z.shape == (2,)
    assert fw.w.tolist() == [2.0, -1.0] and fw.b.tolist() == [0.5, 0.25]


def test_log_sigmoid_prime_against_mpmath():
    for z in (-800.0, -30.0, -1.0, 0.0, 2.5, 40.0, 700.0):
        with mpmath.workdps(30):
            e = mpmath.exp(-mpmath.mpf(z))
            exact = float(mpmath.log(e / (1 + e) ** 2))  # sigma(1 - sigma) without cancellation
        assert float(ch.log_sigmoid_prime(z)) == pytest.approx(exact, rel=1e-14, abs=1e-15)
    # exact inputs are evaluated as floats: -2 log(1 + e^(-1/2)) - 1/2 at z = 1/2, -2 log 2 at z = 0
    assert float(ch.log_sigmoid_prime(sympy.Rational(1, 2))) == pytest.approx(
        -2 * math.log1p(math.exp(-0.5)) - 0.5, rel=1e-15
    )
    assert float(ch.log_sigmoid_prime(0)) == pytest.approx(-2 * math.log(2), rel=1e-15)


def test_backward_log_with_zero_factors_and_signs():
    # w_2 = 0 cuts the chain: dC/db_1 = 0 (log -inf, sign 0); a_0 = 0: dC/dw_1 = 0
    fw = ch.forward([1.5, 0.0, -2.0], [0.1, 0.2, 0.3], 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log 0 is -inf here, not a RuntimeWarning
        bw = ch.backward_log(fw, -0.5)
    assert bw.log_abs_b[0] == -math.inf and bw.sign_b[0] == 0
    assert bw.sign_w[0] == 0 and bw.log_abs_w[0] == -math.inf
    s2, s3 = (lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2)(fw.z[1]), None
    s3 = math.exp(-fw.z[2]) / (1 + math.exp(-fw.z[2])) ** 2
    expected_b2 = s2 * -2.0 * s3 * -0.5  # sigma'(z_2) w_3 sigma'(z_3) dC/da_3
    assert bw.sign_b[1] == math.copysign(1, expected_b2)
    assert bw.log_abs_b[1] == pytest.approx(math.log(abs(expected_b2)), abs=1e-14)
    assert bw.log_abs_w[1] == pytest.approx(math.log(abs(expected_b2 * fw.a[1])), abs=1e-14)
    assert bw.sign_w[1] == bw.sign_b[1] and bw.sign_w[2] == -1.0  # a_1, a_2 > 0 keep the sign
    zero = ch.backward_log(fw, 0.0)
    assert zero.sign_b.tolist() == [0.0, 0.0, 0.0] and zero.log_abs_b.tolist() == [-math.inf] * 3


def test_log_abs_eval_of_numbers_zeros_and_unknown_factors():
    fw = ch.forward([3.0, -2.0], [0.5, 1.0], 0.4)
    w1, w2 = sympy.symbols("w1 w2", real=True)
    a1 = sympy.Symbol("a_1", real=True)
    la, sa = ch.log_abs_eval(-3 * w2 * a1, fw, 1.0)
    assert sa == 1.0 and la == pytest.approx(math.log(3 * 2 * fw.a[1]), abs=1e-15)
    la, sa = ch.log_abs_eval(w1 * sympy.Symbol("dC/da_2", real=True), fw, -0.25)
    assert sa == -1.0 and la == pytest.approx(math.log(0.75), abs=1e-15)
    assert ch.log_abs_eval(w1 * sympy.Symbol("dC/da_2", real=True), fw, 0.0) == (-math.inf, 0.0)
    with pytest.raises(ValueError, match="cannot evaluate factor b_1"):
        ch.log_abs_eval(w1 * sympy.Symbol("b_1"), fw, 1.0)
    # integer powers, as in a ratio of two gradients: sigma'(z_1)^2 / w_2^3
    z1 = sympy.Symbol("z1", real=True)
    la, sa = ch.log_abs_eval(sigma_prime(z1) ** 2 / w2**3, fw, 1.0)
    s1 = math.exp(-fw.z[0]) / (1 + math.exp(-fw.z[0])) ** 2
    assert sa == -1.0 and la == pytest.approx(math.log(s1**2 / 8), abs=1e-14)
    for bad in (sympy.sqrt(w1), sympy.Symbol("dC/da_3", real=True), sympy.Symbol("z1", real=True), 1 + w1):
        with pytest.raises(ValueError, match="cannot evaluate factor"):
            ch.log_abs_eval(2 * bad, fw, 1.0)
    assert ch.log_abs_eval(sympy.sqrt(2) * w1, fw, 1.0)[0] == pytest.approx(
        math.log(3 * math.sqrt(2)), abs=1e-15
    )


# --- the book's constants ------------------------------------------------------------------------


def test_sigmoid_prime_max():
    sol = gradmath.solve("sigmoid-prime-max")
    assert sol.answer["max"] == sympy.Rational(1, 4)
    assert sol.answer["argmax"] == 0
    grid = np.linspace(-10, 10, 200001)
    s = expit(grid)
    assert np.max(s * (1 - s)) <= 0.25
    assert sol.passed
