"""Shared plumbing for solvers: timing and parameter capture, check helpers."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable

from ..solutions import Check, Solution


def solver(fn: Callable[..., Solution]) -> Callable[..., Solution]:
    """Decorate a solver: record its bound parameters and its run time on the Solution."""
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs) -> Solution:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        t0 = time.perf_counter()
        sol = fn(*bound.args, **bound.kwargs)
        sol.elapsed = time.perf_counter() - t0
        sol.params = dict(bound.arguments)
        return sol

    return wrapper


def close_check(
    claim: str,
    a: float,
    b: float,
    methods: tuple[str, str],
    *,
    rtol: float = 1e-9,
    atol: float = 0.0,
    book=None,
    computed=None,
) -> Check:
    """A Check that two numbers from two methods agree: |a - b| <= atol + rtol |b|."""
    a, b = float(a), float(b)
    diff = abs(a - b)
    allowed = atol + rtol * abs(b)
    rel = diff / abs(b) if b != 0 else diff
    return Check(
        claim=claim,
        passed=diff <= allowed,
        detail=f"{methods[0]}: {a:.15g}; {methods[1]}: {b:.15g}; |diff| = {diff:.3g} (relative {rel:.3g})",
        methods=methods,
        agreement=diff,
        tolerance=allowed,
        book=book,
        computed=a if computed is None else computed,
    )
