"""Provenance you can check (issue 10, item 2) and splits that unpack (issue 10, item 6).

The canonical MD5s are those of the real MNIST, which the tests cannot ship; a fake folder becomes
"canonical" by patching the table with the MD5s of its own decompressed contents, computed here
from the arrays (``mnist_files.content_md5s``), independently of the reader.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import warnings

import numpy as np
import pytest
from mnist_files import IDX_NAMES, ROLES, content_md5s, fake_mnist, write_idx_folder

import gradmath
from gradmath.datasets import provenance, splits


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "gradmath-cache"
    monkeypatch.setenv("GRADMATH_CACHE", str(folder))
    return folder


@pytest.fixture
def arrays():
    return fake_mnist(60, 12, seed=4)


@pytest.fixture
def canonical(arrays, monkeypatch):
    """Declare the fake arrays to be the canonical MNIST."""
    monkeypatch.setattr(provenance, "CANONICAL_MD5", content_md5s(arrays))
    return arrays


def load_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a canonical load warns about nothing
        return gradmath.load_mnist(path)


# --- canonical, modified, unverified, embedded -------------------------------------------------------------


@pytest.mark.parametrize("gz, level", [(True, 9), (True, 1), (False, None)])
def test_canonical_contents_whatever_the_compression(tmp_path, canonical, gz, level):
    # /work/shared's files were recompressed: their .gz MD5s differ, their contents do not
    folder = write_idx_folder(tmp_path / "m", canonical, gz=gz, level=level or 9)
    data = load_quietly(folder)
    assert data.provenance == "canonical" and data.modified_files == ()
    assert (
        data.description == "MNIST (canonical, verified by MD5): 50 training / 10 validation / 12 test images"
    )
    assert data.is_full is False


def test_modified_copy_loads_with_a_warning_naming_the_file(tmp_path, canonical):
    changed = list(canonical)
    changed[3] = (canonical[3] + 1) % 10  # every test label shifted
    folder = write_idx_folder(tmp_path / "m", changed)
    with pytest.warns(
        UserWarning, match=r"t10k-labels-idx1-ubyte\.gz differ from the canonical MNIST"
    ) as rec:
        data = gradmath.load_mnist(folder)
    assert len(rec) == 1 and str(folder) in str(rec[0].message)
    assert data.provenance == "modified" and data.modified_files == ("t10k-labels-idx1-ubyte.gz",)
    assert "modified copy" in data.description and "t10k-labels-idx1-ubyte.gz" in data.description
    np.testing.assert_array_equal(data.test.y, changed[3])  # it still loads what the file holds


def test_book_pickle_is_unverified(tmp_path):
    rng = np.random.default_rng(0)
    parts = tuple((rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n)) for n in (10, 5, 5))
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(parts)))
    data = load_quietly(path)
    assert data.provenance == "unverified"
    assert data.description.startswith("MNIST from mnist.pkl.gz (unverified")


def test_integer_npz_is_checked_like_the_idx_files(tmp_path, canonical):
    tr_x, tr_y, te_x, te_y = canonical
    path = tmp_path / "mnist.npz"
    # Keras stores uint8; flat images and int64 labels hold the same values, hence the same IDX bytes
    np.savez(path, x_train=tr_x.reshape(60, 784), y_train=tr_y.astype(np.int64), x_test=te_x, y_test=te_y)
    assert load_quietly(path).provenance == "canonical"
    bad_x = te_x.copy()
    bad_x[0, 0, 0] ^= 1  # one pixel
    np.savez(path, x_train=tr_x, y_train=tr_y, x_test=bad_x, y_test=te_y)
    with pytest.warns(UserWarning, match=r"mnist\.npz:x_test differ"):
        assert gradmath.load_mnist(path).provenance == "modified"
    np.savez(path, x_train=tr_x / 255.0, y_train=tr_y, x_test=te_x / 255.0, y_test=te_y)
    assert load_quietly(path).provenance == "unverified"


def test_embedded_provenance():
    data = gradmath.load_mnist()
    assert data.provenance == "embedded" and data.is_full is False
    assert data.description == (
        "MNIST embedded subset (5,000 real digits shipped with gradmath): "
        "4,000 training / 1,000 validation / no test images"
    )


def test_is_full_means_the_books_50000():
    # read-only zero-copy arrays of the book's sizes (test_datasets checks book_split on 60,000 images)
    train = splits.Split(np.broadcast_to(0.0, (50_000, 784)), np.arange(50_000) % 10)
    validation = splits.Split(np.broadcast_to(0.0, (10_000, 784)), np.arange(10_000) % 10)
    assert gradmath.MnistData(train, validation, None, "x").is_full is True
    assert gradmath.MnistData(validation, validation, None, "x").is_full is False
    with pytest.raises(ValueError, match="provenance must be one of"):
        gradmath.MnistData(train, validation, None, "x", provenance="verified")


# --- the MD5 of each file is computed once and cached by path, size and mtime ---------------------------------


def test_md5_cache_is_used_and_invalidated_by_mtime(tmp_path, canonical, cache):
    folder = write_idx_folder(tmp_path / "m", canonical)
    assert load_quietly(folder).provenance == "canonical"
    entries = json.loads((cache / "verified-md5.json").read_text())
    expected = content_md5s(canonical)
    for role, name in zip(ROLES, IDX_NAMES, strict=True):
        path = folder / name
        entry = entries[str(path.resolve())]
        assert entry["md5"] == expected[role]
        assert entry["md5"] == hashlib.md5(gzip.decompress(path.read_bytes())).hexdigest()
        assert (entry["size"], entry["mtime_ns"]) == (path.stat().st_size, path.stat().st_mtime_ns)
    # a cached digest is trusted while size and mtime match: doctor one and the verdict follows it
    labels = str((folder / IDX_NAMES[3]).resolve())
    entries[labels]["md5"] = "0" * 32
    (cache / "verified-md5.json").write_text(json.dumps(entries))
    with pytest.warns(UserWarning, match="t10k-labels"):
        assert gradmath.load_mnist(folder).provenance == "modified"
    # touching the file invalidates the entry: the contents are hashed again
    st = os.stat(labels)
    os.utime(labels, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert load_quietly(folder).provenance == "canonical"
    assert json.loads((cache / "verified-md5.json").read_text())[labels]["md5"] == expected["test_labels"]


@pytest.mark.parametrize("broken", ["under-a-file", "corrupt-json"])
def test_unusable_cache_never_breaks_loading(tmp_path, canonical, monkeypatch, broken):
    folder = write_idx_folder(tmp_path / "m", canonical)
    if broken == "under-a-file":
        (tmp_path / "file").write_text("x")
        monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "file" / "cache"))
    else:
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / "verified-md5.json").write_text("{not json")
        monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "c"))
    for _ in range(2):
        data = load_quietly(folder)
        assert data.provenance == "canonical" and len(data.train) == 50


# --- X, y = data.train ------------------------------------------------------------------------------------------


def test_splits_unpack_and_keep_their_attributes():
    data = gradmath.load_mnist()
    X, y = data.train
    assert X is data.train.X and y is data.train.y
    assert X.shape == (4000, 784) and y.shape == (4000,)
    (Xv, yv), (Xs, ys) = data.validation, data.train_subset(20)
    assert (
        Xv.shape == (1000, 784)
        and yv.shape == (1000,)
        and Xs.shape == (20, 784)
        and ys.tolist() == y[:20].tolist()
    )
    assert isinstance(data.train, tuple) and data.train._fields == ("X", "y")
    assert len(data.train) == 4000 and len(data.validation) == 1000  # examples, not the pair's 2
    assert data.train[0] is X and data.train[1] is y
    assert isinstance(data.train.subset(10), splits.Split)
    # the NamedTuple API stays usable although len() counts examples
    small = data.train._replace(X=X[:5], y=y[:5])
    assert isinstance(small, splits.Split) and len(small) == 5 and small.y.tolist() == y[:5].tolist()
    assert splits.Split._make([X, y]).X is X and data.train._asdict()["y"] is y
    with pytest.raises(ValueError, match="not Z"):
        data.train._replace(Z=1)
    with pytest.raises(TypeError, match="2 fields"):
        splits.Split._make([X])


def test_every_loader_returns_unpackable_splits(tmp_path, canonical):
    folder = write_idx_folder(tmp_path / "m", canonical)
    data = load_quietly(folder)
    for split, (images, labels) in ((data.validation, canonical[:2]), (data.test, canonical[2:])):
        X, y = split
        sl = slice(50, None) if split is data.validation else slice(None)
        np.testing.assert_array_equal(X, images[sl].reshape(-1, 784) / 255.0)
        np.testing.assert_array_equal(y, labels[sl])
