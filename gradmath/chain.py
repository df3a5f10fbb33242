"""The chain of single neurons (ch. 5, sec. 5.1, eq. 114-122): its gradient, symbolic and numeric.

The chain: an input activation ``a_0``; for ``j = 1..n`` the weighted input
``z_j = w_j a_{j-1} + b_j`` and the activation ``a_j = sigma(z_j)``; a cost ``C(a_n)``.

Symbolic (eq. 121/122): :func:`chain_gradient` runs the chain rule *backwards over the chain's
graph* (reverse mode), one local factor per edge::

    dC/db_n = sigma'(z_n) dC/da_n,        dC/db_j = sigma'(z_j) w_{j+1} dC/db_{j+1},
    dC/dw_j = a_{j-1} dC/db_j,

so ``dC/db_1 = sigma'(z_1) w_2 sigma'(z_2) ... w_n sigma'(z_n) dC/da_n`` is a product of
``2n`` factors: its size grows linearly with the depth ``n``. SymPy's own ``diff`` of the nested
expression ``C(sigma(w_n sigma(... sigma(w_1 a_0 + b_1) ...) + b_n))`` is the independent oracle
(:func:`nested_diff`; at the default recursion limit it fails from depth ~40 on).

For display, :meth:`ChainGradient.book_form` keeps the book's factor order (eq. 121/122 read
``sigma'(z_1) w_2 sigma'(z_2) ...``; SymPy's canonical ``Mul`` sorts the factors its own way) and
:meth:`ChainGradient.product_form` writes a deep chain as ``sigma'(z_1) prod_j w_j sigma'(z_j) dC/da_n``.

Numeric: :func:`forward` evaluates the chain in float64 (stable sigma), :func:`forward_exact` in
exact arithmetic (SymPy; ``sigma(0) = 1/2`` exactly), :func:`backward_log` gives ``log|dC/db_j|``
and its sign as sums of logs (a product of 1000 factors under- or overflows a float; its logarithm
does not), :func:`log_abs_eval` evaluates a symbolic product the same way, and
:func:`random_parameters` draws the N(0, 1) chains the solvers check against. The independent
numeric oracle, central differences of the actual chain in mpmath, is :mod:`gradmath.chain_fd`.

Examples
--------
>>> g = chain_gradient(4)
>>> g.gradient
dC/da_4*w2*w3*w4*sigma_prime(z1)*sigma_prime(z2)*sigma_prime(z3)*sigma_prime(z4)
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from .activations import sigma, sigma_prime, sigmoid
from .printing.nodes import ordered

__all__ = [
    "check_depth",
    "ChainGradient",
    "chain_gradient",
    "nested_chain",
    "nested_diff",
    "ChainParams",
    "random_parameters",
    "ChainForward",
    "forward",
    "ExactForward",
    "forward_exact",
    "log_sigmoid_prime",
    "ChainBackward",
    "backward_log",
    "log_abs_eval",
    "as_params",
]


def check_depth(depth, name: str = "depth") -> int:
    """Validate a chain depth: an int (not bool) ``>= 1``; TypeError / ValueError otherwise."""
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1, got {depth!r} of type {type(depth).__name__}")
    if depth < 1:
        raise ValueError(f"{name} must be an int >= 1, got {depth}")
    return int(depth)


# --- symbolic ----------------------------------------------------------------------------------


class _Lazy(Mapping):
    """``{j: item}`` for ``j = 1..n``, each item built on first access (and cached).

    Every ``dC/db_j`` has linear size; building all ``n`` at once would cost O(n^2), so the
    mapping builds only what is asked for. ``kind``: "b" (dC/db_j), "w" (dC/dw_j) or "recursion"
    (the reverse-mode step for b_j).
    """

    _NAMES = {"b": "dC/db_j", "w": "dC/dw_j", "recursion": "dC/db_j = sigma'(z_j) w_(j+1) dC/db_(j+1)"}

    def __init__(self, owner: ChainGradient, kind: str) -> None:
        self._owner = owner
        self._kind = kind
        self._cache: dict[int, sympy.Expr] = {}

    def __getitem__(self, j: int) -> sympy.Expr:
        if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 1 <= j <= self._owner.depth:
            raise KeyError(j)
        if j not in self._cache:
            g = self._owner
            if self._kind == "b":
                self._cache[j] = g.gradient if j == 1 else sympy.Mul(*g.bias_factors(j))
            elif self._kind == "w":  # a_{j-1} dC/db_j; Mul keeps the long product's sorted order
                self._cache[j] = sympy.Mul(g.a(j - 1), g.bias_gradients[j])
            else:
                self._cache[j] = g.recursion_step(j)
        return self._cache[j]

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, self._owner.depth + 1))

    def __len__(self) -> int:
        return self._owner.depth

    def __repr__(self) -> str:
        return f"<{self._NAMES[self._kind]} for j = 1..{self._owner.depth}, built on access>"


@dataclass(repr=False)
class ChainGradient:
    """The symbolic gradients of a chain of ``depth`` single neurons (eq. 114-122).

    Attributes
    ----------
    depth : int
    z, w : tuple of Symbol
        ``z1..zn`` and ``w1..wn`` (real).
    dC_da : Symbol
        ``dC/da_n``, the cost's derivative at the output.
    gradient : sympy.Expr
        ``dC/db_1`` as the flat product of eq. 121/122.
    bias_gradients, weight_gradients : Mapping
        ``{j: dC/db_j}`` and ``{j: dC/dw_j = a_{j-1} dC/db_j}``, built on access.
    recursion : Mapping
        ``{j: Eq(dC/db_j, sigma'(z_j) w_{j+1} dC/db_{j+1})}`` (``j = n``: ``sigma'(z_n) dC/da_n``).
    """

    depth: int
    z: tuple
    w: tuple
    dC_da: sympy.Symbol
    gradient: sympy.Expr = None
    bias_gradients: Mapping = field(default=None)
    weight_gradients: Mapping = field(default=None)
    recursion: Mapping = field(default=None)

    def a(self, j: int) -> sympy.Symbol:
        """The activation symbol ``a_j`` (``a_0`` is the input)."""
        return sympy.Symbol(f"a_{j}", real=True)

    def b(self, j: int) -> sympy.Symbol:
        """The bias symbol ``b_j``."""
        return sympy.Symbol(f"b_{j}", real=True)

    def bias_factors(self, j: int) -> list:
        """The factors of ``dC/db_j``, in the book's order: sigma'(z_j), w_{j+1}, ..., dC/da_n."""
        out = []
        for k in range(j, self.depth + 1):
            if k > j:
                out.append(self.w[k - 1])
            out.append(sigma_prime(self.z[k - 1]))
        out.append(self.dC_da)
        return out

    def book_form(self, j: int = 1) -> sympy.Expr:
        """``dC/db_j`` with its factors in the book's order (eq. 121/122), for display.

        An unevaluated product (:func:`~gradmath.printing.nodes.ordered`): it prints
        ``sigma'(z_j) w_{j+1} sigma'(z_{j+1}) ... dC/da_n`` and equals :attr:`bias_gradients` ``[j]``.
        """
        return ordered(*self.bias_factors(j))

    def product_form(self) -> sympy.Expr:
        """``dC/db_1 = sigma'(z_1) prod_{j=2..n} w_j sigma'(z_j) dC/da_n`` (eq. 121) as an unevaluated
        product over ``j``, in the book's order: the display for a chain too deep to write out."""
        j = sympy.Symbol("j", integer=True, positive=True)
        factor = ordered(sympy.Symbol("w_j", real=True), sigma_prime(sympy.Symbol("z_j", real=True)))
        inner = sympy.Product(factor, (j, 2, self.depth))
        return ordered(sigma_prime(self.z[0]), inner, self.dC_da)

    def recursion_step(self, j: int) -> sympy.Eq:
        """eq. BP for the chain: dC/db_j = sigma'(z_j) w_{j+1} dC/db_{j+1} (book order, unevaluated)."""
        lhs = sympy.Symbol(f"dC/db_{j}", real=True)
        if j == self.depth:
            rhs = sympy.Mul(sigma_prime(self.z[j - 1]), self.dC_da, evaluate=False)
        else:
            nxt = sympy.Symbol(f"dC/db_{j + 1}", real=True)
            rhs = sympy.Mul(sigma_prime(self.z[j - 1]), self.w[j], nxt, evaluate=False)
        return sympy.Eq(lhs, rhs, evaluate=False)

    def __repr__(self) -> str:
        return f"ChainGradient(depth={self.depth}, gradient has {len(self.gradient.args)} factors)"


def chain_gradient(depth: int = 4) -> ChainGradient:
    """dC/db_j and dC/dw_j of a chain of ``depth`` sigmoid neurons by reverse-mode chain rule.

    Implements eq. 114-122: walking the chain's graph from the cost back to ``b_1``, each neuron
    contributes ``da_j/dz_j = sigma'(z_j)`` and each edge ``dz_{j+1}/da_j = w_{j+1}``; the weight
    gradient is ``dC/dw_j = (dz_j/dw_j) dC/db_j = a_{j-1} dC/db_j``. The work and the size of
    ``dC/db_1`` are linear in ``depth``.

    Parameters
    ----------
    depth : int
        Number of neurons n >= 1.

    Returns
    -------
    ChainGradient

    Examples
    --------
    >>> chain_gradient(2).gradient
    dC/da_2*w2*sigma_prime(z1)*sigma_prime(z2)
    """
    n = check_depth(depth)
    z = sympy.symbols(f"z1:{n + 1}", real=True)
    w = sympy.symbols(f"w1:{n + 1}", real=True)
    dC_da = sympy.Symbol(f"dC/da_{n}", real=True)
    # Reverse mode from the cost back to b_1: delta_n = sigma'(z_n) dC/da_n, then each step back
    # multiplies by the edge factor w_{j+1} and the node factor sigma'(z_j).
    factors = [dC_da, sigma_prime(z[n - 1])]
    for j in range(n - 1, 0, -1):
        factors += [w[j], sigma_prime(z[j - 1])]
    g = ChainGradient(depth=n, z=z, w=w, dC_da=dC_da)
    g.gradient = sympy.Mul(*factors)
    g.bias_gradients = _Lazy(g, "b")
    g.weight_gradients = _Lazy(g, "w")
    g.recursion = _Lazy(g, "recursion")
    return g


def nested_chain(depth: int):
    """The chain written out as one nested SymPy expression (the oracle's input).

    Returns ``(C(a_n), Z)`` where ``Z[j-1]`` is ``z_j`` as a nested expression in
    ``w1..wn``, ``b_1..b_n`` and ``a_0`` (same symbols as :func:`chain_gradient`), and ``C`` is an
    undefined SymPy function.
    """
    n = check_depth(depth)
    act = sympy.Symbol("a_0", real=True)
    Z = []
    for j in range(1, n + 1):
        zj = sympy.Symbol(f"w{j}", real=True) * act + sympy.Symbol(f"b_{j}", real=True)
        Z.append(zj)
        act = sigma(zj)
    C = sympy.Function("C")
    return C(act), Z


def nested_diff(depth: int, wrt: str = "b", j: int = 1) -> sympy.Expr:
    """SymPy's own derivative of the nested chain, rewritten in the symbols of eq. 122.

    Differentiates ``C(a_n(...))`` with ``sympy.diff`` with respect to ``b_j`` (``wrt="b"``) or
    ``w_j`` (``wrt="w"``), then names the subexpressions: each nested ``z_k`` becomes ``z_k``,
    each nested ``sigma(z_k)`` becomes ``a_k``, and ``C'`` at the output becomes ``dC/da_n``.
    Recursion-limited: SymPy fails at depth ~50 (RecursionError).
    """
    n = check_depth(depth)
    cost, Z = nested_chain(n)
    if wrt not in ("b", "w"):
        raise ValueError(f"wrt must be 'b' or 'w', got {wrt!r}")
    var = sympy.Symbol(f"{wrt}_{j}", real=True) if wrt == "b" else sympy.Symbol(f"w{j}", real=True)
    d = sympy.diff(cost, var)
    names = {}
    for k, zk in enumerate(Z, 1):
        names[zk] = sympy.Symbol(f"z{k}", real=True)
        names[sigma(zk)] = sympy.Symbol(f"a_{k}", real=True)
    dC_da = sympy.Symbol(f"dC/da_{n}", real=True)
    d = d.replace(lambda e: isinstance(e, (sympy.Subs, sympy.Derivative)), lambda e: dC_da)
    return d.xreplace(names)


# --- numeric -----------------------------------------------------------------------------------


def as_params(w, b, a0) -> tuple[np.ndarray, np.ndarray, float]:
    """Validate a chain's parameters ``w``, ``b`` (1-d, same length >= 1) and ``a0`` (all finite); return
    them as floats. ValueError otherwise."""
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    if w.ndim != 1 or b.shape != w.shape or w.size == 0:
        raise ValueError(f"w and b must be 1-d arrays of the same length >= 1, got {w.shape}, {b.shape}")
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b)) and math.isfinite(float(a0))):
        raise ValueError("w, b and a0 must be finite")
    return w, b, float(a0)


@dataclass(frozen=True)
class ChainParams:
    """A chain's parameters: ``w[j-1] = w_j``, ``b[j-1] = b_j`` and the input activation ``a0``."""

    w: np.ndarray
    b: np.ndarray
    a0: float


def random_parameters(depth: int, seed: int) -> ChainParams:
    """A chain with weights and biases from N(0, 1) (the book's initialisation), ``a_0 ~ U(0.1, 0.9)``.

    Drawn from ``np.random.default_rng(seed)`` in this order: the n weights, the n biases, a_0.
    """
    n = check_depth(depth)
    rng = np.random.default_rng(seed)
    return ChainParams(rng.standard_normal(n), rng.standard_normal(n), float(rng.uniform(0.1, 0.9)))


def log_sigmoid_prime(z):
    """log sigma'(z) = -log(1 + e^-z) - log(1 + e^z), stable for any float z."""
    z = np.asarray(z, dtype=float)
    return -(np.logaddexp(0.0, z) + np.logaddexp(0.0, -z))


@dataclass
class ChainForward:
    """A forward pass: ``z[j-1] = z_j`` and ``a[j] = a_j`` (``a[0] = a_0``)."""

    w: np.ndarray
    b: np.ndarray
    z: np.ndarray
    a: np.ndarray


def forward(w: Sequence[float], b: Sequence[float], a0: float) -> ChainForward:
    """Run the chain z_j = w_j a_{j-1} + b_j, a_j = sigma(z_j) in float64."""
    w, b, a0 = as_params(w, b, a0)
    n = w.size
    z = np.empty(n)
    a = np.empty(n + 1)
    a[0] = a0
    for j in range(n):
        z[j] = w[j] * a[j] + b[j]
        a[j + 1] = sigmoid(z[j])
    return ChainForward(w=w, b=b, z=z, a=a)


@dataclass(frozen=True)
class ExactForward:
    """A forward pass in exact arithmetic: ``z[j-1] = z_j`` and ``a[j] = a_j`` as SymPy numbers."""

    z: tuple
    a: tuple


def _exact(x) -> sympy.Expr:
    """``x`` as an exact SymPy number: a float at its exact binary value, ints and fractions as given."""
    return sympy.Rational(float(x)) if isinstance(x, (float, np.floating)) else sympy.sympify(x)


def forward_exact(w: Sequence, b: Sequence, a0) -> ExactForward:
    """Run the chain z_j = w_j a_{j-1} + b_j, a_j = 1/(1 + e^{-z_j}) in exact arithmetic (SymPy).

    Floats are taken at their exact binary value; ints, fractions and SymPy rationals as given.
    sigma is written out as ``1/(1 + exp(-z))``, so ``a_j`` is exact: 1/2 where ``z_j = 0``, a closed
    form in ``exp`` otherwise (``sympy.N`` evaluates it to any precision).
    """
    as_params(w, b, a0)
    act = _exact(a0)
    z, a = [], [act]
    for wj, bj in zip(w, b, strict=True):
        zj = _exact(wj) * act + _exact(bj)
        act = 1 / (1 + sympy.exp(-zj))
        z.append(zj)
        a.append(act)
    return ExactForward(z=tuple(z), a=tuple(a))


@dataclass
class ChainBackward:
    """Gradients in log space: ``dC/db_j = sign_b[j-1] * exp(log_abs_b[j-1])``, likewise for w."""

    log_abs_b: np.ndarray
    sign_b: np.ndarray
    log_abs_w: np.ndarray
    sign_w: np.ndarray


def backward_log(fw: ChainForward, dC_da: float) -> ChainBackward:
    """log|dC/db_j|, log|dC/dw_j| and signs by the backward recursion of eq. 121, as sums of logs.

    ``log|dC/db_j| = log|dC/da_n| + sum_{k>=j} log sigma'(z_k) + sum_{k>j} log|w_k|`` and
    ``log|dC/dw_j| = log|a_{j-1}| + log|dC/db_j|``. Zero factors give ``-inf`` with sign 0.
    """
    n = fw.w.size
    with np.errstate(divide="ignore"):
        lsp = log_sigmoid_prime(fw.z)
        lw = np.log(np.abs(fw.w))
        la = np.log(np.abs(fw.a[:-1]))
    log_b = np.empty(n)
    sign_b = np.empty(n)
    acc = math.log(abs(dC_da)) if dC_da != 0 else -math.inf
    sgn = float(np.sign(dC_da))
    for j in range(n - 1, -1, -1):
        if j < n - 1:
            acc += lw[j + 1]
            sgn *= np.sign(fw.w[j + 1])
        acc += lsp[j]
        log_b[j] = acc
        sign_b[j] = sgn
    return ChainBackward(
        log_abs_b=log_b,
        sign_b=sign_b,
        log_abs_w=log_b + la,
        sign_w=sign_b * np.sign(fw.a[:-1]),
    )


def log_abs_eval(expr: sympy.Expr, fw: ChainForward, dC_da: float) -> tuple[float, float]:
    """Evaluate a symbolic product such as :attr:`ChainGradient.gradient` in log space.

    Each factor of ``expr`` (``sigma_prime(z_k)``, ``w_k``, ``a_k``, ``dC/da_n``, a number, or an
    integer power of one of these) is replaced by the log of its absolute value at the forward pass
    ``fw``; the logs are summed exactly (``math.fsum``). Returns ``(log|expr|, sign)``.
    """
    logs, sign = [], 1.0
    for f in sympy.Mul.make_args(expr):
        base, power = f.as_base_exp()
        if not power.is_Integer:  # sqrt(2) is one number; sqrt(w1) is refused by _log_factor
            base, power = f, sympy.Integer(1)
        log_f, sign_f = _log_factor(base, fw, dC_da)
        logs.append(int(power) * log_f)
        sign *= sign_f ** int(power)
    return math.fsum(logs), sign


#: the names of the chain's quantities: z_k (inside sigma'), w_k, a_k
_NAME = re.compile(r"(z|w|a_)(\d+)")


def _log_factor(f: sympy.Expr, fw: ChainForward, dC_da: float) -> tuple[float, float]:
    """(log|f|, sign of f) for one factor of a chain gradient at the forward pass ``fw``."""
    m = _NAME.fullmatch(str(f.args[0] if isinstance(f, sigma_prime) else f))
    kind = m[1] if m else None
    if isinstance(f, sigma_prime) and kind == "z":
        return float(log_sigmoid_prime(fw.z[int(m[2]) - 1])), 1.0
    if f.is_number:
        value = float(f)
    elif f == sympy.Symbol(f"dC/da_{fw.w.size}", real=True):
        value = dC_da
    elif isinstance(f, sympy.Symbol) and kind == "w":
        value = fw.w[int(m[2]) - 1]
    elif isinstance(f, sympy.Symbol) and kind == "a_":
        value = fw.a[int(m[2])]
    else:
        raise ValueError(f"cannot evaluate factor {f} of a chain gradient")
    if value == 0:
        return -math.inf, 0.0
    return math.log(abs(value)), math.copysign(1.0, value)
