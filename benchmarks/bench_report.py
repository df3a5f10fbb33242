"""How long ``python -m gradmath.report`` takes: cold (an empty cache), ``--quick`` cold, and a warm
rebuild of the default report (every result in the cache), three runs each, against the baseline of
the same machine in the same run: the report built the way it was before the parallel runner and the
cache (one process, the solvers one after the other: ``--jobs 1 --no-cache``).

Targets (issue 8, on a 2-core machine when idle): default cold <= 20 s (aim 12 s), ``--quick`` cold
<= 6 s (aim 3 s), warm rebuild <= 3 s (aim 1.5 s).

Each run is a fresh ``python -m gradmath.report`` process with its own cache folder
(``GRADMATH_CACHE``), timed from start to exit (wall clock). The CPU time of the run and of its worker
processes is printed too: on a machine busy with other work the wall clock measures the neighbours
as much as the report, and the CPU time (divided by the number of cores the run can use) is the
better guide to what an idle machine would take. The warm runs reuse one cache, filled by an untimed
cold run first. Usage::

    python benchmarks/bench_report.py            # everything, three runs each
    python benchmarks/bench_report.py --runs 1 --skip-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"default cold": (20.0, 12.0), "quick cold": (6.0, 3.0), "warm rebuild": (3.0, 1.5)}
BASELINE = {
    "default cold": "baseline default",
    "quick cold": "baseline quick",
    "warm rebuild": "baseline default",
}


def _cpu() -> float:
    """User + system seconds of every finished descendant (the worker processes included)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(args: list[str], cache: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one report run: its own CPU and, for the solvers that ran in
    worker processes (which are not its children), the CPU each worker reports in the JSON."""
    env = {**os.environ, "GRADMATH_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    js = out.with_suffix(".json")
    c0, t0 = _cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "gradmath.report", "-o", str(out), "--json", str(js), *args],
                          env=env, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(
            f"gradmath.report {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    if "--jobs" not in args:  # the solvers ran in worker processes
        cpu += sum(p.get("cpu", 0.0) for p in json.loads(js.read_text())["problems"])
    return wall, cpu


def _series(name: str, runs: int, make) -> list[tuple[float, float]]:
    out = []
    for k in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
            out.append(make(Path(tmp)))
        load = os.getloadavg()[0]
        print(f"  {name:<22} run {k + 1}: {out[-1][0]:6.2f} s wall, {out[-1][1]:6.2f} s CPU (load {load:.1f})",
              flush=True)  # fmt: skip
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--skip-baseline", action="store_true", help="do not time the one-process, uncached baseline"
    )
    args = p.parse_args()
    print(
        f"bench_report: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start, {args.runs} runs each"
    )

    def cold(extra):
        return lambda tmp: _run(extra, tmp / "cache", tmp / "r.pdf")

    results = {}
    if not args.skip_baseline:
        results["baseline default"] = _series(
            "baseline default", args.runs, cold(["--jobs", "1", "--no-cache"])
        )
        results["baseline quick"] = _series(
            "baseline quick", args.runs, cold(["--quick", "--jobs", "1", "--no-cache"])
        )
    results["default cold"] = _series("default cold", args.runs, cold([]))
    results["quick cold"] = _series("quick cold", args.runs, cold(["--quick"]))
    with tempfile.TemporaryDirectory(prefix="bench-report-warm-") as filled:
        _run([], Path(filled) / "cache", Path(filled) / "r.pdf")  # fill the cache once (not timed)
        results["warm rebuild"] = _series("warm rebuild", args.runs,
                                          lambda tmp: _run([], Path(filled) / "cache", tmp / "r.pdf"))  # fmt: skip
    _summary(results)


def _summary(results: dict) -> None:
    print("\nmedian of each (wall clock; CPU of the run and its workers), in seconds:")
    for name, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        line = f"  {name:<18} wall {wall:6.2f} (min {min(w for w, _ in runs):6.2f})  CPU {cpu:6.2f}"
        if name in TARGETS:
            limit, aim = TARGETS[name]
            line += f"   target <= {limit:g} s (aim {aim:g}): wall {'met' if wall <= limit else 'MISSED'}"
            base = results.get(BASELINE[name])
            if base:
                line += (
                    f"; {statistics.median(w for w, _ in base) / wall:.2f} times as fast as {BASELINE[name]}"
                )
        print(line)
    print(
        f"load average {os.getloadavg()[0]:.2f} at the end (other work on the machine slows the wall clock)"
    )


if __name__ == "__main__":
    main()
