"""Benchmark: the book's generate_gradient.py protocol (``mnist-training-speed``), issue 3's speed targets.

Prints, with BLAS held to one thread (threadpoolctl) so that the figures do not depend on the load:

1. The full protocol, 3 networks ([784, 30 x h, 10], h = 2, 3, 4) x 500 epochs of full-batch gradient
   descent on 1,000 images with the per-layer speeds recorded every epoch (target <= 30 s, aim 8 s),
   and its rate against the arithmetic the protocol needs (GFLOP/s, all 784 inputs counted).
2. Per epoch of the four-hidden-layer net: the fused probe+step (``StackedSGD``), the Network's two
   passes (``bias_gradients`` then ``gradient_step``), and a per-example loop in the book's network2
   style (``backprop`` one image at a time, for the probe and for the step), measured in the same run.

Run: ``python benchmarks/bench_training_speed.py [--epochs N] [--data PATH]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.special import expit
from threadpoolctl import threadpool_limits

import gradmath
from gradmath.experiments import network_sizes, sgd_flops, training_speed
from gradmath.stacked_sgd import StackedSGD


def network2_backprop(weights, biases, x, y):
    """The book's network2.backprop for one example (column vectors), cross-entropy, sigmoid."""
    activation = x
    activations = [x]
    for b, w in zip(biases, weights, strict=True):
        activation = expit(w @ activation + b)
        activations.append(activation)
    delta = activations[-1] - y
    nabla_b = [None] * len(weights)
    nabla_w = [None] * len(weights)
    nabla_b[-1] = delta
    nabla_w[-1] = delta @ activations[-2].T
    for l in range(2, len(weights) + 1):
        a = activations[-l]
        delta = (weights[-l + 1].T @ delta) * a * (1 - a)
        nabla_b[-l] = delta
        nabla_w[-l] = delta @ activations[-l - 1].T
    return nabla_b, nabla_w


def loop_epoch(weights, biases, X, Y, eta, lmbda):
    """One epoch of the protocol, per example: the probe (mean bias gradient), then the full-batch step."""
    n = len(X)
    probe = [np.zeros_like(b) for b in biases]
    for x, y in zip(X, Y, strict=True):
        nb, _ = network2_backprop(weights, biases, x, y)
        probe = [p + g for p, g in zip(probe, nb, strict=True)]
    nabla_b = [np.zeros_like(b) for b in biases]
    nabla_w = [np.zeros_like(w) for w in weights]
    for x, y in zip(X, Y, strict=True):
        nb, nw = network2_backprop(weights, biases, x, y)
        nabla_b = [a + g for a, g in zip(nabla_b, nb, strict=True)]
        nabla_w = [a + g for a, g in zip(nabla_w, nw, strict=True)]
    weights = [(1 - eta * lmbda / n) * w - (eta / n) * g for w, g in zip(weights, nabla_w, strict=True)]
    biases = [b - (eta / n) * g for b, g in zip(biases, nabla_b, strict=True)]
    return weights, biases, [float(np.linalg.norm(p / n)) for p in probe[:-1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--data", default=None, help="MNIST folder/file for load_mnist (default: embedded)")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.data) if args.data else gradmath.load_mnist()
    X, y = np.asarray(data.train.X[:1000], dtype=float), np.asarray(data.train.y[:1000])

    with threadpool_limits(limits=1, user_api="blas"):
        r = training_speed(X, y, (2, 3, 4), args.epochs, 0.1, 5.0, seeds=1, n_jobs=1)
        print(f"mnist-training-speed protocol: 3 nets x {args.epochs} epochs on {len(X)} images")
        print(f"  time {r.elapsed:.2f} s (target <= 30 s, aim 8 s)")
        print(f"  arithmetic {r.flops / 1e9:.1f} GFLOP -> {r.gflops_per_second:.1f} GFLOP/s (1 BLAS thread)")
        print("  final last/first ratios: " + ", ".join(f"{h}: {v:.3g}" for h, v in r.final_ratio.items()))

        sizes = network_sizes(4)
        eta, lmbda, n = 0.1, 5.0, len(X)
        k = 20
        net = gradmath.Network(sizes, seed=0)
        trainer = StackedSGD([net], active=X.any(axis=0))
        x, Y = trainer.restrict(X), np.eye(10)[y]
        t0 = time.perf_counter()
        for _ in range(k):
            trainer.step(x, Y, eta, 1 - eta * lmbda / n, probe=True)
        fused = (time.perf_counter() - t0) / k

        net = gradmath.Network(sizes, seed=0)
        t0 = time.perf_counter()
        for _ in range(k):
            net.bias_gradients(X, y)
            net.gradient_step(X, y, eta, lmbda, n)
        two_pass = (time.perf_counter() - t0) / k

        net = gradmath.Network(sizes, seed=0)
        w = list(net.weights)
        b = [bb[:, None] for bb in net.biases]
        Xc = [row[:, None] for row in X]
        Yc = [np.eye(10)[label][:, None] for label in y]
        k_loop = 3
        t0 = time.perf_counter()
        for _ in range(k_loop):
            w, b, _ = loop_epoch(w, b, Xc, Yc, eta, lmbda)
        loop = (time.perf_counter() - t0) / k_loop

    flops = sgd_flops(sizes, n)
    print(f"per epoch, [784,30,30,30,30,10], 1,000 images, 1 BLAS thread ({flops / 1e6:.0f} MFLOP):")
    print(
        f"  fused probe+step (StackedSGD)          {1e3 * fused:8.2f} ms  {flops / fused / 1e9:6.1f} GFLOP/s"
    )
    print(f"  Network.bias_gradients + gradient_step {1e3 * two_pass:8.2f} ms")
    print(f"  per-example loop (network2 style)      {1e3 * loop:8.2f} ms")
    print(
        f"  speed-up over the loop: fused {loop / fused:.0f}x, Network two-pass {loop / two_pass:.0f}x "
        "(target >= 10x)"
    )


if __name__ == "__main__":
    main()
