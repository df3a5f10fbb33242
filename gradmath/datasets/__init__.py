"""MNIST: the embedded real subset, the IDX / ``mnist.pkl.gz`` / ``mnist.npz`` readers, and the download.

Three ways to get digits, all returning :class:`MnistData` (``train``, ``validation``, ``test``
splits, each a named pair ``(X, y)``: ``X`` (n, 784) float64 in [0, 1], ``y`` (n,) int64 labels):

- ``load_mnist()``: the embedded subset, offline and deterministic: 5,000 real MNIST digits
  (see ``gradmath/data/NOTICE``), class-interleaved; 4,000 train (the first 1,000 are the book's
  "1,000 training images", 100 per class), 1,000 validation, no test split.
- ``load_mnist(path)``: a folder with the four IDX files (``.gz`` or plain), the book's
  ``mnist.pkl.gz``, or a Keras-style ``mnist.npz``. The book's splits: the first 50,000 training
  images train, the last 10,000 validate, t10k tests. The IDX contents are checked against the
  canonical MNIST's MD5s (``data.provenance``, ``data.description``).
- ``load_mnist(download=True)``: fetch the four IDX files with pooch, verify their MD5, keep them in
  the cache folder ($GRADMATH_CACHE or pooch's), within a deadline (``timeout=``,
  $GRADMATH_DOWNLOAD_TIMEOUT, default 300 s).

Modules: :mod:`~gradmath.datasets.idx` (the IDX format, streamed), :mod:`~.unpickler` (the
restricted unpickler), :mod:`~.formats` (pkl and npz), :mod:`~.splits` (the containers and the
checks on labels and pixels), :mod:`~.provenance` (canonical MD5s and their cache),
:mod:`~.download`, :mod:`~.load`.

Examples
--------
>>> data = load_mnist()
>>> data.train.X.shape, data.validation.X.shape
((4000, 784), (1000, 784))
>>> X, y = data.validation
>>> data.description
'MNIST embedded subset (5,000 real digits shipped with gradmath): 4,000 training / 1,000 validation / no test images'
"""

from __future__ import annotations

from .download import BASE_URL, DEFAULT_TIMEOUT, MD5, DownloadTimeout, download_mnist
from .idx import MAX_DECOMPRESSED_BYTES, read_idx, read_idx_and_md5
from .load import load_mnist
from .provenance import CANONICAL_MD5, IDX_FILES, cache_folder
from .splits import BOOK_TRAIN, PROVENANCES, MnistData, Split
from .unpickler import MnistUnpickler, RefusedGlobal

__all__ = [
    "Split",
    "MnistData",
    "load_mnist",
    "read_idx",
    "read_idx_and_md5",
    "download_mnist",
    "DownloadTimeout",
    "MnistUnpickler",
    "RefusedGlobal",
    "cache_folder",
    "IDX_FILES",
    "MD5",
    "CANONICAL_MD5",
    "BASE_URL",
    "BOOK_TRAIN",
    "PROVENANCES",
    "DEFAULT_TIMEOUT",
    "MAX_DECOMPRESSED_BYTES",
]
