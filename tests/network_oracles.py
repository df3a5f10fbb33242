"""Independent oracles for the network tests: the book's network2, one example at a time.

The per-example loop (backprop and cost) is :mod:`gradmath.oracles`, which shares no code with
:mod:`gradmath.network`; here are the test-only additions in the same column-vector style: the cost at
high precision with mpmath (for saturated outputs), the accuracy, and the SGD update rule.
"""

from __future__ import annotations

import mpmath
import numpy as np

from gradmath.oracles import LOOP_ACTIVATIONS as _ACT
from gradmath.oracles import loop_backprop, loop_cost

__all__ = ["loop_backprop", "loop_cost", "by_hand", "loop_cost_mp", "loop_accuracy", "replay_sgd"]


def by_hand(net, X, Y, eta, lmbda, n):
    nb, nw, _ = loop_backprop(net, X, Y)
    m = len(X)
    W = [(1 - eta * lmbda / n) * w - (eta / m) * g for w, g in zip(net.weights, nw, strict=True)]
    B = [b - (eta / m) * g for b, g in zip(net.biases, nb, strict=True)]
    return W, B


def loop_cost_mp(net, X, Y, lmbda=0.0, dps=30):
    """The book's ``total_cost`` of a sigmoid cross-entropy network, the output cost taken in mpmath.

    ``-[y ln a + (1 - y) ln(1 - a)]`` with ``a = 1 / (1 + e^{-z})`` and ``1 - a = e^{-z} / (1 + e^{-z})``
    evaluated at ``dps`` digits from the output ``z`` of a float forward pass, so that it stays exact when
    ``|z|`` is far beyond where ``a`` rounds to 0 or 1; the decay term is summed in mpmath too.
    """
    assert net.cost_name == "cross_entropy" and net.activation == "sigmoid"
    total = mpmath.mpf(0)
    with mpmath.workdps(dps), np.errstate(over="ignore"):
        for x, label in zip(X, Y, strict=True):
            a = x
            for w, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
                a = 1 / (1 + np.exp(-(w @ a + b)))
            for j, z in enumerate(net.weights[-1] @ a + net.biases[-1]):
                e = mpmath.exp(-mpmath.mpf(z))
                total -= mpmath.log(1 / (1 + e)) if j == label else mpmath.log(e / (1 + e))
        n = len(X)
        decay = sum(mpmath.mpf(float(v)) ** 2 for w in net.weights for v in w.ravel())
        return float(total / n + mpmath.mpf(lmbda) / (2 * n) * decay)


def loop_accuracy(net, X, Y):
    """Fraction of examples whose largest output activation, by the per-example forward pass, is the label."""
    f, _ = _ACT[net.activation]
    fo, _ = _ACT[net.output_activation]
    hits = 0
    for x, label in zip(X, Y, strict=True):
        a = x
        for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            a = (fo if l == len(net.weights) - 1 else f)(w @ a + b)
        hits += int(np.argmax(a) == label)
    return hits / len(X)


def replay_sgd(net, X, Y, epochs, batch_size, eta, lmbda, seed):
    """The documented SGD written out: shuffle with default_rng(seed), by-hand updates, batch costs.

    Returns the per-epoch mean over the examples of each batch's cost before its step (``loop_cost``);
    ``net`` is updated in place.
    """
    shuffle = np.random.default_rng(seed)
    n = len(X)
    means = []
    for _ in range(epochs):
        perm = shuffle.permutation(n)
        total = 0.0
        for k in range(0, n, batch_size):
            idx = perm[k : k + batch_size]
            total += loop_cost(net, X[idx], Y[idx]) * len(idx)
            net.weights, net.biases = by_hand(net, X[idx], Y[idx], eta, lmbda, n)
        means.append(total / n)
    return np.array(means)
