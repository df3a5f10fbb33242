"""The IDX file format (LeCun's MNIST files), read as a stream: header first, then no more data than it promises.

An IDX file is two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, each dimension as a big-endian
int32, then the data, big-endian, row-major. The MNIST files are usually gzip-compressed.

The reader decompresses the header, checks that the data it promises is plausible (at most
``max_bytes``; for a plain file exactly the file's size; for a gzip file no more than deflate's
largest ratio allows), then streams exactly that many bytes into one buffer and reads one more to
detect trailing data: a gzip bomb costs no more memory than its header admits.

Examples
--------
>>> labels = read_idx("t10k-labels-idx1-ubyte.gz")  # doctest: +SKIP
>>> labels.shape, labels.dtype
((10000,), dtype('uint8'))
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..validate import integer, path_like

__all__ = ["IDX_DTYPES", "MAX_DECOMPRESSED_BYTES", "read_idx", "read_idx_and_md5", "idx_header"]

#: IDX type codes (the third magic byte) -> big-endian dtype.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

#: The most decompressed bytes the data layer reads from one file (256 MiB): the largest MNIST file
#: holds 47 MB (train-images), the book's mnist.pkl.gz 220 MB. A larger header is refused at once.
MAX_DECOMPRESSED_BYTES = 256 * 2**20

#: Deflate cannot compress better than about 1032:1, so a gzip file of s bytes holds at most 1032 s.
DEFLATE_MAX_RATIO = 1032

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def idx_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    """The IDX header (magic number and dimensions) of an array of ``dtype`` and ``shape``."""
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    code = codes[np.dtype(dtype).newbyteorder("=")]
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}i", *shape)


def read_idx(path: str | os.PathLike, *, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> np.ndarray:
    """Read one IDX file (plain or gzip-compressed) into a NumPy array (native byte order).

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    max_bytes : int
        The most data bytes (after decompression) the header may promise; default
        :data:`MAX_DECOMPRESSED_BYTES` (256 MiB). This much memory is allocated at most.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        A bad magic number, an unknown type code, a negative dimension, a header promising more
        than ``max_bytes`` or than the file can hold, a corrupt gzip stream, or data shorter or longer
        than the header says; the message names the file.
    """
    return _read(path, max_bytes, None)[0]


def read_idx_and_md5(
    path: str | os.PathLike, *, max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> tuple[np.ndarray, str]:
    """:func:`read_idx`, plus the MD5 of the decompressed file (header and data), computed while streaming."""
    array, hasher = _read(path, max_bytes, hashlib.md5(usedforsecurity=False))
    return array, hasher.hexdigest()


def _read(path, max_bytes, hasher):
    path = path_like(path, "path")
    max_bytes = integer(max_bytes, "max_bytes", lo=1)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {str(path)!r} does not exist")
    size = path.stat().st_size
    with open(path, "rb") as raw:
        gz = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not gz:
            return _read_stream(raw, path, size, False, max_bytes, hasher), hasher
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                return _read_stream(fh, path, size, True, max_bytes, hasher), hasher
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ValueError(
                f"{path}: corrupt or truncated gzip stream ({exc}); download the file again"
            ) from None


def _read_header(fh, path: Path) -> tuple[bytes, np.dtype, tuple[int, ...]]:
    head = fh.read(4)
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise ValueError(
            f"{path}: bad magic number {head.hex() or '(empty file)'}; an IDX file starts with "
            "00 00 <type> <ndim>: is this really an MNIST IDX file?"
        )
    code, ndim = head[2], head[3]
    if code not in IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02x}; known: 08, 09, 0b, 0c, 0d, 0e")
    dims_raw = fh.read(4 * ndim)
    if ndim == 0 or len(dims_raw) < 4 * ndim:
        raise ValueError(f"{path}: truncated header (ndim={ndim}, {4 + len(dims_raw)} header bytes)")
    dims = struct.unpack(f">{ndim}i", dims_raw)
    for axis, d in enumerate(dims):
        if d < 0:
            raise ValueError(
                f"{path}: corrupt header: dimension {axis} is {d} in shape {dims}; dimensions are counts >= 0"
            )
    return head + dims_raw, IDX_DTYPES[code], dims


def _read_stream(fh, path: Path, size: int, gz: bool, max_bytes: int, hasher) -> np.ndarray:
    header, dtype, dims = _read_header(fh, path)
    n_bytes = math.prod(dims) * dtype.itemsize  # Python ints: no overflow
    promise = f"header says shape {dims} ({len(header) + n_bytes:,} bytes)"
    if n_bytes > max_bytes:
        raise ValueError(
            f"{path}: {promise}, more than the {max_bytes:,} data bytes allowed (max_bytes); "
            "a corrupt header, or pass a larger max_bytes to read_idx"
        )
    if not gz and size != len(header) + n_bytes:
        what = "truncated" if size < len(header) + n_bytes else "has trailing bytes"
        raise ValueError(f"{path}: file {what}: {promise}, file has {size:,} bytes")
    if gz and n_bytes > DEFLATE_MAX_RATIO * size:
        raise ValueError(
            f"{path}: file truncated: {promise}, but a gzip file of {size:,} bytes decompresses to at "
            f"most {DEFLATE_MAX_RATIO * size:,}"
        )
    if hasher is not None:
        hasher.update(header)
    buf = np.empty(n_bytes, dtype=np.uint8)
    view, pos = memoryview(buf), 0
    while pos < n_bytes:
        got = fh.readinto(view[pos : pos + _CHUNK])
        if not got:
            break
        if hasher is not None:
            hasher.update(view[pos : pos + got])
        pos += got
    if pos < n_bytes:
        raise ValueError(f"{path}: file truncated: {promise}, file has {len(header) + pos:,} bytes")
    if fh.read(1):
        raise ValueError(f"{path}: file has trailing bytes after the data: {promise}")
    native = dtype.newbyteorder("=")
    if dtype.itemsize == 1:
        return buf.view(native).reshape(dims)
    return buf.view(dtype).reshape(dims).astype(native)
