"""Benchmark: the chain gradient at depth 1000 (derived and verified) vs SymPy's nested diff at depth 40.

Issue 2: ``solve("chain-gradient", depth=1000)`` -- the reverse-mode derivation of eq. 121/122 plus
its check against finite differences of the actual chain -- must take less time than SymPy's
own ``diff`` of the nested chain ``C(sigma(w_40 sigma(...) + b_40))`` at depth 40; at depth 50
SymPy's diff fails with RecursionError.

Each measurement runs in a fresh interpreter (cold SymPy caches, imports excluded), ``--repeat``
times; the best time is reported. If SymPy's diff hits the recursion limit at depth 40 on this
machine, it is timed again with a raised recursion limit (in a thread with a large stack), so
that a time exists to compare with. Run: ``python benchmarks/bench_chain_gradient.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

NAIVE = r"""
import json, sys, threading, time
import sympy
from gradmath.chain import nested_diff
depth, raise_limit = {depth}, {raise_limit}
out = {{}}
def run():
    if raise_limit:
        sys.setrecursionlimit(200000)
    t = time.perf_counter()
    try:
        nested_diff(depth)
        out["seconds"] = time.perf_counter() - t
    except RecursionError:
        out["error"] = "RecursionError"
        out["seconds"] = time.perf_counter() - t
if raise_limit:
    threading.stack_size(1 << 29)
th = threading.Thread(target=run); th.start(); th.join()
print(json.dumps(out))
"""

OURS = r"""
import json, time
import gradmath, gradmath.solvers.chain_gradient, gradmath.chain
sol = gradmath.solve("chain-gradient", depth={depth})
log10 = sol.answer["log_abs_gradient_at_random_parameters"] / 2.302585092994046
print(json.dumps({{"seconds": sol.elapsed, "passed": sol.passed,
                  "agreement": [c.agreement for c in sol.checks], "log10_gradient": log10}}))
"""

DIRECT = r"""
import json, time, math
import numpy as np
from gradmath import chain as ch
from gradmath import chain_fd
rng = np.random.default_rng(0)
n = {depth}
w, b, a0 = rng.standard_normal(n), rng.standard_normal(n), float(rng.uniform(0.1, 0.9))
fw = ch.forward(w, b, a0)
la, sa = ch.log_abs_eval(ch.chain_gradient(n).gradient, fw, fw.a[-1])
dps = int(-la / math.log(10)) + 80
t = time.perf_counter()
fd = chain_fd.finite_difference_direct(w, b, a0, 0.0, "b", 1, dps=dps)
print(json.dumps({{"seconds": time.perf_counter() - t, "dps": dps, "log_diff": abs(fd.log_abs - la)}}))
"""


def _run(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best(code: str, repeat: int) -> dict:
    runs = [_run(code) for _ in range(repeat)]
    ok = [r for r in runs if "seconds" in r]
    return min(ok, key=lambda r: r["seconds"]) if ok else runs[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="fresh-interpreter runs per measurement (best kept)"
    )
    parser.add_argument("--depth", type=int, default=1000, help="depth of our derivation (default 1000)")
    parser.add_argument(
        "--direct", action="store_true", help="also time the brute-force mpmath FD at --depth"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.depth < 1:
        parser.error("--repeat and --depth must be >= 1")

    ours = _best(OURS.format(depth=args.depth), args.repeat)
    print(
        f"gradmath chain-gradient, depth {args.depth} (derive + verify): {ours['seconds']:.3f} s, "
        f"passed={ours.get('passed')}, |dC/db_1| = 10^{ours.get('log10_gradient', float('nan')):.2f}, "
        f"log-agreement with finite differences {ours.get('agreement')}"
    )
    naive = {}
    for depth in (30, 40, 50):
        r = _best(NAIVE.format(depth=depth, raise_limit=False), args.repeat)
        naive[depth] = r
        status = r.get("error", "ok")
        print(
            f"SymPy nested diff, depth {depth} (default recursion limit): "
            f"{r.get('seconds', float('nan')):.3f} s, "
            f"{status}"
        )
    baseline = naive[40]
    if "error" in baseline:
        baseline = _best(NAIVE.format(depth=40, raise_limit=True), args.repeat)
        print(
            f"SymPy nested diff, depth 40 (recursion limit raised to 200000): "
            f"{baseline.get('seconds', float('nan')):.3f} s, {baseline.get('error', 'ok')}"
        )
    if "seconds" in baseline and "error" not in baseline:
        ratio = baseline["seconds"] / ours["seconds"]
        verdict = "faster" if ratio > 1 else "SLOWER"
        print(f"ratio (SymPy depth 40) / (ours depth {args.depth}) = {ratio:.2f}: ours is {verdict}")
    if args.direct:
        d = _run(DIRECT.format(depth=args.depth))
        print(
            f"brute-force mpmath central difference at depth {args.depth} ({d.get('dps')} digits): "
            f"{d.get('seconds', float('nan')):.2f} s, |log ours - log FD| = {d.get('log_diff')}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
