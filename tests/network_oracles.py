"""Independent oracles for the network tests: the book's network2, one example at a time.

Written out here in the book's column-vector style (a Python loop over the examples), sharing no code
with :mod:`gradmath.network`: backprop, the cost (also at high precision with mpmath, for saturated
outputs) and the SGD update rule.
"""

from __future__ import annotations

import mpmath
import numpy as np

_ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "relu": (lambda z: z * (z > 0), lambda z: 1.0 * (z > 0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
}


def loop_backprop(net, X, Y):
    """Per-example backprop; returns (sum nabla_b, sum nabla_w, list of per-example nabla_b, zs list)."""
    f, fp = _ACT[net.activation]
    fo, fop = _ACT[net.output_activation]
    L = len(net.weights)
    nb = [np.zeros((w.shape[0], 1)) for w in net.weights]
    nw = [np.zeros_like(w) for w in net.weights]
    per_example = []
    for x, label in zip(X, Y, strict=True):
        a = x.reshape(-1, 1)
        acts, zs = [a], []
        for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            z = w @ a + b.reshape(-1, 1)
            a = fo(z) if l == L - 1 else f(z)
            zs.append(z)
            acts.append(a)
        y = np.zeros((net.sizes[-1], 1))
        y[label] = 1
        if net.cost_name == "cross_entropy":
            delta = a - y
        else:
            delta = (a - y) * fop(zs[-1])
        db = [None] * L
        dw = [None] * L
        db[-1], dw[-1] = delta, delta @ acts[-2].T
        for l in range(L - 2, -1, -1):
            delta = (net.weights[l + 1].T @ delta) * fp(zs[l])
            db[l], dw[l] = delta, delta @ acts[l].T
        per_example.append([d.ravel() for d in db])
        nb = [s + d for s, d in zip(nb, db, strict=True)]
        nw = [s + d for s, d in zip(nw, dw, strict=True)]
    return [b.ravel() for b in nb], nw, per_example


def loop_cost(net, X, Y, lmbda=0.0):
    f, _ = _ACT[net.activation]
    fo, _ = _ACT[net.output_activation]
    total = 0.0
    for x, label in zip(X, Y, strict=True):
        a = x
        for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            a = (fo if l == len(net.weights) - 1 else f)(w @ a + b)
        y = np.eye(net.sizes[-1])[label]
        if net.cost_name == "cross_entropy":
            total += -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))
        else:
            total += 0.5 * np.sum((a - y) ** 2)
    n = len(X)
    return total / n + 0.5 * lmbda / n * sum(np.sum(w**2) for w in net.weights)


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
