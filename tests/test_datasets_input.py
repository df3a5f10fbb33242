"""Bad data files and bad arguments get a message naming the file or argument (issue 11, items 3, 4, 8).

Labels are never truncated; a gzip bomb costs no more memory than its header admits; broken
headers, one-element pairs and empty arrays are named; every parameter is validated.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
import tracemalloc

import numpy as np
import pytest
from mnist_files import fake_mnist, idx_bytes, write_idx_folder

import gradmath
from gradmath.datasets import formats, unpickler


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "gradmath-cache"))


def write_pkl(path, parts, protocol=4):
    path.write_bytes(gzip.compress(pickle.dumps(parts, protocol=protocol)))
    return path


def pkl_parts(y_train, n=12):
    rng = np.random.default_rng(0)
    X = rng.random((n, 784)).astype(np.float32)
    y = rng.integers(0, 10, n)
    return ((X[: len(y_train)], np.asarray(y_train)), (X, y), (X, y))


# --- item 3: labels are integers 0..9, never truncated ----------------------------------------------------


@pytest.mark.parametrize(
    "labels, shown",
    [([0.9, 8.99, 0.5], "0.9"), ([1.0, 2.0, 8.99], "8.99"), ([3.0, np.nan, 1.0], "nan"), ([1, 10, 3], "10")],
)
def test_pkl_rejects_non_digit_labels_naming_file_and_label(tmp_path, labels, shown):
    path = write_pkl(tmp_path / "mnist.pkl.gz", pkl_parts(labels))
    with pytest.raises(ValueError, match="label") as exc:
        gradmath.load_mnist(path)
    message = str(exc.value)
    assert str(path) in message and shown in message and "training part" in message


def test_pkl_accepts_integer_valued_float_labels(tmp_path):
    labels = np.array([3.0, 0.0, 9.0, 1.0, 2.0, 4.0])
    data = gradmath.load_mnist(write_pkl(tmp_path / "mnist.pkl.gz", pkl_parts(labels)))
    assert data.train.y.dtype == np.int64 and data.train.y.tolist() == [3, 0, 9, 1, 2, 4]


def test_npz_rejects_float_labels_naming_file_and_label(tmp_path):
    tr_x, tr_y, te_x, te_y = fake_mnist(12, 6)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=tr_x, y_train=2.7, x_test=te_x, y_test=te_y)
    with pytest.raises(ValueError, match=r"y_train.*the label is 2\.7") as exc:
        gradmath.load_mnist(path)
    assert str(path) in str(exc.value)
    y = tr_y.astype(float)
    y[5] = 4.5
    np.savez(path, x_train=tr_x, y_train=y, x_test=te_x, y_test=te_y)
    with pytest.raises(ValueError, match=r"label 5 \(the first bad one\) is 4\.5"):
        gradmath.load_mnist(path)
    y = te_y.astype(np.int64)
    y[2] = -1
    np.savez(path, x_train=tr_x, y_train=tr_y, x_test=te_x, y_test=y)
    with pytest.raises(ValueError, match=r"y_test.*0\.\.9.*label 2 .* is -1"):
        gradmath.load_mnist(path)


# --- item 4: a gzip bomb decompresses no further than its header promises ------------------------------------


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_gzip_bomb_with_small_header_is_refused_with_small_memory(tmp_path):
    # a valid header promising a 1x1 image, its one pixel, then 16 MB of zeros (16 KB compressed)
    header = bytes([0, 0, 8, 2]) + struct.pack(">ii", 1, 1)
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + b"\x07" + bytes(16 * 2**20)))
    assert path.stat().st_size < 100_000

    def read():
        with pytest.raises(ValueError, match="trailing bytes") as exc:
            gradmath.read_idx(path)
        assert str(path) in str(exc.value)

    assert _peak_bytes(read) < 2 * 2**20  # the old reader decompressed all 16 MB first


def test_header_promising_more_than_the_file_holds(tmp_path):
    # 60,000 x 28 x 28 promised by a 100-byte gzip file: refused before any allocation
    header = bytes([0, 0, 8, 3]) + struct.pack(">iii", 60_000, 28, 28)
    path = tmp_path / "short-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(50)))

    def read():
        with pytest.raises(ValueError, match="truncated") as exc:
            gradmath.read_idx(path)
        assert str(path) in str(exc.value) and "(60000, 28, 28)" in str(exc.value)

    assert _peak_bytes(read) < 2**20


def test_streamed_read_of_a_multi_chunk_multi_member_file(tmp_path):
    # 2.4 MB of float64 (more than one read chunk), written as two concatenated gzip members
    array = np.random.default_rng(5).standard_normal((300, 1000))
    raw = idx_bytes(array, 0x0E)
    path = tmp_path / "big.idx.gz"
    path.write_bytes(gzip.compress(raw[:1_000_003]) + gzip.compress(raw[1_000_003:]))
    out, md5 = gradmath.datasets.read_idx_and_md5(path)
    np.testing.assert_array_equal(out, array)
    assert out.dtype == np.float64 and out.dtype.isnative
    assert md5 == hashlib.md5(raw).hexdigest()


@pytest.mark.parametrize(
    "dims, message",
    [
        ((-1, 784), r"dimension 0 is -1"),
        ((10, -28, 28), r"dimension 1 is -28"),
        ((2**31 - 1, 2**31 - 1, 2**31 - 1), r"more than the .* data bytes allowed"),
        ((65_536, 65_536), r"more than the .* data bytes allowed"),  # 4 GiB: product overflows int32
    ],
)
@pytest.mark.parametrize("gz", [False, True])
def test_corrupt_dimensions_are_named(tmp_path, dims, message, gz):
    raw = bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}i", *dims) + bytes(64)
    path = tmp_path / ("dims.idx.gz" if gz else "dims.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    with pytest.raises(ValueError, match=message) as exc:
        gradmath.read_idx(path)
    assert str(path) in str(exc.value)


def test_read_idx_max_bytes(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(idx_bytes(np.arange(20, dtype=np.uint8).reshape(4, 5), 0x08))
    assert gradmath.read_idx(path, max_bytes=20).sum() == sum(range(20))
    with pytest.raises(ValueError, match=r"more than the 19 data bytes allowed \(max_bytes\)"):
        gradmath.read_idx(path, max_bytes=19)
    with pytest.raises(ValueError, match="max_bytes must be an integer >= 1"):
        gradmath.read_idx(path, max_bytes=0)
    with pytest.raises(TypeError, match="max_bytes must be an integer"):
        gradmath.read_idx(path, max_bytes=20.0)


def test_limited_reader_caps_an_inflating_pickle(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_DECOMPRESSED_BYTES", 1000)
    path = write_pkl(tmp_path / "big.pkl.gz", pkl_parts(np.arange(10) % 10))  # ~56 KB of pickle
    with pytest.raises(ValueError, match=r"big\.pkl\.gz: holds more than 1,000 bytes once decompressed"):
        gradmath.load_mnist(path)
    reader = unpickler.LimitedReader(io.BytesIO(b"x" * 100), 10, "f")
    assert reader.read(4) == b"xxxx" and reader.read(6) == b"x" * 6
    with pytest.raises(ValueError, match="more than 10 bytes"):
        reader.read(1)


# --- item 8: one-element pairs, empty arrays, other malformed files ---------------------------------------


def test_pkl_with_a_one_element_pair_is_named(tmp_path):
    X, y = pkl_parts(np.arange(12) % 10)[1]
    path = write_pkl(tmp_path / "mnist.pkl.gz", ((X,), (X, y), (X, y)))
    with pytest.raises(
        ValueError, match=r"the training part must be a pair \(images, labels\); got a tuple of 1"
    ) as exc:
        gradmath.load_mnist(path)
    assert str(path) in str(exc.value)
    path = write_pkl(tmp_path / "two.pkl.gz", ((X, y), (X, y)))
    with pytest.raises(ValueError, match=r"three \(images, labels\) pairs.*got a tuple of 2 items"):
        gradmath.load_mnist(path)
    path = write_pkl(tmp_path / "dict.pkl.gz", {"train": (X, y)})
    with pytest.raises(ValueError, match=r"dict\.pkl\.gz: expected a pickle of three.*got a dict"):
        gradmath.load_mnist(path)
    path = write_pkl(tmp_path / "strings.pkl.gz", (("abc", y), (X, y), (X, y)))
    with pytest.raises(ValueError, match=r"strings\.pkl\.gz \(training part\): images must be numbers"):
        gradmath.load_mnist(path)
    path = write_pkl(tmp_path / "empty.pkl.gz", ((X[:0], y[:0]), (X, y), (X, y)))
    with pytest.raises(
        ValueError, match=r"empty\.pkl\.gz \(training part\): holds 0 images; expected at least 1"
    ):
        gradmath.load_mnist(path)


def test_empty_npz_is_named(tmp_path):
    path = tmp_path / "empty.npz"
    empty_x, empty_y = np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    np.savez(path, x_train=empty_x, y_train=empty_y, x_test=empty_x, y_test=empty_y)
    with pytest.raises(ValueError, match=r"empty\.npz .*holds 0 images; expected 60,000"):
        gradmath.load_mnist(path)
    tr_x, tr_y, te_x, te_y = fake_mnist(12, 6)
    np.savez(path, x_train=tr_x, y_train=tr_y, x_test=empty_x, y_test=empty_y)
    with pytest.raises(
        ValueError, match=r"empty\.npz \(x_test, y_test\): holds 0 images; expected at least 1"
    ):
        gradmath.load_mnist(path)
    np.savez(path)  # no arrays at all
    with pytest.raises(ValueError, match=r"empty\.npz: missing array\(s\) x_train, y_train, x_test, y_test"):
        gradmath.load_mnist(path)
    path.write_bytes(b"")  # a zero-byte file
    with pytest.raises(ValueError, match=r"empty\.npz: cannot read the \.npz file"):
        gradmath.load_mnist(path)


def test_idx_folder_with_too_few_training_images(tmp_path):
    tr_x, tr_y, te_x, te_y = fake_mnist(5, 3)
    folder = write_idx_folder(tmp_path / "m", (tr_x, tr_y, te_x, te_y))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz .*holds 5 images; expected 60,000"):
        gradmath.load_mnist(folder)


# --- item 8: every path and size parameter is validated --------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"path": 123}, TypeError, r"path must be a path \(str or os.PathLike\), got int 123"),
        ({"path": b"/tmp"}, TypeError, r"path must be a path"),
        ({"path": ""}, ValueError, r"path must be a non-empty path"),
        ({"download": "no"}, TypeError, r"download must be True or False"),
        ({"download": 1}, TypeError, r"download must be True or False"),
        ({"cache_dir": "/tmp/x"}, ValueError, r"cache_dir only apply with download=True"),
        ({"timeout": 5}, ValueError, r"timeout only apply with download=True"),
        ({"path": ".", "download": True}, ValueError, r"either path or download=True"),
    ],
)
def test_load_mnist_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        gradmath.load_mnist(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"timeout": 0}, ValueError, r"timeout must be > 0, got 0"),
        ({"timeout": -1.5}, ValueError, r"timeout must be > 0"),
        ({"timeout": "5"}, TypeError, r"timeout must be a real number"),
        ({"timeout": float("inf")}, ValueError, r"timeout must be a finite real number"),
        (
            {"base_url": "ftp://example.org/mnist/"},
            ValueError,
            r"base_url must be an http:// or https:// URL",
        ),
        ({"base_url": 5}, TypeError, r"base_url must be a str"),
        ({"md5": {"x": "0" * 32}}, ValueError, r"md5 must be a dict with exactly the keys"),
        ({"progressbar": "yes"}, TypeError, r"progressbar must be True or False"),
        ({"cache_dir": 3.5}, TypeError, r"cache_dir must be a path"),
    ],
)
def test_download_arguments_fail_before_any_network_access(kwargs, error, message, tmp_path):
    kwargs.setdefault("cache_dir", tmp_path / "c")
    kwargs.setdefault("base_url", "http://127.0.0.1:9/")  # nothing listens there: must not be reached
    with pytest.raises(error, match=message):
        gradmath.datasets.download_mnist(**kwargs)


@pytest.mark.parametrize("value", ["abc", "0", "-3", "nan", "inf", ""])
def test_download_timeout_environment_variable_is_validated(monkeypatch, tmp_path, value):
    monkeypatch.setenv("GRADMATH_DOWNLOAD_TIMEOUT", value)
    with pytest.raises(ValueError, match="GRADMATH_DOWNLOAD_TIMEOUT must be"):
        gradmath.datasets.download_mnist(tmp_path / "c", base_url="http://127.0.0.1:9/")


def test_mnist_url_environment_variable_is_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADMATH_MNIST_URL", "file:///etc/")
    with pytest.raises(ValueError, match="GRADMATH_MNIST_URL must be an http:// or https:// URL"):
        gradmath.datasets.download_mnist(tmp_path / "c")
