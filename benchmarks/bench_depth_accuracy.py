"""Benchmark: the depth experiment (``mnist-depth-accuracy``) at the book's scale, on both cores.

The book's protocol on the data given: 1 to 4 hidden layers of 30, 30 epochs of mini-batches of 10,
eta = 0.1, lmbda = 5.0 n / 50,000 (5.0 on the book's 50,000 images), validation accuracy after every
epoch; the seeds run in parallel (gradmath.parallel.map_seeds). Prints, for each of ``--runs`` runs, the
wall time and the rate against the arithmetic the protocol needs (GFLOP/s, all 784 inputs counted,
training and evaluation), then the baseline measured in the same run: one epoch's first mini-batches
with the plain Network (four networks, one ``gradient_step`` each per mini-batch) against StackedSGD.
Targets (issue 10): 5 seeds on the full data in at most 150 s (aim 75 s); with ``--all``, the three MNIST
experiments of sec. 5.1 (initial norms, training speed, depth) on the full data in at most 240 s.

Run: ``python benchmarks/bench_depth_accuracy.py --mnist DIR [--seeds 5] [--runs 3] [--all]``
(without ``--mnist``: the embedded subset).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

import gradmath
from gradmath.experiments import depth_accuracy, lmbda_per_image, network_sizes
from gradmath.experiments.protocol import BOOK_DEPTH_ACCURACY
from gradmath.oracles import one_hot
from gradmath.stacked_sgd import StackedSGD

DEPTHS = (1, 2, 3, 4)


def protocol(data, seeds: int, runs: int) -> None:
    X, y, Xv, yv = data.train.X, data.train.y, data.validation.X, data.validation.y
    for k in range(runs):
        t0 = time.perf_counter()
        r = depth_accuracy(X, y, Xv, yv, DEPTHS, seeds, 30, 10, 0.1, lmbda_per_image(len(X)))
        wall = time.perf_counter() - t0
        print(
            f"  run {k + 1}: {wall:6.1f} s wall for {seeds} seeds; "
            f"{r.flops * seeds / wall / 1e9:5.1f} GFLOP/s on {os.cpu_count()} cores "
            f"({r.gflops_per_second:.1f} per core-second); per seed {sum(r.elapsed) / seeds:.1f} s wall, "
            f"{sum(r.cpu) / seeds:.1f} s CPU; load average {os.getloadavg()[0]:.1f}"
        )
    print(f"  arithmetic of one seed: {r.flops / 1e9:.0f} GFLOP (training and 30 evaluations, 4 depths)")
    for h in DEPTHS:
        print(
            f"  {h} hidden: {100 * r.mean[h]:6.2f} +- {100 * r.std[h]:.2f} %   "
            f"book {100 * BOOK_DEPTH_ACCURACY[h]:.2f} %"
        )


def baseline(data, steps: int = 1000) -> None:
    """The first ``steps`` mini-batches of one epoch: four Networks one by one, against StackedSGD."""
    X, y = np.asarray(data.train.X, dtype=float), np.asarray(data.train.y)
    n, eta, lmbda = len(X), 0.1, lmbda_per_image(len(X))
    order = np.random.default_rng([0, 2015]).permutation(n)[: 10 * steps]
    with threadpool_limits(limits=1, user_api="blas"):
        nets = [gradmath.Network(network_sizes(h), seed=0) for h in DEPTHS]
        t0 = time.perf_counter()
        for i in range(0, len(order), 10):
            idx = order[i : i + 10]
            for net in nets:
                net.gradient_step(X[idx], y[idx], eta, lmbda, n)
        plain = (time.perf_counter() - t0) / steps
        trainer = StackedSGD(
            [gradmath.Network(network_sizes(h), seed=0) for h in DEPTHS], active=X.any(axis=0)
        )
        x, Y = trainer.restrict(X), one_hot(y, 10)
        t0 = time.perf_counter()
        trainer.epoch(x, Y, order, 10, eta, 1 - eta * lmbda / n)
        stacked = (time.perf_counter() - t0) / steps
    print(
        f"  baseline, one core: 4 x Network.gradient_step {1e6 * plain:.0f} us per mini-batch, StackedSGD "
        f"{1e6 * stacked:.0f} us: {plain / stacked:.2f}x"
    )


def all_three(data) -> None:
    total = 0.0
    for pid in ("mnist-initial-norms", "mnist-training-speed", "mnist-depth-accuracy"):
        t0 = time.perf_counter()
        sol = gradmath.solve(pid, data=data)
        dt = time.perf_counter() - t0
        total += dt
        print(f"  {pid:22s} {dt:6.1f} s  seeds {sol.answer['seeds']}, verdict {sol.verdict.value}")
    print(f"  the three experiments together: {total:.1f} s (target <= 240 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist", default=None, help="folder with the four MNIST IDX files (default: embedded)"
    )
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also time the three MNIST solvers on the data")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.mnist) if args.mnist else gradmath.load_mnist()
    print(
        f"mnist-depth-accuracy protocol: {len(data.train.y):,} training, {len(data.validation.y):,} "
        f"validation "
        f"images, 4 depths x {args.seeds} seeds x 30 epochs (target <= 150 s for 5 seeds, full data)"
    )
    protocol(data, args.seeds, args.runs)
    baseline(data)
    if args.all:
        all_three(data)


if __name__ == "__main__":
    main()
