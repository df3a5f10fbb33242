"""The MNIST solvers of sec. 5.1 and the remedies of blog 004, on their quick configurations.

Expected values come from the book (its printed norms and accuracies, its qualitative claims),
from hand-derived constants, or from an independent implementation (Network vs StackedSGD),
never from the solvers' own output.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradmath
from gradmath import experiments as ex
from gradmath.solvers import mnist as M

# The book's printed values (ch. 5, sec. 5.1), typed in from the text.
BOOK_NORMS = {2: [0.07, 0.31], 3: [0.012, 0.060, 0.283], 4: [0.003, 0.017, 0.070, 0.285]}
BOOK_ACCURACY = {1: 0.9648, 2: 0.9690, 3: 0.9657, 4: 0.9653}


@pytest.fixture(scope="module")
def data():
    return gradmath.load_mnist()


@pytest.fixture(scope="module")
def initial(data):
    return gradmath.solve("mnist-initial-norms", quick=True, data=data)


@pytest.fixture(scope="module")
def speed(data):
    return gradmath.solve("mnist-training-speed", quick=True, data=data)


@pytest.fixture(scope="module")
def depth(data):
    return gradmath.solve("mnist-depth-accuracy", quick=True, data=data)


@pytest.fixture(scope="module")
def remedies(data):
    return gradmath.solve("remedies", quick=True, data=data)


# --- mnist-initial-norms ------------------------------------------------------------------------


def test_initial_norms_answer_shapes_and_book(initial):
    a = initial.answer
    assert set(a["mean"]) == set(a["std"]) == set(a["book"]) == {2, 3, 4}
    for h in (2, 3, 4):
        assert a["mean"][h].shape == (h,)
        assert a["std"][h].shape == (h,)
        assert np.all(a["std"][h] > 0)
        np.testing.assert_array_equal(a["book"][h], BOOK_NORMS[h])
    assert a["seeds"] >= 5 and a["n_images"] == 1000


def test_book_initial_norms_within_seed_spread(initial):
    # The book prints one run; it must lie within 3 standard deviations of our seeds' mean (a
    # criterion independent of the solver's log-scale prediction interval).
    a = initial.answer
    for h in (2, 3, 4):
        norms = a["norms"][h]
        mean, std = norms.mean(axis=0), norms.std(axis=0, ddof=1)
        book = np.array(BOOK_NORMS[h])
        assert np.all(np.abs(book - mean) <= 3 * std), (h, book, mean, std)


def test_early_layers_learn_slower(initial):
    # Book: each hidden layer is 4 to 6 times faster than the one before it (0.017/0.003 ... 0.285/0.070).
    for h in (2, 3, 4):
        m = initial.answer["mean"][h]
        assert np.all(m[1:] / m[:-1] > 2.0)


def test_initial_norms_checks_pass(initial):
    assert initial.passed, [c.detail for c in initial.failed_checks]


def test_neuron_bars_figure(initial):
    names = [f.name for f in initial.figures]
    assert names == ["mnist-initial-norms", "mnist-initial-gradient-bars"]
    bars = initial.figures[1]
    assert len(bars.panels) == 2
    assert all(len(p.series[0].y) == 6 and np.all(np.asarray(p.series[0].y) >= 0) for p in bars.panels)


# --- mnist-training-speed -----------------------------------------------------------------------


def test_training_speed_shapes(speed):
    a = speed.answer
    assert set(a["norms"]) == set(a["final_ratio"]) == {2, 3, 4}
    for h in (2, 3, 4):
        assert a["norms"][h].shape == (a["epochs"], h)
        assert np.all(np.isfinite(a["norms"][h])) and np.all(a["norms"][h] > 0)


def test_training_speed_vanishing(speed):
    # Book: the first hidden layer learns more slowly than the last, and more so in deeper nets.
    r = speed.answer["final_ratio"]
    assert r[2] > 1 and r[3] > 1 and r[4] > 1
    assert r[2] < r[3] < r[4]


def test_training_speed_initial_row_equals_initial_norms(speed, data):
    # Epoch 0 is recorded before any update: it is the initial norm of seed 0 (computed by the Network).
    X, y = data.train.X[:1000], data.train.y[:1000]
    for h in (2, 3, 4):
        net = gradmath.Network([784] + [30] * h + [10], seed=0)
        expected = [np.linalg.norm(g) for g in net.bias_gradients(X, y)[:-1]]
        np.testing.assert_allclose(speed.answer["norms"][h][0], expected, rtol=1e-12)


def test_training_speed_figure(speed):
    (fig,) = speed.figures
    assert [len(p.series) for p in fig.panels] == [2, 3, 4]
    assert all(p.yscale == "log" for p in fig.panels)


# --- StackedSGD against the Network ---------------------------------------------------------------


@pytest.mark.parametrize("batch", [7, 60])
def test_stacked_sgd_equals_network_steps(batch):
    rng = np.random.default_rng(1)
    X = rng.random((60, 20))
    X[:, :5] = 0.0  # blank columns, as MNIST's border
    y = rng.integers(0, 10, 60)
    sizes = [[20, 8, 10], [20, 8, 8, 10], [20, 5, 6, 7, 10]]
    nets = [gradmath.Network(s, seed=3) for s in sizes]
    ref = [gradmath.Network(s, seed=3) for s in sizes]
    trainer = ex.StackedSGD(nets, active=X.any(axis=0))
    x = trainer.restrict(X)
    Y = np.eye(10)[y]
    eta, lmbda, n = 0.5, 2.0, 60
    for i in range(0, 60, batch):
        idx = np.arange(i, min(i + batch, 60))
        probes = trainer.step(x[idx], Y[idx], eta, 1 - eta * lmbda / n, probe=True)
        for k, net in enumerate(ref):
            expected = net.gradient_step(X[idx], y[idx], eta, lmbda, n)
            for a, b in zip(probes[k], expected, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    for k, net in enumerate(ref):
        ws, bs = trainer.weights_of(k)
        for a, b in zip(ws + bs, net.weights + net.biases, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        assert np.array_equal(trainer.predict(X)[k], net.feedforward(X).argmax(axis=1))


def test_training_speed_flops_hand_count():
    # [784, 30, 10] on 1,000 images: forward 2n(784*30 + 30*10), weight gradients the same,
    # one backpropagated delta (output -> hidden) 2n*30*10.
    n = 1000
    fwd = 2 * n * (784 * 30 + 30 * 10)
    assert ex.training_speed_flops([784, 30, 10], n) == 2 * fwd + 2 * n * 30 * 10


# --- mnist-depth-accuracy -----------------------------------------------------------------------


def test_depth_accuracy_answer(depth):
    a = depth.answer
    assert set(a["mean"]) == set(a["std"]) == set(a["book"]) == {1, 2, 3, 4}
    assert a["book"] == BOOK_ACCURACY
    for h in (1, 2, 3, 4):
        assert 0.0 <= a["mean"][h] <= 1.0 and a["std"][h] >= 0.0
    # lmbda per image: 5.0 on 50,000 images -> 0.4 on the embedded 4,000
    assert a["lmbda"] == pytest.approx(5.0 * a["n_train"] / 50_000)
    # one hidden layer learns digits within 3 epochs: far above chance (0.1)
    assert a["mean"][1] > 0.5
    assert depth.passed, [c.detail for c in depth.failed_checks]


# --- remedies -----------------------------------------------------------------------------------


def test_remedies_relu_he_closer_to_one(remedies):
    r = remedies.answer["ratio_init"]
    assert abs(np.log(r["ReLU, He"])) < abs(np.log(r["sigmoid, book init"]))
    assert abs(np.log(r["leaky ReLU, He"])) < abs(np.log(r["sigmoid, book init"]))
    # sigmoid vanishes (sigma' <= 1/4), N(0,1) weights with ReLU explode (gain sqrt(30/2) per layer)
    assert r["sigmoid, book init"] > 4
    assert r["ReLU, N(0,1)"] < 0.25


def test_remedies_clipping_bounds_update(remedies):
    table = remedies.answer["table"]
    assert table["ReLU, N(0,1), clipped"]["max_update_norm"] <= 0.1 * (1 + 1e-12)  # eta * c
    assert table["ReLU, N(0,1)"]["max_update_norm"] > 1.0
    assert remedies.passed, [c.detail for c in remedies.failed_checks]


# --- helpers and errors -------------------------------------------------------------------------


def test_prediction_interval_coverage():
    # A new log-normal draw falls in the 95% interval of 5 earlier draws about 95% of the time.
    rng = np.random.default_rng(0)
    trials = 4000
    hits = 0
    for _ in range(trials):
        v = rng.lognormal(-3.0, 0.4, 6)
        lo, hi = M.prediction_interval(v[:5])
        hits += lo <= v[5] <= hi
    assert abs(hits / trials - 0.95) < 0.015


def test_bad_arguments(data):
    with pytest.raises(ValueError, match="seeds"):
        M.solve_mnist_initial_norms(seeds=1, data=data)
    with pytest.raises(TypeError, match="MnistData"):
        M.solve_remedies(quick=True, data=object())
    with pytest.raises(ValueError, match="hidden_layers"):
        ex.network_sizes(0)
