"""Pickling solutions without changing them: SymPy objects are rebuilt unevaluated.

SymPy pickles an expression as ``type(expr)(*expr.args)``, which *evaluates* on loading: the
unevaluated forms the solvers build for display (``Eq(σ′(0), 1/4, evaluate=False)``, the book's
factor order, ``Order`` terms of a Taylor step) come back as ``True``, reordered, or raise, and some
constructors do heavy work whatever the evaluate flag says (``Interval`` compares its ends: for
(4, 10^300] by expanding 10^300 as a polynomial, 7 s). The worker processes and the results cache both
move solutions through pickles, so they use :func:`dumps` and :func:`loads`, which never call a SymPy
constructor: a compound object is rebuilt with ``Basic.__new__`` from its args, and the instance state
its constructor set besides them (``Sum``'s ``is_commutative``, ``FiniteSet``'s argument set) is
restored with SymPy's own ``__setstate__``; a sum or product built in the book's order
(:func:`gradmath.notation.ordered`) keeps that mark. So ``loads(dumps(x))`` has the same structure
(``srepr``), prints and behaves as ``x``.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

__all__ = ["dumps", "loads"]

#: slots that are not state to carry: the hash (salted per process for strings) and what
#: ``Basic.__new__`` sets itself
_NOT_STATE = frozenset({"_mhash", "_args", "_assumptions"})


def _state(obj: Any) -> dict[str, Any] | None:
    """What ``obj``'s constructor set besides its args: its other slots and its ``__dict__``."""
    state = {name: getattr(obj, name) for klass in type(obj).__mro__ for name in klass.__dict__.get("__slots__", ())
             if name not in _NOT_STATE and hasattr(obj, name)}  # fmt: skip
    state.update(getattr(obj, "__dict__", None) or {})
    return state or None


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
        from ..printing.nodes import kept, rebuilt_kept

        new = rebuilt_kept if kept(obj) else sympy.Basic.__new__  # the book's order is a mark to carry
        return new, (type(obj), *obj.args), _state(obj)


def dumps(obj: Any) -> bytes:
    """``obj`` pickled, SymPy objects in a form :func:`loads` rebuilds unevaluated."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def loads(data: bytes) -> Any:
    """The object :func:`dumps` pickled."""
    return pickle.loads(data)
