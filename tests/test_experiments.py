"""The MNIST experiments against independent oracles: the plain Network, per-example loops, Monte Carlo.

Small configurations of the embedded data; every expected value comes from a method that shares no
code with the function under test (or from a hand count).
"""

from __future__ import annotations

import numpy as np
import pytest

import gradmath
from gradmath.experiments import compare_remedies, depth_accuracy, initial_norms, training_speed
from gradmath.experiments import depth as depth_module
from gradmath.experiments import initial as initial_module
from gradmath.experiments import remedy as remedies_module
from gradmath.experiments import speed as speed_module
from gradmath.experiments.protocol import checked_images, network_sizes, sgd_flops
from gradmath.experiments.remedy import per_image_bias_gradients, predict
from gradmath.network import Network
from gradmath.oracles import loop_backprop


@pytest.fixture(scope="module")
def data():
    return gradmath.load_mnist()


def test_sgd_flops_hand_count():
    # [784, 30, 10] on 1,000 images: forward 2n(784*30 + 30*10), weight gradients the same, one
    # backpropagated delta (output -> hidden) 2n*30*10; plus a forward pass over 500 evaluated images.
    n, m = 1000, 500
    fwd = 2 * (784 * 30 + 30 * 10)
    assert sgd_flops([784, 30, 10], n, m) == n * (2 * fwd + 2 * 30 * 10) + m * fwd


def test_depth_accuracy_equals_network_train_with_the_same_shuffles(data):
    # The plain Network.train with the seed's shuffle generator is an independent trainer: the stacked
    # run must reach the same validation accuracy (roundoff may move at most one borderline image).
    X, y, Xv, yv = data.train.X[:500], data.train.y[:500], data.validation.X[:200], data.validation.y[:200]
    run = depth_accuracy(X, y, Xv, yv, (1, 2), seeds=1, epochs=2, n_jobs=1)
    for h in (1, 2):
        net = Network(network_sizes(h), seed=0)
        net.train(X, y, 2, 10, 0.1, 5.0 * 500 / 50_000, seed=depth_module.shuffles(0))
        assert abs(run.history[h][0, -1] - net.accuracy(Xv, yv)) <= 1 / 200
    assert run.lmbda == pytest.approx(0.05)


def test_training_speed_equals_a_gradient_step_loop(data):
    # Full-batch steps of Network.gradient_step return the probe before each update: the norms of the
    # fused stacked run must equal them at every epoch.
    X, y = data.train.X[:300], data.train.y[:300]
    run = training_speed(X, y, (2, 3), epochs=12, eta=0.1, lmbda=5.0, seeds=1, n_jobs=1)
    for h in (2, 3):
        net = Network(network_sizes(h), seed=0)
        for e in range(12):
            probe = net.gradient_step(X, y, 0.1, 5.0, len(X))
            expected = [np.linalg.norm(g) for g in probe[:-1]]
            np.testing.assert_allclose(run.norms[h][e], expected, rtol=1e-10)


def test_initial_norms_per_seed_network(data):
    X, y = data.train.X[:200], data.train.y[:200]
    r = initial_norms(X, y, (3,), seeds=4, n_jobs=1)
    net = Network(network_sizes(3), seed=2)
    np.testing.assert_allclose(r.norms[3][2], [np.linalg.norm(g) for g in net.bias_gradients(X, y)[:-1]])
    np.testing.assert_allclose(r.std[3], np.std(r.norms[3], axis=0, ddof=1))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_per_image_gradients_equal_the_per_example_loop(data, activation):
    X, y = data.train.X[:15], data.train.y[:15]
    net = Network([784, 30, 30, 30, 10], seed=4, activation=activation, init="xavier")
    ours = per_image_bias_gradients(net, X, y)
    loop = loop_backprop(net, X, y)[2]
    for layer in range(3):
        np.testing.assert_allclose(ours[layer], [ex[layer] for ex in loop], rtol=1e-9, atol=1e-15)


def test_remedies_clipped_setup_bounds_its_first_step(data):
    X, y = data.train.X[:100], data.train.y[:100]
    r = compare_remedies(X, y, data.validation.X[:50], data.validation.y[:50], seeds=2, epochs=1,
                 setups=["ReLU, N(0,1)", "ReLU, N(0,1), clipped"], n_jobs=1)  # fmt: skip
    wild, clipped = r.setups["ReLU, N(0,1)"], r.setups["ReLU, N(0,1), clipped"]
    np.testing.assert_array_equal(wild.first_init, clipped.first_init)  # same initial network
    np.testing.assert_allclose(clipped.update_norm, 0.1 * 1.0, rtol=1e-12)  # eta * c: the gradient exceeds c
    np.testing.assert_allclose(wild.update_norm, 0.1 * wild.gradient_norm, rtol=1e-12)


# --- the mean-field predictions of the remedies -------------------------------------------------------


def test_relu_predictions_are_exact(data):
    X = data.train.X[:50]
    he = predict("ReLU, He", X)
    np.testing.assert_allclose(he.chi, 1.0, rtol=1e-12)  # He's 2 times the ReLU's 1/2
    assert he.rms_ratio == pytest.approx(1.0, rel=1e-12) and he.sigma_w2 == 2.0
    leaky = predict("leaky ReLU, He", X)
    np.testing.assert_allclose(leaky.chi, 1.0 + 0.01**2, rtol=1e-12)  # 2 (1 + 0.01^2) / 2
    wild = predict("ReLU, N(0,1)", X)
    assert wild.chi == (15.0, 15.0, 15.0) and wild.mean_ratio is None  # N(0,1) on 30 inputs: 30 / 2
    assert wild.rms_ratio == pytest.approx(15.0**-1.5, rel=1e-12)


def test_sigmoid_prediction_against_a_wide_random_network(data):
    # The per-image ratio of a wide network (width 1,000, one seed) approaches the mean-field prediction
    # for width 30 networks' hidden-layer law: the theory does not depend on the width.
    X, y = data.train.X[:200], data.train.y[:200]
    p = predict("sigmoid, book init", X)
    net = Network([784, 1000, 1000, 1000, 1000, 10], seed=0)
    d = per_image_bias_gradients(net, X, y)
    rms = np.sqrt(np.mean(np.sum(d[-1] ** 2, axis=1)) / np.mean(np.sum(d[0] ** 2, axis=1)))
    assert abs(np.log10(rms / p.rms_ratio)) < 0.05


# --- sizes and bad input are refused at once ---------------------------------------------------------


@pytest.mark.parametrize(
    "call, limit",
    [
        (lambda X, y: depth_accuracy(X, y, X, y, seeds=depth_module.MAX_SEEDS + 1), depth_module.MAX_SEEDS),
        (
            lambda X, y: depth_accuracy(X, y, X, y, epochs=depth_module.MAX_EPOCHS + 1),
            depth_module.MAX_EPOCHS,
        ),
        (lambda X, y: training_speed(X, y, seeds=speed_module.MAX_SEEDS + 1), speed_module.MAX_SEEDS),
        (lambda X, y: training_speed(X, y, epochs=speed_module.MAX_EPOCHS + 1), speed_module.MAX_EPOCHS),
        (lambda X, y: initial_norms(X, y, seeds=initial_module.MAX_SEEDS + 1), initial_module.MAX_SEEDS),
        (
            lambda X, y: compare_remedies(X, y, X, y, seeds=remedies_module.MAX_SEEDS + 1),
            remedies_module.MAX_SEEDS,
        ),
        (
            lambda X, y: compare_remedies(X, y, X, y, epochs=remedies_module.MAX_EPOCHS + 1),
            remedies_module.MAX_EPOCHS,
        ),
        (lambda X, y: network_sizes(11), 10),
    ],
)
def test_size_limits_are_refused_with_the_limit(data, call, limit):
    with pytest.raises(ValueError, match=f"\\[1, {limit:,}\\]"):
        call(data.train.X[:20], data.train.y[:20])


def test_bad_images_are_refused():
    X = np.zeros((3, 784))
    with pytest.raises(ValueError, match="finite"):
        checked_images(np.full((3, 784), np.nan), [0, 1, 2])
    with pytest.raises(ValueError, match="labels"):
        checked_images(X, [0, 1, 10])
    with pytest.raises(ValueError, match="must be"):
        checked_images(X, [0, 1])
    with pytest.raises(TypeError, match="seeds"):
        initial_norms(X, [0, 1, 2], seeds=2.5)


def test_remedy_geometric_means_against_scipy():
    """The ratios the remedies section prints are geometric means over seeds (SciPy's ``gmean`` here);
    after training only the seeds whose run stayed "ok" count, and none is ``None``."""
    from scipy.stats import gmean

    from gradmath.experiments.remedy import RemedyResult

    rng = np.random.default_rng(5)
    first, last, rms_f, rms_l, first_t, last_t = (rng.uniform(0.01, 3.0, 4) for _ in range(6))
    status = np.array(["ok", "dead", "ok", "diverged"])
    zeros = np.zeros(4)
    r = RemedyResult("x", None, first, last, rms_f, rms_l, first_t, last_t, zeros, zeros, zeros, status)
    assert r.geomean_init == pytest.approx(gmean(last / first), rel=1e-13)
    assert r.geomean_rms_init == pytest.approx(gmean(rms_l / rms_f), rel=1e-13)
    ok = status == "ok"
    assert r.geomean_trained == pytest.approx(gmean(last_t[ok] / first_t[ok]), rel=1e-13)
    none_ok = RemedyResult("x", None, first, last, rms_f, rms_l, first_t, last_t, zeros, zeros, zeros,
                           np.array(["dead"] * 4))  # fmt: skip
    assert none_ok.geomean_trained is None
