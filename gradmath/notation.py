"""The book's symbols and expressions as SymPy objects that print the way the book writes them.

SymPy puts terms in its own order (``a*w + b``) and evaluates what it can (``σ′(0)`` becomes ``1/4``,
``|w σ′(z)|`` becomes ``|w| σ′(z)``). For *display* the solvers want the book's forms, so this module
builds them unevaluated with :func:`~gradmath.printing.nodes.ordered`; each is equal to its evaluated
form (``sympy.simplify(shown - value) == 0``).

Examples
--------
>>> from gradmath.printing.unicode import unicode_math
>>> unicode_math(factor())
'|w σ′(wa + b)|'
>>> unicode_math(at(sigma_prime, 0))
'σ′(0)'
"""

from __future__ import annotations

import sympy

from .activations import sigma, sigma_prime
from .printing.nodes import Approx, PlusMinus, ordered, ordered_sum

__all__ = [
    "w", "a", "b", "z", "x", "abs_w", "weighted_input", "factor", "at", "approx", "pm",
    "ordered", "ordered_sum", "sigma", "sigma_prime", "P", "E", "Var", "Phi",
]  # fmt: skip

w, a, b, z, x = sympy.symbols("w a b z x", real=True)
#: |w| as a positive symbol: the variable of eq. 123
abs_w = sympy.Symbol("|w|", positive=True)


class P(sympy.Function):
    """``P(event)``: a probability, for display (``P(|w| < 1)``)."""


class E(sympy.Function):
    """``E(x)``: an expectation, for display (``E(ln|w|)``)."""


class Var(sympy.Function):
    """``Var(x)``: a variance, for display."""


class Phi(sympy.Function):
    """``Φ(x)``: the standard normal distribution function, for display."""


def weighted_input(w_=w, a_=a, b_=b) -> sympy.Expr:
    """``w a + b`` in the book's order."""
    return ordered_sum(ordered(w_, a_), b_)


def factor(w_=w, a_=a, b_=b) -> sympy.Expr:
    """``|w σ′(wa + b)|``, the factor of Problem 1, unevaluated."""
    return sympy.Abs(ordered(w_, sigma_prime(weighted_input(w_, a_, b_))), evaluate=False)


def at(func, *args) -> sympy.Expr:
    """``func(args)`` left unevaluated (``σ′(0)`` stays ``σ′(0)``)."""
    return func(*args, evaluate=False)


def approx(lhs, rhs) -> Approx:
    """``lhs ≈ rhs``, for display."""
    return Approx(lhs, rhs)


def pm(value, error) -> PlusMinus:
    """``value ± error``, for display."""
    return PlusMinus(value, error)
