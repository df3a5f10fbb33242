"""The report's parallel runner: worker processes give the same results as solving in-process, hold BLAS
to one thread each, and send each solver's progress back to the parent."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from gradmath.registry import problem_class
from gradmath.report.cache import ResultCache
from gradmath.report.outcome import Outcome
from gradmath.report.runner import Job, Status, WorkerPool, run_jobs
from gradmath.report.worker import progress_for


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "gradmath-cache"))


class _Recorder(Status):
    def __init__(self, stream) -> None:
        super().__init__(stream, 0)
        self.items: list[tuple] = []

    def progress(self, item: tuple) -> None:
        self.items.append(item)


def test_pool_gives_what_solving_in_process_gives_and_reports_progress(quick_solution):
    ids = ["mnist-initial-norms", "exploding-example", "weight-bound"]
    jobs = [Job(pid, problem_class(pid).uses, cost=10.0) for pid in ids]
    pool = WorkerPool(2, None).start()
    stream = io.StringIO()
    recorder = _Recorder(stream)
    try:
        opts = SimpleNamespace(quick=True, seeds=None, data=None)
        outcomes = run_jobs(jobs, opts, cache=ResultCache(enabled=False), workers=2, stream=stream, pool=pool,
                            status=recorder)  # fmt: skip
    finally:
        pool.close()
    assert [o.id for o in outcomes] == ids and all(o.error is None and not o.cached for o in outcomes)
    for o in outcomes:
        here = quick_solution(o.id)
        # the same results; BLAS on one thread may only change the rounding of sums
        assert [c.agreement for c in o.solution.checks] == pytest.approx([c.agreement for c in here.checks],
                                                                         rel=1e-6, abs=1e-15)  # fmt: skip
        assert [c.passed for c in o.solution.checks] == [c.passed for c in here.checks]
        assert list(o.solution.answer) == list(here.answer)
        assert len(o.files) == len(here.figures) and all(svg.startswith(b"<?xml") for svg in o.files.values())
    # the MNIST solver reports progress from its worker; the status line received it, in order
    fractions = [f for pid, f, _ in recorder.items if pid == "mnist-initial-norms"]
    assert fractions and all(0.0 <= f <= 1.0 for f in fractions) and fractions == sorted(fractions)
    assert stream.getvalue().count("\n") == 3  # one line per finished solver


def test_a_spreading_job_runs_here_after_the_pool_and_the_rest_in_the_pool(monkeypatch):
    """With the user's MNIST the experiments spread their seeds over every core from this process
    (Job.spread); a worker would give them one core (a pool does not nest)."""
    from gradmath.report import runner

    order: list = []

    def here(self, index, job):
        order.append(("here", job.id))
        self.results[job.id] = Outcome(job.id, error="stub", title=job.id)

    def pooled(self, pool, todo):
        order.append(("pool", [j.id for _, j in todo]))
        for _, job in todo:
            self.results[job.id] = Outcome(job.id, error="stub", title=job.id)

    monkeypatch.setattr(runner._Run, "here", here)
    monkeypatch.setattr(runner._Run, "pooled", pooled)
    jobs = [Job("exploding-example"), Job("mnist-initial-norms", frozenset({"data"}), spread=True),
            Job("weight-bound")]  # fmt: skip
    opts = SimpleNamespace(quick=False, seeds=None, data=None)
    out = run_jobs(jobs, opts, cache=ResultCache(enabled=False), workers=2, stream=io.StringIO(),
                   pool=SimpleNamespace())  # fmt: skip
    assert [o.id for o in out] == [j.id for j in jobs]  # the outcomes in the jobs' order
    assert order == [("pool", ["exploding-example", "weight-bound"]), ("here", "mnist-initial-norms")]


def test_workers_hold_blas_to_one_thread(monkeypatch):
    """Each worker's BLAS has one thread, from the variables the fork server sets before NumPy loads
    there. The report's own process never changes its environment: it used to set them while the pool
    started, and the NumPy and SciPy it loaded meanwhile ran on one thread (the reproducibility
    appendix said 1 or 2 threads depending on the timing)."""
    import functools

    from threadpoolctl import threadpool_info

    changed = []
    for name in ("putenv", "unsetenv"):  # what os.environ calls to change the process's environment
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda *a, real=real: changed.append(a) or real(*a))
    pool = WorkerPool(2, None).start()
    try:
        ex = pool.executor()
        infos = [ex.submit(threadpool_info).result() for _ in range(4)]
        pids = {ex.submit(os.getpid).result() for _ in range(8)}
        variable = ex.submit(functools.partial(os.getenv, "OPENBLAS_NUM_THREADS")).result()
    finally:
        pool.close()
    blas = [lib for info in infos for lib in info if lib["user_api"] == "blas"]
    assert blas and {lib["num_threads"] for lib in blas} == {1}
    assert variable == "1" and changed == []
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_progress_is_throttled_but_never_loses_the_end():
    sent = []
    progress = progress_for("p", sent.append)
    for k in range(10_001):
        progress(k / 10_000, "step")
    fractions = [f for _, f, _ in sent]
    assert fractions[-1] == 1.0 and len(sent) <= 102  # one message per 1 % at most, and the last
    assert all(pid == "p" for pid, _, _ in sent)
    assert progress_for("p", None) is None  # no receiver, no callable


def test_a_raising_solver_is_an_outcome_with_its_error():
    def boom(options):
        raise ZeroDivisionError("in the solver")

    stream = io.StringIO()
    opts = SimpleNamespace(quick=False, seeds=None, data=None)
    (o,) = run_jobs([Job("x", run=boom)], opts, cache=ResultCache(enabled=False), workers=1, stream=stream)
    assert o.solution is None and o.error == "ZeroDivisionError: in the solver"
    assert "ERROR ZeroDivisionError: in the solver" in stream.getvalue()


def test_the_workers_preload_leaves_scipy_stats_and_pooch_out():
    """The server the report's workers fork from imports every solver before the first job can start,
    so what it imports is on the critical path of every cold run: ``scipy.stats`` (0.3 s here, for the
    normal and t quantiles that ``scipy.special`` has) and ``pooch`` (only for downloads) stay out.
    Imported by any other process, the preload module changes neither its environment nor its exit."""
    code = "import os, sys, gradmath.report.preload; " \
           "print(sorted(m for m in ('scipy.stats', 'pooch', 'requests') if m in sys.modules), " \
           "os.getenv('OMP_NUM_THREADS')); sys.exit(3)"  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert (done.returncode, done.stdout.strip()) == (3, "[] None")


def test_the_report_command_starts_its_workers_before_importing_sympy():
    """``python -m gradmath.report`` imports ``gradmath`` and the CLI first, then starts the worker
    processes, then imports the solvers: neither import may pull in SymPy, SciPy or matplotlib (0.4 s
    more before the workers' own preload could begin)."""
    code = "import sys, gradmath, gradmath.report.cli; " \
           "print(sorted(m for m in ('sympy', 'scipy', 'matplotlib') if m in sys.modules))"  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
