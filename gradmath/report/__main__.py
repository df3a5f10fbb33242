"""``python -m gradmath.report``: see :mod:`gradmath.report.cli`."""

from __future__ import annotations

from .cli import EXIT_INTERRUPTED, PROG, entry, main
from .outputs import UsageError, write_atomic

__all__ = ["main", "entry", "write_atomic", "UsageError", "PROG", "EXIT_INTERRUPTED"]

if __name__ == "__main__":
    entry()
