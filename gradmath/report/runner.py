"""Run the solvers for the report: from the cache where possible, the rest in parallel worker processes.

The solvers are independent, so those that miss the cache run in a pool of worker processes
(``--jobs``, default one per CPU), longest first (by the run times of earlier runs), each worker with
BLAS held to one thread and its own progress callable. The workers fork from a server process that
has already imported the solvers (``forkserver`` with a preload), and each draws its solution's
figures right after solving, so the figures are drawn in parallel too. Solutions travel between
processes and to the cache through :mod:`.serial`, which keeps SymPy's unevaluated forms intact.

A job with a custom solver (``Job.run``: a callable taking a RunOptions, as the tests use), or a run
with one solver to compute, runs in-process.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import serial
from .cache import ResultCache, figure_style_hash
from .outcome import Outcome
from .worker import draw_figures, progress_for, solve_entry

__all__ = ["Job", "Status", "WorkerPool", "run_jobs", "status_line"]

#: start worker processes only for at least this much expected computation (starting them costs ~1 s)
POOL_MIN_SECONDS = 4.0


def in_pool(job: Job) -> bool:
    """Whether a job goes to the worker pool: a registered problem that does not spread its own seeds."""
    return job.run is None and not job.spread


def worth_a_pool(pooled: list[Job], workers: int) -> bool:
    """Whether solving ``pooled`` (jobs :func:`in_pool`) is worth starting worker processes."""
    return workers > 1 and len(pooled) > 1 and sum(j.cost for j in pooled) >= POOL_MIN_SECONDS


def pool_data(pooled: list[Job], data: Any) -> Any:
    """What the workers are given for ``pooled`` (jobs :func:`in_pool`): the data if one of them uses
    it, else nothing."""
    return data if any("data" in j.uses for j in pooled) else None


@dataclass
class Job:
    """One solver to run: a registered problem (``run`` None) or a custom callable ``run(options)``."""

    id: str
    uses: frozenset[str] = frozenset()
    run: Callable[[Any], Any] | None = None
    key: str | None = None  # the cache key (None: never cached)
    cost: float = 1.0  # expected seconds, for scheduling the longest first
    #: the solver spreads its own seeds over every core (the MNIST experiments on data the user gave):
    #: it runs in this process after the pool's jobs, not in one worker with one core
    spread: bool = False


class Status:
    """One line per finished solver on ``stream``; on a terminal also a live line of the running ones."""

    def __init__(self, stream, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.running: dict[str, float] = {}
        self.lock = threading.Lock()
        self.shown = False

    def progress(self, item: tuple) -> None:
        """``(id, fraction, message)`` from a solver."""
        with self.lock:
            self.running[item[0]] = item[1]
            self._draw()

    def _draw(self) -> None:
        if not self.tty or not self.running:
            return
        parts = ", ".join(f"{pid} {100 * f:3.0f}%" for pid, f in self.running.items())
        self.stream.write("\r" + f"  [{self.done}/{self.total}] running: {parts}"[:118].ljust(118))
        self.stream.flush()
        self.shown = True

    def finished(self, o: Outcome) -> None:
        with self.lock:
            self.done += 1
            self.running.pop(o.id, None)
            if self.shown:
                self.stream.write("\r" + " " * 118 + "\r")
                self.shown = False
            self.stream.write(status_line(self.done, self.total, o))
            self.stream.flush()
            self._draw()


def status_line(done: int, total: int, o: Outcome) -> str:
    """``[ k/n] id   time  pass (n checks)``: the line printed when a solver is done."""
    if o.error is not None:
        status = "ERROR " + o.error[:80]
    elif o.solution.passed:
        status = f"pass ({len(o.solution.checks)} checks)"
    else:
        status = f"FAIL ({len(o.solution.failed_checks)} of {len(o.solution.checks)} checks)"
    how = "cached" if o.cached else f"{o.elapsed:6.2f} s"
    return f"[{done:2d}/{total}] {o.id:<24} {how:>8}  {status}\n"


class WorkerPool:
    """The worker processes. :meth:`start` returns at once; the pool comes up in a thread while the
    main process goes on (discovering the solvers, loading cached results); :meth:`executor` waits."""

    def __init__(self, workers: int, data: Any) -> None:
        import multiprocessing as mp

        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(method)
        if method == "forkserver":
            self.ctx.set_forkserver_preload(["gradmath.report.preload"])
        self.workers, self.data = workers, data
        self.queue = self.ctx.SimpleQueue()
        self.status: Status | None = None
        self._executor: cf.ProcessPoolExecutor | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def start(self) -> WorkerPool:
        threading.Thread(target=self._start, daemon=True).start()
        return self

    def _start(self) -> None:
        from .worker import init, noop

        try:
            self._executor = cf.ProcessPoolExecutor(self.workers, mp_context=self.ctx, initializer=init,
                                                    initargs=(self.queue, self.data))  # fmt: skip
            for f in [self._executor.submit(noop) for _ in range(self.workers)]:
                f.result()  # each worker is up
        except BaseException as exc:  # reported by executor()
            self._error = exc
        finally:
            self._ready.set()

    def executor(self) -> cf.ProcessPoolExecutor:
        while not self._ready.wait(0.1):  # a short wait keeps Ctrl-C responsive
            pass
        if self._error is not None or self._executor is None:
            raise RuntimeError(f"could not start the worker processes: {self._error}")
        return self._executor

    def _read(self) -> None:
        while True:
            try:
                item = self.queue.get()
            except (EOFError, OSError):
                return
            if item is None:
                return
            if self.status is not None:
                self.status.progress(item)

    def close(self, interrupted: bool = False) -> None:
        """Shut the pool down; after an interrupt, stop the workers at once."""
        self._ready.wait(30 if not interrupted else 0)
        ex = self._executor
        if ex is not None:
            if interrupted:
                terminate = getattr(ex, "terminate_workers", None)  # Python >= 3.14
                if terminate is not None:
                    terminate()
                else:  # earlier Pythons: the executor's own process table
                    for p in list(getattr(ex, "_processes", {}).values()):
                        p.terminate()
            ex.shutdown(wait=not interrupted, cancel_futures=True)
        try:
            self.queue.put(None)
        except Exception:
            pass


def _draw_in_worker(figures: bytes) -> bytes:
    """A pool job: draw figure specs (serial bytes); the SVGs (or errors) as serial bytes."""
    return serial.dumps(draw_figures(serial.loads(figures)))


def _in_worker(pid: str, quick: bool, seeds: int | None) -> bytes:
    """The job a worker runs (module level, so the pool can pickle it): the entry, as serial bytes."""
    from .worker import solve_in_worker

    return serial.dumps(solve_in_worker(pid, quick, seeds))


class _Run:
    """One report run: the jobs, where their results go, and the shared cache and status line."""

    def __init__(self, options: Any, cache: ResultCache, status: Status) -> None:
        self.options, self.cache, self.status = options, cache, status
        self.style = figure_style_hash()
        self.results: dict[str, Outcome] = {}
        self.pending: list[tuple[int, Job, Outcome, list]] = []  # figures still to draw

    def runoptions(self, job: Job, progress) -> Any:
        from gradmath.registry import RunOptions

        o = self.options
        return RunOptions(quick=o.quick, seeds=o.seeds if "seeds" in job.uses else None,
                          data=o.data if "data" in job.uses else None, progress=progress)  # fmt: skip

    def finish(self, index: int, job: Job, entry: dict, cached: bool) -> None:
        """Turn an entry (fresh or cached) into the job's Outcome, with its figures; cache it if fresh."""
        svgs = entry.pop("svgs", None)
        if not cached and job.key is not None and "error" not in entry:
            self.cache.store_solution(job.key, entry)
        if "error" in entry:
            o = Outcome(job.id, error=entry["error"], elapsed=entry.get("elapsed", 0.0), title=job.id)
        else:
            sol = entry["solution"]
            o = Outcome(job.id, solution=sol, elapsed=entry["elapsed"], title=sol.title, cached=cached,
                        created=entry.get("created", ""), facts=dict(entry.get("facts", {})),
                        cpu=0.0 if cached else entry.get("cpu", 0.0))  # fmt: skip
            self.attach_figures(index, job, o, svgs)
        self.results[job.id] = o
        self.status.finished(o)

    def attach_figures(self, index: int, job: Job, o: Outcome, svgs: list | None) -> None:
        """Give ``o`` its figure files: drawn by the worker or from the cache; the rest are drawn later
        (:meth:`draw_pending`), all together."""
        figs = o.solution.figures
        svgs = list(svgs) if svgs is not None else [None] * len(figs)
        for j, svg in enumerate(svgs):
            if job.key is None:
                continue
            if isinstance(svg, bytes):  # drawn by the worker: keep it
                self.cache.store_figure(job.key, self.style, j, svg)
            elif svg is None:
                svgs[j] = self.cache.load_figure(job.key, self.style, j)
        if any(s is None for s in svgs):
            self.pending.append((index, job, o, svgs))
        else:
            self.place(index, o, svgs)

    def place(self, index: int, o: Outcome, svgs: list) -> None:
        for j, (fig, svg) in enumerate(zip(o.solution.figures, svgs, strict=True)):
            if not isinstance(svg, bytes):
                o.figure_errors.append(f"figure {fig.name!r}: {svg}")
                continue
            name = f"fig-{index:02d}-{j:02d}.svg"
            o.files[name], o.figures[fig.name] = svg, name

    def draw_pending(self, pool: WorkerPool | None) -> None:
        """Draw the figures that neither a worker nor the cache gave (a new figure style): in the pool
        if there is one, else here."""
        if not self.pending:
            return
        if pool is not None:
            ex = pool.executor()
            futures = [
                ex.submit(_draw_in_worker, serial.dumps(o.solution.figures)) for _, _, o, _ in self.pending
            ]
            drawn = [serial.loads(f.result()) for f in futures]
        else:
            drawn = [draw_figures(o.solution.figures) for _, _, o, _ in self.pending]
        for (index, job, o, svgs), new in zip(self.pending, drawn, strict=True):
            for j, svg in enumerate(svgs):
                if svg is None:
                    svgs[j] = new[j]
                    if job.key is not None and isinstance(new[j], bytes):
                        self.cache.store_figure(job.key, self.style, j, new[j])
            self.place(index, o, svgs)
        self.pending.clear()

    def here(self, index: int, job: Job) -> None:
        from gradmath.registry import problem_class

        run = job.run if job.run is not None else problem_class(job.id).run
        entry = solve_entry(run, self.runoptions(job, progress_for(job.id, self.status.progress)))
        self.finish(index, job, entry, cached=False)

    def pooled(self, pool: WorkerPool, todo: list[tuple[int, Job]]) -> None:
        pool.status = self.status
        executor = pool.executor()
        o = self.options
        order = sorted(todo, key=lambda ij: -ij[1].cost)
        futures = {executor.submit(_in_worker, job.id, o.quick, o.seeds if "seeds" in job.uses else None): (i, job)
                   for i, job in order}  # fmt: skip
        for fut in cf.as_completed(futures):
            index, job = futures[fut]
            try:
                entry = serial.loads(fut.result())
            except Exception as exc:  # the worker died (killed, out of memory): a failed section
                entry = {"error": f"the worker process failed: {type(exc).__name__}: {exc}", "elapsed": 0.0}
            self.finish(index, job, entry, cached=False)


def run_jobs(jobs: list[Job], options: Any, *, cache: ResultCache, workers: int, stream,
             pool: WorkerPool | None = None, status: Status | None = None) -> list[Outcome]:  # fmt: skip
    """Run ``jobs``: cached results first, then the rest (in ``pool`` if given or worth starting).

    ``options`` has ``quick``, ``seeds`` and ``data``. Returns the outcomes in the jobs' order. A pool
    started here is closed here (on an exception such as Ctrl-C its workers are stopped at once); a
    pool passed in is the caller's to close. ``status`` (default: lines on ``stream``) sees the progress.
    """
    if status is None:
        status = Status(stream, len(jobs))
    status.total = len(jobs)
    run = _Run(options, cache, status)
    todo = []
    for index, job in enumerate(jobs):
        entry = cache.load_solution(job.key) if job.key is not None else None
        if entry is not None:
            run.finish(index, job, entry, cached=True)
        else:
            todo.append((index, job))
    pooled = [(i, j) for i, j in todo if in_pool(j)]
    n_draw = sum(len(o.solution.figures) for _, _, o, _ in run.pending)
    own = None
    jobs_left = [j for _, j in pooled]
    if pool is None and workers > 1 and (worth_a_pool(jobs_left, workers) or n_draw >= 4):
        pool = own = WorkerPool(min(workers, max(len(pooled), 2)), pool_data(jobs_left, options.data)).start()
    interrupted = True
    try:
        if pool is not None and len(pooled) > 1:
            run.pooled(pool, pooled)
            todo = [(i, j) for i, j in todo if not in_pool(j)]
        for index, job in todo:
            run.here(index, job)
        run.draw_pending(pool if pool is not None and n_draw >= 4 else None)
        interrupted = False
    finally:
        if own is not None:
            own.close(interrupted)
    cache.store_timings({f"{o.id}|{'quick' if options.quick else 'default'}": o.elapsed
                         for o in run.results.values() if not o.cached and o.error is None})  # fmt: skip
    return [run.results[j.id] for j in jobs]
