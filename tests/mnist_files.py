"""Test helpers for the data layer: IDX files written by hand from the format spec (not by our reader)."""

from __future__ import annotations

import gzip
import hashlib
import struct

import numpy as np

IDX_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
ROLES = ("train_images", "train_labels", "test_images", "test_labels")


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">i", d) for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def fake_mnist(n_train: int, n_test: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=n_train, dtype=np.uint8),
        rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=n_test, dtype=np.uint8),
    )


def write_idx_folder(folder, arrays, gz=True, level=9):
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in zip(IDX_NAMES, arrays, strict=True):
        data = idx_bytes(arr, 0x08)
        if gz:
            (folder / name).write_bytes(gzip.compress(data, compresslevel=level))
        else:
            (folder / name[: -len(".gz")]).write_bytes(data)
    return folder


def content_md5s(arrays) -> dict[str, str]:
    """MD5 of each IDX file's decompressed contents, by role, computed from the arrays directly."""
    return {role: hashlib.md5(idx_bytes(a, 0x08)).hexdigest() for role, a in zip(ROLES, arrays, strict=True)}
