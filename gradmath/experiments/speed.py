"""The speed of learning of each hidden layer during training: the book's ``generate_gradient.py`` run.

Sec. 5.1: "I used batch gradient descent with just 1,000 training images, trained over 500 epochs".
Every epoch the book records ``||delta^l||`` for each hidden layer, then calls
``net.SGD(training_data, 1, 1000, 0.1, lmbda=5.0)``: one full-batch step on its n = 1,000 images,
w <- (1 - eta lmbda / n) w - (eta / n) nabla_w, b <- b - (eta / n) nabla_b. Probe and step see the same
weights and images, so one forward and backward pass serves both (:meth:`StackedSGD.step` with
``probe=True``); the networks of all depths of one seed train side by side. Each seed is a run, and the
seeds run in parallel (:func:`gradmath.parallel.map_seeds`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import validate
from ..network import Network
from ..oracles import one_hot
from ..parallel import map_seeds
from ..stacked_sgd import StackedSGD
from .protocol import MAX_HIDDEN_LAYERS, checked_images, network_sizes, sgd_flops

__all__ = [
    "Probe",
    "SpeedRun",
    "TrainingSpeed",
    "training_speed",
    "training_speed_run",
    "MAX_SEEDS",
    "MAX_EPOCHS",
]

#: the most seeds and epochs accepted: a seed of the three depths takes about 5 s per 500 epochs of 1,000
#: images on one core here, so 24 seeds of 500 epochs take about a minute on two cores
MAX_SEEDS = 24
MAX_EPOCHS = 5000


@dataclass(frozen=True)
class Probe:
    """At one epoch, the norms from the fused probe+step beside a separate :meth:`Network.bias_gradients`."""

    depth: int
    epoch: int
    fused: np.ndarray
    separate: np.ndarray


@dataclass(frozen=True)
class SpeedRun:
    """One seed's run: ``norms[h]`` is an array (epochs, h) recorded before each epoch's update."""

    seed: int
    norms: dict[int, np.ndarray]
    probes: tuple[Probe, ...]
    elapsed: float  # seconds of training (probes excluded)
    cpu: float  # CPU seconds of the run's process (training and probes)


@dataclass(frozen=True)
class TrainingSpeed:
    """``||delta^l||`` of each hidden layer, every epoch, during full-batch training, for each seed.

    ``norms`` and ``final_ratio`` are those of the first seed (the book shows one run); ``ratios(h)`` has
    the last-to-first ratio at every epoch of every seed that trained the h-hidden-layer network.
    ``flops`` is the arithmetic the runs need (:func:`~gradmath.experiments.protocol.sgd_flops`).
    """

    runs: tuple[SpeedRun, ...]
    hidden_layers: tuple[int, ...]
    epochs: int
    eta: float
    lmbda: float
    n_images: int
    flops: float

    @property
    def norms(self) -> dict[int, np.ndarray]:
        return self.runs[0].norms

    @property
    def final_ratio(self) -> dict[int, float]:
        """Last over first hidden layer at the last epoch, first seed."""
        return {h: float(n[-1, -1] / n[-1, 0]) for h, n in self.norms.items()}

    def ratios(self, h: int) -> np.ndarray:
        """Array (runs, epochs): ``||delta^h|| / ||delta^1||`` of the h-hidden-layer network in each run."""
        return np.array([r.norms[h][:, -1] / r.norms[h][:, 0] for r in self.runs if h in r.norms])

    @property
    def elapsed(self) -> float:
        """Seconds of training summed over the runs (core-seconds when they ran in parallel)."""
        return float(sum(r.elapsed for r in self.runs))

    @property
    def gflops_per_second(self) -> float:
        """The protocol's arithmetic (all 784 input columns counted) per core-second, in GFLOP/s."""
        return self.flops / self.elapsed / 1e9 if self.elapsed > 0 else float("nan")

    def __repr__(self) -> str:
        ratios = ", ".join(f"{h}: {r:.3g}" for h, r in self.final_ratio.items())
        return (
            f"TrainingSpeed(seeds={len(self.runs)}, epochs={self.epochs}, n_images={self.n_images}, "
            f"final_ratio={{{ratios}}}, {self.gflops_per_second:.1f} GFLOP/s)"
        )


def _norms_of(grads: list[np.ndarray], h: int) -> np.ndarray:
    return np.array([float(np.linalg.norm(g)) for g in grads[:h]])


def training_speed_run(
    seed: int,
    X,
    y,
    hidden_layers,
    epochs: int,
    eta: float,
    lmbda: float,
    probe_epochs: Sequence[int],
    figure_seeds: int,
) -> SpeedRun:
    """One seed of the protocol: ``Network(sizes, seed)`` for each depth, trained side by side.

    Seeds below ``figure_seeds`` train every depth of ``hidden_layers``, the others only the deepest.
    At ``probe_epochs`` a :class:`Network` with the trainer's current weights measures the norms
    separately (:meth:`Network.bias_gradients`), for the checks.
    """
    n = len(X)
    if seed >= figure_seeds:
        hidden_layers = (max(hidden_layers),)
    nets = [Network(network_sizes(h, n_in=X.shape[1]), seed=seed) for h in hidden_layers]
    trainer = StackedSGD(nets, active=np.any(X != 0, axis=0))
    x, Y, decay = trainer.restrict(X), one_hot(y, 10), 1.0 - eta * lmbda / n
    norms = {h: np.empty((epochs, h)) for h in hidden_layers}
    separate: list[tuple[int, int, np.ndarray]] = []
    elapsed, c0 = 0.0, time.process_time()
    for e in range(epochs):
        if e in probe_epochs:
            for k, h in enumerate(hidden_layers):
                nets[k].weights, nets[k].biases = trainer.weights_of(k)
                separate.append((h, e, _norms_of(nets[k].bias_gradients(X, y), h)))
        t0 = time.perf_counter()
        grads = trainer.step(x, Y, eta, decay, probe=True)
        for k, h in enumerate(hidden_layers):
            norms[h][e] = _norms_of(grads[k], h)
        elapsed += time.perf_counter() - t0
    for h in hidden_layers:
        if not np.all(np.isfinite(norms[h])):
            raise FloatingPointError(f"non-finite gradient norm in the {h}-hidden-layer run (eta={eta})")
    probes = tuple(Probe(h, e, norms[h][e].copy(), s) for h, e, s in separate)
    return SpeedRun(seed, norms, probes, elapsed, time.process_time() - c0)


def training_speed(
    X,
    y,
    hidden_layers: Sequence[int] = (2, 3, 4),
    epochs: int = 500,
    eta: float = 0.1,
    lmbda: float = 5.0,
    seeds: int = 1,
    *,
    figure_seeds: int | None = None,
    probe_epochs: Sequence[int] | None = None,
    n_jobs: int | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> TrainingSpeed:
    """The book's ``generate_gradient.py`` protocol for seeds 0 .. seeds - 1 (default: one run, as the book).

    Parameters
    ----------
    X, y : the training images (the book: its first 1,000) and labels.
    hidden_layers : the depths, each a ``[784, 30 x h, 10]`` network.
    epochs : int, at most :data:`MAX_EPOCHS` (the book: 500).
    eta, lmbda : the book's 0.1 and 5.0 (literally, on its 1,000 images).
    seeds : int, at most :data:`MAX_SEEDS`.
    figure_seeds : int, optional
        Seeds 0 .. figure_seeds - 1 train every depth; the others only the deepest network (whose
        first-to-last slowdown the book quantifies). Default: every seed trains every depth.
    probe_epochs : epochs at which a separate backprop pass is recorded (default first, middle, last).
    n_jobs, progress : as :func:`gradmath.parallel.map_seeds`.
    """
    X, y = checked_images(X, y)
    epochs = validate.integer(epochs, "epochs", 1, MAX_EPOCHS)
    seeds = validate.integer(seeds, "seeds", 1, MAX_SEEDS)
    eta = validate.real(eta, "eta", 0.0, 100.0, lo_open=True)
    lmbda = validate.real(lmbda, "lmbda", 0.0, 1e6)
    depths = tuple(validate.integer(h, "hidden_layers", 1, MAX_HIDDEN_LAYERS) for h in hidden_layers)
    full = seeds if figure_seeds is None else validate.integer(figure_seeds, "figure_seeds", 0, seeds)
    probes = frozenset(sorted({0, epochs // 2, epochs - 1}) if probe_epochs is None else probe_epochs)
    args = (X, y, depths, epochs, eta, lmbda, probes, full)
    runs = map_seeds(
        training_speed_run,
        range(seeds),
        args=args,
        n_jobs=n_jobs,
        progress=progress,
        label="training speed: seed",
    )
    flops = sum(sgd_flops(network_sizes(h, n_in=X.shape[1]), len(X)) * epochs for r in runs for h in r.norms)
    return TrainingSpeed(tuple(runs), depths, epochs, eta, lmbda, len(X), flops)
