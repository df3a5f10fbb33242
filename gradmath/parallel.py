"""Run independent seeds in parallel with joblib: both cores here, a Dask cluster where a user has one.

The MNIST experiments repeat one run per seed; the runs share nothing, so :func:`map_seeds` hands them
to :class:`joblib.Parallel` (processes by default, the ``loky`` backend). Each run holds BLAS to one
thread (threadpoolctl), so that two runs on two cores do not fight over them and so that a run's
arithmetic, and hence its result, is the same bit for bit whatever the backend and ``n_jobs``: each
seed's result depends only on the seed.

A sweep on a Dask cluster takes two lines (``pip install gradmath[distributed]``): connect a client and
run the solver (or any experiment of :mod:`gradmath.experiments`) inside ``parallel_config``::

    from dask.distributed import Client
    import joblib

    client = Client("scheduler-address:8786")          # or Client() for a local cluster
    with joblib.parallel_config(backend="dask"):
        result = depth_accuracy(X, y, X_val, y_val, seeds=20)

Examples
--------
>>> map_seeds(pow, [1, 2, 3], args=(2,), n_jobs=1)
[1, 4, 9]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["map_seeds", "MAX_JOBS"]

#: the largest ``n_jobs`` accepted (a guard against typos such as ``n_jobs=2000``)
MAX_JOBS = 1024

_LIMITED_PID: int | None = None  # the process whose BLAS this module has held to one thread


def _hold_blas_to_one_thread() -> None:
    """In a worker process: hold BLAS to one thread for the rest of its life (once per process)."""
    global _LIMITED_PID
    if _LIMITED_PID != os.getpid():
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        _LIMITED_PID = os.getpid()


class _Task:
    """``fn(seed, *args)`` with BLAS on one thread: picklable, so it travels to worker processes. The
    arguments travel as arguments of each call, so that joblib memory-maps large arrays to its processes
    and Dask scatters them to its workers once."""

    def __init__(self, fn: Callable[..., Any], parent: int) -> None:
        self.fn, self.parent = fn, parent

    def __call__(self, seed: int, *args: Any) -> Any:
        if os.getpid() != self.parent:  # the parent holds its own BLAS to one thread around the map
            _hold_blas_to_one_thread()
        return self.fn(seed, *args)


def _n_jobs(n_jobs: int | None) -> int:
    """``n_jobs`` as given; else the one of an enclosing ``joblib.parallel_config``; else every worker of a
    configured backend (e.g. Dask); else 1 inside a worker process (its pool already uses the cores: no
    pool inside a pool), and every core (-1) in a main process."""
    if n_jobs is None:
        import multiprocessing

        from joblib.parallel import get_active_backend

        backend, configured = get_active_backend()
        if configured is not None:
            return int(configured)
        if type(backend).__name__ != "LokyBackend":  # a backend the user chose, e.g. "dask"
            return -1
        return 1 if multiprocessing.parent_process() is not None else -1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise TypeError(f"n_jobs must be a nonzero integer or None, got {n_jobs!r}")
    if abs(n_jobs) > MAX_JOBS:
        raise ValueError(f"n_jobs must be in [-{MAX_JOBS}, {MAX_JOBS}] (excluding 0), got {n_jobs}")
    return n_jobs


def map_seeds(
    fn: Callable[..., Any],
    seeds: Iterable[int],
    *,
    args: Sequence[Any] = (),
    n_jobs: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    label: str = "seed",
    grouped: bool = False,
) -> list[Any]:
    """``[fn(seed, *args) for seed in seeds]``, the calls spread over processes by joblib.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers); ``fn(seed, *args)`` must depend only on
        its arguments.
    seeds : iterable of int
    args : sequence
        Further arguments of every call (large NumPy arrays are memory-mapped to the workers by joblib).
    n_jobs : int, optional
        Worker processes; default: the ``n_jobs`` of an enclosing ``joblib.parallel_config``, else every
        core (in a worker process of some pool, e.g. the report's: 1, no pool inside a pool). ``n_jobs=1``
        runs in this process. The backend is joblib's active one (``loky`` processes unless
        ``joblib.parallel_config(backend=...)`` says otherwise, e.g. ``"dask"``).
    progress : callable(fraction, message), optional
        Called after each seed's result arrives (in seed order).
    label : str
        How ``progress`` names a run ("seed 3 of 5 done").
    grouped : bool
        Call ``fn(group, *args)`` once per worker with a tuple of consecutive seeds (as many groups as
        workers, sizes differing by at most one); ``fn`` returns one result per seed of its group. For
        runs that are cheaper together than one by one; their results must not depend on the grouping.

    Returns
    -------
    list
        The results in the order of ``seeds``; identical, bit for bit, whatever ``n_jobs`` and backend.
    """
    from joblib import Parallel, delayed
    from threadpoolctl import threadpool_limits

    seeds = [int(s) for s in seeds]
    task, args = _Task(fn, os.getpid()), tuple(args)
    jobs = _n_jobs(n_jobs)
    units: list[Any] = seeds
    if grouped:
        from joblib import effective_n_jobs

        n_groups = 1 if jobs == 1 else max(1, min(len(seeds), effective_n_jobs(jobs)))
        units = [tuple(int(s) for s in part) for part in np.array_split(np.array(seeds), n_groups)]
    out: list[Any] = []
    with threadpool_limits(limits=1, user_api="blas"):
        if jobs == 1 or len(units) <= 1:
            results: Iterable[Any] = (task(u, *args) for u in units)
        else:
            results = Parallel(n_jobs=jobs, return_as="generator")(delayed(task)(u, *args) for u in units)
        for u, r in zip(units, results, strict=True):
            out.extend(r if grouped else [r])
            if progress is not None:
                progress(len(out) / len(seeds), f"{label} {u}: {len(out)} of {len(seeds)} done")
    return out
