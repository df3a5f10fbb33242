"""The single-file formats: the book's ``mnist.pkl.gz`` and a Keras-style ``mnist.npz``.

Both are checked as strictly as the IDX files: the right structure, integer labels 0..9 (a float
label is accepted only when it is a whole number, 3.0; 0.9 or 2.7 is refused, never truncated),
pixels as bytes or floats in [0, 1], and non-empty splits; every message names the file.
"""

from __future__ import annotations

import gzip
import pickle
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .idx import MAX_DECOMPRESSED_BYTES
from .provenance import IDX_FILES, npz_md5s, verdict
from .splits import MnistData, book_split, to_split
from .unpickler import LimitedReader, MnistUnpickler, RefusedGlobal

__all__ = ["load_pkl", "load_npz", "NPZ_KEYS"]

#: The arrays of a Keras ``mnist.npz``.
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def _unpickle(path: Path):
    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    try:
        with (gzip.open if gz else open)(path, "rb") as fh:
            reader = LimitedReader(fh, MAX_DECOMPRESSED_BYTES, str(path))
            return MnistUnpickler(reader, encoding="latin1").load()
    except RefusedGlobal as exc:
        raise ValueError(
            f"{path}: refused to unpickle the global {exc.name}: a pickle can run code, and the book's "
            "mnist.pkl.gz needs only NumPy arrays, tuples and lists; this file is not the book's "
            "(or was altered): get the original, or use the IDX files"
        ) from None
    except (OSError, EOFError, pickle.UnpicklingError, zlib.error, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: cannot read the book's mnist.pkl.gz ({exc})") from None
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"{path}: cannot read the book's mnist.pkl.gz ({exc})") from None


def load_pkl(path: Path) -> MnistData:
    """The book's ``mnist.pkl.gz`` (or an uncompressed ``.pkl``): ((X, y), (X, y), (X, y)).

    Provenance ``"unverified"``: float32 pixels cannot be compared with the canonical IDX bytes.
    """
    parts = _unpickle(path)
    shape = "a pickle of three (images, labels) pairs: (training, validation, test), like the book's file"
    if not isinstance(parts, tuple | list) or len(parts) != 3:
        what = (
            f"{type(parts).__name__} of {len(parts)} items"
            if isinstance(parts, tuple | list)
            else type(parts).__name__
        )
        raise ValueError(f"{path}: expected {shape}; got a {what}")
    splits = []
    for part, name in zip(parts, ("training", "validation", "test"), strict=True):
        if not isinstance(part, tuple | list) or len(part) != 2:
            what = (
                f"{type(part).__name__} of {len(part)} items"
                if isinstance(part, tuple | list)
                else type(part).__name__
            )
            raise ValueError(f"{path}: the {name} part must be a pair (images, labels); got a {what}")
        splits.append(to_split(part[0], part[1], f"{path} ({name} part)"))
    return MnistData(*splits, source=str(path), provenance="unverified")


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as npz:
            absent = [k for k in NPZ_KEYS if k not in npz.files]
            if absent:
                raise ValueError(
                    f"{path}: missing array(s) {', '.join(absent)}; expected the Keras layout {NPZ_KEYS}"
                )
            for k in NPZ_KEYS:
                size = npz.zip.getinfo(f"{k}.npy").file_size
                if size > MAX_DECOMPRESSED_BYTES:
                    raise ValueError(
                        f"{path}: array {k} holds {size:,} bytes, more than {MAX_DECOMPRESSED_BYTES:,}; "
                        "MNIST's largest array holds 47 MB"
                    )
            return {k: npz[k] for k in NPZ_KEYS}
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"{path}: cannot read the .npz file ({exc})") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{path}: cannot read the .npz file ({exc})") from None


def load_npz(path: Path) -> MnistData:
    """A Keras-style ``mnist.npz`` (``x_train``, ``y_train``, ``x_test``, ``y_test``), split the book's way.

    Provenance: integer arrays are hashed in their IDX form and compared with the canonical MD5s
    (``"canonical"`` or ``"modified"``, with a warning); float pixels stay ``"unverified"``.
    """
    arrays = _read_npz(path)
    train, validation = book_split(arrays["x_train"], arrays["y_train"], f"{path} (x_train, y_train)")
    test = to_split(arrays["x_test"], arrays["y_test"], f"{path} (x_test, y_test)")
    md5s = npz_md5s(arrays)
    if md5s is None:
        return MnistData(train, validation, test, source=str(path), provenance="unverified")
    provenance, differ = verdict(
        md5s, {role: f"{path.name}:{key}" for role, key in zip(IDX_FILES, NPZ_KEYS, strict=True)}
    )
    return MnistData(train, validation, test, source=str(path), provenance=provenance, modified_files=differ)
