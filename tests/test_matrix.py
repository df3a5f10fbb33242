"""Eq. 124 (section 5.2): the literal matrix product against independent computations.

The references never call :mod:`gradmath.matrix`: a forward pass and σ′ written out here, the network's
backpropagation, finite differences of a cost written out here, closed forms (a chain whose weighted
inputs are all exactly 0, the χ distribution of a Gaussian vector's length), SymPy evaluating the
displayed equation, and mpmath.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import gradmath
from gradmath import Network
from gradmath.matrix import (
    COMPARABLE,
    eq124,
    eq124_unrolled,
    gradient_statistics,
    matrix_form_gradient,
    precise_difference,
    rounding_bound,
    symbolic_residual,
)
from gradmath.oracles import loop_backprop, one_hot, precise_directional_derivative
from gradmath.printing.latex import latex_math
from gradmath.printing.typst import typst_math
from gradmath.printing.unicode import unicode_display, unicode_math
from gradmath.registry import problem_class
from gradmath.solvers.matrix_gradient import MAX_HIDDEN, MAX_WIDTH, MatrixGradientProblem
from gradmath.weight_norms import (
    WeightNormLaw,
    marchenko_pastur_edge,
    weight_norm_law,
    weight_norm_laws,
    weight_norm_zscores,
)

EPS = np.finfo(float).eps


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _sp(z):
    return _sig(z) * (1 - _sig(z))


def _forward(weights, biases, x):
    """Weighted inputs layer by layer, written out independently of gradmath."""
    a, zs = np.asarray(x, float), []
    for w, b in zip(weights, biases, strict=True):
        zs.append(w @ a + b)
        a = _sig(zs[-1])
    return zs, a


def _cancellation(weights, biases, x, y, cost, deltas):
    """κ_l = ‖|σ′(zˡ)| ⊙ |wˡ⁺¹|ᵀ ⋯ |σ′(zᴸ)| ⊙ |∇ₐC|‖ / ‖δˡ‖, the chain of BP2 in absolute values (each sum's
    terms without their signs) over the true δˡ, written out here; ``deltas`` from another method."""
    zs, a = _forward(weights, biases, x)
    grad_a = a - y if cost == "quadratic" else (a - y) / (a * (1 - a))
    v = [np.abs(_sp(zs[-1]) * grad_a)]
    for w, z in zip(weights[:0:-1], zs[-2::-1], strict=True):
        v.insert(0, _sp(z) * (np.abs(w).T @ v[0]))
    return np.array([np.linalg.norm(vl) / np.linalg.norm(d) for vl, d in zip(v, deltas, strict=True)])


# --- the matrix form, one example -----------------------------------------------------------------


def test_single_neuron_chain_reduces_to_eq_121():
    """One neuron per layer: eq. 124 is the chain's product σ′(z1) w2 σ′(z2) w3 σ′(z3) ∂C/∂a (eq. 121)."""
    w, b = [0.8, -1.7, 2.4], [0.3, -0.2, 0.5]
    x, y = 0.6, 1.0
    z1 = w[0] * x + b[0]
    z2 = w[1] * _sig(z1) + b[1]
    z3 = w[2] * _sig(z2) + b[2]
    W, B = [[[v]] for v in w], [[v] for v in b]
    mg = matrix_form_gradient(W, B, [x], [y])
    assert mg.deltas[0][0] == pytest.approx(
        _sp(z1) * w[1] * _sp(z2) * w[2] * _sp(z3) * (_sig(z3) - y), rel=1e-13
    )
    assert mg.deltas[1][0] == pytest.approx(_sp(z2) * w[2] * _sp(z3) * (_sig(z3) - y), rel=1e-13)
    assert mg.deltas[2][0] == pytest.approx(_sp(z3) * (_sig(z3) - y), rel=1e-13)
    assert mg.grad_a == pytest.approx([_sig(z3) - y], rel=1e-15)
    # the pairs G_2 = σ′(z1) w2 and G_3 = σ′(z2) w3 are 1×1: their norms are |.|
    np.testing.assert_allclose(mg.spectral_norms, [abs(_sp(z1) * w[1]), abs(_sp(z2) * w[2])], rtol=1e-13)
    np.testing.assert_allclose(mg.frobenius_norms, mg.spectral_norms, rtol=1e-15)
    np.testing.assert_allclose(mg.product, [[_sp(z1) * w[1] * _sp(z2) * w[2] * _sp(z3)]], rtol=1e-13)
    # cross-entropy: Σ′(zᴸ) ∇ₐC = a − y, so the σ′(z3) factor cancels
    ce = matrix_form_gradient(W, B, [x], [y], "cross_entropy")
    assert ce.deltas[0][0] == pytest.approx(_sp(z1) * w[1] * _sp(z2) * w[2] * (_sig(z3) - y), rel=1e-12)
    assert ce.grad_a[0] == pytest.approx((_sig(z3) - y) / _sp(z3), rel=1e-12)


def test_every_factor_is_the_book_s_matrix():
    """Σ′(zˡ) is diag(σ′(zˡ)), G_j = Σ′(zʲ⁻¹)(wʲ)ᵀ and M_1 the whole product, from a forward pass written here."""
    net = Network([3, 4, 5, 2], seed=3, cost="quadratic")
    x, y = np.array([0.2, 0.9, 0.4]), np.array([0.0, 1.0])
    zs, a = _forward(net.weights, net.biases, x)
    mg = matrix_form_gradient(net.weights, net.biases, x, y)
    assert mg.depth == 3 and len(mg.sigma_primes) == 3 and len(mg.factors) == 2
    for S, z in zip(mg.sigma_primes, zs, strict=True):
        np.testing.assert_allclose(S, np.diag(_sp(z)), rtol=1e-14, atol=0)
    for G, z, w in zip(mg.factors, zs[:-1], net.weights[1:], strict=True):
        np.testing.assert_allclose(G, np.diag(_sp(z)) @ w.T, rtol=1e-14)
    M1 = np.diag(_sp(zs[0])) @ net.weights[1].T @ np.diag(_sp(zs[1])) @ net.weights[2].T @ np.diag(_sp(zs[2]))
    np.testing.assert_allclose(mg.product, M1, rtol=1e-13)
    assert mg.log_product_norm == pytest.approx(np.log(np.linalg.norm(M1, 2)), rel=1e-13)
    np.testing.assert_allclose(mg.deltas[0], M1 @ (a - y), rtol=1e-13)
    np.testing.assert_allclose(mg.log_norms, [np.log(np.linalg.norm(d)) for d in mg.deltas], rtol=1e-14)
    np.testing.assert_allclose(mg.spectral_norms, [np.linalg.svd(G, compute_uv=False)[0] for G in mg.factors])
    np.testing.assert_allclose(mg.frobenius_norms, [np.sqrt((G**2).sum()) for G in mg.factors], rtol=1e-14)
    shown = repr(mg)
    assert "L=3" in shown and f"log10‖δ¹‖={np.log10(np.linalg.norm(M1 @ (a - y))):.4g}" in shown
    assert f"log10‖δᴸ‖={np.log10(np.linalg.norm(_sp(zs[2]) * (a - y))):.4g}" in shown
    assert f"max ‖G_j‖₂={max(np.linalg.norm(G, 2) for G in mg.factors):.3g}" in shown
    one = matrix_form_gradient([net.weights[0]], [net.biases[0]], x, [0, 1, 0, 0])  # L = 1: no pairs at all
    assert one.factors == () and "max ‖G_j‖₂=nan" in repr(one)


@given(
    sizes=st.lists(st.integers(1, 6), min_size=3, max_size=6),
    seed=st.integers(0, 10**6),
    cost=st.sampled_from(["quadratic", "cross_entropy"]),
)
@settings(deadline=None, max_examples=30)
def test_literal_product_equals_backprop_every_layer(sizes, seed, cost):
    net = Network(sizes, seed=seed, cost=cost, init="large")
    rng = np.random.default_rng(seed)
    x = rng.random(sizes[0])
    label = int(rng.integers(0, sizes[-1]))
    mg = matrix_form_gradient(net.weights, net.biases, x, np.eye(sizes[-1])[label], cost)
    nabla_b, _ = net.backprop(x[None, :], [label])
    with np.errstate(divide="ignore"):
        saturation = sum(float(np.max(1 / (1 - a))) for a in net.forward(x[None, :])[1][1:])
    # First-order rounding: each product errs by up to γ_n |A| |B| (Higham §3.5), which relative to δˡ is
    # the cancellation factor κ_l; the book's σ′ = a(1 − a) adds a relative ε / (1 − a) in each layer.
    # (Without κ, a sum that cancels to 1/4600 of its terms made this fail on a right answer.)
    kappa = _cancellation(net.weights, net.biases, x, np.eye(sizes[-1])[label], cost, nabla_b)
    np.testing.assert_allclose(mg.cancellation, kappa, rtol=1e-6)
    allowed = kappa * (rounding_bound(len(sizes) - 1, max(sizes)) + EPS * saturation)
    assert np.all(kappa >= 1 - 1e-12)
    assert np.all(mg.relative_errors(nabla_b) <= allowed)
    whole = np.linalg.norm(mg.product @ mg.grad_a - nabla_b[0]) / np.linalg.norm(nabla_b[0])
    assert whole <= allowed[0]


@pytest.mark.parametrize("eta", [1e-3, 0.5, 1.0])
def test_cancellation_factor_of_a_sum_that_cancels(eta):
    """sizes (1, 1, 2, 1): δ¹ = σ′(z¹) δ³ t σ′(z²) (1 − (1 − η)), a sum of two terms of opposite signs, while
    the same terms in absolute value give t σ′(z²) (2 − η): κ₁ = (2 − η)/η; δ² and δ³ sum nothing (κ = 1)."""
    t = 0.7
    weights = [np.array([[0.3]]), np.array([[t], [t]]), np.array([[1.0, -1.0 + eta]])]
    biases = [np.array([0.1]), np.array([-0.2, -0.2]), np.array([0.4])]
    mg = matrix_form_gradient(weights, biases, [0.5], [1.0])
    np.testing.assert_allclose(mg.cancellation, [(2 - eta) / eta, 1.0, 1.0], rtol=1e-9)


def test_cancellation_factor_with_an_output_error_of_both_signs():
    """sizes (1, 1, 2), quadratic cost, target (1, 0): ∇ₐC = a − y has one negative and one positive entry, so
    δ¹ = σ′(z¹) Σ_k w_k σ′(z²_k) (a_k − y_k) cancels although both weights are positive."""
    w1, w2, b1, b2 = np.array([[0.8]]), np.array([[1.5], [0.5]]), np.array([0.2]), np.array([0.3, -0.1])
    mg = matrix_form_gradient([w1, w2], [b1, b2], [0.6], [1.0, 0.0])
    a1 = 1 / (1 + math.exp(-(0.8 * 0.6 + 0.2)))
    z2 = w2[:, 0] * a1 + b2
    a2 = 1 / (1 + np.exp(-z2))
    terms = w2[:, 0] * a2 * (1 - a2) * (a2 - [1.0, 0.0])
    assert terms[0] < 0 < terms[1]
    np.testing.assert_allclose(mg.cancellation, [np.abs(terms).sum() / abs(terms.sum()), 1.0], rtol=1e-12)


def test_no_cancellation_without_terms_of_both_signs():
    rng = np.random.default_rng(3)
    sizes = [4, 5, 6, 3, 1]
    weights = [rng.random((n, m)) + 0.1 for m, n in itertools.pairwise(sizes)]
    biases = [rng.standard_normal(n) for n in sizes[1:]]
    mg = matrix_form_gradient(weights, biases, rng.random(4), [0.0])
    np.testing.assert_allclose(mg.cancellation, 1.0, rtol=1e-12)
    flipped = matrix_form_gradient(
        [weights[0], weights[1], -weights[2], weights[3]], biases, rng.random(4), [0.0]
    )
    np.testing.assert_allclose(flipped.cancellation, 1.0, rtol=1e-12)  # one sign per sum is enough


def test_literal_product_equals_central_differences():
    sizes = [8, 10, 10, 10, 4]
    net = Network(sizes, seed=5, cost="quadratic")
    x = np.random.default_rng(5).random(8)
    y = np.eye(4)[2]
    mg = matrix_form_gradient(net.weights, net.biases, x, y)

    def cost(b1):
        a = x
        for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            a = _sig(w @ a + (b1 if k == 0 else b))
        return 0.5 * np.sum((a - y) ** 2)

    h, fd = 1e-3, np.empty(10)
    for i in range(10):
        e = np.zeros(10)
        e[i] = h
        b = net.biases[0]
        fd[i] = (-cost(b + 2 * e) + 8 * cost(b + e) - 8 * cost(b - e) + cost(b - 2 * e)) / (12 * h)
    np.testing.assert_allclose(mg.deltas[0], fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())


def test_a_thousand_layers_do_not_underflow():
    """Weighted inputs exactly 0 in every layer: δ¹ = (1/4)ᴸ ∏ wⱼ (a − y) = −2⁻³⁰⁰⁰ exactly, far below
    float64's range (10⁻³⁰⁸), yet eq. 124's scaled product holds it exactly."""
    L = 1000
    weights = [np.array([[2.0]])] + [np.array([[0.5]])] * (L - 1)
    biases = [np.array([-2.0 * 0.75])] + [np.array([-0.25])] * (L - 1)  # z1 = 2·0.75 − 1.5, then 0.5·½ − ¼
    mg = matrix_form_gradient(weights, biases, [0.75], [1.0])
    # δ¹ = σ′(0)ᴸ · 0.5^(L−1) · (σ(0) − 1) = 2^(−2L) · 2^(1−L) · (−2⁻¹) = −2^(−3L)
    assert mg.delta_mantissas[0][0] * 2.0 ** (mg.delta_exponents[0] + 3 * L) == -1.0
    assert mg.log_norms[0] == pytest.approx(-3 * L * math.log(2), rel=1e-15)
    assert mg.deltas[0][0] == 0.0  # as a plain float it has underflowed: the scaled form is the answer
    assert mg.log_norms[-1] == pytest.approx(math.log(1 / 8), rel=1e-15)  # δᴸ = ¼ · (½ − 1)
    # the product M_1 = (1/4)ᴸ 0.5^(L−1) = 2^(1−3L)
    assert mg.products[0][0, 0] * 2.0 ** (mg.product_exponents[0] + 3 * L - 1) == 1.0
    assert mg.log_product_norm == pytest.approx((1 - 3 * L) * math.log(2), rel=1e-15)


def test_relative_errors_in_the_scaled_frame():
    """Against a reference: 0 for itself, 10⁻³ for a 10⁻³ perturbation, NaN where the reference underflowed."""
    L = 400
    weights = [np.array([[2.0]])] + [np.array([[0.5]])] * (L - 1)
    biases = [np.array([-1.5])] + [np.array([-0.25])] * (L - 1)
    mg = matrix_form_gradient(weights, biases, [0.75], [1.0])
    exact = [
        np.array([-(2.0 ** (-3 * (L - l + 1)))]) for l in range(1, L + 1)
    ]  # δˡ = −2^(−3(L−l+1)), 0 if tiny
    errors = mg.relative_errors(exact)
    representable = np.array([abs(e[0]) >= COMPARABLE for e in exact])
    assert representable.sum() == math.floor(-math.log2(COMPARABLE) / 3)  # layers with 2^(−3k) ≥ 10⁻²⁹⁰
    assert np.all(np.isnan(errors[~representable])) and np.all(errors[representable] == 0.0)
    perturbed = mg.relative_errors([e * (1 + 1e-3) for e in exact])
    np.testing.assert_allclose(perturbed[representable], 1e-3, rtol=1e-9)
    with pytest.raises(ValueError, match="400 layers"):
        mg.relative_errors(exact[:-1])
    # a reference whose largest entry is exactly the threshold still counts
    assert not np.isnan(mg.relative_errors([np.array([-COMPARABLE])] * L)).any()


def test_underflow_is_judged_per_example():
    """Two examples, the second's reference underflowed in layer 1 only: NaN there, numbers elsewhere."""
    net = Network([3, 3, 3, 2], seed=6, cost="quadratic")
    X, labels = np.random.default_rng(6).random((2, 3)), np.array([0, 1])
    loop = loop_backprop(net, X, labels)[2]
    loop[1][0] = loop[1][0] * 1e-300  # as if it had underflowed
    stats = gradient_statistics(net.weights, net.biases, X, one_hot(labels, 2), reference=loop)
    assert np.isnan(stats.errors[1, 0]) and not np.isnan(np.delete(stats.errors.ravel(), 3)).any()


def test_lower_precision_inputs_are_computed_in_float64():
    """float32 weights, biases and inputs are promoted: the result equals the float64 computation on the same
    (rounded) numbers to float64 precision, not to float32's 10⁻⁷."""
    net = Network([5, 6, 6, 3], seed=9, cost="quadratic")
    rng = np.random.default_rng(9)
    W = [w.astype(np.float32) for w in net.weights]
    B = [b.astype(np.float32) for b in net.biases]
    X, Y = rng.random((4, 5)).astype(np.float32), np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    up = [[a.astype(np.float64) for a in group] for group in (W, B)]
    exact = matrix_form_gradient(*up, X[0].astype(np.float64), Y[0].astype(np.float64))
    low = matrix_form_gradient(W, B, X[0], Y[0])
    np.testing.assert_allclose(low.deltas[0], exact.deltas[0], rtol=1e-14)
    stats = gradient_statistics(W, B, X, Y)
    np.testing.assert_allclose(stats.log_delta_norms[0], exact.log_norms, rtol=1e-14)


def test_bad_input_is_named():
    w, b = [np.ones((2, 3)), np.ones((1, 2))], [np.ones(2), np.ones(1)]
    with pytest.raises(ValueError, match="^cost must be one of 'quadratic', 'cross_entropy', got 'log'"):
        matrix_form_gradient(w, b, np.ones(3), np.ones(1), cost="log")
    with pytest.raises(ValueError, match=r"layer 2: w must have shape \(1, 2\).*got \(2, 2\)"):
        matrix_form_gradient([np.ones((2, 3)), np.ones((2, 2))], b, np.ones(3), np.ones(1))
    with pytest.raises(ValueError, match=r"layer 1: w must have shape \(2, 4\)"):
        matrix_form_gradient(w, b, np.ones(4), np.ones(1))
    with pytest.raises(ValueError, match="equally long"):
        matrix_form_gradient(w, b[:1], np.ones(3), np.ones(1))
    with pytest.raises(ValueError, match="equally long"):
        matrix_form_gradient([], [], np.ones(3), np.ones(1))
    with pytest.raises(ValueError, match="y must have 1 entries"):
        matrix_form_gradient(w, b, np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=r"underflows to 0 in layer 1 \(\|z\| up to 800"):
        matrix_form_gradient([np.array([[800.0]])], [np.zeros(1)], [1.0], [1.0])
    with pytest.raises(ValueError, match=r"^σ′\(z\) underflows to 0 in layer 2 \(\|z\| up to 900 > 745\): eq. 124 "
                       "cannot be evaluated in float64 for these weights$"):  # fmt: skip
        matrix_form_gradient(
            [np.array([[1.0]]), np.array([[1800.0]])], [np.zeros(1), np.zeros(1)], [0.0], [1.0]
        )


# --- many examples -------------------------------------------------------------------------------


def test_statistics_against_backprop_and_svd():
    """All examples at once: factor norms from an independent forward pass and LAPACK, δ norms from backprop."""
    sizes = [6, 7, 7, 5, 3]
    net = Network(sizes, seed=11, cost="cross_entropy")
    rng = np.random.default_rng(11)
    X, labels = rng.random((9, 6)), rng.integers(0, 3, 9)
    stats = gradient_statistics(net.weights, net.biases, X, one_hot(labels, 3), "cross_entropy")
    assert stats.spectral.shape == (9, 3) and stats.log_delta_norms.shape == (9, 4)
    assert stats.errors.shape == (9, 4) and np.all(np.isnan(stats.errors))  # no reference given
    for i in range(9):
        zs, _ = _forward(net.weights, net.biases, X[i])
        G = [np.diag(_sp(z)) @ w.T for z, w in zip(zs[:-1], net.weights[1:], strict=True)]
        np.testing.assert_allclose(stats.spectral[i], [np.linalg.norm(g, 2) for g in G], rtol=1e-12)
        np.testing.assert_allclose(stats.frobenius[i], [np.linalg.norm(g) for g in G], rtol=1e-12)
        np.testing.assert_allclose(stats.max_sigma_prime[i], [_sp(z).max() for z in zs[:-1]], rtol=1e-13)
        nabla_b, _ = net.backprop(X[i : i + 1], labels[i : i + 1])
        np.testing.assert_allclose(stats.log_delta_norms[i], np.log([np.linalg.norm(d) for d in nabla_b]),
                                   rtol=1e-12)  # fmt: skip
        M1 = np.diag(_sp(zs[0]))
        for z, w in zip(zs[1:], net.weights[1:], strict=True):
            M1 = M1 @ w.T @ np.diag(_sp(z))
        assert stats.log_product_norms[i] == pytest.approx(np.log(np.linalg.norm(M1, 2)), rel=1e-12)
    np.testing.assert_allclose(stats.log_decay, stats.log_delta_norms[:, 0] - stats.log_delta_norms[:, -1])
    np.testing.assert_allclose(stats.log_factor_bound, np.log(stats.spectral).sum(axis=1), rtol=1e-14)
    # submultiplicativity, an identity: the decay never beats the product of the norms
    assert np.all(stats.log_decay <= stats.log_factor_bound + 1e-12)


def test_statistics_compare_with_a_reference_per_layer():
    sizes = [5, 6, 6, 4]
    net = Network(sizes, seed=2, cost="quadratic")
    rng = np.random.default_rng(2)
    X, labels = rng.random((7, 5)), rng.integers(0, 4, 7)
    loop = loop_backprop(net, X, labels)[2]
    stats = gradient_statistics(net.weights, net.biases, X, one_hot(labels, 4), "quadratic", reference=loop)
    assert stats.errors.shape == (7, 3) and np.all(stats.errors <= rounding_bound(3, 6))
    wrong = [[d * 1.01 if l == 1 else d for l, d in enumerate(ex)] for ex in loop]  # layer 2 off by 1 %
    bad = gradient_statistics(net.weights, net.biases, X, one_hot(labels, 4), "quadratic", reference=wrong)
    np.testing.assert_allclose(bad.errors[:, 1], 0.01, rtol=1e-9)  # relative to eq. 124's δ
    with pytest.raises(ValueError, match="reference must hold 7 examples"):
        gradient_statistics(net.weights, net.biases, X, one_hot(labels, 4), reference=loop[:3])
    with pytest.raises(ValueError, match=r"y must have 4 entries.*\(7, 3\) for 7 examples"):
        gradient_statistics(net.weights, net.biases, X, one_hot(labels, 4)[:, :3])


@pytest.mark.parametrize("hidden", [2, 10, 50])
def test_two_float64_evaluations_stay_within_the_rounding_bound(hidden):
    net = Network([10] + [10] * hidden + [10], seed=hidden, cost="quadratic")
    rng = np.random.default_rng(hidden)
    X, labels = rng.random((20, 10)), rng.integers(0, 10, 20)
    stats = gradient_statistics(
        net.weights, net.biases, X, one_hot(labels, 10), reference=loop_backprop(net, X, labels)[2]
    )
    worst = float(np.nanmax(stats.errors))
    assert 0 < worst <= rounding_bound(hidden + 1, 10)
    # the scale L n ε and the margin: linear in the depth and in the width, and far below a real mistake
    assert rounding_bound(2 * (hidden + 1), 10) == pytest.approx(2 * rounding_bound(hidden + 1, 10))
    assert rounding_bound(hidden + 1, 20) == pytest.approx(2 * rounding_bound(hidden + 1, 10))
    assert 8 * (hidden + 1) * 10 * EPS < rounding_bound(hidden + 1, 10) < 1e-9


# --- the weights' law ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 5, 30])
def test_weight_norm_law_of_a_single_row_is_chi(n):
    """A 1 × n matrix of N(0, 1/n) entries has ‖w‖ = χₙ/√n: mean √(2/n) Γ((n+1)/2)/Γ(n/2), variance 1 − mean²."""
    law = weight_norm_law(1, n, samples=4000, seed=3)
    mean = math.sqrt(2 / n) * math.exp(math.lgamma((n + 1) / 2) - math.lgamma(n / 2))
    assert abs(law.mean - mean) <= 4 * law.se
    assert law.sd == pytest.approx(math.sqrt(1 - mean**2), rel=0.1)
    assert law.se == pytest.approx(law.sd / math.sqrt(4000))
    assert (law.n_out, law.n_in, law.samples) == (1, n, 4000)


def test_weight_norm_law_of_a_column_is_chi_over_root_one():
    law = weight_norm_law(7, 1, samples=4000, seed=4)  # ‖w‖ = χ₇
    mean = math.sqrt(2) * math.exp(math.lgamma(4) - math.lgamma(3.5))
    assert abs(law.mean - mean) <= 4 * law.se


def test_weight_norm_law_approaches_the_marchenko_pastur_edge():
    """Large square and rectangular matrices: the mean tends to 1 + √(n_out/n_in) from below (finite-size
    shift of order n^(−2/3)), and the spread shrinks."""
    for n_out, n_in, edge in ((200, 200, 2.0), (50, 200, 1.5)):
        law = weight_norm_law(n_out, n_in, samples=60, seed=5)
        assert marchenko_pastur_edge(n_out, n_in) == pytest.approx(edge, rel=1e-15)
        assert edge * 0.97 < law.mean < edge and law.sd < 0.03
    small = weight_norm_law(30, 30, samples=400, seed=5)
    assert 1.85 < small.mean < 1.95 and 0.06 < small.sd < 0.11  # below 2 by about 1.2 TW units at n = 30


def test_weight_norm_law_is_reproducible_and_chunked_consistently():
    a = weight_norm_law(40, 30, samples=300, seed=9)
    assert a == weight_norm_law(40, 30, samples=300, seed=9)
    assert a != weight_norm_law(40, 30, samples=300, seed=10)
    assert weight_norm_law(3, 4) == weight_norm_law(3, 4, samples=2000, seed=0)  # the documented defaults
    two = weight_norm_law(1, 1, samples=2, seed=1)  # |g| for g ~ N(0, 1): two draws, a finite spread
    assert two.samples == 2 and np.isfinite(two.sd) and two.sd > 0
    with pytest.raises(TypeError, match="samples must be an integer"):
        weight_norm_law(3, 3, samples=2.5)
    with pytest.raises(ValueError, match="^samples must be an integer >= 2, got 1"):
        weight_norm_law(3, 3, samples=1)
    with pytest.raises(ValueError, match="^n_out must be an integer >= 1, got 0"):
        weight_norm_law(0, 3)
    with pytest.raises(ValueError, match="^n_in must be an integer >= 1, got 0"):
        weight_norm_law(3, 0)
    for shape in ((1000, 1000), (1, 1_000_000), (1_000_000, 1)):  # refused before anything is drawn
        with pytest.raises(ValueError, match=r"= 51,000,000 exceeds 50,000,000 Gaussian numbers \(400 MB\)"):
            weight_norm_law(*shape, samples=51)


def test_weight_norm_laws_follow_the_layers_and_zscores_by_hand(monkeypatch):
    laws = weight_norm_laws((5, 7, 7, 7, 3), samples=50, seed=2)  # w², w³ are 7 × 7, w⁴ is 3 × 7
    assert [(law.n_out, law.n_in) for law in laws] == [(7, 7), (7, 7), (3, 7)]
    assert laws[0] is laws[1] and laws[0] == weight_norm_law(7, 7, samples=50, seed=2)
    assert laws[2] == weight_norm_law(3, 7, samples=50, seed=2)
    assert weight_norm_laws((2, 3, 3)) == (weight_norm_law(3, 3, samples=2000, seed=0),)  # the defaults
    calls = []
    monkeypatch.setattr("gradmath.weight_norms.weight_norm_law", lambda *a, **k: calls.append(a) or a)
    weight_norm_laws((5,) + (7,) * 300 + (3,))  # one Monte Carlo per shape, not per layer
    assert sorted(calls) == [(3, 7), (7, 7)]

    a, b = WeightNormLaw(3, 3, 1.0, 0.1, 100), WeightNormLaw(2, 3, 2.0, 0.5, 4)
    zs = weight_norm_zscores([a, b, a], [1.1, 1.0, 1.3])
    assert [(z.law, z.count) for z in zs] == [(a, 2), (b, 1)]
    assert zs[0].measured == pytest.approx(1.2) and zs[1].measured == 1.0
    assert zs[0].z == pytest.approx(0.2 / (0.1 * math.sqrt(1 / 2 + 1 / 100)))  # 2.80
    assert zs[1].z == pytest.approx(-1.0 / (0.5 * math.sqrt(1 + 1 / 4)))  # −1.79
    with pytest.raises(ValueError):
        weight_norm_zscores([a], [1.0, 2.0])


def test_precise_difference_against_a_right_and_a_wrong_gradient():
    net = Network([4] + [5] * 50 + [3], seed=12, cost="cross_entropy")  # δ¹ about 10⁻³⁰: far below float64 FD
    x, label = np.random.default_rng(12).random(4), 1
    mg = matrix_form_gradient(net.weights, net.biases, x, np.eye(3)[label], "cross_entropy")
    cost = net.cost(x[None, :], [label])
    p = precise_difference(net, x, label, mg, cost)  # the defaults: h = 1e-10, 30 guard digits
    assert p.step == 1e-10 and len(p.errors) == 2 and max(p.errors) < rounding_bound(51, 5)
    assert p.digits == math.ceil(max(0, math.log10(cost)) - mg.log_norms[0] / math.log(10) + 10) + 30
    # δ¹ 0.1 % too long: off by exactly that (relative to ‖δ¹‖) along δ¹, and by no more along any direction
    longer = replace(mg, delta_mantissas=(mg.delta_mantissas[0] * 1.001, *mg.delta_mantissas[1:]))
    e_self, e_random = precise_difference(net, x, label, longer, cost).errors
    assert e_self == pytest.approx(0.001 / 1.001, rel=1e-6) and 1e-9 < e_random <= e_self
    other = Network([4] + [5] * 50 + [3], seed=13, cost="cross_entropy")  # δ¹ of another network: rejected
    wrong = matrix_form_gradient(other.weights, other.biases, x, np.eye(3)[label], "cross_entropy")
    assert min(precise_difference(net, x, label, wrong, cost).errors) > 1e-2


# --- SymPy: the equation itself ------------------------------------------------------------------


def test_sympy_chain_rule_gives_eq_124():
    sym = symbolic_residual((2, 2, 2, 2))
    assert sym.sizes == (2, 2, 2, 2) and sym.mismatches == 0 and sym.residual.shape == (2, 1)
    assert symbolic_residual((1, 2, 3)).mismatches == 0
    # the SymPy gradient, evaluated at numbers, is the numeric eq. 124 (and backprop)
    net = Network([2, 2, 2, 2], seed=8, cost="quadratic")
    x, y = np.array([0.3, 0.8]), np.array([1.0, 0.0])
    values = {sympy.Symbol(f"x_{i + 1}"): x[i] for i in range(2)} | {
        sympy.Symbol(f"y_{i + 1}"): y[i] for i in range(2)
    }
    for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True), start=1):
        values |= {sympy.Symbol(f"w^{l}_{i + 1}{j + 1}"): w[i, j] for i in range(2) for j in range(2)}
        values |= {sympy.Symbol(f"b^{l}_{i + 1}"): b[i] for i in range(2)}
    from gradmath.activations import lambdify_sigma

    numeric = [float(lambdify_sigma(list(values), g)(*values.values())) for g in sym.gradient]
    mg = matrix_form_gradient(net.weights, net.biases, x, y)
    np.testing.assert_allclose(numeric, mg.deltas[0], rtol=1e-12)
    assert all(sympy.expand(g - p) == 0 for g, p in zip(sym.gradient, sym.product, strict=True))
    # SymPy's expressions grow fast: at most four weight layers, at most three neurons each
    with pytest.raises(ValueError, match="^sizes must have 3 to 5 entries, got 2"):
        symbolic_residual((2, 2))
    with pytest.raises(ValueError, match="^sizes must have 3 to 5 entries, got 6"):
        symbolic_residual((2,) * 6)
    with pytest.raises(ValueError, match=r"^sizes\[0\] must be an integer in \[1, 3\], got 4"):
        symbolic_residual((4, 2, 2))
    with pytest.raises(ValueError, match=r"^sizes\[1\] must be an integer in \[1, 3\], got 0"):
        symbolic_residual((2, 0, 2))


def test_the_displayed_equation_is_in_the_book_s_order_and_evaluates_to_delta():
    shown = "δˡ = Σ′(zˡ) (wˡ⁺¹)ᵀ Σ′(zˡ⁺¹) (wˡ⁺²)ᵀ ⋯ (wᴸ)ᵀ Σ′(zᴸ) ∇ₐ C"
    assert unicode_math(eq124()) == shown
    assert unicode_display(eq124()).replace("⋅", " ") == shown
    assert typst_math(eq124()) == ("delta^(l) = Sigma'(z^(l)) (w^(l + 1))^(T) Sigma'(z^(l + 1)) (w^(l + 2))^(T) "
                                   '"⋯" (w^(L))^(T) Sigma\'(z^(L)) nabla_(a) thin C')  # fmt: skip
    assert latex_math(eq124()).startswith(
        r"\delta^{l} = \Sigma'(z^{l}) \left(w^{l + 1}\right)^{T} \Sigma'(z^{l + 1})"
    )
    assert unicode_math(eq124_unrolled(3)) == "δ¹ = Σ′(z¹) (w²)ᵀ Σ′(z²) (w³)ᵀ Σ′(z³) ∇ₐ C"
    assert unicode_math(eq124_unrolled(1)) == "δ¹ = Σ′(z¹) ∇ₐ C"
    n = sympy.Symbol("n")
    for eq in (eq124(), eq124_unrolled(4)):  # both sides are column vectors of the layer's width
        assert eq.lhs.shape == eq.rhs.shape == (n, 1) and eq.rhs.args[-1].shape == (n, 1)
    # SymPy multiplies the displayed factors, with the network's matrices put in: it is δ¹
    net = Network([3, 4, 3, 2], seed=4, cost="quadratic")
    x, y = np.array([0.1, 0.5, 0.9]), np.array([0.0, 1.0])
    zs, a = _forward(net.weights, net.biases, x)
    put = {f"Sigma'(z^{l})": np.diag(_sp(z)) for l, z in enumerate(zs, start=1)}
    put |= {f"w^{l}": w for l, w in enumerate(net.weights, start=1)} | {"nabla_a C": (a - y).reshape(-1, 1)}
    rhs = eq124_unrolled(3).rhs.xreplace(
        {m: sympy.ImmutableMatrix(put[m.name]) for m in eq124_unrolled(3).rhs.atoms(sympy.MatrixSymbol)}
    )
    value = np.array(rhs.doit().evalf(), dtype=float).ravel()
    np.testing.assert_allclose(
        value, matrix_form_gradient(net.weights, net.biases, x, y).deltas[0], rtol=1e-12
    )
    with pytest.raises(ValueError, match="L must be an integer >= 1"):
        eq124_unrolled(0)


# --- the solver ----------------------------------------------------------------------------------


def test_the_id_is_registered_once():
    assert problem_class("matrix-gradient") is MatrixGradientProblem
    assert MatrixGradientProblem.order == 110 and str(MatrixGradientProblem.source).endswith("eq. 124")


@pytest.fixture(scope="module")
def quick(quick_solution):
    return quick_solution("matrix-gradient")


def test_solver_answer_against_independent_computations(quick):
    sol = quick
    assert sol.passed and sol.verdict == gradmath.Verdict.CONFIRMED, [c.detail for c in sol.failed_checks]
    a = sol.answer
    assert a["sizes"] == [30, 30, 30, 30, 30, 30, 10] and a["cost"] == "quadratic"
    net = Network(a["sizes"], seed=0, cost="quadratic")
    rng = np.random.default_rng([0, 124])
    X, labels = rng.random((20, 30)), rng.integers(0, 10, 20)
    nabla_b, _ = net.backprop(X[:1], labels[:1])
    np.testing.assert_allclose(a["delta1_backprop"], nabla_b[0], rtol=1e-15)
    np.testing.assert_allclose(a["delta1_product"], nabla_b[0], rtol=1e-10, atol=1e-18)
    assert a["max_discrepancy"] <= 1e-12 * np.abs(nabla_b[0]).max()
    assert a["max_discrepancy_fd"] <= 1e-7 * np.abs(nabla_b[0]).max()  # 4-point differences, h = 0.01
    w_norms = [np.linalg.svd(w, compute_uv=False)[0] for w in net.weights[1:]]
    np.testing.assert_allclose(a["weight_norms"], w_norms, rtol=1e-12)
    np.testing.assert_allclose(a["weight_norm_prediction"], [2, 2, 2, 2, 1 + math.sqrt(10 / 30)], rtol=1e-15)
    np.testing.assert_allclose(a["factor_layers"], [2, 3, 4, 5, 6])
    # hand bound: ‖G_j‖ ≤ ‖w^j‖/4 ≈ (1 + √(30/30))/4 = 1/2 for the square layers
    spectral = a["factor_norms"]["spectral"]
    assert spectral.shape == (5,) and np.all(spectral <= np.array(w_norms) / 4) and np.all(spectral < 0.5)
    assert np.all(a["factor_norms"]["spectral"] <= a["factor_norms"]["frobenius"])
    np.testing.assert_allclose(a["delta_norms"], [np.linalg.norm(d) for d in nabla_b], rtol=1e-12)
    assert a["delta_norms"][0] < 1e-2 * a["delta_norms"][-1]  # the gradient vanishes towards the input
    assert 0 < a["decay"] < np.prod(spectral) and a["log10_decay"] == pytest.approx(math.log10(a["decay"]))
    assert np.all(a["factor_norms_large_init"] > 1) and 0 < a["decay_large_init"] < 1
    assert len(sol.figures) == 1 and len(sol.figures[0].panels) == 2
    assert all(p.integer_x for p in sol.figures[0].panels)


def test_solver_checks_are_real_comparisons(quick):
    r = quick.result
    names = ["symbolic", "backprop", "differences", "law"]
    assert len(quick.checks) == 4
    for name, c in zip(names, quick.checks, strict=True):
        assert c.passed and c.catches, name
    backprop, precise = quick.checks[1], quick.checks[2]
    assert backprop.tolerance == rounding_bound(6, 30) and 0 < backprop.agreement < backprop.tolerance / 10
    assert precise.tolerance == pytest.approx(rounding_bound(6, 30) + 1e-20)
    # a wrong δ (one layer's pairs off by 1 %) is caught by the backprop comparison
    bad = replace(r, stats=replace(r.stats, errors=r.stats.errors + 0.01))
    assert not MatrixGradientProblem().checks(bad)[1].passed
    # weights of the wrong variance (chapter 1's N(0, 1)) fail the finite-size law
    wrong = replace(r, weight_norms=r.weight_norms_large)
    assert not MatrixGradientProblem().checks(wrong)[3].passed


def test_high_precision_differences_catch_a_wrong_gradient():
    """The mpmath oracle resolves δ¹ of a 50-layer net (10⁻²⁰ relative to the cost) and rejects a δ¹ with a
    dropped σ′(z¹) factor."""
    net = Network([6] * 52 + [3], seed=1, cost="quadratic")
    x, label = np.random.default_rng(1).random(6), 2
    mg = matrix_form_gradient(net.weights, net.biases, x, np.eye(3)[label])
    d1 = mg.delta_mantissas[0]
    u = d1 / np.linalg.norm(d1)
    digits = int(-mg.log_norms[0] / math.log(10)) + 10 + 30
    (q,) = precise_directional_derivative(net, x, label, 0, [u], 1e-10, digits)
    with mpmath.workdps(digits):
        norm = mpmath.ldexp(mpmath.mpf(float(np.linalg.norm(d1))), int(mg.delta_exponents[0]))
        assert float(abs(q - norm) / norm) < rounding_bound(52, 6)
    s1 = np.diag(mg.sigma_primes[0])
    wrong = d1 / s1 * 0.25  # σ′(z¹) replaced by its maximum 1/4
    with mpmath.workdps(digits):
        w_norm = mpmath.ldexp(mpmath.mpf(float(np.linalg.norm(wrong))), int(mg.delta_exponents[0]))
        assert float(abs(q - w_norm) / w_norm) > 1e-3


@pytest.mark.parametrize("hidden, width", [(50, 6), (200, 4), (400, 3)])
def test_deep_networks_pass_with_relative_checks(hidden, width):
    """The checks that failed or passed untested at depth: relative, in log space, valid at any depth."""
    sol = gradmath.solve("matrix-gradient", sizes=(width,) * (hidden + 1) + (2,), n_examples=3)
    assert sol.passed, [(c.claim, c.agreement, c.tolerance) for c in sol.failed_checks]
    r = sol.result
    assert np.isfinite(r.first.log_norms).all() and np.all(np.isfinite(r.stats.log_delta_norms))
    back, precise = sol.checks[1], sol.checks[2]
    assert 0 < back.agreement <= back.tolerance and 0 < precise.agreement <= precise.tolerance
    assert precise.tolerance < 1e-10  # still far below any real mistake
    assert sol.answer["log10_decay"] < -0.3 * hidden  # vanishing: at least a factor 2 per pair
    if hidden == 400:
        assert sol.answer["log10_delta_norms"][0] < -308  # δ¹ is below float64's range ...
        assert r.precise.digits > 330  # ... and the differences used enough digits to resolve it
        assert np.isnan(r.stats.errors[:, 0]).all()  # float64 backprop cannot serve there; the check says so
        assert "underflow" in back.detail.unicode()


def test_explain_renders_the_book_s_notation(quick):
    text = quick.to_unicode()
    for piece in ("δˡ = Σ′(zˡ)⋅(wˡ⁺¹)ᵀ⋅Σ′(zˡ⁺¹)", "Gⱼ = Σ′(zʲ⁻¹) (wʲ)ᵀ", "‖δ¹‖/‖δᴸ‖", "N(0, 1/nⱼ₋₁)"):
        assert piece in text, piece
    for bad in ("Sigma'", "sigma'", "||", "**", "sqrt(", "grad_a", "Eq(", "1e-"):
        assert bad not in text, bad
    md = quick._repr_markdown_()
    assert r"\Sigma'(z^{l})" in md and r"\left(w^{l + 1}\right)^{T}" in md
    corr = quick.corrections[0]
    assert "(wʲ)ᵀ Σ′(zˡ)" in corr.quote.unicode() and "(wʲ)ᵀ Σ′(zʲ)" in corr.holds.unicode()


# --- parameters and limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"sizes": (10, 2.5, 10)}, TypeError, r"sizes\[1\] must be an integer, got float 2.5"),
        ({"sizes": ("30", "30", "10")}, TypeError, r"sizes\[0\] must be an integer, got str"),
        ({"sizes": (4, 3)}, ValueError, "at least one hidden layer"),
        (
            {"sizes": (4,) * (MAX_HIDDEN + 3)},
            ValueError,
            f"at most {MAX_HIDDEN} hidden layers.*got {MAX_HIDDEN + 1}",
        ),
        ({"sizes": (4, MAX_WIDTH + 1, 4)}, ValueError, f"in \\[1, {MAX_WIDTH}\\].*over a minute"),
        ({"sizes": (4, 0, 4)}, ValueError, r"sizes\[1\] must be an integer in \[1, 50\]"),
        ({"sizes": "30,30,10"}, TypeError, "sequence of integers"),
        ({"n_examples": 2.7}, TypeError, "n_examples must be an integer, got float 2.7"),
        ({"n_examples": 1}, ValueError, "n_examples must be an integer in"),
        ({"n_examples": 1001}, ValueError, "over a minute"),
        ({"cost": "hinge"}, ValueError, "cost must be one of"),
        ({"seed": -1}, ValueError, "seed must be an integer in"),
        ({"sizes": (50,) * 400 + (10,), "n_examples": 200}, ValueError, "use at most 72 examples"),
    ],
)
def test_parameters_are_refused_not_coerced(params, error, message):
    with pytest.raises(error, match=message):
        gradmath.solve("matrix-gradient", **params)
