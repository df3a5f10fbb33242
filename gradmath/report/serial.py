"""Pickling solutions without changing them: SymPy objects are rebuilt unevaluated.

SymPy pickles an expression as ``type(expr)(*expr.args)``, which *evaluates* on loading: the
unevaluated forms the solvers build for display (``Eq(σ′(0), 1/4, evaluate=False)``, the book's
factor order, ``Order`` terms of a Taylor step) come back as ``True``, reordered, or raise. The
worker processes and the results cache both move solutions through pickles, so they use
:func:`dumps` and :func:`loads`, which rebuild every compound SymPy object under
``sympy.evaluate(False)`` (and, for a class that evaluates regardless, with ``Basic.__new__``), so
that ``loads(dumps(x))`` has the same structure (``srepr``) as ``x``.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

__all__ = ["dumps", "loads"]


def _rebuild(cls: type, args: tuple) -> Any:
    """``cls(*args)`` without evaluation."""
    import sympy

    # whatever the evaluate flag says, Order computes its leading term and Interval compares its ends
    # (for (4, 10^300] by expanding 10^300 as a polynomial: 7 s)
    if issubclass(cls, (sympy.Order, sympy.Interval)):
        return sympy.Basic.__new__(cls, *args)
    with sympy.evaluate(False):
        try:
            obj = cls(*args)
        except Exception:
            obj = None
    if obj is None or type(obj) is not cls or obj.args != args:
        obj = sympy.Basic.__new__(cls, *args)
    return obj


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        import sys

        sympy = sys.modules.get("sympy")
        if sympy is None or isinstance(obj, type) or not isinstance(obj, sympy.Basic):
            return NotImplemented
        if obj.is_Atom or isinstance(obj, sympy.MatrixBase) or not obj.args:
            return NotImplemented
        if isinstance(obj, sympy.core.operations.LatticeOp):  # Max/Min keep their own argument set
            return NotImplemented
        return _rebuild, (type(obj), tuple(obj.args))


def dumps(obj: Any) -> bytes:
    """``obj`` pickled, SymPy objects in a form :func:`loads` rebuilds unevaluated."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def loads(data: bytes) -> Any:
    """The object :func:`dumps` pickled."""
    return pickle.loads(data)
