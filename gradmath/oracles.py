"""Independent oracles for the network's gradients: finite differences and a per-example loop.

The checks compare :class:`~gradmath.network.Network`'s vectorised backpropagation with methods that
share none of its code:

- :func:`finite_difference_bias_gradient`: central differences of the network's *cost* (2- or
  4-point stencil), one bias at a time;
- :func:`loop_backprop`: the book's ``network2.backprop``, one example at a time with column vectors,
  written out here with its own activation formulas (no call into the network's backward pass);
- :func:`precise_directional_derivative`: central differences of the cost along a direction,
  evaluated in mpmath with as many digits as the difference needs (a deep layer's gradient is far
  below float64's resolution of the cost, and may be below its range).

:func:`one_hot` is the book's ``vectorized_result`` for a batch of labels.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import numpy as np

__all__ = [
    "one_hot",
    "finite_difference_bias_gradient",
    "loop_backprop",
    "loop_cost",
    "precise_directional_derivative",
    "LOOP_ACTIVATIONS",
]

#: activation and derivative, written independently of :mod:`gradmath.activations`
LOOP_ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "relu": (lambda z: z * (z > 0), lambda z: 1.0 * (z > 0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
}


def one_hot(y, k: int) -> np.ndarray:
    """Labels ``y`` (n,) as an (n, k) matrix of unit rows: the book's ``vectorized_result``."""
    y = np.asarray(y, dtype=np.int64)
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def finite_difference_bias_gradient(net, X, y, layer: int, h: float = 1e-5, points: int = 2) -> np.ndarray:
    """∂C/∂b of layer ``layer`` (0 = first hidden) by central differences of ``net.cost(X, y)``.

    ``points=2``: (C(b + h) − C(b − h)) / 2h, truncation error O(h²). ``points=4``:
    (−C(b + 2h) + 8 C(b + h) − 8 C(b − h) + C(b − 2h)) / 12h, truncation O(h⁴), which allows a larger
    ``h`` and so less rounding error when the gradient is tiny (a deep layer's vanishes). The network's
    biases are restored afterwards, also on error.
    """
    if points not in (2, 4):
        raise ValueError(f"points must be 2 or 4, got {points!r}")
    original = [np.array(b, dtype=float) for b in net.biases]
    n = original[layer].size
    grad = np.empty(n)

    def cost_at(j: int, step: float) -> float:
        biases = [b.copy() for b in original]
        biases[layer][j] += step
        net.biases = biases
        return net.cost(X, y)

    try:
        for j in range(n):
            if points == 2:
                grad[j] = (cost_at(j, h) - cost_at(j, -h)) / (2 * h)
            else:
                grad[j] = (
                    -cost_at(j, 2 * h) + 8 * cost_at(j, h) - 8 * cost_at(j, -h) + cost_at(j, -2 * h)
                ) / (12 * h)
    finally:
        net.biases = original
    return grad


def loop_backprop(net, X, y) -> tuple[list[np.ndarray], list[np.ndarray], list[list[np.ndarray]]]:
    """Per-example backpropagation, as the book's ``network2.backprop`` (eq. BP1-BP4).

    Returns the sums over the examples of ∂C_x/∂b and ∂C_x/∂w per layer, and the per-example ∂C_x/∂b.
    """
    f, fp = LOOP_ACTIVATIONS[net.activation]
    fo, fop = LOOP_ACTIVATIONS[net.output_activation]
    L = len(net.weights)
    nb = [np.zeros((w.shape[0], 1)) for w in net.weights]
    nw = [np.zeros_like(w) for w in net.weights]
    per_example = []
    for x, label in zip(np.asarray(X, dtype=float), np.asarray(y), strict=True):
        a = x.reshape(-1, 1)
        acts, zs = [a], []
        for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            z = w @ a + b.reshape(-1, 1)
            a = fo(z) if l == L - 1 else f(z)
            zs.append(z)
            acts.append(a)
        target = np.zeros((net.sizes[-1], 1))
        target[int(label)] = 1
        delta = a - target if net.cost_name == "cross_entropy" else (a - target) * fop(zs[-1])
        db, dw = [None] * L, [None] * L
        db[-1], dw[-1] = delta, delta @ acts[-2].T
        for l in range(L - 2, -1, -1):
            delta = (net.weights[l + 1].T @ delta) * fp(zs[l])
            db[l], dw[l] = delta, delta @ acts[l].T
        per_example.append([d.ravel() for d in db])
        nb = [s + d for s, d in zip(nb, db, strict=True)]
        nw = [s + d for s, d in zip(nw, dw, strict=True)]
    return [b.ravel() for b in nb], nw, per_example


def loop_cost(net, X, y, lmbda: float = 0.0) -> float:
    """The book's ``total_cost``: mean cost per example plus the L2 term (λ/2n) Σ w²."""
    f, _ = LOOP_ACTIVATIONS[net.activation]
    fo, _ = LOOP_ACTIVATIONS[net.output_activation]
    total = 0.0
    for x, label in zip(np.asarray(X, dtype=float), np.asarray(y), strict=True):
        a = x
        for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            a = (fo if l == len(net.weights) - 1 else f)(w @ a + b)
        target = np.eye(net.sizes[-1])[int(label)]
        if net.cost_name == "cross_entropy":
            total += -np.sum(target * np.log(a) + (1 - target) * np.log(1 - a))
        else:
            total += 0.5 * np.sum((a - target) ** 2)
    n = len(X)
    return total / n + 0.5 * lmbda / n * sum(np.sum(w**2) for w in net.weights)


#: the activations in mpmath, for :func:`precise_directional_derivative`
_MP_ACTIVATIONS: dict[str, Callable] = {
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "tanh": mpmath.tanh,
    "relu": lambda z: z if z > 0 else mpmath.mpf(0),
    "leaky_relu": lambda z: z if z > 0 else z / 100,
}


def precise_directional_derivative(net, x, label: int, layer: int, directions, h: float, digits: int) -> list:
    """∂C_x/∂b (layer ``layer``, 0 = first hidden) along each of ``directions``, by the central difference
    (C(b + h u) − C(b − h u)) / 2h of one example's cost, evaluated in mpmath with ``digits`` digits.

    The weights, biases, input and direction are converted exactly (a float64 is a binary fraction), the
    forward pass and the cost (quadratic ½‖a − y‖² or cross-entropy Σ softplus(z) − y z) are written out
    here, and mpmath's exponent range is unbounded, so a derivative of 10⁻³⁰⁰ or 10⁻⁵⁰⁰ is resolved
    as long as ``digits`` exceeds the number of decimal orders between C and h times the derivative.
    Returns mpmath numbers (they may be below float64's range). The truncation error is h²/6 times
    the third derivative along ``u``.
    """
    f = _MP_ACTIVATIONS[net.activation]
    f_out = _MP_ACTIVATIONS[net.output_activation]
    with mpmath.workdps(int(digits)):
        W = [[[mpmath.mpf(float(v)) for v in row] for row in w] for w in net.weights]
        B = [[mpmath.mpf(float(v)) for v in b] for b in net.biases]
        a0 = [mpmath.mpf(float(v)) for v in np.asarray(x, dtype=float).ravel()]
        y = [mpmath.mpf(int(k == int(label))) for k in range(net.sizes[-1])]
        hh = mpmath.mpf(float(h))

        def cost(biases) -> mpmath.mpf:
            a = a0
            for l, (w, b) in enumerate(zip(W, biases, strict=True)):
                z = [mpmath.fdot(row, a) + bi for row, bi in zip(w, b, strict=True)]
                a = [(f_out if l == len(W) - 1 else f)(zi) for zi in z]
            if net.cost_name == "cross_entropy":
                return mpmath.fsum(
                    mpmath.log1p(mpmath.exp(zi)) - yi * zi for zi, yi in zip(z, y, strict=True)
                )
            return mpmath.fsum((ai - yi) ** 2 for ai, yi in zip(a, y, strict=True)) / 2

        out = []
        for u in directions:
            u = [mpmath.mpf(float(v)) for v in np.asarray(u, dtype=float).ravel()]
            shifted = []
            for sign in (1, -1):
                biases = list(B)
                biases[layer] = [bi + sign * hh * ui for bi, ui in zip(B[layer], u, strict=True)]
                shifted.append(cost(biases))
            out.append((shifted[0] - shifted[1]) / (2 * hh))
    return out
