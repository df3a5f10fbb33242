"""Benchmark: the book's gradient experiment, vectorised gradmath.Network vs a per-example loop.

The experiment (the book's ``generate_gradient.py``, ch. 5): a ``[784, 30, 30, 30, 30, 10]`` sigmoid network,
1,000 training images, and per epoch one probe (the mean over the images of ``dC_x/db^l``) followed by one
full-batch gradient step (eta = 0.1, lmbda = 5.0, n = 1,000).

Baseline: the book's ``network2`` style, written out below: column vectors and a Python loop over the
examples, once for the probe (``get_average_gradient``) and once for the step (``update_mini_batch``).

Contenders, all measured in the same run with BLAS held to one thread (threadpoolctl):

- ``separate``: ``Network.bias_gradients`` then a full-batch ``Network.gradient_step`` -- the same algorithm
  as the baseline, batched;
- ``fused``: ``Network.gradient_step`` alone, whose single forward/backward pass serves both the probe and the
  step (they see the same weights and images) and which forms no delta for the input layer.

A second case times what a user runs: ``Network.train(X, Y, epochs=1, batch_size=1000, eta=0.1, lmbda=5.0)``
with default arguments (no monitoring) against the book's ``network2.SGD`` with its default arguments (no
monitor flag) written out below: shuffle, then ``update_mini_batch`` per mini-batch, one example at a time.

Data: the first 1,000 t10k images from ``../shared/data/mnist`` when present (or ``--mnist DIR``), else
uniform random pixels. Run: ``python benchmarks/bench_network_loop.py``.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from gradmath import Network

SIZES = [784, 30, 30, 30, 30, 10]
ETA, LMBDA = 0.1, 5.0


# --- the baseline: network2 style, one example at a time -------------------------------------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_prime(z):
    return _sigmoid(z) * (1 - _sigmoid(z))


class LoopNetwork:
    """The book's network2 (cross-entropy, L2), per example with column vectors."""

    def __init__(self, weights, biases):
        self.weights = [w.copy() for w in weights]
        self.biases = [b.reshape(-1, 1).copy() for b in biases]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights, strict=True):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = _sigmoid(z)
            activations.append(activation)
        delta = activations[-1] - y  # cross-entropy
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, len(SIZES)):
            z = zs[-l]
            sp = _sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return nabla_b, nabla_w

    def average_gradient(self, data):
        """The book's get_average_gradient: mean of nabla_b over the examples."""
        results = [self.backprop(x, y)[0] for x, y in data]
        total = [sum(r[k] for r in results) for k in range(len(self.biases))]
        return [(g / len(data)).ravel() for g in total]

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
        m = len(mini_batch)
        self.weights = [
            (1 - eta * (lmbda / n)) * w - (eta / m) * nw for w, nw in zip(self.weights, nabla_w, strict=True)
        ]
        self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b, strict=True)]

    def sgd_epoch(self, data, mini_batch_size, eta, lmbda, rng):
        """One epoch of the book's ``SGD`` with every monitor flag off: shuffle, then one update per batch."""
        data = [data[i] for i in rng.permutation(len(data))]  # network2: random.shuffle(training_data)
        n = len(data)
        for k in range(0, n, mini_batch_size):
            self.update_mini_batch(data[k : k + mini_batch_size], eta, lmbda, n)


# --- data ----------------------------------------------------------------------------------------


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_images(folder: Path | None, n: int) -> tuple[np.ndarray, np.ndarray, str]:
    if folder is not None:
        images, labels = folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz"
        if images.exists() and labels.exists():
            X = _read_idx(images)[:n].reshape(n, -1) / 255.0
            return X, _read_idx(labels)[:n].astype(np.intp), f"MNIST t10k, first {n} images ({folder})"
    rng = np.random.default_rng(0)
    return rng.random((n, 784)), rng.integers(0, 10, n), f"{n} random images (no MNIST found)"


# --- timing --------------------------------------------------------------------------------------


def best_per_epoch(run_epoch, epochs: int, repeats: int) -> float:
    """Best over ``repeats`` of the mean time per epoch over ``epochs`` epochs."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(epochs):
            run_epoch()
        best = min(best, (time.perf_counter() - t0) / epochs)
    return best


def step_flops(sizes, m: int) -> float:
    """Multiply-adds x 2 of one fused epoch: forward, backward deltas (no input layer), weight gradients."""
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(i * o for i, o in pairs)
    backward = sum(i * o for i, o in pairs[1:])
    return 2.0 * m * (2 * forward + backward)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
    parser.add_argument("--mnist", type=Path, default=default, help="folder with the t10k IDX .gz files")
    parser.add_argument("--epochs", type=int, default=100, help="epochs timed for the vectorised network")
    parser.add_argument("--loop-epochs", type=int, default=3, help="epochs timed for the loop baseline")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    n = 1000
    X, Y, source = load_images(args.mnist, n)
    print(f"data: {source}; network {SIZES}; per epoch one probe + one full-batch step")

    with threadpool_limits(limits=1):
        # Correctness first: the same five epochs give the same probes and weights.
        net = Network(SIZES, seed=0)
        loop = LoopNetwork(net.weights, net.biases)
        data = [(x.reshape(-1, 1), np.eye(10)[y].reshape(-1, 1)) for x, y in zip(X, Y, strict=True)]
        for _ in range(5):
            probe_loop = loop.average_gradient(data)
            loop.update_mini_batch(data, ETA, LMBDA, n)
            probe_vec = net.gradient_step(X, Y, ETA, LMBDA, n)
        err = max(
            float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(probe_vec, probe_loop, strict=True)
        )
        err_w = max(
            float(np.abs(a - b).max() / np.abs(b).max())
            for a, b in zip(net.weights, loop.weights, strict=True)
        )
        print(f"agreement after 5 epochs: probes {err:.1e}, weights {err_w:.1e} (max relative difference)")

        def loop_epoch():
            loop.average_gradient(data)
            loop.update_mini_batch(data, ETA, LMBDA, n)

        def separate_epoch():
            net.bias_gradients(X, Y)
            net.gradient_step(X, Y, ETA, LMBDA, n)

        def fused_epoch():
            net.gradient_step(X, Y, ETA, LMBDA, n)

        t_loop = best_per_epoch(loop_epoch, args.loop_epochs, args.repeats)
        t_sep = best_per_epoch(separate_epoch, args.epochs, args.repeats)
        t_fused = best_per_epoch(fused_epoch, args.epochs, args.repeats)

        flops = step_flops(SIZES, n)
        print(f"loop baseline (network2 style): {t_loop * 1e3:8.2f} ms/epoch")
        print(
            f"vectorised, probe + step:       {t_sep * 1e3:8.2f} ms/epoch   speed-up {t_loop / t_sep:6.1f}x"
        )
        rate = f"{flops / 1e6:.0f} MFLOP/epoch, {flops / t_fused / 1e9:.1f} GFLOP/s"
        print(
            f"vectorised, fused step:         {t_fused * 1e3:8.2f} ms/epoch   "
            f"speed-up {t_loop / t_fused:6.1f}x   ({rate})"
        )
        # The mnist-training-speed protocol: 500 fused epochs for 2, 3 and 4 hidden layers.
        total = 0.0
        for hidden in (2, 3, 4):
            sizes = [784] + [30] * hidden + [10]
            nt = Network(sizes, seed=0)
            t = best_per_epoch(lambda nt=nt: nt.gradient_step(X, Y, ETA, LMBDA, n), args.epochs, args.repeats)
            total += 500 * t
        print(f"estimated mnist-training-speed protocol (3 networks x 500 fused epochs): {total:.1f} s")
        t_sgd_loop, t_train = train_case(X, Y, data, args)
    ratio = t_loop / t_sep
    verdict = "PASS" if ratio >= 10 else "FAIL"
    print(f"[{verdict}] speed-up of the same algorithm (probe + step) >= 10x: {ratio:.1f}x")
    ratio = t_sgd_loop / t_train
    verdict = "PASS" if ratio >= 10 else "FAIL"
    print(
        f"[{verdict}] speed-up of train(epochs=1, batch_size=1000) with default arguments >= 10x: {ratio:.1f}x"
    )


def train_case(X, Y, data, args) -> tuple[float, float]:
    """``Network.train(X, Y, epochs=1, batch_size=1000, eta=0.1, lmbda=5.0)`` vs the book's SGD, per epoch."""
    n = len(X)
    net = Network(SIZES, seed=0)
    loop = LoopNetwork(net.weights, net.biases)
    loop.sgd_epoch(data, 1000, ETA, LMBDA, np.random.default_rng(0))
    net.train(X, Y, epochs=1, batch_size=1000, eta=ETA, lmbda=LMBDA)
    # one full batch: the shuffle changes only the order of the sums, so the weights agree to rounding
    err_w = max(
        float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(net.weights, loop.weights, strict=True)
    )
    print(f"train case ({n} images, batch_size=1000): weights after one epoch agree to {err_w:.1e}")
    rng = np.random.default_rng(1)
    t_loop = best_per_epoch(
        lambda: loop.sgd_epoch(data, 1000, ETA, LMBDA, rng), args.loop_epochs, args.repeats
    )
    t_train = best_per_epoch(
        lambda: net.train(X, Y, epochs=1, batch_size=1000, eta=ETA, lmbda=LMBDA), args.epochs, args.repeats
    )
    print(f"loop baseline, network2.SGD epoch: {t_loop * 1e3:8.2f} ms/epoch")
    print(
        f"Network.train, default arguments: {t_train * 1e3:8.2f} ms/epoch   speed-up {t_loop / t_train:6.1f}x"
    )
    return t_loop, t_train


if __name__ == "__main__":
    main()
