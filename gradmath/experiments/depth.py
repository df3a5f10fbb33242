"""Validation accuracy against depth after SGD training (sec. 5.1: 96.48, 96.90, 96.57, 96.53 %).

The book: ``net.SGD(training_data, 30, 10, 0.1, lmbda=5.0, evaluation_data=validation_data,
monitor_evaluation_accuracy=True)`` for ``[784, 30 x h, 10]``, h = 1..4, on its 50,000 training images,
scored on the 10,000 validation images after every epoch. Within a seed all depths see the same
shuffles (common random numbers: the depth comparison is paired), and :class:`StackedSGD` trains them
together; the seed fixes both the initialisation (``Network(sizes, seed)``) and the shuffles
(``default_rng([seed, 2015])``). Seeds run in parallel (:func:`gradmath.parallel.map_seeds`).
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
from .protocol import MAX_HIDDEN_LAYERS, checked_images, lmbda_per_image, network_sizes, sgd_flops

__all__ = [
    "DepthAccuracy",
    "depth_accuracy",
    "depth_accuracy_run",
    "shuffles",
    "MAX_SEEDS",
    "MAX_EPOCHS",
    "MAX_BATCH",
]

#: the most seeds accepted: about 3 s of one core per seed on the embedded data, 25-30 s on the book's
#: 50,000 images (so 40 seeds take a minute here on the embedded data and 10 minutes at the book's scale)
MAX_SEEDS = 40
#: the most epochs accepted (300 epochs of the embedded data take about 30 s per seed)
MAX_EPOCHS = 300
#: the largest mini-batch accepted
MAX_BATCH = 100_000


def shuffles(seed: int) -> np.random.Generator:
    """The generator of seed ``seed``'s mini-batch order: one ``permutation(n)`` per epoch."""
    return np.random.default_rng([seed, 2015])


@dataclass(frozen=True)
class DepthAccuracy:
    """Validation accuracy of each depth after every epoch, over seeds.

    Attributes
    ----------
    history : dict
        ``{hidden layers: array (seeds, epochs)}``: validation accuracy after every epoch, a fraction.
    accuracy : dict
        ``{hidden layers: array (seeds,)}``: after the last epoch.
    mean, std : dict
        ``{hidden layers: float}`` of ``accuracy`` over seeds (std with ddof=1).
    elapsed, cpu : tuple of float
        Seconds each seed took (training and evaluation; a worker's seeds train together and share its
        time equally), wall-clock and CPU time of its process (they differ when other work shares the
        cores).
    flops : float
        The arithmetic of one seed (training all depths, evaluating after every epoch).
    """

    history: dict[int, np.ndarray]
    epochs: int
    batch_size: int
    eta: float
    lmbda: float
    n_train: int
    n_validation: int
    seeds: tuple[int, ...]
    elapsed: tuple[float, ...]
    cpu: tuple[float, ...]
    flops: float

    @property
    def accuracy(self) -> dict[int, np.ndarray]:
        return {h: a[:, -1].copy() for h, a in self.history.items()}

    @property
    def mean(self) -> dict[int, float]:
        return {h: float(a.mean()) for h, a in self.accuracy.items()}

    @property
    def std(self) -> dict[int, float]:
        return {h: float(a.std(ddof=1)) if len(a) > 1 else 0.0 for h, a in self.accuracy.items()}

    @property
    def gflops_per_second(self) -> float:
        """The protocol's arithmetic per CPU-second of the seeds' processes, in GFLOP/s."""
        return self.flops * len(self.seeds) / sum(self.cpu) / 1e9

    def __repr__(self) -> str:
        rows = ", ".join(f"{h}: {self.mean[h]:.4f}±{self.std[h]:.4f}" for h in self.mean)
        return (
            f"DepthAccuracy(n_train={self.n_train}, epochs={self.epochs}, lmbda={self.lmbda:g}, "
            f"seeds={len(self.seeds)}, mean={{{rows}}})"
        )


def depth_accuracy_run(seeds: tuple[int, ...], X, Y, X_val, y_val, depths, epochs, batch_size, eta, decay):
    """The seeds of one worker, trained together, each on its own shuffles (a network's result does not
    depend on the others trained with it, see :class:`StackedSGD`). Per seed: (array (depths, epochs),
    seconds, CPU seconds), the group's times shared equally among its seeds."""
    t0, c0 = time.perf_counter(), time.process_time()
    X, X_val = np.asarray(X), np.asarray(X_val)  # joblib hands workers read-only memory maps
    nets = [Network(network_sizes(h, n_in=X.shape[1]), seed=s) for s in seeds for h in depths]
    trainer = StackedSGD(nets, active=np.any(X != 0, axis=0), groups=len(seeds))
    x = trainer.restrict(X)
    rngs = [shuffles(s) for s in seeds]
    history = np.empty((len(seeds) * len(depths), epochs))
    for e in range(epochs):
        trainer.epoch(x, Y, np.stack([rng.permutation(len(x)) for rng in rngs]), batch_size, eta, decay)
        for k, pred in enumerate(trainer.predict(X_val)):
            history[k, e] = np.mean(pred == y_val)
    wall, cpu = (time.perf_counter() - t0) / len(seeds), (time.process_time() - c0) / len(seeds)
    return [(history[i * len(depths) : (i + 1) * len(depths)], wall, cpu) for i in range(len(seeds))]


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
    n_jobs: int | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> DepthAccuracy:
    """Train ``[784, 30 x h, 10]`` for each h with the book's SGD; validation accuracy after every epoch.

    ``lmbda`` defaults to the book's weight decay per image, 5.0 n / 50,000 (5.0 on the book's 50,000
    images). ``seeds`` (at most :data:`MAX_SEEDS`) and ``epochs`` (at most :data:`MAX_EPOCHS`) are
    counts; seeds 0 .. seeds - 1 run through :func:`gradmath.parallel.map_seeds` (``n_jobs`` as there),
    the seeds of a worker trained together (faster, and the same result bit for bit).
    """
    X, y = checked_images(X, y)
    X_val, y_val = checked_images(X_val, y_val, "X_val")
    seeds = validate.integer(seeds, "seeds", 1, MAX_SEEDS)
    epochs = validate.integer(epochs, "epochs", 1, MAX_EPOCHS)
    batch_size = validate.integer(batch_size, "batch_size", 1, MAX_BATCH)
    eta = validate.real(eta, "eta", 0.0, 100.0, lo_open=True)
    n = len(X)
    lmbda = lmbda_per_image(n) if lmbda is None else validate.real(lmbda, "lmbda", 0.0, 1e6)
    depths = tuple(validate.integer(h, "hidden_layers", 1, MAX_HIDDEN_LAYERS) for h in hidden_layers)
    args = (X, one_hot(y, 10), X_val, y_val, depths, epochs, batch_size, eta, 1.0 - eta * lmbda / n)
    runs = map_seeds(
        depth_accuracy_run,
        range(seeds),
        args=args,
        n_jobs=n_jobs,
        progress=progress,
        label="depth accuracy: seeds",
        grouped=True,
    )
    history = {h: np.array([r[0][k] for r in runs]) for k, h in enumerate(depths)}
    flops = sum(sgd_flops(network_sizes(h, n_in=X.shape[1]), n, len(X_val)) for h in depths) * epochs
    return DepthAccuracy(
        history,
        epochs,
        batch_size,
        eta,
        lmbda,
        n,
        len(X_val),
        tuple(range(seeds)),
        tuple(r[1] for r in runs),
        tuple(r[2] for r in runs),
        flops,
    )
