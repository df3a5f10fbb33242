"""Unpickling the book's ``mnist.pkl.gz`` without running code: only NumPy arrays, tuples and lists.

``pickle.load`` calls whatever callable a pickle names (``os.system``, ``builtins.exec``, ...) before
any structure could be checked. :class:`MnistUnpickler` resolves globals only from
:data:`PICKLE_ALLOWED`, the handful that NumPy array pickles need, and refuses any other with
:class:`RefusedGlobal`. Even the allowed callables are wrapped so that they accept only the
arguments NumPy itself writes (``_reconstruct(ndarray, (0,), 'b')``, ``encode(str, 'latin1')``).

The book's file is a Python-2 pickle (protocol 2, ``encoding="latin1"``) of
``((train_X, train_y), (val_X, val_y), (test_X, test_y))``; the same data re-pickled by Python 3
(protocols 2 to 5, NumPy 1 or 2 module names) loads too. :class:`LimitedReader` caps the
decompressed bytes the unpickler may read, so that a small gzip file cannot inflate without bound.
"""

from __future__ import annotations

import pickle

import numpy as np

__all__ = ["PICKLE_ALLOWED", "RefusedGlobal", "MnistUnpickler", "LimitedReader"]

_RECONSTRUCT = np.zeros(1).__reduce__()[0]  # numpy's array reconstructor, whatever module it lives in
_FROMBUFFER = np.zeros(1).__reduce_ex__(5)[0]  # the protocol-5 reconstructor


class _NdarrayType:
    """Stands for ``numpy.ndarray`` inside a pickle: usable only as ``_reconstruct``'s first argument."""


def _reconstruct(subtype, shape, dtype):
    # numpy pickles every array as _reconstruct(ndarray, (0,), b'b') followed by __setstate__ with the
    # real shape and the data, so nothing larger than the data in the file is ever allocated.
    if subtype is not _NdarrayType or tuple(shape) != (0,):
        raise pickle.UnpicklingError(
            "_reconstruct is only allowed as numpy pickles arrays: (ndarray, (0,), ...)"
        )
    return _RECONSTRUCT(np.ndarray, (0,), dtype)


def _latin1_encode(text, encoding="utf-8"):
    # A protocol-2 pickle written by Python 3 stores bytes as _codecs.encode(str, "latin1").
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("_codecs.encode is only allowed as encode(str, 'latin1')")
    return text.encode("latin1")


def _empty_bytes(*args):
    if args:
        raise pickle.UnpicklingError("builtins.bytes is only allowed without arguments (b'')")
    return b""


#: The only globals the book's mnist.pkl.gz (and the same data re-pickled by Python 3) needs.
PICKLE_ALLOWED = {
    "numpy.core.multiarray._reconstruct": _reconstruct,  # numpy 1 (the book's file)
    "numpy._core.multiarray._reconstruct": _reconstruct,  # numpy 2
    "numpy.core.numeric._frombuffer": _FROMBUFFER,  # protocol 5, numpy 1
    "numpy._core.numeric._frombuffer": _FROMBUFFER,  # protocol 5, numpy 2
    "numpy.ndarray": _NdarrayType,
    "numpy.dtype": np.dtype,
    "_codecs.encode": _latin1_encode,  # protocol 2 from Python 3
    "builtins.bytes": _empty_bytes,  # protocol 2 from Python 3, empty arrays
}


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle asked for a global outside :data:`PICKLE_ALLOWED`; ``name`` is ``module.name``."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class MnistUnpickler(pickle.Unpickler):
    """An unpickler that builds only NumPy arrays, tuples and lists: any other global is refused.

    Examples
    --------
    >>> import io, os, pickle
    >>> MnistUnpickler(io.BytesIO(pickle.dumps(os.getcwd))).load()
    Traceback (most recent call last):
    ...
    gradmath.datasets.unpickler.RefusedGlobal: posix.getcwd
    """

    def find_class(self, module: str, name: str):
        qualified = f"{module}.{name}"
        try:
            return PICKLE_ALLOWED[qualified]
        except KeyError:
            raise RefusedGlobal(qualified) from None


class LimitedReader:
    """A binary file wrapper that raises ValueError once more than ``limit`` bytes have been read."""

    def __init__(self, fh, limit: int, where: str):
        self._fh, self._left, self._limit, self._where = fh, limit, limit, where

    def _count(self, n: int) -> None:
        self._left -= n
        if self._left < 0:
            raise ValueError(
                f"{self._where}: holds more than {self._limit:,} bytes once decompressed; the book's "
                "mnist.pkl.gz holds 220 MB: is this the right file?"
            )

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(self._left + 1 if n is None or n < 0 else min(n, self._left + 1))
        self._count(len(data))
        return data

    def readline(self, n: int = -1) -> bytes:
        data = self._fh.readline(self._left + 1 if n is None or n < 0 else min(n, self._left + 1))
        self._count(len(data))
        return data

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        got = self._fh.readinto(view[: self._left + 1])
        self._count(got)
        return got
