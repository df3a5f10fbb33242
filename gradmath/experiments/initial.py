"""The speed of learning of each hidden layer just after initialisation (sec. 5.1, the table of speeds).

The book's ``generate_gradient.py`` initialises ``[784, 30, ..., 30, 10]`` networks and measures, on its
first 1,000 training images, the speed of learning of hidden layer l as ``||delta^l||``, the norm of
delta^l = (1/n) sum_x dC_x/db^l. It prints one run: 0.07, 0.31 / 0.012, 0.060, 0.283 /
0.003, 0.017, 0.070, 0.285. Here every seed is a run, and the seeds run in parallel.

Examples
--------
>>> from gradmath import load_mnist
>>> data = load_mnist()
>>> r = initial_norms(data.train.X[:1000], data.train.y[:1000], seeds=3, n_jobs=1)
>>> sorted(r.mean), r.norms[4].shape
([2, 3, 4], (3, 4))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import validate
from ..network import Network
from ..parallel import map_seeds
from .protocol import MAX_HIDDEN_LAYERS, MAX_WIDTH, WIDTH, checked_images, network_sizes

__all__ = [
    "InitialNorms",
    "initial_norms",
    "initial_norms_run",
    "NeuronGradients",
    "neuron_gradients",
    "MAX_SEEDS",
]

#: the most seeds :func:`initial_norms` accepts (20 take about 0.3 s here, 500 about 8 s)
MAX_SEEDS = 500


@dataclass(frozen=True)
class InitialNorms:
    """``||delta^l||`` of each hidden layer at initialisation, per seed.

    Attributes
    ----------
    norms : dict
        ``{hidden layers: array (seeds, hidden layers)}``, first hidden layer first.
    seeds : tuple of int
        The seeds (each fixes a network's initialisation).
    n_images : int
        Training images averaged over.
    """

    norms: dict[int, np.ndarray]
    seeds: tuple[int, ...]
    n_images: int

    @property
    def mean(self) -> dict[int, np.ndarray]:
        """``{hidden layers: array (hidden layers,)}``: the mean over seeds."""
        return {h: a.mean(axis=0) for h, a in self.norms.items()}

    @property
    def std(self) -> dict[int, np.ndarray]:
        """The standard deviation over seeds (ddof=1; zeros for one seed)."""
        return {
            h: (a.std(axis=0, ddof=1) if len(a) > 1 else np.zeros(a.shape[1])) for h, a in self.norms.items()
        }

    def __repr__(self) -> str:
        rows = "; ".join(f"{h}: {np.array2string(self.mean[h], precision=4)}" for h in self.mean)
        return f"InitialNorms(seeds={len(self.seeds)}, n_images={self.n_images}, mean={{{rows}}})"


def initial_norms_run(seed: int, X, y, hidden_layers: Sequence[int], width: int, options: dict) -> list:
    """One seed: per depth, the norms ``||delta^l||`` of the hidden layers of ``Network(sizes, seed)``."""
    out = []
    for h in hidden_layers:
        net = Network(network_sizes(h, width, X.shape[1]), seed=seed, **options)
        out.append(
            np.array([float(np.linalg.norm(g)) for g in net.bias_gradients(X, y, check_input=False)[:-1]])
        )
    return out


def initial_norms(
    X,
    y,
    hidden_layers: Sequence[int] = (2, 3, 4),
    seeds: int = 20,
    *,
    width: int = WIDTH,
    n_jobs: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    **network_options,
) -> InitialNorms:
    """The norms ``||delta^l||`` of the hidden layers just after initialisation, for seeds 0 .. seeds - 1.

    For each seed and depth, a fresh ``Network([784, 30, ..., 30, 10], seed)`` (the book's initialisation
    unless ``network_options`` say otherwise) and one pass of :meth:`Network.bias_gradients` over (X, y):
    delta^l = (1/n) sum_x dC_x/db^l, as in the book's ``generate_gradient.py``. ``seeds`` is at most
    :data:`MAX_SEEDS`; the seeds run through
    :func:`gradmath.parallel.map_seeds` (``n_jobs`` as there).
    """
    X, y = checked_images(X, y)
    seeds = validate.integer(seeds, "seeds", 1, MAX_SEEDS)
    depths = tuple(validate.integer(h, "hidden_layers", 1, MAX_HIDDEN_LAYERS) for h in hidden_layers)
    rows = map_seeds(
        initial_norms_run,
        range(seeds),
        args=(X, y, depths, width, network_options),
        n_jobs=n_jobs,
        progress=progress,
        label="initial norms: seed",
    )
    norms = {h: np.array([r[k] for r in rows]) for k, h in enumerate(depths)}
    return InitialNorms(norms=norms, seeds=tuple(range(seeds)), n_images=len(X))


@dataclass(frozen=True)
class NeuronGradients:
    """The per-neuron gradients delta^l_j = dC/db^l_j of the first ``top`` neurons of each hidden layer.

    The book's bar picture (sec. 5.1, [784, 30, 30, 10], "the top six neurons in the two hidden layers").
    ``delta[l]`` is the signed mean gradient of hidden layer l + 1; the bars show ``abs(delta[l])``.
    """

    sizes: tuple[int, ...]
    seed: int
    delta: tuple[np.ndarray, ...]
    layer_norms: tuple[float, ...]


def neuron_gradients(X, y, sizes: Sequence[int] = (784, 30, 30, 10), seed: int = 0, top: int = 6):
    """delta^l_j for neurons j = 1..``top`` of every hidden layer at initialisation (the sec. 5.1 figure)."""
    X, y = checked_images(X, y)
    top = validate.integer(top, "top", 1, MAX_WIDTH)
    net = Network(list(sizes), seed=seed)
    grads = net.bias_gradients(X, y)[:-1]
    return NeuronGradients(
        sizes=tuple(sizes),
        seed=seed,
        delta=tuple(np.asarray(g[:top], dtype=float) for g in grads),
        layer_norms=tuple(float(np.linalg.norm(g)) for g in grads),
    )
