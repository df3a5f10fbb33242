"""Tests of eq. 124 (section 5.2): the literal matrix product against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradmath
from gradmath import Network
from gradmath.solvers.matrix import matrix_form_gradient


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_single_neuron_chain_reduces_to_eq_121():
    """One neuron per layer: eq. 124 is the chain's product sigma'(z1) w2 sigma'(z2) w3 sigma'(z3) dC/da."""
    w = [0.8, -1.7, 2.4]
    b = [0.3, -0.2, 0.5]
    x, y = 0.6, 1.0
    z1 = w[0] * x + b[0]
    z2 = w[1] * _sig(z1) + b[1]
    z3 = w[2] * _sig(z2) + b[2]

    def sp(z):
        return _sig(z) * (1 - _sig(z))

    expected = sp(z1) * w[1] * sp(z2) * w[2] * sp(z3) * (_sig(z3) - y)  # quadratic cost: dC/da = a - y
    mg = matrix_form_gradient([[[w[0]]], [[w[1]]], [[w[2]]]], [[b[0]], [b[1]], [b[2]]], [x], [y])
    assert mg.deltas[0][0] == pytest.approx(expected, rel=1e-13)
    # the pairs G_2 = sigma'(z1) w2 and G_3 = sigma'(z2) w3 are 1x1: their norms are |.|
    np.testing.assert_allclose(mg.spectral_norms, [abs(sp(z1) * w[1]), abs(sp(z2) * w[2])], rtol=1e-13)
    # cross-entropy: Sigma'(z^L) grad_a C = a - y, so the sigma'(z3) factor cancels
    ce = matrix_form_gradient(
        [[[w[0]]], [[w[1]]], [[w[2]]]], [[b[0]], [b[1]], [b[2]]], [x], [y], "cross_entropy"
    )
    assert ce.deltas[0][0] == pytest.approx(sp(z1) * w[1] * sp(z2) * w[2] * (_sig(z3) - y), rel=1e-12)


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
    nabla_b, nabla_w = net.backprop(x[None, :], [label])
    for l, (d, nb) in enumerate(zip(mg.deltas, nabla_b, strict=True)):
        np.testing.assert_allclose(
            d, nb, rtol=1e-9, atol=1e-14 * max(1.0, np.abs(nb).max()), err_msg=f"l={l}"
        )
    # the whole product matrix maps grad_a C to delta^1
    np.testing.assert_allclose(mg.product @ mg.grad_a, nabla_b[0], rtol=1e-9, atol=1e-15)
    # submultiplicativity and ||Sigma'|| <= 1/4 on every factor
    assert np.all(mg.spectral_norms <= [np.linalg.norm(w, 2) / 4 * (1 + 1e-12) for w in net.weights[1:]])
    assert np.all(mg.spectral_norms <= mg.frobenius_norms * (1 + 1e-12))


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

    h = 1e-3
    fd = np.empty(10)
    for i in range(10):
        e = np.zeros(10)
        e[i] = h
        b = net.biases[0]
        fd[i] = (-cost(b + 2 * e) + 8 * cost(b + e) - 8 * cost(b - e) + cost(b - 2 * e)) / (12 * h)
    np.testing.assert_allclose(mg.deltas[0], fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())


def test_solver_answer_and_checks():
    sol = gradmath.solve("matrix-gradient", quick=True)
    assert sol.passed, [c for c in sol.checks if not c.passed]
    a = sol.answer
    np.testing.assert_allclose(a["delta1_product"], a["delta1_backprop"], rtol=1e-10, atol=1e-18)
    assert a["max_discrepancy"] <= 1e-12 * np.abs(a["delta1_backprop"]).max()
    # recompute the weights of the documented network independently of the solver
    sizes = a["sizes"]
    net = Network(sizes, seed=0)
    w_norms = [np.linalg.svd(w, compute_uv=False)[0] for w in net.weights[1:]]
    np.testing.assert_allclose(a["weight_norms"], w_norms, rtol=1e-12)
    # hand bound: ||G_j|| <= ||w^j|| / 4 ~ (1 + sqrt(30/30)) / 4 = 1/2 for the square layers
    spectral = a["factor_norms"]["spectral"]
    assert spectral.shape == (len(sizes) - 2,)
    assert np.all(spectral <= np.array(w_norms) / 4) and np.all(spectral < 0.5)
    # the gradient vanishes towards the input: ||delta^1|| far below ||delta^L||
    assert a["delta_norms"][0] < 1e-2 * a["delta_norms"][-1]
    assert 0 < a["decay"] < np.prod(spectral) * 1.5
    assert len(sol.figures) == 1 and len(sol.figures[0].panels) == 2


def test_solver_bad_input():
    with pytest.raises(ValueError, match="cost"):
        gradmath.solve("matrix-gradient", cost="hinge")
    with pytest.raises(ValueError, match="sizes"):
        gradmath.solve("matrix-gradient", sizes=(4, 3))
    with pytest.raises(ValueError, match="cost"):
        matrix_form_gradient([np.ones((2, 2))], [np.ones(2)], np.ones(2), np.ones(2), cost="log")
