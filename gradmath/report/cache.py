"""The report's results cache: solved problems and drawn figures kept on disk between runs.

A solution is stored under a key made of

- the problem id and the run options it uses (``quick``; ``seeds`` and a hash of the MNIST data for
  the solvers that declare them in ``Problem.uses``);
- a hash of the package's source files (every file under ``gradmath/`` except ``gradmath/report/``,
  so that a change to the report's layout reuses every result, while any change to a solver, the
  maths or the embedded data recomputes);
- the versions of Python and of the numerical libraries.

A figure is stored under its solution's key and a hash of the drawing code (:mod:`.figures`) and of
matplotlib's version. The folder is ``$GRADMATH_CACHE/report`` if that variable is set, else
``report`` in ``pooch.os_cache("gradmath")`` (the user's cache folder). Every write is atomic (a
temporary file and ``os.replace``), so concurrent runs share the cache safely; an entry that cannot be
read is a miss, and a cache that cannot be written only costs the time. ``--no-cache`` bypasses it,
``--clear-cache`` empties it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from . import serial

__all__ = ["ResultCache", "default_folder", "source_hash", "data_hash", "solution_key", "LIBRARIES"]

#: the libraries whose versions enter every key (a new SymPy may print or simplify differently)
LIBRARIES = ("numpy", "scipy", "sympy", "mpmath")
#: entries kept per problem id (older ones are pruned when a new one is stored)
KEEP_PER_ID = 6
_PACKAGE = Path(__file__).resolve().parent.parent  # gradmath/
_REPORT = Path(__file__).resolve().parent  # gradmath/report/


def default_folder() -> Path:
    """``$GRADMATH_CACHE/report`` or ``<pooch.os_cache("gradmath")>/report``."""
    env = os.environ.get("GRADMATH_CACHE")
    if env:
        return Path(env) / "report"
    import pooch

    return Path(pooch.os_cache("gradmath")) / "report"


def hash_files(files: list[Path], root: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode() + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def source_hash(package: Path = _PACKAGE, exclude: Path | None = _REPORT) -> str:
    """A hash of the package's source and data files, ``gradmath/report/`` excluded."""
    files = [
        f
        for f in package.rglob("*")
        if f.is_file()
        and "__pycache__" not in f.parts
        and f.suffix not in (".pyc", ".pyo")
        and (exclude is None or exclude not in f.parents)
    ]
    versions = [sys.version.split()[0]] + [library_version(lib) for lib in LIBRARIES]
    return (
        hash_files(files, package)[:24]
        + "-"
        + hashlib.blake2b(" ".join(versions).encode(), digest_size=4).hexdigest()
    )


@lru_cache(maxsize=1)
def package_hash() -> str:
    """:func:`source_hash` of this installation, computed once per process."""
    return source_hash()


def library_version(lib: str) -> str:
    try:
        return f"{lib}={metadata.version(lib)}"
    except metadata.PackageNotFoundError:
        return f"{lib}=?"


@lru_cache(maxsize=1)
def figure_style_hash() -> str:
    """A hash of the figure-drawing code and matplotlib's version (a new style redraws every figure)."""
    h = hashlib.blake2b((_REPORT / "figures.py").read_bytes(), digest_size=8)
    h.update(library_version("matplotlib").encode())
    return h.hexdigest()


def data_hash(data: Any) -> str:
    """A hash of an :class:`~gradmath.datasets.MnistData`'s arrays ("embedded" for ``None``)."""
    if data is None:
        return "embedded"  # the embedded file is part of the package, hence of source_hash
    import numpy as np

    h = hashlib.blake2b(digest_size=16)
    for name in ("train", "validation", "test"):
        split = getattr(data, name, None)
        if split is None:
            h.update(b"none")
            continue
        for arr in (split.X, split.y):
            a = np.ascontiguousarray(arr)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(memoryview(a).cast("B"))
    return h.hexdigest()


def solution_key(pid: str, uses: frozenset[str] | set[str], quick: bool, seeds: int | None, data: str) -> str:
    """The cache key of one solution (``data`` is :func:`data_hash` of the data)."""
    parts = {"id": pid, "quick": bool(quick), "source": package_hash()}
    if "seeds" in uses:
        parts["seeds"] = seeds
    if "data" in uses:
        parts["data"] = data
    digest = hashlib.blake2b(json.dumps(parts, sort_keys=True).encode(), digest_size=16).hexdigest()
    return f"{pid}-{digest}"


class ResultCache:
    """Solutions, figures and the registry's listing on disk (see the module docstring).

    ``enabled=False`` (``--no-cache``) makes every lookup a miss and every store a no-op.
    """

    def __init__(self, folder: Path | None = None, enabled: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.enabled = enabled

    # --- files --------------------------------------------------------------------------------
    def _read(self, rel: str) -> bytes | None:
        if not self.enabled:
            return None
        try:
            return (self.folder / rel).read_bytes()
        except OSError:
            return None

    def _write(self, rel: str, data: bytes) -> bool:
        if not self.enabled:
            return False
        path = self.folder / rel
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            return True
        except BaseException as exc:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            if not isinstance(exc, OSError):
                raise
            return False

    def clear(self) -> int:
        """Delete every cached entry; return how many files were removed."""
        n = 0
        for sub in ("solutions", "figures", "manifest", "documents"):
            folder = self.folder / sub
            if folder.is_dir():
                n += sum(1 for f in folder.rglob("*") if f.is_file())
                shutil.rmtree(folder, ignore_errors=True)
        try:
            (self.folder / "timings.json").unlink()
            n += 1
        except OSError:
            pass
        return n

    # --- solutions ----------------------------------------------------------------------------
    def has_solution(self, key: str) -> bool:
        return self.enabled and (self.folder / "solutions" / f"{key}.pkl").is_file()

    def solution_stat(self, key: str) -> tuple[int, int] | None:
        """(modification time in ns, size) of a cached solution's file, or None."""
        try:
            st = (self.folder / "solutions" / f"{key}.pkl").stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def load_solution(self, key: str) -> dict | None:
        """The cached entry (a dict with ``solution``, ``elapsed``, ``facts``) or None."""
        raw = self._read(f"solutions/{key}.pkl")
        if raw is None:
            return None
        try:
            entry = serial.loads(raw)
        except Exception:  # an entry written by another version, or damaged: a miss
            return None
        if not isinstance(entry, dict) or "solution" not in entry:
            return None
        return entry

    def store_solution(self, key: str, entry: dict) -> None:
        try:
            raw = serial.dumps(entry)
        except Exception:  # something in the solution cannot be pickled: not cached
            return
        if self._write(f"solutions/{key}.pkl", raw):
            self._prune(key.rsplit("-", 1)[0])

    def _prune(self, pid: str) -> None:
        folder = self.folder / "solutions"
        try:
            entries = sorted(folder.glob(f"{pid}-*.pkl"), key=lambda f: f.stat().st_mtime, reverse=True)
            mine = [f for f in entries if f.stem.rsplit("-", 1)[0] == pid]
            for old in mine[KEEP_PER_ID:]:
                old.unlink(missing_ok=True)
                for fig in (self.folder / "figures").glob(f"{old.stem}-*.svg"):
                    fig.unlink(missing_ok=True)
        except OSError:
            pass

    # --- documents (see :mod:`.typeset`) -----------------------------------------------------
    def load_document(self, key: str) -> dict | None:
        raw = self._read(f"documents/{key}.json")
        try:
            entry = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and "source" in entry else None

    def store_document(self, key: str, entry: dict) -> None:
        folder = self.folder / "documents"
        if self._write(f"documents/{key}.json", json.dumps(entry).encode()):
            try:  # one document per report is enough: keep the newest few
                old = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
                for f in old[KEEP_PER_ID:]:
                    f.unlink(missing_ok=True)
            except OSError:
                pass

    # --- figures ------------------------------------------------------------------------------
    def load_figure(self, key: str, style: str, index: int) -> bytes | None:
        return self._read(f"figures/{key}-{style}-{index:02d}.svg")

    def store_figure(self, key: str, style: str, index: int, svg: bytes) -> None:
        self._write(f"figures/{key}-{style}-{index:02d}.svg", svg)

    # --- the registry's listing, and the last run times (for scheduling) ---------------------
    def load_manifest(self) -> list[dict] | None:
        raw = self._read(f"manifest/{package_hash()}.json")
        try:
            return json.loads(raw) if raw is not None else None
        except ValueError:
            return None

    def store_manifest(self, entries: list[dict]) -> None:
        self._write(f"manifest/{package_hash()}.json", json.dumps(entries).encode())

    def timings(self) -> dict[str, float]:
        raw = self._read("timings.json")
        try:
            t = json.loads(raw) if raw is not None else {}
        except ValueError:
            return {}
        return t if isinstance(t, dict) else {}

    def store_timings(self, new: dict[str, float]) -> None:
        if new:
            self._write("timings.json", json.dumps({**self.timings(), **new}).encode())
