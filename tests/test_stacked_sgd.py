"""StackedSGD against the Network it stacks: the same updates, probes and predictions, step by step.

The oracle is :meth:`Network.gradient_step` (the book's network2 update, one network at a time), an
implementation that shares no code with the stacked trainer.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradmath.network import Network
from gradmath.stacked_sgd import StackedSGD


def _data(n: int = 60, n_in: int = 20, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in))
    X[:, :5] = 0.0  # blank columns, as MNIST's border
    return X, rng.integers(0, 10, n)


@pytest.mark.parametrize("batch", [7, 60])
@pytest.mark.parametrize(
    "sizes",
    [
        [[20, 8, 10], [20, 8, 8, 10], [20, 8, 8, 8, 10]],  # the book's family: depths 1 to 3
        [[20, 8, 8, 8, 10], [20, 8, 10]],  # deepest first, a gap in the depths
        [[20, 8, 8, 10], [20, 8, 8, 10]],  # two networks of the same depth
        [[20, 8, 10]],  # one network
    ],
)
def test_steps_probes_and_predictions_equal_the_network(sizes, batch):
    X, y = _data()
    nets = [Network(s, seed=3 + k) for k, s in enumerate(sizes)]
    ref = [Network(s, seed=3 + k) for k, s in enumerate(sizes)]
    trainer = StackedSGD(nets, active=X.any(axis=0))
    x, Y = trainer.restrict(X), np.eye(10)[y]
    eta, lmbda, n = 0.5, 2.0, len(X)
    for i in range(0, n, batch):
        idx = np.arange(i, min(i + batch, n))
        probes = trainer.step(x[idx], Y[idx], eta, 1 - eta * lmbda / n, probe=True)
        for k, net in enumerate(ref):
            expected = net.gradient_step(X[idx], y[idx], eta, lmbda, n)
            assert len(probes[k]) == len(expected)
            for a, b in zip(probes[k], expected, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    for k, net in enumerate(ref):
        ws, bs = trainer.weights_of(k)
        for a, b in zip(ws + bs, net.weights + net.biases, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        assert np.array_equal(trainer.predict(X)[k], net.feedforward(X).argmax(axis=1))


def test_blank_columns_only_decay():
    # A column blank in every image gets no gradient: its weights only shrink by the decay per step.
    X, y = _data()
    net = Network([20, 8, 8, 10], seed=0)
    w0 = net.weights[0][:, :5].copy()
    trainer = StackedSGD([net], active=X.any(axis=0))
    decay = 0.99
    for i in range(0, 60, 10):
        trainer.step(trainer.restrict(X[i : i + 10]), np.eye(10)[y[i : i + 10]], 0.1, decay)
    np.testing.assert_allclose(trainer.first_layer()[0][:, :5], w0 * decay**6, rtol=1e-14)


def test_epoch_follows_the_order_given():
    # epoch(order) equals the steps on X[order[i:i+b]] in turn (here: reversed order, batches of 4).
    X, y = _data()
    a = StackedSGD([Network([20, 8, 8, 10], seed=2)])
    b = StackedSGD([Network([20, 8, 8, 10], seed=2)])
    Y, order = np.eye(10)[y], np.arange(60)[::-1]
    a.epoch(a.restrict(X), Y, order, 4, 0.3, 0.999)
    for i in range(0, 60, 4):
        idx = order[i : i + 4]
        b.step(b.restrict(X[idx]), Y[idx], 0.3, 0.999)
    (wa, ba), (wb, bb) = a.weights_of(0), b.weights_of(0)
    for u, v in zip(wa + ba, wb + bb, strict=True):
        assert np.array_equal(u, v)


@pytest.mark.parametrize(
    "sizes",
    [[[20, 8, 10], [20, 9, 10]], [[20, 8, 9, 10]], [[20, 8, 10], [21, 8, 10]], [[20, 8, 10], [20, 8, 5]]],
)
def test_rejects_networks_outside_the_family(sizes):
    with pytest.raises(ValueError, match="hidden width"):
        StackedSGD([Network(s, seed=0) for s in sizes])


def test_rejects_bad_mask_and_empty_list():
    with pytest.raises(ValueError, match="at least one"):
        StackedSGD([])
    with pytest.raises(ValueError, match="active"):
        StackedSGD([Network([20, 8, 10], seed=0)], active=np.ones(19, dtype=bool))


def test_groups_train_as_if_alone():
    # Three groups (seeds) with their own mini-batches, trained together, end bit for bit where each
    # group trained alone ends: no network's arithmetic depends on the others.
    X, y = _data(n=90)
    sizes = [[20, 8, 10], [20, 8, 8, 8, 10], [20, 8, 8, 10]]
    alone = [StackedSGD([Network(s, seed=g) for s in sizes], active=X.any(axis=0)) for g in range(3)]
    together = StackedSGD(
        [Network(s, seed=g) for g in range(3) for s in sizes], active=X.any(axis=0), groups=3
    )
    x, Y = together.restrict(X), np.eye(10)[y]
    orders = np.stack([np.random.default_rng(g).permutation(90) for g in range(3)])
    together.epoch(x, Y, orders, 10, 0.2, 0.999)
    for g, trainer in enumerate(alone):
        trainer.epoch(x, Y, orders[g], 10, 0.2, 0.999)
        for k in range(3):
            (wa, ba), (wb, bb) = trainer.weights_of(k), together.weights_of(3 * g + k)
            assert all(np.array_equal(u, v) for u, v in zip(wa + ba, wb + bb, strict=True))
            assert np.array_equal(trainer.predict(X)[k], together.predict(X)[3 * g + k])


def test_groups_must_match():
    nets = [Network([20, 8, 10], seed=0), Network([20, 8, 8, 10], seed=0), Network([20, 8, 8, 10], seed=1)]
    with pytest.raises(ValueError, match="groups must be a positive integer dividing 3"):
        StackedSGD(nets, groups=2)
    with pytest.raises(ValueError, match="same depths"):
        StackedSGD(nets + [Network([20, 8, 10], seed=1)], groups=2)
