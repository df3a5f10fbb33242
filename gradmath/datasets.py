"""MNIST: the embedded real subset, the IDX / ``mnist.pkl.gz`` / ``mnist.npz`` readers, and the download.

Three ways to get digits, all returning :class:`MnistData` (``train``, ``validation``, ``test``
splits of ``X`` (n, 784) float64 in [0, 1] and ``y`` (n,) int64 labels):

- ``load_mnist()``: the embedded subset, offline and deterministic: 5,000 real MNIST digits
  (see ``gradmath/data/NOTICE``), class-interleaved; 4,000 train (the first 1,000 are the book's
  "1,000 training images", 100 per class), 1,000 validation, no test split.
- ``load_mnist(path)``: a folder with the four IDX files (``.gz`` or plain), the book's
  ``mnist.pkl.gz``, or a Keras-style ``mnist.npz``. The book's splits: the first 50,000 training
  images train, the last 10,000 validate, t10k tests.
- ``load_mnist(download=True)``: fetch the four IDX files with pooch, verify their MD5 (DESIGN.md),
  keep them in pooch's cache.

Examples
--------
>>> data = load_mnist()
>>> data.train.X.shape, data.validation.X.shape
((4000, 784), (1000, 784))
"""

from __future__ import annotations

import functools
import gzip
import os
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Split", "MnistData", "load_mnist", "read_idx", "download_mnist", "IDX_FILES", "MD5", "BASE_URL"]

#: The four IDX files, by role.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: MD5 of each IDX file (DESIGN.md, "Data").
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

#: Where ``download=True`` fetches from; the environment variable GRADMATH_MNIST_URL overrides it.
BASE_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

#: The book's split of the 60,000 training images: the first 50,000 train, the rest validate.
BOOK_TRAIN = 50_000

_EMBEDDED = Path(__file__).with_name("data") / "mnist_embedded.npz"
_EMBEDDED_TRAIN = 4_000

# IDX type codes (the third magic byte) -> big-endian dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


@dataclass(frozen=True, repr=False)
class Split:
    """One split: ``X`` (n, 784) float64 in [0, 1], ``y`` (n,) int64 labels 0..9."""

    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, n: int) -> Split:
        """The first ``n`` examples (for the embedded set, class-balanced when n is a multiple of 10)."""
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or not 1 <= n <= len(self):
            raise ValueError(f"n must be an integer in 1..{len(self)}, got {n!r}")
        return Split(self.X[:n], self.y[:n])

    def __repr__(self) -> str:
        counts = np.bincount(self.y, minlength=10)
        return f"Split(n={len(self)}, per class {counts.min()}..{counts.max()})"


@dataclass(frozen=True, repr=False)
class MnistData:
    """MNIST split for the book's experiments; ``test`` is None for the embedded subset."""

    train: Split
    validation: Split
    test: Split | None
    source: str

    def train_subset(self, n: int) -> Split:
        """The first ``n`` training examples (class-balanced for the embedded set when 10 divides n)."""
        return self.train.subset(n)

    def __repr__(self) -> str:
        test = len(self.test) if self.test is not None else None
        return (
            f"MnistData(source={self.source!r}, train={len(self.train)}, "
            f"validation={len(self.validation)}, test={test})"
        )


# --- reading ------------------------------------------------------------------------------------


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (plain or gzip-compressed) into a NumPy array.

    The IDX format: two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, then each dimension as a
    big-endian int32, then the data, big-endian, row-major.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        A bad magic number, an unknown type code, a corrupt gzip stream, or a file whose size does
        not match its header (truncated, or trailing bytes); the message names the file.

    Examples
    --------
    >>> labels = read_idx("t10k-labels-idx1-ubyte.gz")  # doctest: +SKIP
    >>> labels.shape
    (10000,)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {str(path)!r} does not exist")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValueError(
                f"{path}: corrupt or truncated gzip stream ({exc}); download the file again"
            ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path}: bad magic number {raw[:4].hex() or '(empty file)'}; an IDX file starts with "
            "00 00 <type> <ndim>: is this really an MNIST IDX file?"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02x}; known: 08, 09, 0b, 0c, 0d, 0e")
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{path}: truncated header (ndim={ndim}, {len(raw)} bytes)")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = header + int(np.prod(dims)) * dtype.itemsize
    if len(raw) != expected:
        what = "truncated" if len(raw) < expected else "has trailing bytes"
        raise ValueError(
            f"{path}: file {what}: header says shape {dims} ({expected} bytes), file has {len(raw)} bytes"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
    return data.astype(dtype.newbyteorder("="))


def _to_split(images: np.ndarray, labels: np.ndarray, where: str) -> Split:
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim == 3:
        images = images.reshape(len(images), -1)
    if images.ndim != 2 or images.shape[1] != 784:
        raise ValueError(f"{where}: images must be (n, 28, 28) or (n, 784), got shape {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{where}: {len(images)} images but labels of shape {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{where}: labels must lie in 0..9, found {labels.min()}..{labels.max()}")
    if images.dtype == np.uint8:
        X = images.astype(np.float64) / 255.0
    else:
        X = images.astype(np.float64)
        if X.size and (not np.isfinite(X).all() or X.min() < 0 or X.max() > 1):
            raise ValueError(f"{where}: float pixels must be finite and in [0, 1]")
    X.setflags(write=False)
    y = labels.astype(np.int64)
    y.setflags(write=False)
    return Split(X, y)


def _book_split(images: np.ndarray, labels: np.ndarray, where: str) -> tuple[Split, Split]:
    """The book's split of the training file: the first 50,000 train, the last 10,000 validate.

    A smaller training file (generated test data, say) keeps the same 5:1 proportion.
    """
    n = len(images)
    n_train = BOOK_TRAIN if n == 60_000 else n - n // 6
    return (
        _to_split(images[:n_train], labels[:n_train], where),
        _to_split(images[n_train:], labels[n_train:], where),
    )


def _idx_name_candidates(gz_name: str) -> list[str]:
    plain = gz_name[: -len(".gz")]
    return [gz_name, plain, plain.replace("-idx", ".idx")]


def _load_idx_folder(folder: Path, source: str | None = None) -> MnistData:
    found, missing = {}, []
    for role, name in IDX_FILES.items():
        for candidate in _idx_name_candidates(name):
            if (folder / candidate).is_file():
                found[role] = folder / candidate
                break
        else:
            missing.append(name)
    if missing:
        raise FileNotFoundError(
            f"{folder}: missing MNIST IDX file(s): {', '.join(missing)} (plain or .gz); "
            "put all four files there, or use load_mnist(download=True)"
        )
    arrays = {role: read_idx(p) for role, p in found.items()}
    for role, array in arrays.items():
        want = (None, 28, 28) if role.endswith("images") else (None,)
        if array.ndim != len(want) or array.shape[1:] != want[1:]:
            shape = "(n, 28, 28)" if len(want) == 3 else "(n,)"
            raise ValueError(
                f"{found[role]}: holds an array of shape {array.shape}, expected {shape} for "
                f"{role.replace('_', ' ')}; is the file name right?"
            )
    for role in ("train", "test"):
        imgs, labs = arrays[f"{role}_images"], arrays[f"{role}_labels"]
        if len(imgs) != len(labs):
            raise ValueError(
                f"{found[role + '_images'].name} has {len(imgs)} images but "
                f"{found[role + '_labels'].name} has {len(labs)} labels"
            )
    train, validation = _book_split(
        arrays["train_images"], arrays["train_labels"], str(found["train_images"])
    )
    test = _to_split(arrays["test_images"], arrays["test_labels"], str(found["test_images"]))
    return MnistData(train, validation, test, source or str(folder))


# --- the book's mnist.pkl.gz, unpickled without running code ------------------------------------------

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

    ``pickle.load`` calls whatever callable a pickle names (``os.system``, ``builtins.exec``, ...)
    before any structure could be checked; this one resolves globals only from
    :data:`PICKLE_ALLOWED` and raises :class:`RefusedGlobal` for anything else.
    """

    def find_class(self, module: str, name: str):
        qualified = f"{module}.{name}"
        try:
            return PICKLE_ALLOWED[qualified]
        except KeyError:
            raise RefusedGlobal(qualified) from None


def _load_pkl(path: Path) -> MnistData:
    try:
        with open(path, "rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(path, "rb") as fh:
            parts = MnistUnpickler(fh, encoding="latin1").load()
    except RefusedGlobal as exc:
        raise ValueError(
            f"{path}: refused to unpickle the global {exc.name}: a pickle can run code, and the book's "
            "mnist.pkl.gz needs only NumPy arrays, tuples and lists; this file is not the book's "
            "(or was altered): get the original, or use the IDX files"
        ) from None
    except (OSError, EOFError, pickle.UnpicklingError, zlib.error, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: cannot read the book's mnist.pkl.gz ({exc})") from None
    if not (isinstance(parts, tuple | list) and len(parts) == 3):
        raise ValueError(
            f"{path}: expected a pickle of (training, validation, test) pairs like the book's file"
        )
    names = ("training", "validation", "test")
    splits = [_to_split(X, y, f"{path} ({name} part)") for (X, y), name in zip(parts, names, strict=True)]
    return MnistData(*splits, source=str(path))


def _load_npz(path: Path) -> MnistData:
    try:
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zlib.error) as exc:
        raise ValueError(f"{path}: cannot read the .npz file ({exc})") from None
    needed = ("x_train", "y_train", "x_test", "y_test")
    absent = [k for k in needed if k not in arrays]
    if absent:
        raise ValueError(f"{path}: missing array(s) {', '.join(absent)}; expected the Keras layout {needed}")
    train, validation = _book_split(arrays["x_train"], arrays["y_train"], str(path))
    test = _to_split(arrays["x_test"], arrays["y_test"], str(path))
    return MnistData(train, validation, test, source=str(path))


@functools.cache
def _embedded() -> MnistData:
    with np.load(_EMBEDDED) as npz:
        images, labels = npz["images"], npz["labels"]
    where = "embedded MNIST subset"
    train = _to_split(images[:_EMBEDDED_TRAIN], labels[:_EMBEDDED_TRAIN], where)
    validation = _to_split(images[_EMBEDDED_TRAIN:], labels[_EMBEDDED_TRAIN:], where)
    return MnistData(train, validation, None, source="embedded")


def download_mnist(
    cache_dir: str | os.PathLike | None = None,
    *,
    base_url: str | None = None,
    md5: dict[str, str] | None = None,
    progressbar: bool = False,
) -> Path:
    """Fetch the four IDX files with pooch, verify their MD5, and return the folder holding them.

    Parameters
    ----------
    cache_dir : path, optional
        Where to keep the files; default ``pooch.os_cache("gradmath")``.
    base_url : str, optional
        Where to fetch from; default the environment variable GRADMATH_MNIST_URL, else :data:`BASE_URL`.
    md5 : dict, optional
        File name -> MD5; default :data:`MD5`.

    Raises
    ------
    ValueError
        A downloaded file's MD5 does not match (the message names the file and both hashes).
    OSError
        The server could not be reached (the message names the URL).
    """
    import pooch

    base_url = base_url or os.environ.get("GRADMATH_MNIST_URL") or BASE_URL
    if not base_url.endswith("/"):
        base_url += "/"
    md5 = MD5 if md5 is None else md5
    folder = Path(cache_dir) if cache_dir is not None else Path(pooch.os_cache("gradmath")) / "mnist"
    for name in IDX_FILES.values():
        url = base_url + name
        try:
            pooch.retrieve(
                url, known_hash=f"md5:{md5[name]}", fname=name, path=folder, progressbar=progressbar
            )
        except ValueError as exc:
            raise ValueError(f"MD5 mismatch for {name} from {url}: {exc}") from None
        except Exception as exc:  # requests' connection and HTTP errors
            raise OSError(f"could not download {url}: {exc}; check the URL or use load_mnist(path)") from None
    return folder


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    download: bool = False,
    cache_dir: str | os.PathLike | None = None,
    base_url: str | None = None,
) -> MnistData:
    """Load MNIST: the embedded subset (default), files at ``path``, or a verified download.

    Parameters
    ----------
    path : path, optional
        A folder with the four IDX files, the book's ``mnist.pkl.gz``, or a Keras ``mnist.npz``.
    download : bool
        Fetch the IDX files with pooch (see :func:`download_mnist`) instead.
    cache_dir, base_url
        Passed to :func:`download_mnist`.

    Returns
    -------
    MnistData
        The book's splits (see the module docstring).
    """
    if download:
        if path is not None:
            raise ValueError("give either path or download=True, not both")
        folder = download_mnist(cache_dir, base_url=base_url)
        return _load_idx_folder(folder, source="download")
    if path is None:
        return _embedded()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"MNIST path {str(path)!r} does not exist; give a folder with the four IDX files, "
            "mnist.pkl.gz, mnist.npz, or use download=True"
        )
    if path.is_dir():
        return _load_idx_folder(path)
    name = path.name.lower()
    if name.endswith(".pkl.gz") or name.endswith(".pkl"):
        return _load_pkl(path)
    if name.endswith(".npz"):
        return _load_npz(path)
    raise ValueError(
        f"{path}: unsupported file; give a folder with the four IDX files, mnist.pkl.gz or mnist.npz"
    )
