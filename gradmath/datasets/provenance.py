"""Is this the canonical MNIST? MD5s of the decompressed IDX contents, verified once per file and cached.

The canonical MNIST is defined by the MD5 of each decompressed IDX file (header and data), so that a
copy recompressed with another gzip level or stored uncompressed is still recognised. Hashing costs
a pass over 55 MB; it is done while the file is read anyway, and the digest is remembered in the
user's cache folder (:func:`cache_folder`), keyed by the file's absolute path, size and modification
time, so that later loads of the same file skip it. A cache that cannot be read or written only
costs the hashing again: it never stops the data from loading.

A Keras ``mnist.npz`` with integer arrays is checked too, by hashing the IDX form of its arrays
(the same bytes the canonical files hold). The book's ``mnist.pkl.gz`` stores float32 pixels whose
exact relation to the IDX bytes we cannot check, so it stays ``"unverified"``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from ..validate import path_like
from .idx import MAX_DECOMPRESSED_BYTES, idx_header, read_idx, read_idx_and_md5

__all__ = [
    "IDX_FILES",
    "CANONICAL_MD5",
    "cache_folder",
    "read_idx_cached_md5",
    "verdict",
    "npz_md5s",
]

#: The four IDX files, by role (their canonical gzip names).
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: MD5 of each canonical IDX file's decompressed contents, by role.
CANONICAL_MD5 = {
    "train_images": "6bbc9ace898e44ae57da46a324031adb",
    "train_labels": "a25bea736e30d166cdddb491f175f624",
    "test_images": "2646ac647ad5339dbf082846283269ea",
    "test_labels": "27ae3e4e09519cfbb04c329615203637",
}

_CACHE_FILE = "verified-md5.json"
_CACHE_ENTRIES = 256  # the newest entries kept


def cache_folder() -> Path:
    """gradmath's cache folder: ``$GRADMATH_CACHE`` if set, else ``pooch.os_cache("gradmath")``."""
    env = os.environ.get("GRADMATH_CACHE")
    if env is not None:
        return path_like(env, "GRADMATH_CACHE")
    import pooch

    return Path(pooch.os_cache("gradmath"))


def _load_cache(file: Path) -> dict:
    try:
        entries = json.loads(file.read_text())
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _store(file: Path, new: dict[str, dict]) -> None:
    """Add the ``new`` entries to the cache, atomically; any failure (read-only, full disk) is ignored."""
    try:
        entries = _load_cache(file)
        for key, entry in new.items():
            entries.pop(key, None)
            entries[key] = entry
        entries = dict(list(entries.items())[-_CACHE_ENTRIES:])
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".verified-md5-")
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(entries, fh)
            os.replace(tmp, file)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    except OSError:
        pass


def read_idx_cached_md5(
    paths: dict[str, Path], *, max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read IDX files (keyed by role) and return their arrays and the MD5s of their decompressed contents.

    A digest is taken from the cache when the file's path, size and modification time match an
    entry; otherwise it is computed while reading. The cache is read once to look the files up, and
    when a digest was computed it is read again and written once (:func:`_store` merges the new entries
    into what is on disk then, so entries another process wrote meanwhile are kept).
    """
    file = cache_folder() / _CACHE_FILE
    cached = _load_cache(file)
    arrays, md5s, new = {}, {}, {}
    for role, path in paths.items():
        path = Path(path)
        stat, key = path.stat(), str(path.resolve())
        entry = cached.get(key)
        md5 = entry.get("md5") if isinstance(entry, dict) else None
        if (
            isinstance(md5, str)
            and len(md5) == 32
            and entry.get("size") == stat.st_size
            and entry.get("mtime_ns") == stat.st_mtime_ns
        ):
            arrays[role], md5s[role] = read_idx(path, max_bytes=max_bytes), md5
        else:
            arrays[role], md5s[role] = read_idx_and_md5(path, max_bytes=max_bytes)
            new[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "md5": md5s[role]}
    if new:
        _store(file, new)
    return arrays, md5s


def verdict(md5s: dict[str, str], names: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """``("canonical", ())`` when every role's MD5 is canonical, else ``("modified", names that differ)``.

    ``md5s`` and ``names`` are keyed by role (see :data:`IDX_FILES`).
    """
    differ = tuple(names[role] for role in IDX_FILES if md5s[role] != CANONICAL_MD5[role])
    return ("modified", differ) if differ else ("canonical", ())


def npz_md5s(arrays: dict[str, np.ndarray]) -> dict[str, str] | None:
    """MD5s of the IDX files equivalent to a Keras npz's arrays, by role; None if not integer data.

    Images must be integers 0..255 of shape (n, 28, 28) or (n, 784) and labels integers 0..9 (checked
    by the caller); they are hashed as the unsigned-byte IDX files the canonical MNIST is.
    """
    keys = {
        "train_images": "x_train",
        "train_labels": "y_train",
        "test_images": "x_test",
        "test_labels": "y_test",
    }
    out = {}
    for role, key in keys.items():
        a = np.asarray(arrays[key])
        if a.dtype.kind not in "iu" or (a.size and (a.min() < 0 or a.max() > 255)):
            return None
        shape = (len(a), 28, 28) if role.endswith("images") else (len(a),)
        data = np.ascontiguousarray(a, dtype=np.uint8)
        hasher = hashlib.md5(idx_header(np.uint8, shape), usedforsecurity=False)
        hasher.update(data)
        out[role] = hasher.hexdigest()
    return out
