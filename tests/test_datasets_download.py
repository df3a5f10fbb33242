"""Downloads have a deadline, leave nothing half-written, and name the real problem (issue 11, item 5).

Every server here is local (127.0.0.1); nothing touches the internet. The slow server trickles one
byte every 0.2 s of a promised 10,000 and hangs up after 60 bytes (12 s), so that even a downloader
without a deadline finishes this test, with the wrong error.
"""

from __future__ import annotations

import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import gradmath
from gradmath import datasets

TRICKLE_PERIOD = 0.2
TRICKLE_MAX = 60


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "gradmath-cache"))
    monkeypatch.delenv("GRADMATH_DOWNLOAD_TIMEOUT", raising=False)


def _serve(protocol: str, stall: bool):
    stop = threading.Event()

    class Trickle(http.server.BaseHTTPRequestHandler):
        protocol_version = protocol  # HTTP/1.1 keeps the connection (as S3 does); 1.0 closes it

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "10000")
            self.end_headers()
            try:
                for i in range(TRICKLE_MAX):
                    if i == 0 or not stall:
                        self.wfile.write(b"\x00")
                        self.wfile.flush()
                    if stop.wait(TRICKLE_PERIOD):
                        return
            except OSError:  # the client went away
                return

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, stop


@pytest.fixture(params=["HTTP/1.0", "HTTP/1.1"])
def trickle_server(request):
    """Sends one byte every 0.2 s of a promised 10,000, and hangs up after 60 bytes."""
    server, stop = _serve(request.param, stall=False)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["HTTP/1.0", "HTTP/1.1"])
def stalled_server(request):
    """Sends one byte, then nothing for 12 s."""
    server, stop = _serve(request.param, stall=True)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def _received(message: str) -> int:
    return int(re.search(r"([\d,]+) bytes received", message).group(1).replace(",", ""))


def test_deadline_stops_a_trickling_server(trickle_server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(TimeoutError, match=r"did not finish within 1 s") as exc:
        datasets.download_mnist(cache, base_url=trickle_server, timeout=1.0)
    message = str(exc.value)
    assert isinstance(exc.value, datasets.DownloadTimeout)
    assert "train-images-idx3-ubyte.gz" in message and "GRADMATH_DOWNLOAD_TIMEOUT" in message
    assert "load_mnist(path)" in message  # what to do instead
    # at 5 bytes/s, a 1 s deadline stops after about 5 of the 60 bytes the server would send
    assert _received(message) < 30
    assert list(cache.iterdir()) == []  # pooch's temporary file is gone


def test_deadline_stops_a_stalled_server(stalled_server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(TimeoutError, match=r"did not finish within 1 s") as exc:
        datasets.download_mnist(cache, base_url=stalled_server, timeout=1.0)
    assert _received(str(exc.value)) <= 1  # the one byte sent before the stall
    assert list(cache.iterdir()) == []


def test_deadline_from_the_environment_through_load_mnist(trickle_server, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADMATH_DOWNLOAD_TIMEOUT", "0.6")
    cache = tmp_path / "cache"
    with pytest.raises(TimeoutError, match=r"within 0\.6 s") as exc:
        gradmath.load_mnist(download=True, cache_dir=cache, base_url=trickle_server)
    assert _received(str(exc.value)) < 30
    assert list(cache.iterdir()) == []


_CHILD = """
import sys
from gradmath.datasets import download_mnist
download_mnist(sys.argv[1], base_url=sys.argv[2], timeout=60)
"""


def test_sigterm_during_a_download_leaves_no_partial_file(trickle_server, tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=str(Path(gradmath.__file__).resolve().parents[1]))
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(cache), trickle_server], env=env)
    try:
        for _ in range(300):  # until pooch has created its temporary file in the cache folder
            if cache.is_dir() and any(cache.iterdir()):
                break
            time.sleep(0.05)
        assert any(cache.iterdir()), "the download never started"
        time.sleep(0.3)  # a byte or two in
        child.send_signal(signal.SIGTERM)
        returncode = child.wait(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert returncode == -signal.SIGTERM  # it still ends the way SIGTERM ends a process
    assert list(cache.iterdir()) == []


def test_cache_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(
        NotADirectoryError, match=r"cache folder .*not-a-folder is not a directory; set GRADMATH_CACHE"
    ):
        datasets.download_mnist(blocker, base_url="http://127.0.0.1:9/")
    with pytest.raises(
        OSError, match=r"cache folder .*not-a-folder/mnist is not writable .*set GRADMATH_CACHE"
    ) as exc:
        datasets.download_mnist(blocker / "mnist", base_url="http://127.0.0.1:9/")
    assert "check the URL" not in str(exc.value)


def test_default_cache_folder_under_a_file_through_the_environment(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GRADMATH_CACHE", str(blocker))
    with pytest.raises(OSError, match=r"cache folder .*file/mnist is not writable"):
        gradmath.load_mnist(download=True, base_url="http://127.0.0.1:9/")


def test_unreachable_server_says_what_to_do(tmp_path):
    with pytest.raises(OSError, match=r"could not download http://127\.0\.0\.1:9/.*load_mnist\(path\)"):
        datasets.download_mnist(tmp_path / "c", base_url="http://127.0.0.1:9/", timeout=5)
    assert list((tmp_path / "c").iterdir()) == []
