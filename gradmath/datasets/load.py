""":func:`load_mnist`: the embedded subset, a folder of IDX files, ``mnist.pkl.gz``, ``mnist.npz``, or a download."""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

import numpy as np

from ..validate import boolean, path_like
from .download import download_mnist
from .formats import load_npz, load_pkl
from .provenance import IDX_FILES, read_idx_cached_md5, verdict
from .splits import MnistData, book_split, to_split

__all__ = ["load_mnist", "load_idx_folder", "embedded", "EMBEDDED_FILE"]

#: The embedded subset: 5,000 real MNIST digits, class-interleaved (see gradmath/data/NOTICE).
EMBEDDED_FILE = Path(__file__).resolve().parents[1] / "data" / "mnist_embedded.npz"
_EMBEDDED_TRAIN = 4_000


def _idx_name_candidates(gz_name: str) -> list[str]:
    plain = gz_name[: -len(".gz")]
    return [gz_name, plain, plain.replace("-idx", ".idx")]


def _find_idx_files(folder: Path) -> dict[str, Path]:
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
    return found


def load_idx_folder(folder: Path, source: str | None = None) -> MnistData:
    """The four IDX files in ``folder``, split the book's way, with their provenance checked by MD5."""
    found = _find_idx_files(folder)
    arrays, md5s = read_idx_cached_md5(found)
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
    where = f"{found['train_images']} and {found['train_labels'].name}"
    train, validation = book_split(arrays["train_images"], arrays["train_labels"], where)
    where = f"{found['test_images']} and {found['test_labels'].name}"
    test = to_split(arrays["test_images"], arrays["test_labels"], where)
    provenance, differ = verdict(md5s, {role: p.name for role, p in found.items()})
    return MnistData(train, validation, test, source or str(folder), provenance, differ)


@functools.cache
def embedded() -> MnistData:
    """The embedded subset: 4,000 training and 1,000 validation images (read once, then shared)."""
    with np.load(EMBEDDED_FILE) as npz:
        images, labels = npz["images"], npz["labels"]
    where = "embedded MNIST subset"
    train = to_split(images[:_EMBEDDED_TRAIN], labels[:_EMBEDDED_TRAIN], where)
    validation = to_split(images[_EMBEDDED_TRAIN:], labels[_EMBEDDED_TRAIN:], where)
    return MnistData(train, validation, None, source="embedded", provenance="embedded")


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    download: bool = False,
    cache_dir: str | os.PathLike | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
) -> MnistData:
    """Load MNIST: the embedded subset (default), files at ``path``, or a verified download.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A folder with the four IDX files (``.gz`` or plain), the book's ``mnist.pkl.gz``, or a Keras
        ``mnist.npz``. Each file may hold at most 256 MiB once decompressed
        (:data:`~gradmath.datasets.idx.MAX_DECOMPRESSED_BYTES`); the float64 arrays returned take
        8 bytes per pixel: 440 MB for the full MNIST.
    download : bool
        Fetch the IDX files with pooch (see :func:`~gradmath.datasets.download_mnist`) instead.
    cache_dir, base_url, timeout
        Passed to :func:`~gradmath.datasets.download_mnist` (only with ``download=True``).

    Returns
    -------
    MnistData
        The book's splits: the first 50,000 training images train, the last 10,000 validate, t10k
        tests; ``provenance`` says whether the contents are the canonical MNIST (IDX files are
        checked by the MD5 of their decompressed contents, once per file; the digest is cached).

    Warns
    -----
    UserWarning
        The files load but differ from the canonical MNIST (``provenance == "modified"``); the
        warning names them.

    Examples
    --------
    >>> data = load_mnist()
    >>> X, y = data.train
    >>> X.shape, data.provenance, data.is_full
    ((4000, 784), 'embedded', False)
    """
    download = boolean(download, "download")
    if download:
        if path is not None:
            raise ValueError("give either path or download=True, not both")
        folder = download_mnist(cache_dir, base_url=base_url, timeout=timeout)
        return _warn_if_modified(load_idx_folder(folder, source="download"))
    unused = [
        n
        for n, v in (("cache_dir", cache_dir), ("base_url", base_url), ("timeout", timeout))
        if v is not None
    ]
    if unused:
        raise ValueError(f"{', '.join(unused)} only apply with download=True")
    if path is None:
        return embedded()
    path = path_like(path, "path")
    if not path.exists():
        raise FileNotFoundError(
            f"MNIST path {str(path)!r} does not exist; give a folder with the four IDX files, "
            "mnist.pkl.gz, mnist.npz, or use download=True"
        )
    if path.is_dir():
        return _warn_if_modified(load_idx_folder(path))
    name = path.name.lower()
    if name.endswith(".pkl.gz") or name.endswith(".pkl"):
        return load_pkl(path)
    if name.endswith(".npz"):
        return _warn_if_modified(load_npz(path))
    raise ValueError(
        f"{path}: unsupported file; give a folder with the four IDX files, mnist.pkl.gz or mnist.npz"
    )


def _warn_if_modified(data: MnistData) -> MnistData:
    if data.provenance == "modified":
        warnings.warn(
            f"{data.source}: {', '.join(data.modified_files)} differ from the canonical MNIST (MD5 of the "
            "decompressed contents); the data loads, but results are not comparable with the book's",
            UserWarning,
            stacklevel=3,
        )
    return data
