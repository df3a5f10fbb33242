"""Small SymPy nodes for display that SymPy lacks, and the book's factor order.

- :func:`ordered` builds a product whose factors keep the order given (eq. 121 reads
  σ′(z₁) w₂ σ′(z₂) w₃ ..., not SymPy's canonical w₂ w₃ ... σ′(z₁) ...). It is an ordinary ``Mul``
  built with ``evaluate=False``: it equals the evaluated product (``.doit()`` or ``sympy.simplify``
  give it back), and every gradmath printer prints its factors as given.
- :class:`Approx` is a relation ``lhs ≈ rhs`` for display (SymPy has none).
- :class:`PlusMinus` is ``a ± b``.

Examples
--------
>>> import sympy as sp
>>> from gradmath.activations import sigma_prime
>>> z1, w2 = sp.symbols("z1 w2")
>>> e = ordered(sigma_prime(z1), w2)
>>> e.args
(sigma_prime(z1), w2)
>>> sp.simplify(e - w2 * sigma_prime(z1))
0
"""

from __future__ import annotations

import sympy as sp

__all__ = ["ordered", "ordered_sum", "hand_ordered", "kept", "rebuilt_kept", "Approx", "PlusMinus"]


#: products and sums built by :func:`ordered` / :func:`ordered_sum`, by id (kept alive here, so an id is
#: never reused): their arguments print in the order given even where it happens to be SymPy's own
_KEEP_ORDER: dict[int, sp.Basic] = {}


def _keep(expr: sp.Basic) -> sp.Basic:
    _KEEP_ORDER[id(expr)] = expr
    return expr


def kept(expr) -> bool:
    """Whether ``expr`` was built by :func:`ordered` or :func:`ordered_sum` (its mark is this registry,
    which a pickle does not carry: :func:`rebuilt_kept` restores it)."""
    return _KEEP_ORDER.get(id(expr)) is expr


def rebuilt_kept(cls: type, *args) -> sp.Basic:
    """``cls`` rebuilt from ``args`` without evaluation, marked like :func:`ordered` (for unpickling)."""
    return _keep(sp.Basic.__new__(cls, *args))


def ordered(*factors) -> sp.Expr:
    """The product of ``factors`` in the order given (printed so; equal to the usual product)."""
    factors = [sp.sympify(f) for f in factors]
    if len(factors) == 1:
        return factors[0]
    return _keep(sp.Mul(*factors, evaluate=False))


def ordered_sum(*terms) -> sp.Expr:
    """The sum of ``terms`` in the order given (zero terms dropped)."""
    terms = [t for t in (sp.sympify(t) for t in terms) if t != 0]
    if not terms:
        return sp.S.Zero
    if len(terms) == 1:
        return terms[0]
    return _keep(sp.Add(*terms, evaluate=False))


def hand_ordered(expr) -> bool:
    """True for a ``Mul``/``Add`` to print in its arguments' order: built by :func:`ordered` or
    :func:`ordered_sum`, or built unevaluated in an order other than SymPy's canonical one."""
    if not isinstance(expr, (sp.Mul, sp.Add)):
        return False
    if kept(expr):
        return True
    try:
        canonical = expr.func(*expr.args)
    except Exception:  # pragma: no cover - defensive: printing must not fail here
        return False
    return canonical.func is not expr.func or tuple(canonical.args) != tuple(expr.args)


class Approx(sp.Basic):
    """``lhs ≈ rhs``, for display only (it has no truth value)."""

    def __new__(cls, lhs, rhs):
        return sp.Basic.__new__(cls, sp.sympify(lhs), sp.sympify(rhs))

    @property
    def lhs(self):
        return self.args[0]

    @property
    def rhs(self):
        return self.args[1]

    def _sympystr(self, printer) -> str:
        return f"{printer._print(self.lhs)} ≈ {printer._print(self.rhs)}"


class PlusMinus(sp.Basic):
    """``value ± error``, for display only."""

    def __new__(cls, value, error):
        return sp.Basic.__new__(cls, sp.sympify(value), sp.sympify(error))

    def _sympystr(self, printer) -> str:
        return f"{printer._print(self.args[0])} ± {printer._print(self.args[1])}"
