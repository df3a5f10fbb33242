"""The book's experimental protocol of sec. 5.1: its numbers, its networks, its data, and the size limits.

Nielsen runs two kinds of experiment on MNIST in section 5.1:

- the *gradient* experiments (``generate_gradient.py``): networks ``[784, 30, ..., 30, 10]`` on the
  first 1,000 images of the 50,000-image training split (``training_data[:1000]``), with the speed of
  learning of hidden layer l measured as the norm of delta^l, the mean over those images of dC_x/db^l;
- the *depth* experiment (``network2.SGD``): the same networks trained for 30 epochs on all 50,000
  training images, mini-batch 10, eta = 0.1, lmbda = 5.0, scored on the 10,000 validation images.

This module holds what the experiments share: the book's printed values, the layer sizes, the data
helpers, the arithmetic counts behind the GFLOP/s figures, and the documented size limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import validate

__all__ = [
    "BOOK_INITIAL_NORMS",
    "BOOK_DEPTH_ACCURACY",
    "BOOK_FIRST_TO_LAST_SLOWDOWN",
    "BOOK_TRAIN",
    "BOOK_VALIDATION",
    "BOOK_IMAGES",
    "BOOK_LMBDA",
    "WIDTH",
    "MAX_HIDDEN_LAYERS",
    "MAX_WIDTH",
    "network_sizes",
    "checked_images",
    "lmbda_per_image",
    "is_book_scale",
    "book_images",
    "sgd_flops",
]

#: ch. 5, sec. 5.1: ||delta^l|| of the hidden layers (first first) just after initialisation (one run).
BOOK_INITIAL_NORMS: dict[int, tuple[float, ...]] = {
    2: (0.07, 0.31),
    3: (0.012, 0.060, 0.283),
    4: (0.003, 0.017, 0.070, 0.285),
}
#: ch. 5, sec. 5.1: validation accuracy after 30 epochs (mini-batch 10, eta 0.1, lmbda 5.0, 50,000 images).
BOOK_DEPTH_ACCURACY: dict[int, float] = {1: 0.9648, 2: 0.9690, 3: 0.9657, 4: 0.9653}
#: ch. 5, sec. 5.1: "the first hidden layer is learning roughly 100 times slower than the final hidden layer".
BOOK_FIRST_TO_LAST_SLOWDOWN = 100.0
#: the book's split of MNIST's 60,000 training images: 50,000 train, 10,000 validate
BOOK_TRAIN, BOOK_VALIDATION = 50_000, 10_000
#: generate_gradient.py: ``training_data[:1000]``
BOOK_IMAGES = 1000
#: the book's regularisation parameter on its 50,000 training images
BOOK_LMBDA = 5.0
#: the book's hidden-layer width
WIDTH = 30

#: size limits shared by the experiments (each experiment module states its own seeds and epochs limits,
#: chosen so that a run at the limit takes about a minute on the embedded data here)
MAX_HIDDEN_LAYERS = 10
MAX_WIDTH = 1000


def network_sizes(hidden_layers: int, width: int = WIDTH, n_in: int = 784, n_out: int = 10) -> list[int]:
    """The book's layer sizes ``[784, 30, ..., 30, 10]`` with ``hidden_layers`` hidden layers.

    Examples
    --------
    >>> network_sizes(2)
    [784, 30, 30, 10]
    """
    h = validate.integer(
        hidden_layers, "hidden_layers", 1, MAX_HIDDEN_LAYERS, why_hi="the book's experiments use at most 4"
    )
    width = validate.integer(width, "width", 1, MAX_WIDTH)
    return [int(n_in)] + [width] * h + [int(n_out)]


def checked_images(X, y, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` as float (n, n_in) images with finite values and int64 labels 0..9, or a ValueError."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"{name} must be (n, 784) and its labels (n,), got {X.shape} and {y.shape}")
    if len(X) == 0:
        raise ValueError(f"{name} must hold at least one image")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9:
        raise ValueError(f"the labels of {name} must be integers 0..9")
    return X, y.astype(np.int64)


def lmbda_per_image(n: int) -> float:
    """The book's weight decay per image on ``n`` images: lmbda = 5.0 n / 50,000 (0.4 on 4,000 images).

    The decay per step is eta lmbda / n, so this keeps the book's eta 5.0 / 50,000 per step; the literal
    lmbda = 5.0 on 4,000 images decays weights 12.5 times harder and a four-hidden-layer net stays at
    chance.
    """
    return BOOK_LMBDA * n / BOOK_TRAIN


def is_book_scale(data) -> bool:
    """True when ``data`` has the book's 50,000 training and 10,000 validation images."""
    return len(data.train.y) == BOOK_TRAIN and len(data.validation.y) == BOOK_VALIDATION


def book_images(data, n: int = BOOK_IMAGES) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` training images of ``data`` and their labels (the book's ``training_data[:1000]``)."""
    X, y = data.train.X, data.train.y
    if len(X) < n:
        raise ValueError(f"data.train must hold at least {n} images for this experiment, it holds {len(X)}")
    return np.asarray(X[:n], dtype=float), np.asarray(y[:n])


def sgd_flops(sizes: Sequence[int], n_images: int, n_evaluated: int = 0) -> float:
    """Floating-point operations of one epoch of backpropagation SGD over ``n_images`` (multiply-add = 2).

    Forward: 2 n n_in n_out per layer. Backward: the weight gradient delta^T a (2 n n_in n_out per layer)
    and the delta of every layer but the first (2 n n_in n_out for layers >= 2; the input needs no
    delta). Plus a forward pass over ``n_evaluated`` images (an accuracy evaluation). Elementwise work is
    not counted; all input columns are (the protocol's arithmetic, whatever the code skips).

    Examples
    --------
    >>> sgd_flops([784, 30, 10], 1)  # forward 2(23520 + 300), weights the same, one delta 2(300)
    95880.0
    """
    per_layer = [2.0 * i * o for i, o in zip(sizes[:-1], sizes[1:], strict=False)]
    return float(n_images * (2 * sum(per_layer) + sum(per_layer[1:])) + n_evaluated * sum(per_layer))
