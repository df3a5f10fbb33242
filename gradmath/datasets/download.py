"""Downloading the four MNIST IDX files with pooch: MD5-checked, with a deadline, leaving nothing half-written.

pooch fetches each file into a temporary file in the cache folder and moves it into place only when
its MD5 matches; it removes the temporary file on any exception. :class:`DeadlineDownloader`, the
downloader we hand to pooch, streams with ``requests`` and gives up when the deadline for the whole
download passes, however slowly the server trickles bytes: the deadline is checked before every
read, and a read waits for the server at most until the deadline when the connection is kept alive
(HTTP/1.1, as S3 serves), else at most ``min(READ_TIMEOUT, time left when the file's request
started)``, so a stalled HTTP/1.0 server is abandoned no later than that past the deadline. A SIGTERM during the download (when no
other handler is installed) unwinds like an exception, so that the temporary file is removed, then
terminates the process as SIGTERM would.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from ..validate import boolean, path_like, real
from .provenance import IDX_FILES, cache_folder

__all__ = [
    "BASE_URL",
    "MD5",
    "DEFAULT_TIMEOUT",
    "READ_TIMEOUT",
    "MAX_DOWNLOAD_BYTES",
    "DownloadTimeout",
    "DeadlineDownloader",
    "download_timeout",
    "writable_folder",
    "download_mnist",
]

#: MD5 of each canonical gzip file as served (DESIGN.md, "Data").
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

#: Where ``download=True`` fetches from; the environment variable GRADMATH_MNIST_URL overrides it.
BASE_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

#: Seconds allowed for the whole download (four files, 11 MB); GRADMATH_DOWNLOAD_TIMEOUT overrides it.
DEFAULT_TIMEOUT = 300.0

#: The longest a single read waits for the server (less when the deadline is nearer).
READ_TIMEOUT = 30.0

#: The most bytes accepted for one file (the largest MNIST file is 9.9 MB).
MAX_DOWNLOAD_BYTES = 64 * 2**20

_CHUNK = 1 << 16
_WHAT_TO_DO = "or download the four files yourself and use load_mnist(path)"


class DownloadTimeout(TimeoutError):
    """The download did not finish before its deadline."""


def download_timeout(timeout: float | None = None) -> float:
    """Seconds allowed for the download: ``timeout``, else $GRADMATH_DOWNLOAD_TIMEOUT, else 300."""
    if timeout is not None:
        return real(timeout, "timeout", lo=0, lo_open=True)
    env = os.environ.get("GRADMATH_DOWNLOAD_TIMEOUT")
    if env is None:
        return DEFAULT_TIMEOUT
    try:
        value = float(env)
    except ValueError:
        raise ValueError(f"GRADMATH_DOWNLOAD_TIMEOUT must be a number of seconds > 0, got {env!r}") from None
    return real(value, "GRADMATH_DOWNLOAD_TIMEOUT", lo=0, lo_open=True)


def writable_folder(folder: Path) -> Path:
    """Create ``folder`` if needed and check that a file can be written there; else an OSError saying so."""
    advice = "set GRADMATH_CACHE or pass cache_dir= to a writable folder, " + _WHAT_TO_DO
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"cache folder {folder} is not a directory; {advice}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PermissionError(f"cache folder {folder} is not writable ({reason}); {advice}") from None
    return folder


class DeadlineDownloader:
    """A pooch downloader, ``downloader(url, output_file, pooch)``, that stops at a deadline.

    Parameters
    ----------
    deadline : float
        ``time.monotonic()`` value after which no more bytes are read.
    seconds : float
        The allowance the deadline stands for (for messages).
    max_bytes : int
        The most bytes accepted for one file.
    progressbar : bool
        Show a tqdm progress bar (needs tqdm, as pooch's own downloader does).
    """

    def __init__(
        self, deadline: float, seconds: float, *, max_bytes: int = MAX_DOWNLOAD_BYTES, progressbar=False
    ):
        self.deadline, self.seconds, self.max_bytes, self.progressbar = (
            deadline,
            seconds,
            max_bytes,
            progressbar,
        )
        if progressbar:
            try:
                import tqdm  # noqa: F401
            except ImportError:
                raise ValueError("progressbar=True needs the tqdm package (pip install tqdm)") from None

    def _remaining(self, url: str, received: int) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DownloadTimeout(
                f"the download did not finish within {self.seconds:g} s ({url}: {received:,} bytes received); "
                "the server is slow or stalled: retry later, allow more time with timeout= or "
                f"GRADMATH_DOWNLOAD_TIMEOUT, {_WHAT_TO_DO}"
            )
        return left

    def __call__(self, url: str, output_file, pooch=None) -> None:
        import requests

        wait = min(self._remaining(url, 0), READ_TIMEOUT)
        with requests.get(url, stream=True, timeout=(wait, wait)) as response:
            response.raise_for_status()
            bar = self._bar(response)
            is_path = not hasattr(output_file, "write")
            out = open(output_file, "wb") if is_path else output_file
            try:
                self._copy(url, response, out, bar)
            finally:
                if is_path:
                    out.close()
                if bar is not None:
                    bar.close()

    def _copy(self, url: str, response, out, bar) -> None:
        from urllib3.exceptions import HTTPError

        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        received = 0
        while True:
            left = self._remaining(url, received)
            if sock is not None:  # each read waits at most until the deadline
                sock.settimeout(min(left, READ_TIMEOUT))
            try:
                chunk = response.raw.read1(_CHUNK)
            except (HTTPError, OSError) as exc:
                self._remaining(url, received)  # the deadline passed during the read: say so
                raise OSError(f"reading {url} failed after {received:,} bytes ({exc})") from None
            if not chunk:
                return
            received += len(chunk)
            if received > self.max_bytes:
                raise OSError(
                    f"{url} sent more than {self.max_bytes:,} bytes; an MNIST file has at most 10 MB"
                )
            out.write(chunk)
            if bar is not None:
                bar.update(len(chunk))

    def _bar(self, response):
        if not self.progressbar:
            return None
        from tqdm import tqdm

        total = int(response.headers.get("content-length", 0)) or None
        return tqdm(total=total, unit="B", unit_scale=True, leave=True)


class _Terminated(BaseException):
    """Raised by the temporary SIGTERM handler, to unwind through the clean-up code."""


@contextlib.contextmanager
def _removing_partial_files_on_sigterm():
    """SIGTERM unwinds (removing temporary files) and then terminates, if nobody else handles it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum, frame):
        raise _Terminated

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)  # clean-up done: terminate as SIGTERM would have
        raise
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _base_url(base_url) -> str:
    name = "base_url"
    if base_url is None:
        base_url, name = os.environ.get("GRADMATH_MNIST_URL") or BASE_URL, "GRADMATH_MNIST_URL"
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str (an http or https URL), got {type(base_url).__name__}")
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be an http:// or https:// URL of a folder, got {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def _md5_table(md5) -> dict[str, str]:
    if md5 is None:
        return MD5
    if not isinstance(md5, dict) or set(md5) != set(IDX_FILES.values()):
        raise ValueError(f"md5 must be a dict with exactly the keys {sorted(IDX_FILES.values())}")
    for name, digest in md5.items():
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-fA-F]{32}", digest):
            raise ValueError(f"md5[{name!r}] must be 32 hexadecimal digits, got {digest!r}")
    return md5


def download_mnist(
    cache_dir: str | os.PathLike | None = None,
    *,
    base_url: str | None = None,
    md5: dict[str, str] | None = None,
    progressbar: bool = False,
    timeout: float | None = None,
) -> Path:
    """Fetch the four IDX files with pooch, verify their MD5, and return the folder holding them.

    Files already in the folder with the right MD5 are not fetched again.

    Parameters
    ----------
    cache_dir : path, optional
        Where to keep the files; default ``<cache>/mnist``, where ``<cache>`` is $GRADMATH_CACHE or
        ``pooch.os_cache("gradmath")``. It must be (or become) a writable folder.
    base_url : str, optional
        An http(s) URL of the folder; default $GRADMATH_MNIST_URL, else :data:`BASE_URL`.
    md5 : dict, optional
        File name -> MD5 of the gzip file; default :data:`MD5`.
    progressbar : bool
        Show a tqdm progress bar.
    timeout : float, optional
        Seconds for the whole download (> 0); default $GRADMATH_DOWNLOAD_TIMEOUT, else 300.

    Raises
    ------
    ValueError
        A downloaded file's MD5 does not match (the message names the file and both hashes), or a
        bad argument.
    DownloadTimeout
        The deadline passed; nothing partial is left in the folder.
    PermissionError, NotADirectoryError
        The cache folder cannot be written ("cache folder X is not writable; set GRADMATH_CACHE ...").
    OSError
        The server could not be reached or failed (the message names the URL).
    """
    import pooch
    import requests

    base_url, md5 = _base_url(base_url), _md5_table(md5)
    progressbar = boolean(progressbar, "progressbar")
    seconds = download_timeout(timeout)
    folder = path_like(cache_dir, "cache_dir") if cache_dir is not None else cache_folder() / "mnist"
    folder = writable_folder(folder)
    downloader = DeadlineDownloader(time.monotonic() + seconds, seconds, progressbar=progressbar)
    with _removing_partial_files_on_sigterm():
        for name in IDX_FILES.values():
            url = base_url + name
            try:
                pooch.retrieve(
                    url, known_hash=f"md5:{md5[name]}", fname=name, path=folder, downloader=downloader
                )
            except DownloadTimeout:
                raise
            except requests.RequestException as exc:
                raise OSError(
                    f"could not download {url}: {exc}; check the network connection and the URL "
                    f"(base_url or GRADMATH_MNIST_URL), {_WHAT_TO_DO}"
                ) from None
            except ValueError as exc:
                raise ValueError(f"MD5 mismatch for {name} from {url}: {exc}") from None
            except OSError as exc:
                if exc.filename is not None:  # the file system, not the network
                    raise OSError(
                        f"cannot write {exc.filename} in the cache folder {folder} ({exc.strerror}); "
                        f"set GRADMATH_CACHE or pass cache_dir= to a writable folder, {_WHAT_TO_DO}"
                    ) from None
                raise OSError(f"could not download {url}: {exc}; {_WHAT_TO_DO}") from None
    return folder
