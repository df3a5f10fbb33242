"""Mean-field theory of the layer-to-layer gradient ratio (issue 12), against independent methods:
mpmath quadrature at 30 digits, closed forms (ReLU, the arc-cosine kernel), Monte Carlo of random
layers, and gradmath.Network's own backpropagation."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import gradmath
from gradmath import meanfield as mf
from gradmath.network import Network
from gradmath.random_networks import hidden_deltas, layer_ratios, random_network_ratios


def _mp_expect(f, q):
    """E[f(√q Z)] with mpmath at 30 digits (an independent quadrature)."""
    with mpmath.workdps(30):
        s = mpmath.sqrt(q)
        return mpmath.quad(
            lambda t: f(s * t) * mpmath.exp(-t * t / 2), [-mpmath.inf, 0, mpmath.inf]
        ) / mpmath.sqrt(2 * mpmath.pi)


def _mp_sigmoid(u):
    return 1 / (1 + mpmath.exp(-u))


def test_book_configuration_fixed_point_and_chi_against_mpmath():
    # q* = E[σ(√q Z)²] + 1 and χ = E[σ′(√q* Z)²], both solved independently at 30 digits
    with mpmath.workdps(30):
        q_star = mpmath.findroot(lambda q: _mp_expect(lambda u: _mp_sigmoid(u) ** 2, q) + 1 - q, 1.3)
        chi = _mp_expect(lambda u: (_mp_sigmoid(u) * (1 - _mp_sigmoid(u))) ** 2, q_star)
    fp = mf.fixed_point("sigmoid", 1.0, 1.0)
    assert fp.kind == "stable"
    assert fp.q_star == pytest.approx(float(q_star), rel=1e-13)
    assert mf.chi("sigmoid", fp.q_star, 1.0) == pytest.approx(float(chi), rel=1e-12)
    # the book's table: about five-fold per layer (its six ratios range from 4.1 to 5.7)
    assert 4.5 < 1 / math.sqrt(float(chi)) < 5.2


def test_sigmoid_xavier_against_mpmath():
    with mpmath.workdps(30):
        q_star = mpmath.findroot(lambda q: _mp_expect(lambda u: _mp_sigmoid(u) ** 2, q) - q, 0.26)
    fp = mf.fixed_point("sigmoid", 1.0, 0.0)
    assert fp.q_star == pytest.approx(float(q_star), rel=1e-12)


def test_relu_he_is_critical_for_every_variance():
    # E[1{z > 0}] = 1/2 exactly, so σ_w² = 2 gives χ = 1 and the map q -> q, whatever q
    fp = mf.fixed_point("relu", 2.0, 0.0)
    assert fp.kind == "every q" and fp.q_star is None
    for q in (0.01, 1.0, 37.0):
        assert mf.variance_map(q, "relu", 2.0, 0.0) == pytest.approx(q, rel=1e-15)
    assert mf.chi("relu", None, 2.0) == 1.0
    # and by Monte Carlo: one random He layer of width 1000 keeps E‖δ‖²
    rng = np.random.default_rng(0)
    w = rng.standard_normal((1000, 1000)) * math.sqrt(2 / 1000)
    upper = rng.standard_normal((64, 1000))
    z = rng.standard_normal((64, 1000))
    ratio = np.sum(((z > 0) * (upper @ w)) ** 2, axis=1) / np.sum(upper**2, axis=1)
    assert ratio.mean() == pytest.approx(1.0, abs=4 * ratio.std(ddof=1) / 8)


def test_leaky_relu_he_has_no_fixed_point_and_chi_one_plus_alpha_squared():
    fp = mf.fixed_point("leaky_relu", 2.0, 0.0)
    assert fp.kind == "none" and fp.q_star is None
    assert mf.chi("leaky_relu", None, 2.0) == pytest.approx(1 + 0.01**2, rel=1e-15)


def test_tanh_xavier_is_critical_at_zero_variance():
    fp = mf.fixed_point("tanh", 1.0, 0.0)
    assert fp.kind == "zero" and fp.q_star == 0.0
    assert mf.chi("tanh", 0.0, 1.0) == pytest.approx(1.0, abs=1e-15)  # tanh′(0)² = 1
    # near zero, χ(q) = 1 − 2q + O(q²) (E[sech⁴(√q Z)] = 1 − 2q + ...): the decay is slow
    q = 1e-4
    assert mf.chi("tanh", q, 1.0) == pytest.approx(1 - 2 * q, abs=1e-7)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_gauss_hermite_against_adaptive_quadrature(activation):
    # (tanh′² has poles at ±iπ/(2√q): Gauss–Hermite converges slowly beyond q ≈ 2, see meanfield.expect)
    phi, dphi = mf.ACTIVATIONS[activation]
    for q in (0.05, 0.3, 1.0):
        a = (
            mf.expect(lambda u: dphi(u) ** 2, q)
            if activation in ("sigmoid", "tanh")
            else mf.chi(activation, q, 1.0)
        )
        assert a == pytest.approx(mf.expect_quad(lambda u: dphi(u) ** 2, q), rel=1e-9)


def test_pair_expectation_against_closed_forms():
    # E[u1 u2] = q12; E[e^(a u1) e^(b u2)] = exp((a² q1 + b² q2 + 2ab q12)/2), the Gaussian's moment
    # generating function; and the arc-cosine kernel of Cho and Saul for ReLU, E[relu(u1) relu(u2)] =
    # (√(1 − c²) + (π − arccos c) c) / 2π at unit variances (a kink: Gauss–Hermite converges slowly)
    relu = mf.ACTIVATIONS["relu"][0]
    a, b = 0.3, -0.5

    def ea(u):
        return np.exp(a * u)

    def eb(u):
        return np.exp(b * u)

    for q1, q2, q12 in ((1.0, 1.0, -0.6), (1.0, 1.0, 0.0), (2.0, 0.5, 0.3), (1.3, 1.3, 1.29)):
        assert mf.pair_expect(lambda u: u, lambda u: u, q1, q2, q12, n=20) == pytest.approx(q12, abs=1e-12)
        mgf = math.exp((a * a * q1 + b * b * q2 + 2 * a * b * q12) / 2)
        assert mf.pair_expect(ea, eb, q1, q2, q12) == pytest.approx(mgf, rel=1e-12)
    for c in (-0.6, 0.0, 0.3, 0.95):
        exact = (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c) / (2 * math.pi)
        assert mf.pair_expect(relu, relu, 1.0, 1.0, c, n=200) == pytest.approx(exact, abs=1e-3)


def test_correlations_tend_to_one_in_the_ordered_phase():
    fp = mf.fixed_point("sigmoid", 1.0, 1.0)
    c = mf.correlation_fixed_point("sigmoid", fp.q_star, 1.0, 1.0, c0=0.0)
    assert c == pytest.approx(1.0, abs=1e-6)
    assert mf.chi_c("sigmoid", fp.q_star, 0.5, 1.0) < mf.chi("sigmoid", fp.q_star, 1.0)  # Cauchy–Schwarz


def test_phase_grid_agrees_with_the_fixed_point_solver():
    w2 = np.array([0.5, 1.0, 2.0])
    b2 = np.array([0.5, 1.0])
    grid = mf.phase_chi("sigmoid", w2, b2)
    for i, s_b2 in enumerate(b2):
        for j, s_w2 in enumerate(w2):
            q = mf.fixed_point("sigmoid", s_w2, s_b2).q_star
            assert grid[i, j] == pytest.approx(mf.chi("sigmoid", q, s_w2), rel=1e-6)


def test_edge_of_chaos_for_tanh_at_sigma_b_zero_is_sigma_w_one():
    grid = mf.phase_chi("tanh", np.array([0.8, 1.25]), np.array([0.0]), iterations=3000)
    assert grid[0, 0] < 1 < grid[0, 1]


def test_per_example_deltas_agree_with_the_network_backprop():
    data = gradmath.load_mnist()
    X, y = data.train.X[:200], data.train.y[:200]
    for activation, init in (("sigmoid", "default"), ("relu", "he"), ("tanh", "xavier")):
        net = Network([784, 30, 30, 30, 10], seed=3, activation=activation, init=init)
        deltas = hidden_deltas(net.weights, net.biases, X, y, activation)
        for ours, theirs in zip(deltas, net.bias_gradients(X, y)[:-1], strict=True):
            np.testing.assert_allclose(ours.mean(axis=0), theirs, rtol=1e-10, atol=1e-15)


def test_width_one_is_the_chain_and_wide_layers_approach_the_prediction():
    config = mf.CONFIGS["sigmoid-default"]
    predicted = 1 / math.sqrt(mf.chi("sigmoid", mf.fixed_point("sigmoid", 1.0, 1.0).q_star, 1.0))
    chain = np.exp(
        np.mean([np.log(random_network_ratios(config, 1, 12, 8, s).typical[2:]).mean() for s in range(30)])
    )
    wide = random_network_ratios(config, 600, 10, 16, 0).rms[2:]
    assert chain > 1.8 * predicted  # the chain of single neurons: about ten-fold, not five
    assert np.exp(np.mean(np.log(wide))) == pytest.approx(predicted, rel=0.02)


def test_the_per_layer_ratio_does_not_depend_on_depth_at_the_books_width():
    """Past the first layers the variance sits at q*, so every layer shrinks the gradient by the same
    factor: 40 layers deep give the ratio 12 layers give (width 30, the book's init, Gaussian inputs)."""
    config = mf.CONFIGS["sigmoid-default"]

    def per_layer(depth):
        return np.array([np.exp(np.log(random_network_ratios(config, 30, depth, 32, s).rms[2:]).mean())
                         for s in range(8)])  # fmt: skip

    shallow, deep = per_layer(12), per_layer(40)
    se = math.hypot(shallow.std(ddof=1), deep.std(ddof=1)) / math.sqrt(8)
    assert abs(deep.mean() - shallow.mean()) < 3 * se
    predicted = 1 / math.sqrt(mf.chi("sigmoid", mf.fixed_point("sigmoid", 1.0, 1.0).q_star, 1.0))
    # width 30: a few per cent of finite-width offset
    assert deep.mean() == pytest.approx(predicted, rel=0.06)


def test_ratio_measures_on_a_hand_made_example():
    d1 = np.array([[1.0, 0.0], [0.0, 1.0]])
    d2 = np.array([[2.0, 0.0], [0.0, 4.0]])
    r = layer_ratios([d1, d2])
    assert r.rms[0] == pytest.approx(math.sqrt((4 + 16) / 2 / 1))
    assert r.mean[0] == pytest.approx(math.hypot(1, 2) / math.hypot(0.5, 0.5))
    assert r.typical[0] == pytest.approx(math.sqrt(2 * 4))


def test_solver_answer_keys_and_verdict(quick_solution):
    sol = quick_solution("layer-gradient-ratio")
    names = ["sigmoid-default", "sigmoid-xavier", "tanh-xavier", "relu-he", "leaky-relu-he"]
    for key in ("q_star", "chi", "ratio"):
        assert list(sol.answer[key]) == names
    assert sol.answer["q_star"]["relu-he"] is None
    assert sol.answer["chi"]["relu-he"] == 1.0
    assert sol.answer["ratio"]["sigmoid-default"] == pytest.approx(4.8818, abs=1e-4)
    assert sol.answer["book"][2][0] == pytest.approx(0.31 / 0.07)
    assert sol.passed and sol.verdict.value == "confirmed"
    assert "$" in sol._repr_markdown_()
    check = next(c for c in sol.checks if "depth" in c.claim.plain())
    assert check.passed and "10 against 30 hidden layers" in check.claim.plain()


def test_measured_ratios_are_those_of_the_initial_speeds_experiment(quick_solution):
    """The issue's ``measured`` key: the hidden-layer ratios of mnist-initial-norms, seed for seed."""
    ratio = quick_solution("layer-gradient-ratio").answer["measured"]["sigmoid-default"]
    norms = quick_solution("mnist-initial-norms").result.norms.norms[4]
    per_seed = norms[:, 1:] / norms[:, :-1]
    np.testing.assert_allclose(ratio["mean"], per_seed.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(ratio["std"], per_seed.std(axis=0, ddof=1), rtol=1e-10)
    assert ratio["seeds"] == len(norms) == 5
