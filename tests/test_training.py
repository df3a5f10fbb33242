"""Tests of gradmath.training (Network.train): opt-in monitoring, divergence, argument checks.

Oracles: the per-example network2 loop of ``network_oracles`` (costs, accuracies, the update rule, the
documented shuffle), mpmath for costs where the sigmoid saturates, and counts of the activation calls
that every forward and backward pass makes.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from network_oracles import by_hand, loop_accuracy, loop_backprop, loop_cost, loop_cost_mp, replay_sgd

import gradmath
from gradmath import Network, training
from gradmath.activations import ACTIVATIONS

MONITORED = ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy", "gradient_norms")


def _data(n, n_in, n_out, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


# --- train does only what it is asked (issue 10, item 5) -------------------------------------------


@pytest.mark.parametrize("activation, cost", [("tanh", "quadratic"), ("sigmoid", "cross_entropy")])
def test_default_train_runs_one_forward_and_one_backward_pass_per_mini_batch(monkeypatch, activation, cost):
    """Every forward pass calls f once per layer, every backward pass f' once per layer (tanh).

    Counting the rows each call sees: with 23 examples, mini-batches of 5 and 2 epochs, each layer's f
    sees 2 x 23 rows in 2 x 5 calls, and so does f' (sigmoid's backward pass uses a (1 - a), not f').
    """
    rows = {"f": [], "f_prime": []}

    def counted(fn, key):
        def wrapper(z, *args, **kwargs):
            rows[key].append(z.shape[0])
            return fn(z, *args, **kwargs)

        return wrapper

    f, fp = ACTIVATIONS[activation]
    monkeypatch.setitem(ACTIVATIONS, activation, (counted(f, "f"), counted(fp, "f_prime")))
    out = "tanh" if cost == "quadratic" else "sigmoid"
    net = Network([4, 6, 3], seed=1, activation=activation, output_activation=out, cost=cost)
    X, Y = _data(23, 4, 3)
    rows["f"].clear()
    history = net.train(X, Y, epochs=2, batch_size=5, eta=0.3, lmbda=0.1, seed=7)
    layers, batches = 2, 5
    assert len(rows["f"]) == 2 * batches * layers and sum(rows["f"]) == 2 * 23 * layers
    if activation == "tanh":
        assert len(rows["f_prime"]) == 2 * batches * layers and sum(rows["f_prime"]) == 2 * 23 * layers
    assert history.batch_cost.shape == (2,) and np.all(np.isfinite(history.batch_cost))
    assert all(getattr(history, name) is None for name in MONITORED)


def test_batch_cost_is_the_mean_cost_of_the_epochs_mini_batches():
    """The cost the forward pass of each step sees, averaged over the epoch's examples (book's network)."""
    X, Y = _data(11, 5, 3, seed=2)
    net = Network([5, 4, 3], seed=3)
    ref = copy.deepcopy(net)
    history = net.train(X, Y, epochs=3, batch_size=4, eta=0.5, lmbda=2.0, seed=11)
    expected = replay_sgd(ref, X, Y, 3, 4, 0.5, 2.0, seed=11)  # batches of 4, 4, 3
    np.testing.assert_allclose(history.batch_cost, expected, rtol=1e-10)
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_each_monitor_flag_records_its_field_on_the_right_data():
    X, Y = _data(30, 5, 3, seed=4)
    Xe, Ye = _data(12, 5, 3, seed=5)
    net = Network([5, 6, 3], seed=6)
    snapshots = []
    history = net.train(
        X,
        Y,
        epochs=3,
        batch_size=7,
        eta=0.8,
        lmbda=1.5,
        evaluation_data=(Xe, Ye),
        monitor_training_cost=True,
        monitor_training_accuracy=True,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        callback=lambda epoch, network: snapshots.append(copy.deepcopy(network)),
    )
    # the book's total_cost divides the decay term by the size of the data it is given
    np.testing.assert_allclose(
        history.training_cost, [loop_cost(s, X, Y, 1.5) for s in snapshots], rtol=1e-10
    )
    np.testing.assert_allclose(
        history.evaluation_cost, [loop_cost(s, Xe, Ye, 1.5) for s in snapshots], rtol=1e-10
    )
    assert list(history.training_accuracy) == [loop_accuracy(s, X, Y) for s in snapshots]
    assert list(history.evaluation_accuracy) == [loop_accuracy(s, Xe, Ye) for s in snapshots]
    assert history.gradient_norms is None


def test_the_old_history_names_still_answer_with_a_deprecation_warning():
    """0.1's ``history.cost`` / ``history.accuracy`` are the training cost / accuracy (CHANGELOG, 0.2)."""
    X, Y = _data(20, 4, 2, seed=8)
    net = Network([4, 3, 2], seed=0)
    snapshots = []
    history = net.train(X, Y, 2, 5, 0.5, lmbda=1.0, monitor_training_cost=True, monitor_training_accuracy=True,
                        callback=lambda epoch, network: snapshots.append(copy.deepcopy(network)))  # fmt: skip
    with pytest.warns(DeprecationWarning, match="training_cost"):
        np.testing.assert_allclose(history.cost, [loop_cost(s, X, Y, 1.0) for s in snapshots], rtol=1e-10)
    with pytest.warns(DeprecationWarning, match="training_accuracy"):
        assert list(history.accuracy) == [loop_accuracy(s, X, Y) for s in snapshots]
    bare = Network([4, 3, 2], seed=0).train(X, Y, 2, 5, 0.5)
    with pytest.warns(DeprecationWarning), pytest.raises(AttributeError, match="monitor_training_cost=True"):
        _ = bare.cost


@pytest.mark.parametrize("field", MONITORED)
def test_one_flag_records_one_field(field):
    X, Y = _data(20, 4, 2, seed=8)
    flag = training.MONITOR_FLAGS[field]
    extra = {"evaluation_data": (X[:5], Y[:5])} if field.startswith("evaluation") else {}
    history = Network([4, 3, 2], seed=0).train(X, Y, 2, 5, 0.5, **{flag: True}, **extra)
    recorded = {name for name in MONITORED if getattr(history, name) is not None}
    assert recorded == {field}
    assert len(getattr(history, field)) == 2 and history.batch_cost.shape == (2,)


def test_evaluation_data_and_evaluation_flags_go_together():
    X, Y = _data(10, 4, 2)
    with pytest.raises(ValueError, match=r"monitor_evaluation_cost=True needs evaluation_data"):
        Network([4, 3, 2]).train(X, Y, 1, 5, 0.1, monitor_evaluation_cost=True)
    with pytest.raises(
        ValueError, match=r"evaluation_data is given but nothing is measured.*monitor_evaluation"
    ):
        Network([4, 3, 2]).train(X, Y, 1, 5, 0.1, evaluation_data=(X, Y))
    with pytest.raises(ValueError, match=r"evaluation_data must be a pair"):
        Network([4, 3, 2]).train(X, Y, 1, 5, 0.1, evaluation_data=(X, Y, Y), monitor_evaluation_cost=True)


# --- divergence: never a NaN in the history, never NaN parameters (issue 10, item 5) ---------------


def test_eta_1e200_without_decay_records_the_true_finite_costs():
    """Weights near 1e200 are finite and so is the cost: 0 x ||w||^2 is 0 even when ||w||^2 overflows."""
    X, Y = _data(5, 4, 2)
    net = Network([4, 3, 2], seed=0)
    history = net.train(X, Y, 2, 2, 1e200, 0.0, monitor_training_cost=True, seed=1)
    assert max(np.abs(w).max() for w in net.weights) > 1e198  # the steps really were huge
    assert np.all(np.isfinite(history.training_cost)) and np.all(np.isfinite(history.batch_cost))
    assert history.training_cost[-1] == pytest.approx(loop_cost_mp(net, X, Y), rel=1e-9)


def test_divergence_raises_naming_eta_and_epoch_and_keeps_the_last_finite_parameters():
    """eta lmbda / n = 2.5e199: the decay factor -2.5e199 squares past the float range on the 2nd step."""
    X, Y = _data(4, 3, 2, seed=3)
    net = Network([3, 4, 2], seed=2)
    ref = copy.deepcopy(net)
    with pytest.raises(FloatingPointError) as error:
        net.train(X, Y, epochs=3, batch_size=2, eta=1e200, lmbda=10.0, seed=5)
    first = np.random.default_rng(5).permutation(4)[:2]
    W, B = by_hand(ref, X[first], Y[first], 1e200, 10.0, 4)
    assert max(np.abs(w).max() for w in W) > 1e198
    for a, b in zip(net.weights + net.biases, W + B, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    assert re.search(r"epoch 0, mini-batch 1.*eta=1e\+200", str(error.value))


def test_a_non_finite_batch_cost_stops_training_before_the_step():
    """ReLU layers with weights 1e200 overflow z to inf: the first step's cost is inf, nothing is updated."""
    X, Y = _data(6, 3, 2, seed=4)
    net = Network([3, 4, 4, 2], seed=0, activation="relu")
    net.weights = [np.full_like(w, 1e200) for w in net.weights]
    before = [p.copy() for p in net.weights + net.biases]
    with pytest.raises(FloatingPointError) as error:
        net.train(X, Y, 2, 3, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, before, strict=True))
    assert re.search(r"epoch 0, mini-batch 0.*eta=0\.1.*cost of the batch", str(error.value))
    with pytest.raises(FloatingPointError, match=r"eta=0\.1"):
        net.gradient_step(X, Y, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, before, strict=True))


def test_monitored_gradient_norms_that_overflow_raise_before_any_step():
    """ReLU layers with weights 1e200: the backpropagated delta of the first layer overflows to inf."""
    X, Y = _data(6, 3, 2, seed=4)
    net = Network([3, 4, 4, 2], seed=0, activation="relu")
    net.weights = [np.full_like(w, 1e200) for w in net.weights]
    before = [p.copy() for p in net.weights + net.biases]
    with pytest.raises(FloatingPointError, match=r"eta=0\.1.*gradient norms at the start of epoch 0"):
        net.train(X, Y, 1, 3, 0.1, monitor_gradients=True)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, before, strict=True))


def test_a_monitored_cost_that_overflows_raises_instead_of_recording_inf():
    """Weights of 1e160 are finite, but lmbda / (2n) ||w||^2 > 1e308 is not a float."""
    X, Y = _data(5, 3, 2, seed=6)
    net = Network([3, 4, 2], seed=0)
    net.weights = [np.full_like(w, 1e160) for w in net.weights]
    quiet = copy.deepcopy(net).train(X, Y, 1, 5, 1e-3, 1.0)  # not monitored: nothing non-finite is recorded
    assert np.all(np.isfinite(quiet.batch_cost))
    with pytest.raises(FloatingPointError, match=r"eta=0\.001.*training cost at the end of epoch 0 is inf"):
        net.train(X, Y, 1, 5, 1e-3, 1.0, monitor_training_cost=True)


# --- arguments: no silent coercion (issue 11, item 6) ----------------------------------------------

X4, Y4 = _data(5, 4, 2)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"eta": "0.5"}, TypeError, r"eta must be a real number, got str '0\.5'"),
        ({"eta": True}, TypeError, r"eta must be a real number, got bool True"),
        ({"eta": float("nan")}, ValueError, r"eta must be a finite"),
        ({"epochs": 2.5}, TypeError, r"epochs must be an integer, got float 2\.5"),
        ({"batch_size": "10"}, TypeError, r"batch_size must be an integer, got str '10'"),
        ({"lmbda": None}, TypeError, r"lmbda must be a real number, got NoneType None"),
        (
            {"seed": -1},
            ValueError,
            r"seed must be None, an integer >= 0 or a numpy\.random\.Generator, got -1",
        ),
        ({"seed": 1.5}, TypeError, r"seed must be None, an integer >= 0"),
        ({"clip_norm": "1"}, TypeError, r"clip_norm must be a real number"),
        ({"monitor_training_cost": "yes"}, TypeError, r"monitor_training_cost must be True or False"),
        ({"monitor_gradients": 1}, TypeError, r"monitor_gradients must be True or False"),
        ({"callback": 5}, TypeError, r"callback must be a callable or None"),
    ],
)
def test_train_rejects_arguments_of_the_wrong_type_naming_them(kwargs, error, match):
    args = {"epochs": 1, "batch_size": 2, "eta": 0.1, **kwargs}
    net = Network([4, 3, 2], seed=0)
    before = [p.copy() for p in net.weights]
    with pytest.raises(error, match=match):
        net.train(X4, Y4, **args)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, before, strict=True))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda net: net.gradient_step(X4, Y4, "0.5"), TypeError, r"eta must be a real number"),
        (lambda net: net.gradient_step(X4, Y4, 0.1, n=2.0), TypeError, r"n \(the training-set size\)"),
        (lambda net: net.gradient_step(X4, Y4, 0.1, True), TypeError, r"lmbda must be a real number"),
        (lambda net: net.cost(X4, Y4, lmbda="1"), TypeError, r"lmbda must be a real number"),
        (lambda net: net.update_mini_batch(X4, Y4, 0.1, clip_value=[1]), TypeError, r"clip_value"),
    ],
)
def test_step_and_cost_reject_arguments_of_the_wrong_type(call, error, match):
    with pytest.raises(error, match=match):
        call(Network([4, 3, 2], seed=0))


# --- the public pieces the trainer is made of ------------------------------------------------------


def test_update_mini_batch_returns_the_probe_and_the_cost_before_the_step():
    X, Y = _data(9, 5, 3, seed=9)
    net = Network([5, 4, 4, 3], seed=4)
    twin = copy.deepcopy(net)
    per_example = loop_backprop(net, X, Y)[2]
    probe = [np.mean([ex[l] for ex in per_example], axis=0) for l in range(3)]
    cost_before = loop_cost(net, X, Y)
    W, B = by_hand(net, X, Y, 0.7, 0.3, 20)
    step = net.update_mini_batch(X, Y, 0.7, 0.3, 20)
    assert step.cost == pytest.approx(cost_before, rel=1e-12)
    for a, b in zip(step.bias_gradients, probe, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-15)
    for a, b in zip(net.weights + net.biases, W + B, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    # the unchecked path (for trainers that checked once) is the same step
    fast = twin.update_mini_batch(X, Y.astype(np.intp), 0.7, 0.3, 20, check_input=False)
    assert fast.cost == step.cost
    assert all(np.array_equal(a, b) for a, b in zip(twin.weights, net.weights, strict=True))


def test_evaluate_is_cost_and_accuracy_in_one_pass():
    X, Y = _data(15, 4, 3, seed=10)
    net = Network([4, 5, 3], seed=5)
    result = net.evaluate(X, Y, lmbda=2.0)
    assert result.cost == pytest.approx(loop_cost(net, X, Y, 2.0), rel=1e-12)
    assert result.accuracy == loop_accuracy(net, X, Y)


def test_training_history_is_public_in_one_place():
    assert gradmath.TrainingHistory is training.TrainingHistory
    X, Y = _data(6, 4, 2)
    history = Network([4, 3, 2]).train(X, Y, 2, 3, 0.5, monitor_training_accuracy=True)
    text = repr(history)
    assert "batch_size=3" in text and "final training_accuracy" in text and "training_cost" not in text
