"""Numeric experiments on real MNIST digits: the speed of learning layer by layer (ch. 5, sec. 5.1).

Each function reproduces one experiment of section 5.1 (the book's ``fig/generate_gradient.py``
and its ``network2.SGD`` runs) or of the remedies listed in blog post 004, and returns a
dataclass with named fields. The "speed of learning" of hidden layer l is the book's
``||delta^l||``: the Euclidean norm of the mean over the training images of dC_x/db^l.

- :func:`initial_norms`: ``||delta^l||`` just after initialisation, over many seeds.
- :func:`neuron_gradients`: the per-neuron gradients delta^l_j of the book's bar picture.
- :func:`training_speed`: ``||delta^l||`` every epoch of full-batch gradient descent (500 epochs).
- :func:`depth_accuracy`: validation accuracy of 1 to 4 hidden layers after 30 epochs of SGD.
- :func:`remedies`: last-to-first gradient ratios for other activations, initialisers, clipping.

The networks are :class:`gradmath.Network` instances (the book's network2 semantics). The
depth-accuracy runs use :class:`StackedSGD`, a specialised trainer that takes its initial weights
from :class:`~gradmath.Network` and trains the four depths of one seed on the same mini-batches;
its updates equal :meth:`Network.gradient_step` step for step (checked in the solver).

Examples
--------
>>> from gradmath import load_mnist
>>> from gradmath.experiments import initial_norms
>>> data = load_mnist()
>>> r = initial_norms(data.train.X[:1000], data.train.y[:1000], seeds=3)
>>> sorted(r.mean)
[2, 3, 4]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg.blas import dgemm as _dgemm
from scipy.special import expit

__all__ = [
    "BOOK_INITIAL_NORMS",
    "BOOK_DEPTH_ACCURACY",
    "BOOK_FIRST_TO_LAST_SLOWDOWN",
    "network_sizes",
    "InitialNorms",
    "initial_norms",
    "NeuronGradients",
    "neuron_gradients",
    "TrainingSpeed",
    "training_speed",
    "training_speed_flops",
    "StackedSGD",
    "DepthAccuracy",
    "depth_accuracy",
    "RemedyResult",
    "RemediesResult",
    "REMEDY_SETUPS",
    "remedies",
    "finite_difference_bias_gradient",
]

#: ch. 5, sec. 5.1: ||delta^l|| of the hidden layers (first first) just after initialisation.
BOOK_INITIAL_NORMS: dict[int, tuple[float, ...]] = {
    2: (0.07, 0.31),
    3: (0.012, 0.060, 0.283),
    4: (0.003, 0.017, 0.070, 0.285),
}
#: ch. 5, sec. 5.1: validation accuracy after 30 epochs (mini-batch 10, eta 0.1, lmbda 5.0, 50,000 images).
BOOK_DEPTH_ACCURACY: dict[int, float] = {1: 0.9648, 2: 0.9690, 3: 0.9657, 4: 0.9653}
#: ch. 5, sec. 5.1: "the first hidden layer is learning roughly 100 times slower than the final hidden layer".
BOOK_FIRST_TO_LAST_SLOWDOWN = 100.0

Progress = Callable[[float, str], None] | None


def network_sizes(hidden_layers: int, width: int = 30, n_in: int = 784, n_out: int = 10) -> list[int]:
    """The book's layer sizes ``[784, 30, ..., 30, 10]`` with ``hidden_layers`` hidden layers."""
    if not isinstance(hidden_layers, int | np.integer) or hidden_layers < 1:
        raise ValueError(f"hidden_layers must be an integer >= 1, got {hidden_layers!r}")
    return [n_in] + [width] * int(hidden_layers) + [n_out]


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, 784) and y (n,), got X {X.shape} and y {y.shape}")
    if len(X) == 0:
        raise ValueError("X must hold at least one image")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite (no NaN or inf)")
    return X, y.astype(np.int64)


def _check_seeds(seeds: int, name: str = "seeds") -> int:
    if not isinstance(seeds, int | np.integer) or seeds < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {seeds!r}")
    return int(seeds)


def _single_thread_blas():
    """Hold BLAS to one thread (threadpoolctl) for the training loops.

    Their products are small (mini-batch 10) or medium (1,000 x 784 x 90): a second BLAS thread gains
    little on an idle machine and, when the other core is busy, costs up to 10x (threads wait on each
    other at every call).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _report(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0), message)


def _network(sizes, seed, **options):
    from .network import Network  # imported lazily: the module is optional until used

    return Network(sizes, seed=seed, **options)


def _one_hot(y: np.ndarray, k: int) -> np.ndarray:
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def finite_difference_bias_gradient(net, X, y, layer: int, h: float = 1e-5) -> np.ndarray:
    """dC/db^layer by central differences of ``net.cost``, one bias at a time (layer 0 = first hidden).

    An oracle independent of backpropagation, for the checks.
    """
    biases = [np.array(b, dtype=float) for b in net.biases]
    b = biases[layer]
    grad = np.empty_like(b)

    def cost() -> float:
        net.biases = biases  # assigned, so the network sees the perturbed copy
        return net.cost(X, y)

    try:
        for j in range(len(b)):
            old = b[j]
            b[j] = old + h
            cp = cost()
            b[j] = old - h
            cm = cost()
            b[j] = old
            grad[j] = (cp - cm) / (2 * h)
    finally:
        net.biases = biases
    return grad


# --- initial norms ------------------------------------------------------------------------------


@dataclass
class InitialNorms:
    """``||delta^l||`` of each hidden layer at initialisation, per seed (sec. 5.1).

    Attributes
    ----------
    norms : dict
        ``{hidden layers: array (seeds, hidden layers)}``, first hidden layer first.
    mean, std : dict
        ``{hidden layers: array (hidden layers,)}``: mean and standard deviation (ddof=1) over seeds.
    seeds : tuple of int
        The seeds used (network initialisation).
    n_images : int
        Training images averaged over.
    """

    norms: dict[int, np.ndarray]
    mean: dict[int, np.ndarray]
    std: dict[int, np.ndarray]
    seeds: tuple[int, ...]
    n_images: int

    def __repr__(self) -> str:
        rows = "; ".join(f"{h}: {np.array2string(self.mean[h], precision=4)}" for h in self.mean)
        return f"InitialNorms(seeds={len(self.seeds)}, n_images={self.n_images}, mean={{{rows}}})"


def initial_norms(
    X,
    y,
    hidden_layers: Sequence[int] = (2, 3, 4),
    seeds: int = 20,
    *,
    width: int = 30,
    progress: Progress = None,
    **network_options,
) -> InitialNorms:
    """The norms ``||delta^l||`` of the hidden layers just after initialisation (sec. 5.1).

    For each seed and depth, a fresh ``Network([784, 30, ..., 30, 10], seed)`` (the book's
    initialisation unless ``network_options`` say otherwise) and one pass of
    :meth:`Network.bias_gradients` over (X, y): delta^l = (1/n) sum_x dC_x/db^l, as in the book's
    ``generate_gradient.py``. The book prints 0.07, 0.31 / 0.012, 0.060, 0.283 /
    0.003, 0.017, 0.070, 0.285 for one run on its first 1,000 training images.
    """
    X, y = _check_xy(X, y)
    seeds = _check_seeds(seeds)
    norms: dict[int, np.ndarray] = {}
    total = len(hidden_layers) * seeds
    done = 0
    for h in hidden_layers:
        rows = []
        for s in range(seeds):
            net = _network(network_sizes(h, width, X.shape[1]), s, **network_options)
            grads = net.bias_gradients(X, y)[:-1]
            rows.append([float(np.linalg.norm(g)) for g in grads])
            done += 1
            _report(progress, done / total, f"initial norms: {h} hidden layers, seed {s}")
        norms[h] = np.array(rows)
    mean = {h: a.mean(axis=0) for h, a in norms.items()}
    std = {h: (a.std(axis=0, ddof=1) if len(a) > 1 else np.zeros(a.shape[1])) for h, a in norms.items()}
    return InitialNorms(norms=norms, mean=mean, std=std, seeds=tuple(range(seeds)), n_images=len(X))


@dataclass
class NeuronGradients:
    """The per-neuron gradients delta^l_j = dC/db^l_j of the first ``top`` neurons of each hidden layer.

    The book's bar picture (sec. 5.1, [784, 30, 30, 10], "the top six neurons in the two hidden layers").
    ``delta[l]`` is the signed mean gradient of hidden layer l + 1; the bars show ``abs(delta[l])``.
    """

    sizes: list[int]
    seed: int
    delta: list[np.ndarray]
    layer_norms: list[float]


def neuron_gradients(X, y, sizes: Sequence[int] = (784, 30, 30, 10), seed: int = 0, top: int = 6):
    """delta^l_j for neurons j = 1..``top`` of every hidden layer at initialisation (sec. 5.1 figure)."""
    X, y = _check_xy(X, y)
    if not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be an integer >= 1, got {top!r}")
    net = _network(list(sizes), seed)
    grads = net.bias_gradients(X, y)[:-1]
    return NeuronGradients(
        sizes=list(sizes),
        seed=seed,
        delta=[np.asarray(g[:top], dtype=float) for g in grads],
        layer_norms=[float(np.linalg.norm(g)) for g in grads],
    )


# --- training speed -----------------------------------------------------------------------------


def training_speed_flops(sizes: Sequence[int], n_images: int) -> float:
    """Floating-point operations of one fused probe+step epoch on ``n_images`` (multiply-add = 2).

    Forward: 2 n n_in n_out per layer. Backward: the weight gradient delta^T a (2 n n_in n_out per
    layer) and the delta of every layer but the first hidden one (2 n n_in n_out for layers >= 2;
    the input layer needs no delta). Elementwise work is not counted.
    """
    pairs = list(zip(sizes[:-1], sizes[1:], strict=False))
    per_layer = [2.0 * n_images * i * o for i, o in pairs]
    return float(2 * sum(per_layer) + sum(per_layer[1:]))


@dataclass
class TrainingSpeed:
    """``||delta^l||`` of each hidden layer, every epoch, during full-batch training (sec. 5.1).

    Attributes
    ----------
    norms : dict
        ``{hidden layers: array (epochs, hidden layers)}``, recorded before each epoch's update.
    final_ratio : dict
        ``{hidden layers: norms[-1, -1] / norms[-1, 0]}``: last over first hidden layer, last epoch.
    probes : list of dict
        At a few epochs, the norms from the fused probe+step beside those of a separate
        :meth:`Network.bias_gradients` call on the same weights (keys ``depth``, ``epoch``, ``fused``,
        ``separate``).
    elapsed : float
        Seconds of training, all depths together (probes excluded).
    flops : float
        Floating-point operations the protocol needs (:func:`training_speed_flops`, all depths and epochs).
    active_columns : int
        Input columns not blank in every image (the products skip the others, see :class:`StackedSGD`).
    """

    norms: dict[int, np.ndarray]
    final_ratio: dict[int, float]
    epochs: int
    eta: float
    lmbda: float
    n_images: int
    seed: int
    probes: list[dict] = field(default_factory=list)
    elapsed: float = 0.0
    flops: float = 0.0
    active_columns: int = 0

    @property
    def gflops_per_second(self) -> float:
        """The protocol's arithmetic (all 784 input columns counted) per second of training, in GFLOP/s."""
        return self.flops / self.elapsed / 1e9 if self.elapsed > 0 else float("nan")

    def __repr__(self) -> str:
        ratios = ", ".join(f"{h}: {r:.3g}" for h, r in self.final_ratio.items())
        return (
            f"TrainingSpeed(epochs={self.epochs}, n_images={self.n_images}, eta={self.eta}, "
            f"lmbda={self.lmbda}, final_ratio={{{ratios}}}, elapsed={self.elapsed:.2f} s, "
            f"{self.gflops_per_second:.1f} GFLOP/s)"
        )


def training_speed(
    X,
    y,
    hidden_layers: Sequence[int] = (2, 3, 4),
    epochs: int = 500,
    eta: float = 0.1,
    lmbda: float = 5.0,
    seed: int = 0,
    *,
    probe_epochs: Sequence[int] | None = None,
    progress: Progress = None,
) -> TrainingSpeed:
    """The book's ``generate_gradient.py`` protocol: speed of learning of each hidden layer while training.

    Every epoch: record ``||delta^l||`` for each hidden layer, then one full-batch gradient-descent
    step (the book calls ``network2.SGD(td, 1, 1000, 0.1, lmbda=5.0)`` on its 1,000 images: the
    mini-batch is all n images, so w <- (1 - eta lmbda / n) w - (eta / n) nabla_w,
    b <- b - (eta / n) nabla_b). Probe and step see the same weights and images, so one forward and
    backward pass serves both (:meth:`StackedSGD.step` with ``probe=True``); the networks of all depths
    (``Network(sizes, seed)``, the book's initialisation) are trained side by side on the same images.
    At ``probe_epochs`` (default first, middle, last) a separate :meth:`Network.bias_gradients` on the
    same weights is recorded for the checks.
    """
    X, y = _check_xy(X, y)
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if probe_epochs is None:
        probe_epochs = sorted({0, epochs // 2, epochs - 1})
    probe_set = {int(e) for e in probe_epochs}
    hidden_layers = tuple(hidden_layers)
    n = len(X)
    decay = 1.0 - eta * lmbda / n
    Y = _one_hot(y, 10)
    nets = [_network(network_sizes(h, 30, X.shape[1]), seed) for h in hidden_layers]
    trainer = StackedSGD(nets, active=np.any(X != 0, axis=0))
    x = trainer.restrict(X)
    norms = {h: np.empty((epochs, h)) for h in hidden_layers}
    probes: list[dict] = []
    elapsed = 0.0
    with _single_thread_blas():
        for e in range(epochs):
            if e in probe_set:  # the independent probe: a Network with the trainer's current weights
                for k, h in enumerate(hidden_layers):
                    nets[k].weights, nets[k].biases = trainer.weights_of(k)
                    separate = [float(np.linalg.norm(g)) for g in nets[k].bias_gradients(X, y)[:-1]]
                    probes.append({"depth": h, "epoch": e, "separate": np.array(separate)})
            t0 = time.perf_counter()
            grads = trainer.step(x, Y, eta, decay, probe=True)
            for k, h in enumerate(hidden_layers):
                out = norms[h][e]
                for j in range(h):
                    g = grads[k][j]
                    out[j] = np.sqrt(np.dot(g, g))
            elapsed += time.perf_counter() - t0
            if progress is not None and (e + 1) % 25 == 0:
                _report(progress, (e + 1) / epochs, f"training speed: epoch {e + 1} of {epochs}")
    for p in probes:
        p["fused"] = norms[p["depth"]][p["epoch"]].copy()
    for h in hidden_layers:
        if not np.all(np.isfinite(norms[h])):
            raise FloatingPointError(f"non-finite gradient norm in the {h}-hidden-layer run (eta={eta})")
    flops = sum(training_speed_flops(network_sizes(h, 30, X.shape[1]), n) for h in hidden_layers) * epochs
    return TrainingSpeed(
        norms=norms,
        final_ratio={h: float(norms[h][-1, -1] / norms[h][-1, 0]) for h in hidden_layers},
        epochs=epochs,
        eta=eta,
        lmbda=lmbda,
        n_images=n,
        seed=seed,
        probes=probes,
        elapsed=elapsed,
        flops=flops,
        active_columns=int(trainer.active.sum()),
    )


# --- depth and accuracy -------------------------------------------------------------------------


class StackedSGD:
    """Mini-batch SGD for several sigmoid cross-entropy networks that share their mini-batches.

    The networks (e.g. 1 to 4 hidden layers of 30, one seed) all have the input width ``n_in``;
    their first layers are stacked into one ``(sum of widths, n_in)`` matrix so that the large
    first-layer products, the dominant cost at mini-batch 10, are one BLAS call each per step.
    The update is network2's (ch. 3, eq. 93-94), exactly as :meth:`Network.gradient_step`:
    w <- (1 - eta lmbda / n) w - (eta / m) sum_x dC_x/dw, b <- b - (eta / m) sum_x dC_x/db,
    with delta^L = a^L - y and delta^l = ((w^{l+1})^T delta^{l+1}) * sigma'(z^l), sigma' = a (1 - a).
    Backpropagation is linear in delta, so the factor eta/m is applied once to delta^L; each weight
    update, decay included, is one in-place BLAS call w <- decay w - delta^T a (``dgemm``, beta = decay).

    Input columns that are zero in every training image (MNIST's blank border pixels) contribute
    nothing to z^1 and receive no gradient, only the decay; with ``active`` (a boolean mask of the
    input columns) the products skip them and their weights are decayed lazily, by one scalar. The
    result is the same update, up to the order of floating-point summation.

    Parameters
    ----------
    networks : sequence of Network
        The starting weights and biases (copied); sigmoid hidden and output layers, cross-entropy.
    active : array of bool, shape (n_in,), optional
        The input columns that may be nonzero in the images given to :meth:`step` (default: all).
        :meth:`step` then takes ``x[:, active]``, see :meth:`restrict`.
    """

    def __init__(self, networks, active=None) -> None:
        if not networks:
            raise ValueError("networks must hold at least one Network")
        n_in = {net.weights[0].shape[1] for net in networks}
        if len(n_in) != 1:
            raise ValueError(f"all networks must have the same input width, got {sorted(n_in)}")
        self.widths = [net.weights[0].shape[0] for net in networks]
        edges = np.cumsum([0] + self.widths)
        self.slices = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        W1 = np.concatenate([net.weights[0] for net in networks]).astype(float)
        n_in = W1.shape[1]
        self.active = np.ones(n_in, dtype=bool) if active is None else np.asarray(active, dtype=bool)
        if self.active.shape != (n_in,):
            raise ValueError(f"active must be a boolean mask of shape ({n_in},), got {self.active.shape}")
        # Fortran order: dgemm updates it in place, and W1.T (for the forward pass) is C-contiguous.
        self.W1 = np.asfortranarray(W1[:, self.active])
        self._W1_idle = W1[:, ~self.active].copy()
        self._idle_scale = 1.0
        self.b1 = np.concatenate([net.biases[0] for net in networks]).astype(float)
        self.rest = [
            (
                [np.asfortranarray(w, dtype=float) for w in net.weights[1:]],
                [np.array(b, dtype=float) for b in net.biases[1:]],
            )
            for net in networks
        ]
        self._ones = np.ones(0)

    def restrict(self, X: np.ndarray) -> np.ndarray:
        """``X[:, active]`` as a C-contiguous float array: the input :meth:`step` expects."""
        return np.ascontiguousarray(X[:, self.active], dtype=float)

    def first_layer(self) -> np.ndarray:
        """The stacked first-layer weights over all input columns, shape (sum of widths, n_in)."""
        full = np.empty((self.W1.shape[0], len(self.active)))
        full[:, self.active] = self.W1
        full[:, ~self.active] = self._W1_idle * self._idle_scale
        return full

    def weights_of(self, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weights and biases of network ``k``, in the Network layout (C-contiguous copies)."""
        ws, bs = self.rest[k]
        sl = self.slices[k]
        weights = [self.first_layer()[sl]] + [np.ascontiguousarray(w) for w in ws]
        return weights, [self.b1[sl].copy()] + [b.copy() for b in bs]

    def step(self, x: np.ndarray, Y: np.ndarray, eta: float, decay: float, probe: bool = False):
        """One mini-batch update of every network on (x, one-hot Y); ``decay`` = 1 - eta lmbda / n.

        With ``probe=True``, also return, per network, the per-layer mean bias gradients
        (1/m) sum_x dC_x/db^l before the update (the book's delta^l, from the same pass); else None.
        """
        m = len(x)
        if len(self._ones) != m:
            self._ones = np.ones(m)
        ones = self._ones
        k = eta / m
        a1 = x @ self.W1.T
        a1 += self.b1
        expit(a1, out=a1)
        delta1 = np.empty_like(a1)
        probes = [] if probe else None
        for sl, (ws, bs) in zip(self.slices, self.rest, strict=True):
            grads = []
            acts = [a1[:, sl]]
            for w, b in zip(ws, bs, strict=True):
                z = acts[-1] @ w.T
                z += b
                acts.append(expit(z, out=z))
            delta = acts[-1] - Y
            delta *= k  # (eta / m) delta^L: every delta below carries the factor
            for j in range(len(ws) - 1, -1, -1):
                a_prev = acts[j]
                w = ws[j]
                nabla_b = ones @ delta
                bs[j] -= nabla_b
                if probe:
                    grads.append(nabla_b / eta)
                delta_prev = delta @ w  # with w before its update
                _dgemm(-1.0, delta.T, a_prev.T, beta=decay, c=w, trans_b=1, overwrite_c=1)
                delta_prev *= a_prev
                delta_prev *= 1.0 - a_prev
                delta = delta_prev
            delta1[:, sl] = delta
            if probe:
                probes.append(grads)
        nabla_b1 = ones @ delta1
        self.b1 -= nabla_b1
        _dgemm(-1.0, delta1.T, x.T, beta=decay, c=self.W1, trans_b=1, overwrite_c=1)
        self._idle_scale *= decay
        if probe:
            for sl, grads in zip(self.slices, probes, strict=True):
                grads.append(nabla_b1[sl] / eta)
                grads.reverse()
        return probes

    def predict(self, X: np.ndarray) -> list[np.ndarray]:
        """Predicted labels of every network on X (all input columns)."""
        a1 = expit(X @ self.first_layer().T + self.b1)
        out = []
        for sl, (ws, bs) in zip(self.slices, self.rest, strict=True):
            a = a1[:, sl]
            for w, b in zip(ws, bs, strict=True):
                a = expit(a @ w.T + b)
            out.append(a.argmax(axis=1))
        return out

    def epoch(self, X: np.ndarray, Y: np.ndarray, order: np.ndarray, batch_size: int, eta, decay) -> None:
        """One epoch: the mini-batches X[order[i : i + batch_size]] in turn (X restricted, Y one-hot)."""
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            self.step(X[idx], Y[idx], eta, decay)


@dataclass
class DepthAccuracy:
    """Validation accuracy against depth after SGD training (sec. 5.1), over seeds.

    Attributes
    ----------
    accuracy : dict
        ``{hidden layers: array (seeds,)}``: validation accuracy after the last epoch, a fraction.
    history : dict
        ``{hidden layers: array (seeds, epochs)}``: validation accuracy after every epoch.
    mean, std : dict
        ``{hidden layers: float}`` over seeds (std with ddof=1).
    """

    accuracy: dict[int, np.ndarray]
    history: dict[int, np.ndarray]
    mean: dict[int, float]
    std: dict[int, float]
    epochs: int
    batch_size: int
    eta: float
    lmbda: float
    n_train: int
    n_validation: int
    seeds: tuple[int, ...]
    elapsed: float = 0.0

    def __repr__(self) -> str:
        rows = ", ".join(f"{h}: {self.mean[h]:.4f}±{self.std[h]:.4f}" for h in self.mean)
        return (
            f"DepthAccuracy(n_train={self.n_train}, epochs={self.epochs}, lmbda={self.lmbda:g}, "
            f"seeds={len(self.seeds)}, mean={{{rows}}}, elapsed={self.elapsed:.1f} s)"
        )


def depth_accuracy(
    X,
    y,
    X_val,
    y_val,
    hidden_layers: Sequence[int] = (1, 2, 3, 4),
    seeds: int = 3,
    epochs: int = 30,
    batch_size: int = 10,
    eta: float = 0.1,
    lmbda: float | None = None,
    *,
    progress: Progress = None,
) -> DepthAccuracy:
    """Train ``[784, 30 x h, 10]`` for each h with the book's SGD and report validation accuracy.

    The book: ``net.SGD(training_data, 30, 10, 0.1, lmbda=5.0, evaluation_data=validation_data)`` on
    50,000 images gives 96.48 / 96.90 / 96.57 / 96.53 percent for 1 / 2 / 3 / 4 hidden layers. The
    default ``lmbda`` keeps the book's weight decay per image: lmbda = 5.0 n / 50,000. Within a seed
    all depths see the same shuffles (common random numbers: the depth comparison is paired); the
    seed sets both the initialisation (``Network(sizes, seed)``) and the shuffles.
    """
    X, y = _check_xy(X, y)
    X_val, y_val = _check_xy(X_val, y_val)
    seeds = _check_seeds(seeds)
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    n = len(X)
    if lmbda is None:
        lmbda = 5.0 * n / 50_000
    decay = 1.0 - eta * lmbda / n
    Y = _one_hot(y, 10)
    X = np.ascontiguousarray(X)
    hidden_layers = tuple(hidden_layers)
    acc = {h: np.empty(seeds) for h in hidden_layers}
    hist = {h: np.empty((seeds, epochs)) for h in hidden_layers}
    active = np.any(X != 0, axis=0)
    t0 = time.perf_counter()
    with _single_thread_blas():
        for s in range(seeds):
            nets = [_network(network_sizes(h, 30, X.shape[1]), s) for h in hidden_layers]
            trainer = StackedSGD(nets, active=active)
            x = trainer.restrict(X)
            rng = np.random.default_rng([s, 2015])
            for e in range(epochs):
                trainer.epoch(x, Y, rng.permutation(n), batch_size, eta, decay)
                for h, pred in zip(hidden_layers, trainer.predict(X_val), strict=True):
                    hist[h][s, e] = np.mean(pred == y_val)
                _report(progress, (s + (e + 1) / epochs) / seeds, f"depth accuracy: seed {s}, epoch {e + 1}")
            for h in hidden_layers:
                acc[h][s] = hist[h][s, -1]
    mean = {h: float(a.mean()) for h, a in acc.items()}
    std = {h: float(a.std(ddof=1)) if seeds > 1 else 0.0 for h, a in acc.items()}
    return DepthAccuracy(
        accuracy=acc,
        history=hist,
        mean=mean,
        std=std,
        epochs=epochs,
        batch_size=batch_size,
        eta=eta,
        lmbda=lmbda,
        n_train=n,
        n_validation=len(X_val),
        seeds=tuple(range(seeds)),
        elapsed=time.perf_counter() - t0,
    )


# --- remedies -----------------------------------------------------------------------------------

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


@dataclass
class RemedyResult:
    """One remedy setup: first and last hidden-layer gradient norms before and after training, per seed.

    The ratio ``||delta^last|| / ||delta^first||`` is > 1 when the gradient vanishes toward the input,
    < 1 when it explodes, and near 1 when the layers learn at the same speed. ``status`` per seed is
    "ok", "dead" (after training the first hidden layer's gradient is exactly zero: every ReLU of a
    layer dead) or "diverged" (training overflowed; the trained norms and the accuracy are then
    recorded as 0); only "ok" seeds have a trained ratio.
    ``update_norm`` is ``||theta_after - theta_before||`` of one full-batch step (lmbda = 0, the setup's
    clipping) from the initial weights, per seed; ``gradient_norm`` the norm of that step's unclipped
    mean gradient over all weights and biases.
    """

    name: str
    options: dict
    clip_norm: float | None
    role: str
    first_init: np.ndarray
    last_init: np.ndarray
    first_trained: np.ndarray
    last_trained: np.ndarray
    accuracy: np.ndarray
    update_norm: np.ndarray
    gradient_norm: np.ndarray
    status: np.ndarray

    @property
    def ratio_init(self) -> np.ndarray:
        """Per seed: last over first hidden layer at initialisation."""
        return self.last_init / self.first_init

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


@dataclass
class RemediesResult:
    """All remedy setups of :func:`remedies`, by name."""

    setups: dict[str, RemedyResult]
    sizes: list[int]
    epochs: int
    eta: float
    lmbda: float
    n_images: int
    seeds: tuple[int, ...]

    def __repr__(self) -> str:
        def fmt(v):
            return "dead" if v is None else f"{10**v:.3g}"

        rows = ", ".join(
            f"{k}: {fmt(v.log10_ratio_init)}->{fmt(v.log10_ratio_trained)}" for k, v in self.setups.items()
        )
        return f"RemediesResult(sizes={self.sizes}, epochs={self.epochs}, ratios={{{rows}}})"


def _first_last(net, X, y) -> tuple[float, float]:
    g = net.bias_gradients(X, y)[:-1]
    return float(np.linalg.norm(g[0])), float(np.linalg.norm(g[-1]))


def _flat(net) -> np.ndarray:
    return np.concatenate([w.ravel() for w in net.weights] + [b.ravel() for b in net.biases])


def remedies(
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
    progress: Progress = None,
) -> RemediesResult:
    """Blog 004's remedies on the book's deep net: last-to-first gradient ratios, before and after training.

    For each setup of :data:`REMEDY_SETUPS` and seed: the ratio ``||delta^last|| / ||delta^first||`` of
    :meth:`Network.bias_gradients` on (X, y) at initialisation; the norm of one full-batch update from
    the initial weights (with the setup's clipping, lmbda = 0); then ``epochs`` of
    :meth:`Network.train` (mini-batch SGD, clipping by norm where the setup has it), the ratio again,
    and the validation accuracy.
    """
    X, y = _check_xy(X, y)
    X_val, y_val = _check_xy(X_val, y_val)
    seeds = _check_seeds(seeds)
    names = list(REMEDY_SETUPS) if setups is None else list(setups)
    for name in names:
        if name not in REMEDY_SETUPS:
            raise ValueError(f"unknown remedy setup {name!r}; known: {', '.join(REMEDY_SETUPS)}")
    n = len(X)
    if lmbda is None:
        lmbda = 5.0 * n / 50_000
    sizes = network_sizes(hidden_layers, 30, X.shape[1])
    out: dict[str, RemedyResult] = {}
    total = len(names) * seeds
    done = 0
    with _single_thread_blas():
        for name in names:
            options, clip, role = REMEDY_SETUPS[name]
            rows, status = [], []
            for s in range(seeds):
                net = _network(sizes, s, **options)
                f0, l0 = _first_last(net, X, y)
                probe = _network(sizes, s, **options)
                before = _flat(probe)
                _, nabla_w = probe.backprop(X, y)
                nabla_b = probe.bias_gradients(X, y)
                g = np.sqrt(
                    sum(float(np.vdot(a, a)) for a in nabla_b)
                    + sum(float(np.vdot(a / n, a / n)) for a in nabla_w)
                )
                probe.gradient_step(X, y, eta, 0.0, n, clip_norm=clip)
                upd = float(np.linalg.norm(_flat(probe) - before))
                try:
                    with np.errstate(over="ignore", invalid="ignore"):
                        net.train(
                            X,
                            y,
                            epochs,
                            batch_size,
                            eta,
                            lmbda,
                            seed=s,
                            clip_norm=clip,
                            monitor_gradients=False,
                        )
                except FloatingPointError:
                    f1, l1, acc, state = 0.0, 0.0, 0.0, "diverged"
                else:
                    f1, l1 = _first_last(net, X, y)
                    acc, state = net.accuracy(X_val, y_val), ("dead" if f1 == 0.0 else "ok")
                rows.append((f0, l0, f1, l1, acc, upd, g))
                status.append(state)
                done += 1
                _report(progress, done / total, f"remedies: {name}, seed {s}")
            cols = np.array(rows).T
            out[name] = RemedyResult(name, dict(options), clip, role, *cols, status=np.array(status))
    return RemediesResult(
        setups=out, sizes=sizes, epochs=epochs, eta=eta, lmbda=lmbda, n_images=n, seeds=tuple(range(seeds))
    )
