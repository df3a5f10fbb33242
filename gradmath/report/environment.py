"""What the reproducibility appendix says about the machine and the software: versions, CPU, BLAS."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

__all__ = ["PACKAGES", "versions", "machine", "blas"]

#: the packages whose versions the report lists
PACKAGES = ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "typst", "pooch", "threadpoolctl")


def versions() -> dict[str, str]:
    """``{package: version}``: Python, gradmath and :data:`PACKAGES` ("not installed" if missing)."""
    out = {"Python": platform.python_version()}
    import gradmath

    out["gradmath"] = getattr(gradmath, "__version__", "?")
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus() -> int:
    """The number of CPUs this process may use (its affinity on Linux)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def machine() -> dict[str, str]:
    """Operating system, CPU model and the number of CPUs this process may use."""
    usable = usable_cpus()
    return {
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "CPU": _cpu_model(),
        "CPUs available": str(usable),
        "Python build": sys.version.split("\n")[0],
    }


def blas() -> list[dict[str, str]]:
    """The BLAS/OpenMP libraries NumPy and SciPy loaded, as threadpoolctl sees them in this process."""
    try:
        import numpy  # noqa: F401  (threadpoolctl only sees libraries already loaded)
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    try:
        import scipy.linalg  # noqa: F401  (SciPy may bring a BLAS of its own: list it whether loaded yet or not)
    except ImportError:
        pass
    out = []
    for lib in threadpool_info():
        out.append(
            {
                "library": f"{lib.get('internal_api', '?')} {lib.get('version') or ''}".strip(),
                "kind": str(lib.get("user_api", "")),
                "threads": str(lib.get("num_threads", "")),
                "threading layer": str(lib.get("threading_layer", "") or "—"),
                "architecture": str(lib.get("architecture", "") or "—"),
            }
        )
    # threadpoolctl lists the libraries in the order the loader mapped them, which varies from run to
    # run: sorted, the description (and the kept document's key) is the same for the same machine
    return sorted(out, key=lambda d: tuple(d.values()))
