"""The report's output files: checked before any solver runs, written atomically, through symlinks.

- :func:`output_path` checks an ``-o``/``--json`` path once, up front (a folder, a missing folder,
  an unwritable place is a :class:`UsageError`) and resolves a symlink to the file it points to, so
  that the report is written *through* the link and the link itself stays.
- :func:`refuse_same_file` refuses two options that name the same file (``-o X --json X``, also
  through a symlink or as ``./X``): the second write would destroy the first.
- :func:`write_atomic` writes via a temporary file in the target's folder and ``os.replace``: an
  interrupted or failed write leaves the old file intact and no temporary file behind. A write
  that fails (a full disk, an I/O error) raises :class:`OutputError` naming the path.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["UsageError", "OutputError", "output_path", "refuse_same_file", "write_atomic"]


class UsageError(Exception):
    """A bad option or path, found before any work: one line on stderr, exit status 2."""


class OutputError(Exception):
    """The report could not be written (a full disk, an I/O error): one line naming the path."""


def output_path(path: str, option: str) -> Path:
    """The file that ``option PATH`` will write: ``path`` itself, or the target of a symlink.

    Raises
    ------
    UsageError
        ``path`` is empty, a folder, in a folder that does not exist, or not writable.
    """
    if not path:
        raise UsageError(f"{option}: give a file path, got an empty string")
    p = Path(path)
    target = Path(os.path.realpath(p)) if p.is_symlink() else p
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a directory, not a file path")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{option} {path}: not writable")
    return target


def refuse_same_file(paths: dict[str, Path | None]) -> None:
    """Raise :class:`UsageError` when two options (``{option: resolved path}``) name the same file."""
    seen: dict[str, str] = {}
    for option, p in paths.items():
        if p is None:
            continue
        real = os.path.realpath(p)
        if real in seen:
            raise UsageError(
                f"{seen[real]} and {option} name the same file ({real}): the second would overwrite the first"
            )
        seen[real] = option


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    Raises
    ------
    OutputError
        The write failed (``ENOSPC``, ``EIO``, ...); ``path`` is untouched and no temporary file remains.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"could not write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"could not write {path}: {exc.strerror or exc}") from None
        raise
