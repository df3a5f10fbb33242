"""Imported once by the server process the report's workers fork from: every solver and matplotlib,
so that each worker starts with them loaded (see :mod:`gradmath.report.runner`).

The server ends when the report closes its end of the server's pipe. It then skips the interpreter's
teardown, which would spend half a second freeing the preloaded modules while the server still holds
the report's standard output and error: a caller that reads them to the end (a pipe, ``subprocess``)
would wait that long after the report itself has ended.
"""

import atexit
import os

from .worker import preload


def _end_at_once() -> None:
    os._exit(0)


preload()
atexit.register(_end_at_once)
