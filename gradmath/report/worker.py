"""What one worker process does: solve one problem, draw its figures, hand back a picklable entry.

The report's worker processes import this module first (it is the forkserver's preload), so the
solvers are imported once and every worker starts from a process that has them. Each worker holds
BLAS to one thread (:func:`init`): two workers on two cores must not each start two BLAS threads.
Progress goes back to the parent through a queue, one callable per worker (:func:`progress_for`).

:func:`solve_entry` is also what the parent runs in-process (``--jobs 1``, or one solver to run).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["init", "solve_entry", "solve_in_worker", "progress_for", "facts", "strip", "draw_figures"]

_QUEUE: Any = None
_DATA: Any = None
#: a progress message is sent when the fraction moved by 1 %, or when this many seconds have passed
_THROTTLE = 0.2


def init(queue: Any, data: Any) -> None:
    """Worker initialiser: BLAS to one thread, the progress queue and the MNIST data kept for all jobs."""
    global _QUEUE, _DATA
    _QUEUE, _DATA = queue, data
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # pragma: no cover - threadpoolctl is a dependency; never fatal
        pass


def progress_for(pid: str, send: Callable[[tuple], None] | None) -> Callable[[float, str], None] | None:
    """A ``progress(fraction, message)`` for solver ``pid`` that forwards ``(pid, fraction, message)``
    to ``send``, throttled."""
    if send is None:
        return None
    last = [-1.0, 0.0]

    def progress(fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if fraction < 1.0 and fraction - last[0] < 0.01 and now - last[1] < _THROTTLE:
            return
        last[0], last[1] = fraction, now
        try:
            send((pid, float(fraction), str(message)[:60]))
        except Exception:  # a closed queue (the parent is going away) must not fail the solver
            pass

    return progress


def strip(sol: Any) -> Any:
    """The solution as the report keeps it: no typed ``result`` (the report reads only the written-up
    fields), and run options without the progress callable and the data arrays."""
    opts = sol.options
    if opts is not None and dataclasses.is_dataclass(opts):
        opts = dataclasses.replace(opts, progress=None, data=None)
    return dataclasses.replace(sol, result=None, options=opts)


def _find(obj: Any, names: tuple[str, ...]) -> Any:
    if isinstance(obj, dict):
        for n in names:
            if n in obj:
                return obj[n]
        return None
    for n in names:
        if hasattr(obj, n) and not callable(getattr(type(obj), n, None)):
            try:
                return getattr(obj, n)
            except Exception:
                return None
    return None


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def facts(sol: Any) -> dict[str, Any]:
    """What the reproducibility appendix reports about a run: seeds used and GFLOP/s, where known."""
    out: dict[str, Any] = {}
    for where in (sol.answer, sol.result):
        if where is None:
            continue
        g = _number(_find(where, ("gflops_per_second", "gflops")))
        if g is not None and "gflops" not in out:
            out["gflops"] = g
        s = _find(where, ("seeds", "n_seeds"))
        if isinstance(s, int) and not isinstance(s, bool) and "seeds" not in out:
            out["seeds"] = s
    return out


def draw_figures(figures: Any) -> list[bytes | str]:
    """Each figure spec drawn: SVG bytes, or the error (a string) that drawing it raised."""
    from .figures import render_svg

    out: list[bytes | str] = []
    for fig in figures:
        try:
            out.append(render_svg(fig))
        except Exception as exc:
            out.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    return out


def solve_entry(run: Callable[[Any], Any], options: Any) -> dict[str, Any]:
    """Run one solver: ``{"solution", "elapsed", "cpu", "facts", "created", "svgs"}`` or ``{"error", "elapsed"}``.

    A solver that raises becomes an entry with its error (a failed section, not a crashed report).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        sol = run(options)
    except Exception as exc:
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())
        return {"error": msg[:500], "elapsed": time.perf_counter() - t0}
    elapsed = time.perf_counter() - t0
    entry = {
        "solution": strip(sol),
        "elapsed": elapsed,
        "facts": facts(sol),
        "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    entry["svgs"] = draw_figures(sol.figures)
    entry["cpu"] = time.process_time() - c0  # this process's CPU for the solver and its figures
    return entry


def solve_in_worker(pid: str, quick: bool, seeds: int | None) -> dict[str, Any]:
    """The job a worker process runs: solve registered problem ``pid`` and draw its figures."""
    from gradmath.registry import RunOptions, problem_class

    cls = problem_class(pid)
    send = _QUEUE.put if _QUEUE is not None else None
    options = RunOptions(
        quick=quick,
        seeds=seeds if "seeds" in cls.uses else None,
        data=_DATA if "data" in cls.uses else None,
        progress=progress_for(pid, send),
    )
    return solve_entry(cls.run, options)


def preload() -> None:
    """Import what every job needs (run once in the forkserver, before workers fork from it)."""
    from gradmath import registry

    list(registry.PROBLEMS)  # the registry imports every solver module
    from . import figures

    figures.warm_up()


def noop() -> int:
    """A job that only makes the pool start a worker."""
    return 0
