"""Benchmark: ``mnist-depth-accuracy`` with its defaults (1-4 hidden layers, 30 epochs, mini-batch 10,
3 seeds) on the embedded data; issue 3's target is at most 60 s.

Prints the total time, the time per SGD step, and the accuracy table beside the book's.
Run: ``python benchmarks/bench_depth_accuracy.py [--seeds N] [--epochs N] [--data PATH]``.
"""

from __future__ import annotations

import argparse
import time

import gradmath
from gradmath import experiments as ex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--data", default=None, help="MNIST folder/file for load_mnist (default: embedded)")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.data) if args.data else gradmath.load_mnist()
    X, y, Xv, yv = data.train.X, data.train.y, data.validation.X, data.validation.y
    t0 = time.perf_counter()
    r = ex.depth_accuracy(X, y, Xv, yv, (1, 2, 3, 4), args.seeds, args.epochs)
    total = time.perf_counter() - t0
    steps = args.seeds * args.epochs * -(-len(X) // 10)
    print(
        f"mnist-depth-accuracy: {len(X):,} training images, "
        f"4 depths x {args.seeds} seeds x {args.epochs} epochs"
    )
    print(
        f"  total {total:.1f} s (target <= 60 s); {steps:,} stacked steps (4 nets each), "
        f"{1e6 * r.elapsed / steps:.0f} us per step"
    )
    for h in (1, 2, 3, 4):
        print(
            f"  {h} hidden: {100 * r.mean[h]:6.2f} +- {100 * r.std[h]:.2f} %   "
            f"book {100 * ex.BOOK_DEPTH_ACCURACY[h]:.2f} %"
        )


if __name__ == "__main__":
    main()
