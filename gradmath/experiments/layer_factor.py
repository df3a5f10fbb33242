r"""The per-layer factor of the gradient at initialisation, from the signal-propagation (mean-field) theory.

With weights ``N(0, sigma_w^2 / n_in)`` and biases ``N(0, sigma_b^2)``, the weighted inputs of a wide
layer are Gaussian with variance q, which propagates as q_{l+1} = sigma_w^2 E[phi(sqrt(q_l) Z)^2] +
sigma_b^2 (Z standard normal), and backpropagation multiplies the mean squared gradient per layer by
chi_l = sigma_w^2 E[phi'(sqrt(q_l) Z)^2] (Poole et al. 2016; Schoenholz et al. 2017; the variance
argument of Glorot and Bengio 2010 and He et al. 2015). Over the hidden layers of a
``[784, 30, ..., 30, 10]`` network the ratio of the last to the first hidden layer's gradient norm is
predicted to be ``prod_l chi_l^{-1/2}``: the prediction concerns the root mean square over images of the
per-image gradients ``||dC_x/db^l||``.

The first layer's q comes from the data: q_1 = sigma_w^2 E_x[||x||^2] / n_in + sigma_b^2.

Examples
--------
>>> p = predicted_ratio("relu", "he", [784, 30, 30, 30, 30, 10], input_second_moment=0.11)
>>> [round(c, 12) for c in p.chi]  # He's 2/n_in against ReLU's E[phi'^2] = 1/2
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from ..activations import get_activation

__all__ = ["init_variances", "gaussian_mean", "LayerPrediction", "predicted_ratio"]


def init_variances(init: str, n_in: int, n_out: int) -> tuple[float, float]:
    """``(sigma_w^2, sigma_b^2)`` of a layer ``n_in -> n_out`` under a :class:`Network` initialisation.

    "default" (the book): weights N(0, 1/n_in), biases N(0, 1); "large": N(0, 1) for both; "xavier"
    (Glorot normal): weights N(0, 2/(n_in + n_out)), biases 0; "he": weights N(0, 2/n_in), biases 0.
    """
    table = {
        "default": (1.0, 1.0),
        "large": (float(n_in), 1.0),
        "xavier": (2.0 * n_in / (n_in + n_out), 0.0),
        "he": (2.0, 0.0),
    }
    if init not in table:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(map(repr, table))}")
    return table[init]


def gaussian_mean(f: Callable[[float], float]) -> float:
    """E[f(Z)] for a standard normal Z by adaptive quadrature (split at 0, where ReLU has its kink)."""
    density = 1.0 / np.sqrt(2.0 * np.pi)

    def g(t: float) -> float:
        return float(f(t)) * density * np.exp(-0.5 * t * t)

    return float(sum(integrate.quad(g, a, b, limit=200)[0] for a, b in ((-np.inf, 0.0), (0.0, np.inf))))


@dataclass(frozen=True)
class LayerPrediction:
    """The mean-field prediction for the hidden layers of one network at initialisation.

    ``q[l]``: variance of the weighted inputs of hidden layer l + 1; ``chi[l]``: the factor by which the
    mean squared gradient shrinks from hidden layer l + 2 to l + 1; ``ratio``: last over first hidden
    layer's gradient norm, ``prod chi^{-1/2}``.
    """

    q: tuple[float, ...]
    chi: tuple[float, ...]
    ratio: float


def predicted_ratio(
    activation: str, init: str, sizes: Sequence[int], input_second_moment: float
) -> LayerPrediction:
    """Predict ``||delta^last|| / ||delta^1||`` (root mean square over images) of a network at initialisation.

    ``input_second_moment`` is ``E_x[||x||^2] / n_in`` over the images; ``sizes`` the layer sizes.
    """
    f, fp = get_activation(activation)
    s2, b2 = init_variances(init, sizes[0], sizes[1])
    q = [s2 * float(input_second_moment) + b2]
    chi = []
    for n_in, n_out in zip(sizes[1:-2], sizes[2:-1], strict=True):
        s2, b2 = init_variances(init, n_in, n_out)
        root = np.sqrt(q[-1])
        chi.append(s2 * gaussian_mean(lambda t, r=root: fp(r * t) ** 2))
        q.append(s2 * gaussian_mean(lambda t, r=root: f(r * t) ** 2) + b2)
    return LayerPrediction(tuple(q), tuple(chi), float(np.prod(np.asarray(chi) ** -0.5)))
