"""Imported once by the server process the report's workers fork from: every solver and matplotlib,
so that each worker starts with them loaded (see :mod:`gradmath.report.runner`).

Before anything loads a BLAS, the server asks for one thread (the environment variables the BLAS
libraries read when they load, inherited by every worker): two workers on two cores must not each
start two BLAS threads. Each worker also holds BLAS to one thread at run time (:func:`.worker.init`),
which covers the start methods without this server. The report's own process is left as it was, so
the reproducibility appendix names its BLAS as the machine has it.

The server ends when the report closes its end of the server's pipe. It then skips the interpreter's
teardown, which would spend half a second freeing the preloaded modules while the server still holds
the report's standard output and error: a caller that reads them to the end (a pipe, ``subprocess``)
would wait that long after the report itself has ended.
"""

import atexit
import os
import sys

#: the variables OpenBLAS, OpenMP, MKL and BLIS read for their number of threads
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def in_the_server() -> bool:
    """Whether this process is multiprocessing's fork server (``python -c "from multiprocessing.forkserver
    import main; ..."``), not some other process that imports this module (a documentation tool, say):
    only the server changes its environment and its exit."""
    return any(arg.startswith("from multiprocessing.forkserver import main") for arg in sys.orig_argv)


def _end_at_once() -> None:
    os._exit(0)


_SERVER = in_the_server()
if _SERVER:
    os.environ.update(dict.fromkeys(BLAS_THREAD_VARIABLES, "1"))

from .worker import preload  # noqa: E402  (after the variables: it loads NumPy and SciPy)

preload()
if _SERVER:
    atexit.register(_end_at_once)
