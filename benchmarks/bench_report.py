"""How long ``python -m gradmath.report`` takes: cold (an empty cache), ``--quick`` cold, and a warm
rebuild of the default report (every result in the cache), three runs each, against the baseline of the same machine in the
same run: the report as it was built before the parallel runner and the cache (one process, solvers
one after the other, ``--jobs 1 --no-cache``).

Targets (issue 8, on a 2-core machine when idle): default cold <= 20 s (aim 12 s), ``--quick`` cold
<= 6 s (aim 3 s), warm rebuild <= 3 s (aim 1.5 s).

Each run is a fresh ``python -m gradmath.report`` process, timed from start to exit (wall clock), with
its own cache folder (``GRADMATH_CACHE``); the warm runs reuse the cache of a cold run made just before
them. Usage::

    python benchmarks/bench_report.py            # everything, three runs each (about 3 minutes idle)
    python benchmarks/bench_report.py --runs 1 --skip-baseline
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"default cold": (20.0, 12.0), "quick cold": (6.0, 3.0), "warm rebuild": (3.0, 1.5)}


def _run(args: list[str], cache: Path, out: Path) -> float:
    env = {**os.environ, "GRADMATH_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "gradmath.report", "-o", str(out), *args], env=env,
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(
            f"gradmath.report {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    return dt


def _series(name: str, runs: int, make) -> list[float]:
    times = []
    for k in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
            times.append(make(Path(tmp)))
        print(f"  {name:<26} run {k + 1}: {times[-1]:6.2f} s", flush=True)
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--skip-baseline", action="store_true", help="do not time the sequential, uncached baseline"
    )
    args = p.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_report: {os.cpu_count()} CPUs, load average {load:.2f} at the start, {args.runs} runs each")

    def cold(extra):
        return lambda tmp: _run(extra, tmp / "cache", tmp / "r.pdf")

    warm_dir = tempfile.TemporaryDirectory(prefix="bench-report-warm-")
    filled = Path(warm_dir.name)
    _run([], filled / "cache", filled / "r.pdf")  # fill the cache once (not timed)

    def warm(tmp: Path) -> float:
        return _run([], filled / "cache", tmp / "r.pdf")

    results = {}
    if not args.skip_baseline:
        results["baseline: default, 1 process, no cache"] = _series(
            "baseline default", args.runs, cold(["--jobs", "1", "--no-cache"])
        )
        results["baseline: quick, 1 process, no cache"] = _series(
            "baseline quick", args.runs, cold(["--quick", "--jobs", "1", "--no-cache"])
        )
    results["default cold"] = _series("default cold", args.runs, cold([]))
    results["quick cold"] = _series("quick cold", args.runs, cold(["--quick"]))
    results["warm rebuild"] = _series("warm rebuild", args.runs, warm)
    warm_dir.cleanup()

    print("\nmedian (min .. max) of each, in seconds:")
    for name, times in results.items():
        line = f"  {name:<40} {statistics.median(times):6.2f}  ({min(times):.2f} .. {max(times):.2f})"
        if name in TARGETS:
            limit, aim = TARGETS[name]
            line += f"   target <= {limit:g} s (aim {aim:g}): {'met' if statistics.median(times) <= limit else 'MISSED'}"
        print(line)
    if not args.skip_baseline:
        for ours, base in (("default cold", "baseline: default, 1 process, no cache"),
                           ("quick cold", "baseline: quick, 1 process, no cache")):  # fmt: skip
            ratio = statistics.median(results[base]) / statistics.median(results[ours])
            print(f"  {ours}: {ratio:.2f} times as fast as the one-process baseline")
        ratio = statistics.median(results["baseline: default, 1 process, no cache"]) / statistics.median(
            results["warm rebuild"]
        )
        print(f"  warm rebuild: {ratio:.2f} times as fast as computing the report in one process")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"load average {load:.2f} at the end (timings are wall clock: other work on the machine slows them)"
    )


if __name__ == "__main__":
    main()
