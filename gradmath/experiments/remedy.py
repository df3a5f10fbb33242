"""Blog 004's remedies on the book's deep network: activations, initialisations and gradient clipping.

For each setup of :data:`REMEDY_SETUPS` and each seed, on ``[784, 30, 30, 30, 30, 10]``:

- the last-to-first hidden-layer gradient ratio at initialisation, two ways: the book's measure
  ``||delta^4|| / ||delta^1||`` (norms of the mean over the images of dC_x/db^l) and the root mean square
  over images of the per-image gradients (what the per-layer factor :func:`gradmath.meanfield.chi` predicts);
- the norm of one full-batch update from the initial weights (with the setup's clipping, lmbda = 0) and
  the norm of that step's unclipped mean gradient;
- the ratio again and the validation accuracy after a few epochs of SGD (:meth:`Network.train`).

Seeds run in parallel (:func:`gradmath.parallel.map_seeds`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import meanfield, validate
from ..network import Network
from ..parallel import map_seeds
from ..random_networks import hidden_deltas
from .protocol import WIDTH, checked_images, lmbda_per_image, network_sizes

__all__ = [
    "REMEDY_SETUPS",
    "RemedyResult",
    "RemediesResult",
    "compare_remedies",
    "remedies_run",
    "per_image_bias_gradients",
    "RemedyPrediction",
    "predict",
    "MAX_SEEDS",
    "MAX_EPOCHS",
]

#: the most seeds and epochs accepted: a seed of the seven setups takes about 0.5 s for 3 epochs of 1,000
#: images, so 100 seeds or 100 epochs take about a minute on two cores here
MAX_SEEDS = 100
MAX_EPOCHS = 100

#: name -> (Network options, clip_norm, what it illustrates); blog 004's remedies and the baselines.
REMEDY_SETUPS: dict[str, tuple[dict, float | None, str]] = {
    "sigmoid, book init": ({"activation": "sigmoid", "init": "default"}, None, "baseline (vanishing)"),
    "sigmoid, Xavier": ({"activation": "sigmoid", "init": "xavier"}, None, "initialisation alone"),
    "tanh, Xavier": ({"activation": "tanh", "init": "xavier"}, None, "derivative 1 at 0 + Xavier"),
    "ReLU, He": ({"activation": "relu", "init": "he"}, None, "ReLU + He"),
    "leaky ReLU, He": ({"activation": "leaky_relu", "init": "he"}, None, "leaky ReLU + He"),
    "ReLU, N(0,1)": ({"activation": "relu", "init": "large"}, None, "exploding"),
    "ReLU, N(0,1), clipped": ({"activation": "relu", "init": "large"}, 1.0, "exploding + clipping"),
}


def per_image_bias_gradients(net: Network, X, y) -> list[np.ndarray]:
    """Per hidden layer, the array (n, width) of per-image gradients dC_x/db^l (cross-entropy output).

    Backpropagation kept per image (BP1-BP2): delta^L_x = a^L_x - y_x, then
    delta^l_x = ((w^{l+1})^T delta^{l+1}_x) * f'(z^l_x) (:func:`gradmath.random_networks.hidden_deltas`).
    """
    return hidden_deltas(net.weights, net.biases, np.asarray(X, dtype=float), np.asarray(y), net.activation)


@dataclass(frozen=True)
class RemedyResult:
    """One setup, per seed (arrays of length seeds).

    ``first_init``/``last_init``: ``||delta^1||``, ``||delta^4||`` at initialisation (norms of the mean
    gradient, the book's measure); ``rms_first``/``rms_last``: root mean square over images of the
    per-image gradient norms; ``first_trained``/``last_trained``/``accuracy`` after training;
    ``update_norm``: ``||theta_after - theta_before||`` of one full-batch step from the initial weights
    (lmbda = 0, the setup's clipping); ``gradient_norm``: that step's unclipped mean gradient norm;
    ``status``: "ok", "dead" (the first hidden layer's gradient is exactly zero after training) or
    "diverged" (training overflowed; trained norms and accuracy recorded as 0).
    """

    name: str
    clip_norm: float | None
    first_init: np.ndarray
    last_init: np.ndarray
    rms_first: np.ndarray
    rms_last: np.ndarray
    first_trained: np.ndarray
    last_trained: np.ndarray
    accuracy: np.ndarray
    update_norm: np.ndarray
    gradient_norm: np.ndarray
    status: np.ndarray

    @property
    def ratio_init(self) -> np.ndarray:
        """Per seed: last over first hidden layer at initialisation (the book's measure)."""
        return self.last_init / self.first_init

    @property
    def rms_ratio_init(self) -> np.ndarray:
        """Per seed: last over first hidden layer at initialisation, root mean square of per-image norms."""
        return self.rms_last / self.rms_first

    @property
    def ratio_trained(self) -> np.ndarray:
        """Per seed with status "ok": last over first hidden layer after training."""
        ok = self.status == "ok"
        return self.last_trained[ok] / self.first_trained[ok]

    @property
    def log10_ratio_init(self) -> float:
        """Mean over seeds of log10 of the ratio at initialisation."""
        return float(np.mean(np.log10(self.ratio_init)))

    @property
    def log10_ratio_trained(self) -> float | None:
        """Mean over "ok" seeds of log10 of the ratio after training; None when there is none."""
        r = self.ratio_trained
        return float(np.mean(np.log10(r))) if len(r) else None

    @property
    def geomean_init(self) -> float:
        """Geometric mean over seeds of the ratio at initialisation: 10 ** :attr:`log10_ratio_init`."""
        return 10**self.log10_ratio_init

    @property
    def geomean_trained(self) -> float | None:
        """Geometric mean over "ok" seeds of the ratio after training; None when there is none."""
        lg = self.log10_ratio_trained
        return None if lg is None else 10**lg

    @property
    def geomean_rms_init(self) -> float:
        """Geometric mean over seeds of :attr:`rms_ratio_init`."""
        return float(10 ** np.mean(np.log10(self.rms_ratio_init)))


@dataclass(frozen=True)
class RemediesResult:
    """All remedy setups of :func:`compare_remedies`, by name, and the protocol."""

    setups: dict[str, RemedyResult]
    sizes: tuple[int, ...]
    epochs: int
    eta: float
    lmbda: float
    n_images: int
    seeds: tuple[int, ...]


def _flat(net: Network) -> np.ndarray:
    return np.concatenate([w.ravel() for w in net.weights] + [b.ravel() for b in net.biases])


def _one_setup(seed, X, y, X_val, y_val, sizes, options, clip, epochs, batch_size, eta, lmbda) -> tuple:
    """One seed of one setup: the row of :class:`RemedyResult` fields and the status."""
    n = len(X)
    net = Network(sizes, seed=seed, **options)
    per_image = per_image_bias_gradients(net, X, y)
    g = [d.mean(axis=0) for d in per_image]  # the book's delta^l: the mean over the images
    rms = [float(np.sqrt(np.mean(np.sum(d * d, axis=1)))) for d in (per_image[0], per_image[-1])]
    probe = copy.deepcopy(net)  # the same initial parameters, for one full-batch step
    before = _flat(probe)
    nabla_b, nabla_w = probe.backprop(X, y)
    grad = np.sqrt(sum(float(np.vdot(a / n, a / n)) for a in nabla_b + nabla_w))
    probe.gradient_step(X, y, eta, 0.0, n, clip_norm=clip)
    update = float(np.linalg.norm(_flat(probe) - before))
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            net.train(X, y, epochs, batch_size, eta, lmbda, seed=seed, clip_norm=clip)
    except FloatingPointError:
        trained, state = (0.0, 0.0, 0.0), "diverged"
    else:
        h = net.bias_gradients(X, y, check_input=False)[:-1]
        f1, l1 = float(np.linalg.norm(h[0])), float(np.linalg.norm(h[-1]))
        trained, state = (f1, l1, net.accuracy(X_val, y_val)), ("dead" if f1 == 0.0 else "ok")
    row = (float(np.linalg.norm(g[0])), float(np.linalg.norm(g[-1])), *rms, *trained, update, grad)
    return row, state


def remedies_run(seed: int, X, y, X_val, y_val, sizes, names, epochs, batch_size, eta, lmbda) -> list:
    """One seed: ``(row, status)`` of every setup in ``names``."""
    X, X_val = np.asarray(X), np.asarray(X_val)
    return [
        _one_setup(
            seed,
            X,
            y,
            X_val,
            y_val,
            sizes,
            REMEDY_SETUPS[k][0],
            REMEDY_SETUPS[k][1],
            epochs,
            batch_size,
            eta,
            lmbda,
        )
        for k in names
    ]


def compare_remedies(
    X,
    y,
    X_val,
    y_val,
    hidden_layers: int = 4,
    seeds: int = 5,
    epochs: int = 3,
    batch_size: int = 10,
    eta: float = 0.1,
    lmbda: float | None = None,
    setups: Sequence[str] | None = None,
    *,
    n_jobs: int | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> RemediesResult:
    """Blog 004's remedies on ``[784, 30 x hidden_layers, 10]``, seeds 0 .. seeds - 1 (see the module doc).

    ``lmbda`` defaults to the book's decay per image, 5.0 n / 50,000; ``seeds`` and ``epochs`` are at most
    :data:`MAX_SEEDS` and :data:`MAX_EPOCHS`.
    """
    X, y = checked_images(X, y)
    X_val, y_val = checked_images(X_val, y_val, "X_val")
    seeds = validate.integer(seeds, "seeds", 1, MAX_SEEDS)
    epochs = validate.integer(epochs, "epochs", 1, MAX_EPOCHS)
    names = (
        list(REMEDY_SETUPS)
        if setups is None
        else [validate.choice(k, "setups", list(REMEDY_SETUPS)) for k in setups]
    )
    n = len(X)
    lmbda = lmbda_per_image(n) if lmbda is None else validate.real(lmbda, "lmbda", 0.0, 1e6)
    sizes = tuple(network_sizes(hidden_layers, n_in=X.shape[1]))
    args = (X, y, X_val, y_val, sizes, names, epochs, batch_size, eta, lmbda)
    rows = map_seeds(
        remedies_run, range(seeds), args=args, n_jobs=n_jobs, progress=progress, label="remedies: seed"
    )
    out = {}
    for i, name in enumerate(names):
        cols = np.array([r[i][0] for r in rows]).T
        out[name] = RemedyResult(
            name, REMEDY_SETUPS[name][1], *cols, status=np.array([r[i][1] for r in rows])
        )
    return RemediesResult(out, sizes, epochs, eta, lmbda, n, tuple(range(seeds)))


@dataclass(frozen=True)
class RemedyPrediction:
    """The mean-field prediction (:mod:`gradmath.meanfield`) for one setup at initialisation.

    ``sigma_w2``: the hidden layers' weight variance times n_in; ``chi``: the factor of the mean squared
    gradient per hidden-to-hidden layer, averaged over the images; ``rms_ratio``: ``||delta^last|| /
    ||delta^1||`` for the root mean square over images of the per-image gradients; ``mean_ratio``: the
    same for the norm of the mean gradient (the book's measure), or None where the theory module does not
    model the setup's first layer.
    """

    sigma_w2: float
    chi: tuple[float, ...]
    rms_ratio: float
    mean_ratio: float | None


def predict(name: str, X, hidden_layers: int = 4, n_pairs: int = 100) -> RemedyPrediction:
    """The mean-field prediction for the setup ``name`` of :data:`REMEDY_SETUPS` on the images ``X``.

    The book's, Xavier and He initialisations are :data:`gradmath.meanfield.CONFIGS` and go through
    :func:`gradmath.meanfield.propagate` (each image's variance and ``n_pairs`` pairs' covariances, layer
    by layer). ReLU with N(0, 1) weights has sigma_w^2 = 30 on the hidden layers; for the ReLU family chi
    does not depend on the variance (chi = sigma_w^2 (1 + alpha^2) / 2), which fixes the per-image ratio.
    """
    options = REMEDY_SETUPS[validate.choice(name, "name", list(REMEDY_SETUPS))][0]
    act, init = options["activation"], options["init"]
    config = next((c for c in meanfield.CONFIGS.values() if (c.activation, c.init) == (act, init)), None)
    if config is None:
        if act not in ("relu", "leaky_relu") or init != "large":
            raise ValueError(f"no mean-field model for the setup {name!r}")
        chi = meanfield.chi(act, None, float(WIDTH))
        return RemedyPrediction(
            float(WIDTH), (chi,) * (hidden_layers - 1), chi ** (-(hidden_layers - 1) / 2), None
        )
    p = meanfield.propagate(config, np.asarray(X, dtype=float), hidden_layers, WIDTH, n_pairs=n_pairs)
    rms, mean = p.ratios()
    chi = tuple(float(c) for c in p.chi[: hidden_layers - 1].mean(axis=1))
    return RemedyPrediction(config.sigma_w2, chi, float(np.prod(rms)), float(np.prod(mean)))
