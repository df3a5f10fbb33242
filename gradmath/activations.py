"""Activation functions, numeric (stable, vectorised) and symbolic (SymPy), in one place.

Numeric: ``sigmoid`` is :func:`scipy.special.expit` (no overflow for large |z|), and
``sigmoid_prime(z) = sigma(z) (1 - sigma(z))`` (ch. 5, the derivative whose maximum is 1/4).
Each activation has its derivative, and :data:`ACTIVATIONS` maps the names the network accepts
("sigmoid", "tanh", "relu", "leaky_relu") to ``(f, f_prime)`` pairs.

Symbolic: :class:`sigma` and :class:`sigma_prime` are SymPy functions, so that a derivative such
as eq. 121 stays a readable product of ``sigma_prime(z_j)`` factors rather than a tangle of
exponentials; ``expr.rewrite(sympy.exp)`` expands them, and :func:`lambdify_sigma` evaluates them
numerically with the stable forms above.

Examples
--------
>>> float(sigmoid_prime(0.0))
0.25
>>> sympy.diff(sigma(z), z)
sigma_prime(z)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy
from scipy.special import expit

__all__ = [
    "sigmoid",
    "sigmoid_prime",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
    "leaky_relu",
    "leaky_relu_prime",
    "LEAKY_SLOPE",
    "ACTIVATIONS",
    "get_activation",
    "sigma",
    "sigma_prime",
    "z",
    "lambdify_sigma",
]

LEAKY_SLOPE = 0.01


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^{-z}) (ch. 1, eq. 3), computed stably by ``scipy.special.expit``."""
    return expit(z)


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)); at most 1/4, attained at z = 0 (ch. 5, sec. 5.2)."""
    s = expit(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z) = 2 sigma(2z) - 1."""
    return np.tanh(z)


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2; at most 1, attained at z = 0."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """max(0, z)."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """1 for z > 0, else 0 (the subgradient 0 is used at z = 0)."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z, slope: float = LEAKY_SLOPE):
    """z for z > 0, else ``slope * z``."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, slope * z)


def leaky_relu_prime(z, slope: float = LEAKY_SLOPE):
    """1 for z > 0, else ``slope``."""
    return np.where(np.asarray(z) > 0, 1.0, slope)


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
}


def get_activation(name: str) -> tuple[Callable, Callable]:
    """The ``(f, f_prime)`` pair named ``name``; ValueError listing the options otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        options = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {options}") from None


# --- symbolic ----------------------------------------------------------------------------------

z = sympy.Symbol("z", real=True)


class sigma(sympy.Function):
    """The logistic function as a SymPy function: sigma(x) = 1 / (1 + exp(-x))."""

    def fdiff(self, argindex=1):
        return sigma_prime(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sympy.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sympy.exp(-arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None


class sigma_prime(sympy.Function):
    """sigma'(x) = sigma(x) (1 - sigma(x)) as a SymPy function, printed as sigma'."""

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sigma_prime(x) * (1 - 2 * sigma(x))

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sympy.Rational(1, 4)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return sympy.exp(-arg) / (1 + sympy.exp(-arg)) ** 2

    def _eval_rewrite_as_sigma(self, arg, **kwargs):
        return sigma(arg) * (1 - sigma(arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None


def lambdify_sigma(args, expr) -> Callable:
    """``sympy.lambdify`` that evaluates :class:`sigma` and :class:`sigma_prime` with the stable forms."""
    return sympy.lambdify(args, expr, modules=[{"sigma": sigmoid, "sigma_prime": sigmoid_prime}, "numpy"])
