"""The report's results as JSON.

``{"problems": [{id, title, source, passed, verdict, answer, findings, corrections, checks, params,
elapsed, cpu, cached}], "meta": {...}}``: ``elapsed`` is the solver's wall-clock time, ``cpu`` the CPU
seconds of the process that ran it (0 for a result from the cache).

Numbers stay numbers (NumPy scalars and arrays become floats and lists), integer dict keys become
strings, NaN and infinities become ``null``, and SymPy expressions become their ``str``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

__all__ = ["to_jsonable", "results_dict", "dumps"]


def to_jsonable(v: Any) -> Any:
    """A JSON-compatible copy of ``v``."""
    from gradmath.text import Text

    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, Text):
        return v.plain()
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.ndarray):
        return to_jsonable(v.tolist())
    if isinstance(v, dict):
        return {str(k): to_jsonable(val) for k, val in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [to_jsonable(x) for x in v]
    try:
        import sympy as sp

        if isinstance(v, sp.Basic):
            if v.is_Integer:
                return int(v)
            if v.is_Float:
                return to_jsonable(float(v))
            return str(v)
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def check_dict(c) -> dict:
    return {
        "claim": c.claim.plain(),
        "passed": bool(c.passed),
        "detail": c.detail.plain(),
        "methods": [m.plain() for m in c.methods],
        "verdict": None if c.verdict is None else c.verdict.value,
        "catches": c.catches.plain(),
        "agreement": to_jsonable(c.agreement),
        "tolerance": to_jsonable(c.tolerance),
        "book": to_jsonable(c.book),
        "computed": to_jsonable(c.computed),
    }


def results_dict(outcomes, meta: dict) -> dict:
    """The JSON document for a list of :class:`~gradmath.report.document.Outcome`."""
    problems = []
    for o in outcomes:
        sol = o.solution
        if sol is None:
            problems.append(
                {
                    "id": o.id,
                    "title": o.title or o.id,
                    "source": None,
                    "passed": False,
                    "answer": {},
                    "checks": [],
                    "error": o.error,
                    "elapsed": o.elapsed,
                }
            )
            continue
        problems.append(
            {
                "id": sol.id,
                "title": sol.title.plain(),
                "source": str(sol.source),
                "passed": bool(sol.passed),
                "verdict": sol.verdict.value,
                "answer": to_jsonable(dict(sol.answer)),
                "findings": [
                    {
                        "claim": f.claim.plain(),
                        "source_value": f.source_value.plain(),
                        "ours": f.ours.plain(),
                        "verdict": f.verdict.value,
                    }
                    for f in sol.findings
                ],  # fmt: skip
                "corrections": [
                    {
                        "source": str(c.source),
                        "quote": c.quote.plain(),
                        "holds": c.holds.plain(),
                        "evidence": c.evidence.plain(),
                    }
                    for c in sol.corrections
                ],
                "checks": [check_dict(c) for c in sol.checks],
                "params": to_jsonable(sol.params),
                "elapsed": o.elapsed,
                "cpu": o.cpu,
                "cached": o.cached,
            }
        )
    return {"problems": problems, "meta": to_jsonable(meta)}


def dumps(outcomes, meta: dict) -> str:
    return json.dumps(results_dict(outcomes, meta), indent=1, allow_nan=False) + "\n"
