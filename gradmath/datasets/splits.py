"""The data's containers: :class:`Split` (images and labels) and :class:`MnistData` (the book's three splits).

Also the checks every reader applies to what it read (labels are integers 0..9, pixels are bytes or
floats in [0, 1]) and the book's 50,000 / 10,000 split of the training file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..validate import choice, integer

__all__ = [
    "Split",
    "MnistData",
    "BOOK_TRAIN",
    "PROVENANCES",
    "check_labels",
    "check_images",
    "to_split",
    "book_split",
]

#: The book's split of the 60,000 training images: the first 50,000 train, the rest validate.
BOOK_TRAIN = 50_000

#: What :attr:`MnistData.provenance` can say about the data.
PROVENANCES = ("canonical", "modified", "unverified", "embedded")


class _SplitFields(NamedTuple):
    X: np.ndarray
    y: np.ndarray


class Split(_SplitFields):
    """One split: ``X`` (n, 784) float64 in [0, 1], ``y`` (n,) int64 labels 0..9.

    A named pair, so that ``X, y = data.train`` unpacks it while ``data.train.X`` still works.
    ``len(split)`` is the number of examples n (not 2, the length of the pair); ``_make`` and
    ``_replace`` are redefined to count the fields themselves rather than call ``len``.
    """

    __slots__ = ()

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @classmethod
    def _make(cls, iterable) -> Split:
        result = tuple.__new__(cls, iterable)
        if tuple.__len__(result) != 2:
            raise TypeError(f"a Split holds 2 fields (X, y), got {tuple.__len__(result)}")
        return result

    def _replace(self, **changes) -> Split:
        result = self._make(
            changes.pop(name, value) for name, value in zip(self._fields, tuple.__iter__(self), strict=True)
        )
        if changes:
            raise ValueError(f"a Split has the fields X and y, not {', '.join(sorted(changes))}")
        return result

    def subset(self, n: int) -> Split:
        """The first ``n`` examples (for the embedded set, class-balanced when n is a multiple of 10)."""
        n = integer(n, "n", lo=1, hi=len(self))
        return Split(self.X[:n], self.y[:n])

    def __repr__(self) -> str:
        counts = np.bincount(self.y, minlength=10)
        return f"Split(n={len(self)}, per class {counts.min()}..{counts.max()})"


@dataclass(frozen=True, repr=False)
class MnistData:
    """MNIST split the book's way; ``test`` is None for the embedded subset.

    Attributes
    ----------
    train, validation, test : Split
    source : str
        Where the data came from: a path, ``"download"`` or ``"embedded"``.
    provenance : str
        ``"canonical"``: the decompressed contents match the canonical MNIST's MD5s;
        ``"modified"``: they do not (``modified_files`` names the files);
        ``"unverified"``: a format whose contents are not compared (``mnist.pkl.gz``, float ``.npz``);
        ``"embedded"``: the 5,000-image subset shipped with gradmath.
    modified_files : tuple of str
        The files whose contents differ from the canonical MNIST (``provenance == "modified"``).
    """

    train: Split
    validation: Split
    test: Split | None
    source: str
    provenance: str = "unverified"
    modified_files: tuple[str, ...] = ()

    def __post_init__(self):
        choice(self.provenance, "provenance", PROVENANCES)

    @property
    def is_full(self) -> bool:
        """Whether the training split is the book's 50,000 images (``training_data`` in network2)."""
        return len(self.train) == BOOK_TRAIN

    @property
    def description(self) -> str:
        """One line for a reader, e.g. ``MNIST (canonical, verified by MD5): 50,000 training / ...``."""
        sizes = f"{len(self.train):,} training / {len(self.validation):,} validation / " + (
            f"{len(self.test):,} test images" if self.test is not None else "no test images"
        )
        if self.provenance == "embedded":
            return f"MNIST embedded subset (5,000 real digits shipped with gradmath): {sizes}"
        if self.provenance == "canonical":
            return f"MNIST (canonical, verified by MD5): {sizes}"
        name = Path(self.source).name if self.source != "download" else "download"
        if self.provenance == "modified":
            files = ", ".join(self.modified_files)
            return f"MNIST, modified copy at {name} ({files} differ from the canonical MNIST): {sizes}"
        return f"MNIST from {name} (unverified: this format is not compared with the canonical MD5s): {sizes}"

    def train_subset(self, n: int) -> Split:
        """The first ``n`` training examples (class-balanced for the embedded set when 10 divides n)."""
        return self.train.subset(n)

    def __repr__(self) -> str:
        test = len(self.test) if self.test is not None else None
        return (
            f"MnistData(source={self.source!r}, provenance={self.provenance!r}, train={len(self.train)}, "
            f"validation={len(self.validation)}, test={test})"
        )


def check_labels(labels, where: str) -> np.ndarray:
    """``labels`` as int64 digits 0..9, or a ValueError naming ``where`` and the first bad label.

    Integer dtypes are accepted; floats only when every label is integer-valued (3.0 is the digit 3,
    0.9 and 2.7 are refused, never truncated); booleans, strings and objects are refused.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iuf":
        raise ValueError(f"{where}: labels must be integers 0..9, got an array of dtype {labels.dtype}")
    flat = labels.reshape(-1)
    if labels.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(flat) | (flat != np.round(flat)))
        if bad.size:
            raise ValueError(
                f"{where}: labels must be integers 0..9; {_nth(labels, bad[0])} is {flat[bad[0]].item()!r}, "
                "not a whole number (refused rather than truncated)"
            )
    bad = np.flatnonzero((flat < 0) | (flat > 9))
    if bad.size:
        raise ValueError(
            f"{where}: labels must lie in 0..9; {_nth(labels, bad[0])} is {flat[bad[0]].item()!r}"
        )
    return labels.astype(np.int64)


def _nth(labels: np.ndarray, i: int) -> str:
    return "the label" if labels.ndim == 0 else f"label {i} (the first bad one)"


def check_images(images, where: str) -> np.ndarray:
    """``images`` as read-only float64 (n, 784) in [0, 1]: uint8 pixels are divided by 255."""
    images = np.asarray(images)
    if images.dtype.kind not in "uif":
        raise ValueError(f"{where}: images must be numbers, got an array of dtype {images.dtype}")
    if images.ndim == 3 and images.shape[1:] == (28, 28):
        images = images.reshape(images.shape[0], 784)
    if images.ndim != 2 or images.shape[1] != 784:
        raise ValueError(f"{where}: images must be (n, 28, 28) or (n, 784), got shape {images.shape}")
    if images.dtype == np.uint8:
        X = images.astype(np.float64) / 255.0
    else:
        X = images.astype(np.float64)
        if X.size and (not np.isfinite(X).all() or X.min() < 0 or X.max() > 1):
            raise ValueError(f"{where}: pixels that are not bytes (uint8) must be finite floats in [0, 1]")
    X.setflags(write=False)
    return X


def to_split(images, labels, where: str, *, at_least: int = 1) -> Split:
    """Check ``images`` and ``labels`` (naming ``where`` on error) and return them as a :class:`Split`."""
    y = check_labels(labels, where)
    X = check_images(images, where)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"{where}: {len(X)} images but labels of shape {y.shape}")
    if len(X) < at_least:
        raise ValueError(f"{where}: holds {len(X)} images; expected at least {at_least}")
    y.setflags(write=False)
    return Split(X, y)


def book_split(images, labels, where: str) -> tuple[Split, Split]:
    """The book's split of the training file: the first 50,000 train, the last 10,000 validate.

    A smaller training file (generated test data, say) keeps the same 5:1 proportion; it needs at
    least 6 images so that both parts are non-empty.
    """
    whole = to_split(images, labels, where, at_least=0)
    n = len(whole)
    if n < 6:
        raise ValueError(
            f"{where}: the training file holds {n} images; expected 60,000 (at least 6, to split 5:1 "
            "into training and validation)"
        )
    n_train = BOOK_TRAIN if n == 60_000 else n - n // 6
    return Split(whole.X[:n_train], whole.y[:n_train]), Split(whole.X[n_train:], whole.y[n_train:])
