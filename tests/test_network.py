"""Tests of gradmath.Network against independent oracles.

Oracles: central finite differences of the cost (gradients), a per-example loop written out here in the
book's column-vector style (bias gradients, forward pass, the SGD update), hand-derived initialisation
statistics, and the clipping definitions.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from network_oracles import by_hand, loop_backprop, loop_cost

from gradmath import Network


@st.composite
def small_problem(draw, activation=None, cost=None):
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    sizes[-1] = max(sizes[-1], 2)
    n = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    activation = activation or draw(st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu"]))
    cost = cost or draw(st.sampled_from(["cross_entropy", "quadratic"]))
    out = (
        "sigmoid"
        if cost == "cross_entropy"
        else draw(st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu"]))
    )
    init = draw(st.sampled_from(["default", "large", "xavier", "he"]))
    net = Network(sizes, seed=seed, activation=activation, cost=cost, init=init, output_activation=out)
    rng = np.random.default_rng(seed + 1)
    X = rng.random((n, sizes[0]))
    Y = rng.integers(0, sizes[-1], n)
    return net, X, Y


FAST = settings(deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])


# --- gradients against finite differences, every activation x cost ----------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("cost", ["cross_entropy", "quadratic"])
@given(data=st.data())
@FAST
def test_backprop_equals_central_differences(activation, cost, data):
    net, X, Y = data.draw(small_problem(activation, cost))
    zs, _ = net.forward(X)
    # finite differences are meaningless across a kink of relu: keep every z away from 0
    assume(all(np.abs(z).min() > 1e-3 for z in zs))
    nabla_b, nabla_w = net.backprop(X, Y)
    n, h = len(X), 1e-6
    # Each cost evaluation rounds by a few ε|C|, so the quotient errs by about ε|C|/h beyond rtol (measured
    # at most 1.9 ε|C|/h over 3,000 draws); a fixed atol of 1e-8 failed in CI: an error of 1.3e-8 on a
    # gradient entry of 2.9e-4 in a network whose gradients reach 100 (a large cost).
    atol = 1e-8 + 16 * np.finfo(float).eps * abs(net.cost(X, Y)) / h

    def fd(params, k, idx):
        orig = params[k][idx]
        params[k][idx] = orig + h
        c_plus = net.cost(X, Y)
        params[k][idx] = orig - h
        c_minus = net.cost(X, Y)
        params[k][idx] = orig
        return (c_plus - c_minus) / (2 * h)

    for k in range(len(net.weights)):
        num_b = np.array([fd(net.biases, k, (i,)) for i in range(net.biases[k].size)])
        rows, cols = net.weights[k].shape
        num_w = np.array([[fd(net.weights, k, (i, j)) for j in range(cols)] for i in range(rows)])
        # backprop sums over the batch; the cost is the mean: d(mean C)/dp = nabla / n
        np.testing.assert_allclose(nabla_b[k] / n, num_b, rtol=1e-5, atol=atol)
        np.testing.assert_allclose(nabla_w[k] / n, num_w, rtol=1e-5, atol=atol)


@given(problem=small_problem())
@FAST
def test_backprop_bias_gradients_and_cost_equal_a_per_example_loop(problem):
    net, X, Y = problem
    nb_loop, nw_loop, per_example = loop_backprop(net, X, Y)
    nabla_b, nabla_w = net.backprop(X, Y)
    for a, b in zip(nabla_b + nabla_w, nb_loop + nw_loop, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    means = [np.mean([ex[l] for ex in per_example], axis=0) for l in range(len(net.weights))]
    for a, b in zip(net.bias_gradients(X, Y), means, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assume(net.output_activation == "sigmoid" or net.cost_name == "quadratic")
    np.testing.assert_allclose(net.cost(X, Y, lmbda=0.7), loop_cost(net, X, Y, lmbda=0.7), rtol=1e-10)


def test_bias_gradients_per_example_loop_book_network():
    """The book's case (sigmoid, cross-entropy, default init) at MNIST-like width."""
    rng = np.random.default_rng(3)
    net = Network([64, 30, 30, 30, 10], seed=11)
    X, Y = rng.random((50, 64)), rng.integers(0, 10, 50)
    _, _, per_example = loop_backprop(net, X, Y)
    got = net.bias_gradients(X, Y)
    assert [g.shape for g in got] == [(30,), (30,), (30,), (10,)]
    for l, g in enumerate(got):
        np.testing.assert_allclose(g, np.mean([ex[l] for ex in per_example], axis=0), rtol=1e-10, atol=1e-15)


def test_feedforward_equals_the_book_formula_and_accuracy():
    rng = np.random.default_rng(0)
    net = Network([5, 4, 3], seed=2)
    X = rng.random((7, 5))
    a = X.T
    for w, b in zip(net.weights, net.biases, strict=True):
        a = 1 / (1 + np.exp(-(w @ a + b[:, None])))
    np.testing.assert_allclose(net.feedforward(X), a.T, rtol=1e-13)
    zs, acts = net.forward(X)
    assert [z.shape for z in zs] == [(7, 4), (7, 3)] and acts[0] is not None and len(acts) == 3
    Y = a.T.argmax(axis=1)
    Y_wrong = (Y + 1) % 3
    assert net.accuracy(X, Y) == 1.0
    assert net.accuracy(X, Y_wrong) == 0.0
    mixed = np.where(np.arange(7) < 3, Y, Y_wrong)
    assert net.accuracy(X, mixed) == pytest.approx(3 / 7)


# --- the update rule ---------------------------------------------------------------------------


def test_full_batch_step_equals_the_update_rule_written_out():
    rng = np.random.default_rng(1)
    X, Y = rng.random((20, 6)), rng.integers(0, 3, 20)
    net = Network([6, 5, 4, 3], seed=4)
    eta, lmbda = 0.7, 3.0
    W, B = by_hand(net, X, Y, eta, lmbda, n=20)
    expected_probe = net.bias_gradients(X, Y)
    twin = copy.deepcopy(net)
    net.train(X, Y, epochs=1, batch_size=20, eta=eta, lmbda=lmbda, monitor_gradients=False)
    for a, b in zip(net.weights + net.biases, W + B, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    # the fused probe + step: same update, and the probe is the bias gradient before the update
    probe = twin.gradient_step(X, Y, eta, lmbda, 20)
    for a, b in zip(twin.weights + twin.biases, W + B, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    for a, b in zip(probe, expected_probe, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_minibatch_epoch_follows_the_documented_shuffle_and_decay():
    rng = np.random.default_rng(2)
    n, m = 11, 4
    X, Y = rng.random((n, 3)), rng.integers(0, 2, n)
    net = Network([3, 4, 2], seed=9)
    ref = copy.deepcopy(net)
    net.train(X, Y, epochs=2, batch_size=m, eta=0.5, lmbda=2.0, seed=123, monitor_gradients=False)
    shuffle = np.random.default_rng(123)
    for _ in range(2):
        perm = shuffle.permutation(n)
        for k in range(0, n, m):  # the last batch holds 3 examples, and still decays by eta*lmbda/n
            idx = perm[k : k + m]
            W, B = by_hand(ref, X[idx], Y[idx], 0.5, 2.0, n)
            ref.weights, ref.biases = W, B
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


def test_training_lowers_the_cost_and_learns():
    rng = np.random.default_rng(0)
    X = rng.random((200, 4))
    Y = (X[:, 0] + X[:, 1] > X[:, 2] + X[:, 3]).astype(int)
    net = Network([4, 8, 2], seed=0)
    before = net.cost(X, Y)
    hist = net.train(
        X,
        Y,
        epochs=40,
        batch_size=10,
        eta=1.0,
        evaluation_data=(X[:50], Y[:50]),
        monitor_training_cost=True,
        monitor_training_accuracy=True,
        monitor_evaluation_accuracy=True,
    )
    assert hist.training_cost.shape == (40,) and hist.evaluation_accuracy.shape == (40,)
    assert hist.evaluation_cost is None and hist.gradient_norms is None  # not asked for
    assert hist.training_cost[-1] < 0.5 * before
    assert hist.training_cost[-1] == pytest.approx(loop_cost(net, X, Y), rel=1e-10)
    assert (
        hist.training_accuracy[-1] == pytest.approx(net.accuracy(X, Y)) and hist.training_accuracy[-1] > 0.9
    )
    assert hist.evaluation_accuracy[-1] == pytest.approx(net.accuracy(X[:50], Y[:50]))


def test_gradient_norms_are_taken_at_the_start_of_each_epoch():
    rng = np.random.default_rng(5)
    X, Y = rng.random((30, 5)), rng.integers(0, 3, 30)
    net = Network([5, 6, 6, 3], seed=1)
    start = [np.linalg.norm(g) for g in net.bias_gradients(X, Y)]
    after_epoch = []

    def record(epoch, network):
        after_epoch.append([np.linalg.norm(g) for g in network.bias_gradients(X, Y)])

    hist = net.train(X, Y, 3, 30, 0.5, callback=record, monitor_gradients=True)
    assert hist.gradient_norms.shape == (3, 3)
    np.testing.assert_allclose(hist.gradient_norms[0], start, rtol=1e-12)
    np.testing.assert_allclose(hist.gradient_norms[1:], after_epoch[:2], rtol=1e-12)


def test_seed_reproduces_a_run_exactly():
    rng = np.random.default_rng(7)
    X, Y = rng.random((40, 5)), rng.integers(0, 3, 40)

    def run(net_seed, train_seed):
        net = Network([5, 7, 3], seed=net_seed)
        hist = net.train(X, Y, 3, 8, 0.5, 0.1, seed=train_seed, monitor_gradients=True)
        return net, hist

    (n1, h1), (n2, h2) = run(3, 4), run(3, 4)
    for a, b in zip(n1.weights + n1.biases, n2.weights + n2.biases, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(h1.batch_cost, h2.batch_cost)
    assert np.array_equal(h1.gradient_norms, h2.gradient_norms)
    # with no training seed the network's own generator shuffles: still reproducible
    (n3, h3), (n4, h4) = run(3, None), run(3, None)
    assert np.array_equal(h3.batch_cost, h4.batch_cost) and np.array_equal(n3.weights[1], n4.weights[1])
    # a different shuffle gives a different run
    n5, _ = run(3, 5)
    assert not np.array_equal(n1.weights[0], n5.weights[0])
    assert not np.array_equal(Network([5, 7, 3], seed=1).weights[0], Network([5, 7, 3], seed=2).weights[0])


# --- initialisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "init, w_std, b_std",
    [
        ("default", 1 / np.sqrt(400), 1.0),
        ("large", 1.0, 1.0),
        ("xavier", np.sqrt(2 / (400 + 300)), 0.0),
        ("he", np.sqrt(2 / 400), 0.0),
    ],
)
def test_initialisation_statistics(init, w_std, b_std):
    net = Network([400, 300, 200], seed=0, init=init)
    w = net.weights[0]
    assert w.shape == (300, 400) and net.biases[0].shape == (300,)
    assert abs(w.mean()) < 5 * w_std / np.sqrt(w.size)
    assert w.std() == pytest.approx(w_std, rel=0.02)  # 120,000 draws: std of the estimate ~0.2 %
    second = {"default": 1 / np.sqrt(300), "large": 1.0, "xavier": np.sqrt(2 / 500), "he": np.sqrt(2 / 300)}
    assert net.weights[1].std() == pytest.approx(second[init], rel=0.03)
    b = np.concatenate(net.biases)
    if b_std == 0:
        assert np.all(b == 0)
    else:
        assert b.std() == pytest.approx(b_std, rel=0.15)  # 500 draws


# --- clipping ------------------------------------------------------------------------------------


def test_clipping_by_norm_and_by_value():
    rng = np.random.default_rng(0)
    X, Y = rng.random((25, 6)), rng.integers(0, 4, 25)
    base = Network([6, 5, 4], seed=3, init="large")
    nb, nw = base.backprop(X, Y)
    g = [x / 25 for x in nb + nw]
    full = np.sqrt(sum(np.sum(x**2) for x in g))
    eta = 0.1
    for c in (full / 10, full / 2):
        net = copy.deepcopy(base)
        net.gradient_step(X, Y, eta, 0.0, clip_norm=c)
        step = [
            (a - b) / eta for a, b in zip(base.biases + base.weights, net.biases + net.weights, strict=True)
        ]
        norm = np.sqrt(sum(np.sum(s**2) for s in step))
        assert norm == pytest.approx(c, rel=1e-9)  # clipped to exactly the threshold, direction kept
        np.testing.assert_allclose(step[0], g[0] * c / full, rtol=1e-8, atol=1e-15)
    net = copy.deepcopy(base)
    net.gradient_step(X, Y, eta, 0.0, clip_norm=2 * full)  # below the threshold: untouched
    np.testing.assert_allclose((base.weights[0] - net.weights[0]) / eta, g[2], rtol=1e-9)
    c = 0.3 * np.abs(g[2]).max()
    net = copy.deepcopy(base)
    net.gradient_step(X, Y, eta, 0.0, clip_value=c)
    step_w = (base.weights[0] - net.weights[0]) / eta
    np.testing.assert_allclose(step_w, np.clip(g[2], -c, c), rtol=1e-9, atol=1e-15)
    assert np.abs(step_w).max() <= c * (1 + 1e-12)
    hist = copy.deepcopy(base).train(X, Y, 2, 5, 5.0, clip_norm=1e-3)
    assert np.all(np.isfinite(hist.batch_cost))


# --- bad input -----------------------------------------------------------------------------------


def _net():
    return Network([4, 3, 2], seed=0)


X4 = np.random.default_rng(0).random((5, 4))
Y4 = np.array([0, 1, 0, 1, 1])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: _net().feedforward(np.ones((5, 3))), r"X.*\(n, 4\).*\(5, 3\)"),
        (lambda: _net().feedforward(np.ones(4)), r"X.*shape \(4,\)"),
        (lambda: _net().bias_gradients(X4, Y4[:4]), r"X and Y.*\(5, 4\).*\(4,\)"),
        (lambda: _net().backprop(X4, np.array([0, 1, 2, 0, 1])), r"Y.*0\.\.1.*2"),
        (lambda: _net().cost(X4, np.array([0, -1, 0, 0, 1])), r"Y.*0\.\.1.*-1"),
        (lambda: _net().accuracy(X4, np.eye(2)[Y4]), r"Y.*\(n,\).*one-hot.*\(5, 2\)"),
        (lambda: _net().accuracy(X4, Y4 + 0.5), r"Y.*integer"),
        (lambda: _net().feedforward(np.where(np.eye(5, 4) > 0, np.nan, X4)), r"X.*\(5, 4\).*NaN"),
        (lambda: _net().bias_gradients(np.where(np.eye(5, 4) > 0, np.inf, X4), Y4), r"X.*\(5, 4\).*inf"),
        (lambda: _net().gradient_step(np.where(np.eye(5, 4) > 0, np.nan, X4), Y4, 0.1), r"X.*\(5, 4\).*NaN"),
        (lambda: _net().gradient_step(np.where(np.eye(5, 4) > 0, np.inf, X4), Y4, 0.1), r"X.*\(5, 4\).*inf"),
        (lambda: _net().train(np.where(np.eye(5, 4) > 0, -np.inf, X4), Y4, 1, 2, 0.1), r"X.*\(5, 4\).*inf"),
        (lambda: _net().gradient_step(X4, Y4, 0.1, n=0), r"\bn\b"),
        (
            lambda: _net().train(
                X4, Y4, 1, 2, 0.1, evaluation_data=(X4[:, :3], Y4), monitor_evaluation_accuracy=True
            ),
            r"evaluation_data\[0\]",
        ),
        (lambda: _net().train(X4, Y4, 0, 2, 0.1), r"epochs"),
        (lambda: _net().train(X4, Y4, 1, 0, 0.1), r"batch_size"),
        (lambda: _net().train(X4, Y4, 1, 2, -0.1), r"eta"),
        (lambda: _net().train(X4, Y4, 1, 2, 0.1, lmbda=-1), r"lmbda"),
        (lambda: _net().train(X4, Y4, 1, 2, 0.1, clip_norm=0), r"clip_norm"),
        (lambda: _net().gradient_step(X4, Y4, 0.1, clip_value=-1), r"clip_value"),
        (lambda: Network([4, 3, 2], activation="softsign"), r"'sigmoid'.*'tanh'.*'relu'.*'leaky_relu'"),
        (lambda: Network([4, 3, 2], cost="hinge"), r"'cross_entropy'.*'quadratic'"),
        (lambda: Network([4, 3, 2], init="orthogonal"), r"'default'.*'large'.*'xavier'.*'he'"),
        (lambda: Network([4, 3, 2], output_activation="relu"), r"cross_entropy.*sigmoid"),
        (lambda: Network([4]), r"sizes"),
        (lambda: Network([4, 0, 2]), r"sizes"),
        (lambda: setattr(_net(), "weights", [np.ones((3, 4)), np.ones((3, 2))]), r"weights.*\(2, 3\)"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_network_outputs_are_float64_and_labels_may_be_any_int_dtype():
    net = _net()
    out = net.feedforward(X4.astype(np.float32))
    assert out.dtype == np.float64
    a = net.bias_gradients(X4, Y4.astype(np.uint8))
    b = net.bias_gradients(X4, Y4.astype(np.int64))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def test_a_rejected_step_leaves_the_parameters_unchanged():
    net = _net()
    before = [p.copy() for p in net.weights + net.biases]
    X_bad = X4.copy()
    X_bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="X"):
        net.gradient_step(X_bad, Y4, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, before, strict=True))


# --- constructor arguments: messages that name the argument and what it takes (issue 11, items 7, 8) ----


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"sizes": None},
            TypeError,
            r"sizes must be a sequence of integers, got NoneType None.*at least 2 positive",
        ),
        (
            {"sizes": "443"},
            TypeError,
            r"sizes must be a sequence of integers, got str '443'.*at least 2 positive",
        ),
        ({"sizes": (784, 30.0, 10)}, TypeError, r"sizes\[1\] must be an integer, got float 30\.0"),
        ({"sizes": [True, 3]}, TypeError, r"sizes\[0\] must be an integer, got bool"),
        ({"sizes": [4]}, ValueError, r"sizes must have at least 2 entries, got 1"),
        (
            {"seed": -1},
            ValueError,
            r"seed must be None, an integer >= 0 or a numpy\.random\.Generator, got -1",
        ),
        ({"seed": "0"}, TypeError, r"seed must be None, an integer >= 0.*got str '0'"),
        ({"seed": 0.5}, TypeError, r"seed must be None, an integer >= 0.*got float 0\.5"),
        ({"activation": None}, TypeError, r"activation must be one of 'sigmoid'"),
        ({"cost": 3}, TypeError, r"cost must be one of 'cross_entropy', 'quadratic'"),
        ({"init": "xavir"}, ValueError, r"init must be one of.*did you mean 'xavier'"),
    ],
)
def test_constructor_rejects_bad_arguments_naming_them(kwargs, error, match):
    kwargs = {"sizes": [4, 3, 2], **kwargs}
    with pytest.raises(error, match=match):
        Network(**kwargs)


def test_seeds_accepted_none_integers_and_generators():
    a = Network([3, 2], seed=np.int64(5)).weights[0]
    assert np.array_equal(a, Network([3, 2], seed=5).weights[0])
    assert np.array_equal(a, Network([3, 2], seed=np.random.default_rng(5)).weights[0])
    assert Network([3, 2], seed=None).weights[0].shape == (2, 3)
    assert Network(np.array([3, 2])).sizes == [3, 2]


def test_sizes_that_would_exhaust_memory_are_refused_at_once_naming_the_limit():
    from gradmath.network import MAX_LAYER_SIZE, MAX_PARAMETERS

    # 10**12 weights (8 TB): refused before any allocation, with the count and the limit
    count = 10**6 * 10**6 + 10**6
    with pytest.raises(ValueError, match=rf"{count:,} weights and biases.*MAX_PARAMETERS = 50,000,000"):
        Network([10**6, 10**6])
    assert MAX_PARAMETERS == 50_000_000 and MAX_LAYER_SIZE == 10**6
    # just over the parameter limit: 7,071 x 7,071 + 7,071 = 50,006,112 (400 MB)
    with pytest.raises(ValueError, match=r"50,006,112 weights and biases \(400 MB as float64\)"):
        Network([7071, 7071])
    with pytest.raises(
        ValueError, match=r"sizes\[0\] must be an integer in \[1, 1,000,000\].*MAX_LAYER_SIZE = 1,000,000"
    ):
        Network([10**7, 1])
