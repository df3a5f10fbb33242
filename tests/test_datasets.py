"""The data layer: embedded subset, IDX / pkl.gz / npz readers, broken files, download via a local server."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import pickle
import threading

import numpy as np
import pytest
from mnist_files import fake_mnist, idx_bytes, write_idx_folder

import gradmath
from gradmath import datasets
from gradmath.datasets import splits


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """The MD5 cache and downloads go to a temporary folder, never the user's cache."""
    monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "gradmath-cache"))


# --- the embedded subset ----------------------------------------------------------------------------


def test_embedded_subset_shapes_and_balance():
    data = gradmath.load_mnist()
    assert data.train.X.shape == (4000, 784) and data.validation.X.shape == (1000, 784)
    assert data.test is None and data.source == "embedded"
    assert data.train.X.dtype == np.float64 and data.train.y.dtype == np.int64
    assert data.train.X.min() == 0.0 and data.train.X.max() == 1.0
    assert np.bincount(data.train.y[:1000]).tolist() == [100] * 10  # the book's 1,000 images
    assert np.bincount(data.train.y).tolist() == [400] * 10
    assert np.bincount(data.validation.y).tolist() == [100] * 10


def test_embedded_digits_look_like_mnist():
    # Real MNIST: about 19% of pixels are non-zero, mean intensity ~0.13, and a 28x28 digit's ink is
    # centred (centre of mass near pixel 13.5-14 in both directions). Random or shuffled data fails this.
    X = gradmath.load_mnist().train.X
    assert 0.10 < X.mean() < 0.16
    assert 0.15 < (X > 0).mean() < 0.23
    img = X.reshape(-1, 28, 28).mean(axis=0)
    rows, cols = np.indices((28, 28))
    cy, cx = (img * rows).sum() / img.sum(), (img * cols).sum() / img.sum()
    assert 12.5 < cy < 15.5 and 12.5 < cx < 15.5


def test_embedded_is_read_only_and_cached():
    a, b = gradmath.load_mnist(), gradmath.load_mnist()
    assert a is b
    with pytest.raises(ValueError):
        a.train.X[0, 0] = 1.0


def test_split_subset():
    data = gradmath.load_mnist()
    train = data.train
    assert len(train.subset(1000)) == 1000
    first = data.train_subset(20)
    assert sorted(first.y.tolist()) == sorted(list(range(10)) * 2)  # interleaved: 2 of each class
    np.testing.assert_array_equal(first.X, train.X[:20])
    for bad in (0, 4001):
        with pytest.raises(ValueError, match="n must be an integer in \\[1, 4,000\\]"):
            train.subset(bad)
    for bad in (2.5, True, "10"):  # never coerced (gradmath.validate)
        with pytest.raises(TypeError, match="n must be an integer"):
            train.subset(bad)


# --- read_idx ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E])
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trip(tmp_path, code, gz):
    rng = np.random.default_rng(code)
    array = rng.integers(0, 100, size=(3, 4, 5)).astype(
        {0x0D: np.float32, 0x0E: np.float64}.get(code, np.int64)
    )
    data = idx_bytes(array, code)
    path = tmp_path / "x.idx"
    path.write_bytes(gzip.compress(data) if gz else data)
    out = gradmath.read_idx(path)
    assert out.shape == (3, 4, 5)
    np.testing.assert_array_equal(out, array)


def test_read_idx_known_header(tmp_path):
    # 00 00 08 01 | 00 00 00 03 | 07 02 01 : three labels 7, 2, 1 (hand-written bytes)
    path = tmp_path / "labels.idx1"
    path.write_bytes(bytes.fromhex("0000080100000003070201"))
    assert gradmath.read_idx(path).tolist() == [7, 2, 1]


def test_read_idx_rejects_broken_files(tmp_path):
    good = idx_bytes(np.arange(20, dtype=np.uint8).reshape(4, 5), 0x08)
    cases = {
        "truncated.idx": (good[:-3], "truncated"),
        "trailing.idx": (good + b"\x00", "trailing"),
        "magic.idx": (b"\x01\x02" + good[2:], "bad magic"),
        "code.idx": (good[:2] + b"\x07" + good[3:], "type code"),
        "header.idx": (good[:6], "truncated header"),
        "badgz.idx.gz": (gzip.compress(good)[:-10], "gzip"),
        "empty.idx": (b"", "bad magic"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=message) as exc:
            gradmath.read_idx(path)
        assert name in str(exc.value)
    with pytest.raises(FileNotFoundError, match="nowhere.idx"):
        gradmath.read_idx(tmp_path / "nowhere.idx")


# --- load_mnist(path) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_load_idx_folder_book_split(tmp_path, gz):
    tr_x, tr_y, te_x, te_y = fake_mnist(60, 12)
    folder = write_idx_folder(tmp_path / "mnist", (tr_x, tr_y, te_x, te_y), gz=gz)
    with pytest.warns(UserWarning, match="differ from the canonical MNIST"):  # random digits
        data = gradmath.load_mnist(folder)
    # 60 training images keep the book's 5:1 proportion: 50 train, 10 validation
    assert len(data.train) == 50 and len(data.validation) == 10 and len(data.test) == 12
    np.testing.assert_allclose(data.train.X[3], tr_x[3].ravel() / 255.0)
    np.testing.assert_array_equal(data.validation.y, tr_y[50:])
    np.testing.assert_array_equal(data.test.y, te_y)


def test_book_split_of_full_training_file():
    images = np.zeros((60_000, 784), dtype=np.uint8)
    labels = np.arange(60_000) % 10
    train, validation = splits.book_split(images, labels, "x")
    assert len(train) == 50_000 and len(validation) == 10_000
    assert validation.y[0] == 50_000 % 10


def test_missing_idx_files_are_all_listed(tmp_path):
    tr_x, tr_y, te_x, te_y = fake_mnist(12, 6)
    folder = write_idx_folder(tmp_path / "m", (tr_x, tr_y, te_x, te_y))
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as exc:
        gradmath.load_mnist(folder)
    assert "train-labels-idx1-ubyte.gz" in str(exc.value) and "t10k-images-idx3-ubyte.gz" in str(exc.value)


def test_count_mismatch_and_bad_labels(tmp_path):
    tr_x, tr_y, te_x, te_y = fake_mnist(12, 6)
    folder = write_idx_folder(tmp_path / "a", (tr_x, tr_y[:11], te_x, te_y))
    with pytest.raises(ValueError, match="12 images but .* 11 labels"):
        gradmath.load_mnist(folder)
    bad = te_y.copy()
    bad[0] = 11
    folder = write_idx_folder(tmp_path / "b", (tr_x, tr_y, te_x, bad))
    with pytest.raises(ValueError, match="labels must lie in 0..9"):
        gradmath.load_mnist(folder)


def test_wrong_number_of_dimensions_names_the_file(tmp_path):
    tr_x, tr_y, te_x, te_y = fake_mnist(12, 6)
    # images stored flat (n, 784) instead of (n, 28, 28)
    folder = write_idx_folder(tmp_path / "a", (tr_x.reshape(12, 784), tr_y, te_x, te_y))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz: .*shape \(12, 784\)"):
        gradmath.load_mnist(folder)
    # labels with two dimensions
    folder = write_idx_folder(tmp_path / "b", (tr_x, tr_y, te_x, te_y.reshape(6, 1)))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz: .*shape \(6, 1\)"):
        gradmath.load_mnist(folder)
    # a header claiming 3 dimensions over data written for 2: the sizes disagree
    path = tmp_path / "dims.idx"
    good = idx_bytes(np.zeros((4, 5), dtype=np.uint8), 0x08)
    path.write_bytes(good[:3] + b"\x03" + good[4:])
    with pytest.raises(ValueError, match="dims.idx"):
        gradmath.read_idx(path)


def test_load_book_pickle(tmp_path):
    rng = np.random.default_rng(1)
    parts = tuple((rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n)) for n in (50, 10, 10))
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as fh:
        pickle.dump(parts, fh)
    data = gradmath.load_mnist(path)
    assert (len(data.train), len(data.validation), len(data.test)) == (50, 10, 10)
    np.testing.assert_allclose(data.validation.X, parts[1][0].astype(np.float64))
    np.testing.assert_array_equal(data.test.y, parts[2][1])


def test_load_keras_npz(tmp_path):
    tr_x, tr_y, te_x, te_y = fake_mnist(120, 20)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=tr_x, y_train=tr_y, x_test=te_x, y_test=te_y)
    with pytest.warns(UserWarning, match="differ from the canonical MNIST"):  # random digits
        data = gradmath.load_mnist(path)
    assert (len(data.train), len(data.validation), len(data.test)) == (100, 20, 20)
    np.testing.assert_allclose(data.test.X[0], te_x[0].ravel() / 255.0)
    np.savez(tmp_path / "bad.npz", x_train=tr_x)
    with pytest.raises(ValueError, match="y_train"):
        gradmath.load_mnist(tmp_path / "bad.npz")


def test_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        gradmath.load_mnist(tmp_path / "nothing")
    (tmp_path / "digits.csv").write_text("1,2,3")
    with pytest.raises(ValueError, match="unsupported file"):
        gradmath.load_mnist(tmp_path / "digits.csv")
    (tmp_path / "broken.pkl.gz").write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(ValueError, match="broken.pkl.gz"):
        gradmath.load_mnist(tmp_path / "broken.pkl.gz")


# --- download, against a local HTTP server on 127.0.0.1 --------------------------------------------------


@pytest.fixture
def local_server(tmp_path):
    served = tmp_path / "served"
    write_idx_folder(served, fake_mnist(30, 6, seed=3))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", served
    finally:
        server.shutdown()
        server.server_close()


def md5_of(folder):
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_download_verifies_md5_and_loads(local_server, tmp_path, monkeypatch):
    url, served = local_server
    monkeypatch.setattr(datasets.download, "MD5", md5_of(served))
    cache = tmp_path / "cache"
    # the served files are random digits: verified against their own .gz MD5s, they are still not the
    # canonical MNIST, and the loader says so
    with pytest.warns(UserWarning, match="differ from the canonical MNIST"):
        data = gradmath.load_mnist(download=True, cache_dir=cache, base_url=url)
    assert data.source == "download" and data.provenance == "modified"
    assert (len(data.train), len(data.validation), len(data.test)) == (25, 5, 6)
    assert sorted(p.name for p in cache.iterdir()) == sorted(datasets.IDX_FILES.values())
    with pytest.warns(UserWarning):
        expected = gradmath.load_mnist(served)
    np.testing.assert_array_equal(data.train.X, expected.train.X)


def test_download_md5_mismatch_names_the_file(local_server, tmp_path):
    url, served = local_server
    hashes = md5_of(served)
    actual = hashes["t10k-labels-idx1-ubyte.gz"]
    hashes["t10k-labels-idx1-ubyte.gz"] = "0" * 32
    with pytest.raises(ValueError, match="MD5 mismatch for t10k-labels-idx1-ubyte.gz") as exc:
        datasets.download_mnist(tmp_path / "cache", base_url=url, md5=hashes)
    assert "0" * 32 in str(exc.value) and actual in str(exc.value)
    assert not (tmp_path / "cache" / "t10k-labels-idx1-ubyte.gz").exists()  # the bad file is not kept


def test_download_url_from_environment(local_server, tmp_path, monkeypatch):
    url, served = local_server
    monkeypatch.setenv("GRADMATH_MNIST_URL", url.rstrip("/"))
    folder = datasets.download_mnist(tmp_path / "cache", md5=md5_of(served))
    for name in datasets.IDX_FILES.values():
        assert (folder / name).read_bytes() == (served / name).read_bytes()


def test_download_unreachable_server(tmp_path):
    with pytest.raises(OSError, match="could not download http://127.0.0.1:9/"):
        datasets.download_mnist(tmp_path / "c", base_url="http://127.0.0.1:9/")
