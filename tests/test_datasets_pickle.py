"""The book's mnist.pkl.gz is unpickled without running code (issue 11, item 1).

The genuine pickles here are built three ways: by a hand-written Python-2 pickler (the opcodes
Python 2's cPickle wrote for the book's file at protocol 2: GLOBAL, SHORT_BINSTRING/BINSTRING for
str data, REDUCE, BUILD), and by Python 3's own ``pickle.dumps`` at protocols 2, 4 and 5.
"""

from __future__ import annotations

import builtins
import gzip
import os
import pickle
import struct

import numpy as np
import pytest

import gradmath

# --- a Python-2 style pickler, written from the pickle opcode table (not from our reader) ----------------


def _py2_str(data: bytes) -> bytes:
    # Python 2 pickled `str` (bytes) as SHORT_BINSTRING (U) or BINSTRING (T), protocol 1+
    if len(data) < 256:
        return b"U" + bytes([len(data)]) + data
    return b"T" + struct.pack("<i", len(data)) + data


def _py2_int(n: int) -> bytes:
    if 0 <= n < 256:
        return b"K" + bytes([n])  # BININT1
    return b"J" + struct.pack("<i", n)  # BININT


def _py2_tuple(items: list[bytes]) -> bytes:
    if len(items) <= 3:
        return b"".join(items) + [b")", b"\x85", b"\x86", b"\x87"][len(items)]
    return b"(" + b"".join(items) + b"t"  # MARK ... TUPLE


def _py2_dtype(dtype: np.dtype) -> bytes:
    # numpy.dtype('f4', 0, 1) then BUILD with (3, '<', None, None, None, -1, -1, 0)
    call = (
        b"cnumpy\ndtype\n" + _py2_tuple([_py2_str(dtype.str[1:].encode()), _py2_int(0), _py2_int(1)]) + b"R"
    )
    state = _py2_tuple(
        [_py2_int(3), _py2_str(b"<"), b"N", b"N", b"N", _py2_int(-1), _py2_int(-1), _py2_int(0)]
    )
    return call + state + b"b"


def _py2_array(a: np.ndarray) -> bytes:
    a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
    call = (
        b"cnumpy.core.multiarray\n_reconstruct\n"
        + _py2_tuple([b"cnumpy\nndarray\n", _py2_tuple([_py2_int(0)]), _py2_str(b"b")])
        + b"R"
    )
    shape = _py2_tuple([_py2_int(d) for d in a.shape])
    state = _py2_tuple([_py2_int(1), shape, _py2_dtype(a.dtype), b"\x89", _py2_str(a.tobytes())])
    return call + state + b"b"


def py2_pickle(parts) -> bytes:
    """((X, y), (X, y), (X, y)) as Python 2's cPickle.dump(..., protocol=2) would write it."""

    def obj(x):
        if isinstance(x, np.ndarray):
            return _py2_array(x)
        return _py2_tuple([obj(v) for v in x])

    return b"\x80\x02" + obj(parts) + b"."


def book_parts(seed: int = 1):
    rng = np.random.default_rng(seed)
    return tuple(
        (rng.integers(0, 256, (n, 784)).astype(np.float32) / 256, rng.integers(0, 10, n).astype(np.int64))
        for n in (12, 6, 6)
    )


def assert_loads_as(path, parts):
    data = gradmath.load_mnist(path)
    for split, (X, y) in zip((data.train, data.validation, data.test), parts, strict=True):
        np.testing.assert_array_equal(split.X, X.astype(np.float64))
        np.testing.assert_array_equal(split.y, y)


# --- genuine pickles still load ---------------------------------------------------------------------------


def test_python2_pickle_of_the_books_format_loads(tmp_path):
    parts = book_parts()
    raw = py2_pickle(parts)
    assert b"numpy.core.multiarray\n_reconstruct" in raw and b"_codecs" not in raw
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(raw))
    assert_loads_as(path, parts)
    plain = tmp_path / "mnist.pkl"
    plain.write_bytes(raw)
    assert_loads_as(plain, parts)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_python3_pickles_load(tmp_path, protocol):
    parts = book_parts(protocol)
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(parts, protocol=protocol)))
    assert_loads_as(path, parts)


def test_lists_instead_of_tuples_load(tmp_path):
    parts = book_parts(7)
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps([list(p) for p in parts], protocol=2)))
    assert_loads_as(path, parts)


# --- hostile pickles are refused before they run -----------------------------------------------------------


class _SystemPayload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _OpenPayload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (builtins.open, (str(self.marker), "w"))


@pytest.mark.parametrize(
    "payload, refused", [(_SystemPayload, r"(posix|os)\.system"), (_OpenPayload, r"(builtins|io)\.open")]
)
@pytest.mark.parametrize("protocol", [2, 5])
def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path, payload, refused, protocol):
    marker = tmp_path / "pwned"
    X, y = book_parts()[0]
    # the payload sits inside an otherwise well-formed file, where pickle.load would reach it first
    evil = ((payload(marker), y), (X, y), (X, y))
    path = tmp_path / "evil" / "mnist.pkl.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(pickle.dumps(evil, protocol=protocol)))
    with pytest.raises(ValueError, match=refused) as exc:
        gradmath.load_mnist(path)
    assert str(path) in str(exc.value)
    assert not marker.exists()


def test_allowed_reconstructors_cannot_be_misused(tmp_path):
    # _codecs.encode with another codec, bytes(n) allocating n bytes, an ndarray subclass
    marker = tmp_path / "m"
    hostile = {
        "codec.pkl": b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x06\x00\x00\x00base64\x86R.",
        "bytes.pkl": b"\x80\x02c__builtin__\nbytes\nJ\x00\x00\x00\x40\x85R.",
        "matrix.pkl": (
            b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nmatrix\nK\x00\x85U\x01b\x87R."
        ),
        "shape.pkl": (
            b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nJ\x00\x00\x00\x40\x85U\x01b\x87R."
        ),
    }
    for name, raw in hostile.items():
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(ValueError, match=name):
            gradmath.load_mnist(tmp_path / name)
    assert not marker.exists()
