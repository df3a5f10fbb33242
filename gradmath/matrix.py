r"""Section 5.2, eq. 124: the gradient of a deep network as a literal product of matrices.

With the input as layer 0 (``a⁰ = x``, so that layer 1 is the first hidden layer, as ``b₁`` is the
first hidden neuron of section 5.1's chain) and ``L`` weight layers, backpropagation (BP1, BP2) unrolls to

    δˡ = Σ′(zˡ) (wˡ⁺¹)ᵀ Σ′(zˡ⁺¹) (wˡ⁺²)ᵀ ⋯ (wᴸ)ᵀ Σ′(zᴸ) ∇ₐC                                   (124)

where ``Σ′(zʲ) = diag(σ′(zʲ))``. Grouped in pairs, ``δʲ⁻¹ = G_j δʲ`` with ``G_j = Σ′(zʲ⁻¹) (wʲ)ᵀ``.

:func:`matrix_form_gradient` evaluates eq. 124 *literally*, as dense diagonal and transposed weight
matrices multiplied together from the right. The product shrinks geometrically with depth (by about
0.2 per layer for the book's initialisation, so 10⁻³⁰⁰ after some 400 layers), so every partial product
is kept as a mantissa and a binary exponent, ``M = mantissa · 2^exponent``: rescaling by a power of two
is exact in binary floating point, so nothing is rounded that the plain product would not round, and
nothing underflows at any depth. :func:`gradient_statistics` collects the norms over many examples (in
log space), :func:`precise_difference` compares δ¹ with central differences of the cost in mpmath,
:func:`symbolic_residual` derives ∂C/∂b¹ with SymPy for a small network and subtracts eq. 124, and
:func:`eq124` / :func:`eq124_unrolled` are the equation as SymPy matrix expressions in the book's order.

Examples
--------
>>> import numpy as np
>>> w = [np.array([[0.5]]), np.array([[2.0]])]
>>> b = [np.zeros(1), np.zeros(1)]
>>> mg = matrix_form_gradient(w, b, [1.0], [1.0])
>>> round(float(mg.deltas[0][0]), 12)  # σ′(z¹) w² σ′(z²) (a² − y)
-0.018241922292
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy
from scipy.special import expit

from . import validate
from .activations import sigma, sigma_prime
from .oracles import precise_directional_derivative

__all__ = [
    "COSTS",
    "COMPARABLE",
    "MatrixGradient",
    "matrix_form_gradient",
    "GradientStatistics",
    "gradient_statistics",
    "PreciseDifference",
    "precise_difference",
    "rounding_bound",
    "ROUNDING_MARGIN",
    "SymbolicEq124",
    "symbolic_residual",
    "eq124",
    "eq124_unrolled",
]

#: the costs whose gradient ∇ₐC the matrix form knows
COSTS = ("quadratic", "cross_entropy")

#: the smallest largest entry at which a float64 vector still carries full relative precision: below it
#: (10⁻²⁹⁰, a margin of 10¹⁸ over the smallest normal float) a plain float64 computation of δ has lost
#: digits to underflow and cannot serve as a reference
COMPARABLE = 1e-290


def _sigma_prime(z: np.ndarray) -> np.ndarray:
    """σ′(z) = σ(z) σ(−z): no cancellation, so its relative error stays at an ulp for every z."""
    return expit(z) * expit(-z)


def _normalise(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each ``m[k]`` (a stack over examples) as ``mantissa · 2**e[k]``, the largest entry of the mantissa
    in [1/2, 1). Exact: a power-of-two scaling rounds nothing (a zero matrix keeps ``e = 0``)."""
    peak = np.max(np.abs(m), axis=tuple(range(1, m.ndim)))
    e = np.frexp(peak)[1]
    return np.ldexp(m, -e.reshape((-1,) + (1,) * (m.ndim - 1))), e


def _log_norm(mantissa: np.ndarray, exponent, order=None) -> float:
    """``ln ‖mantissa · 2**exponent‖`` without forming the product (which may under- or overflow)."""
    return np.log(np.linalg.norm(mantissa, order)) + int(exponent) * math.log(2.0)


def _check_layers(weights, biases, n_in: int) -> list[np.ndarray]:
    """The weights as float arrays, their shapes checked against the biases and the layer below."""
    if len(weights) != len(biases) or len(weights) < 1:
        raise ValueError(f"weights and biases must be equally long lists (>= 1 layer), got {len(weights)} "
                         f"weight matrices and {len(biases)} bias vectors")  # fmt: skip
    ws = []
    for l, (w, b) in enumerate(zip(weights, biases, strict=True), start=1):
        w = np.atleast_2d(np.asarray(w, dtype=float))
        n_out = np.asarray(b).size
        if w.shape != (n_out, n_in):
            raise ValueError(f"layer {l}: w must have shape ({n_out}, {n_in}) (b has {n_out} entries, the "
                             f"layer below {n_in}), got {w.shape}")  # fmt: skip
        ws.append(w)
        n_in = n_out
    return ws


def _forward(ws, biases, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The weighted inputs ``zˡ`` (one row per example) and the output activations, sigmoid throughout."""
    a, zs = X, []
    for w, b in zip(ws, biases, strict=True):
        zs.append(a @ w.T + np.asarray(b, dtype=float).ravel())
        a = expit(zs[-1])
    return zs, a


def _output_error(a: np.ndarray, y: np.ndarray, s_out: np.ndarray, cost: str) -> np.ndarray:
    """``∇ₐC``: ``a − y`` (quadratic) or ``(a − y) / (a (1 − a))`` (cross-entropy), with
    ``a (1 − a) = σ′(zᴸ)`` given as ``s_out`` (accurate where ``a`` saturates)."""
    return a - y if cost == "quadratic" else (a - y) / s_out


def _pair(sigma_prime_diag: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``G_j = Σ′(zʲ⁻¹) (wʲ)ᵀ``: the dense diagonal matrices (a stack) times the transposed weights."""
    return sigma_prime_diag @ w.T


def _backward_step(g: np.ndarray, m: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``G_j (mantissa · 2**e)`` as a new (mantissa, exponent): one more factor of eq. 124."""
    m2, de = _normalise(g @ m)
    return m2, e + de


def _eq124(weights, biases, X, Y, cost: str):
    """Eq. 124 for a stack of examples, from the output back: yields, for ``l = L, L-1, ..., 1``,
    ``(l, Σ′(zˡ), G_{l+1} or None, mantissa of M_l, exponents of M_l, ∇ₐC)``, each a stack over examples."""
    validate.choice(cost, "cost", COSTS)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    ws = _check_layers(weights, biases, X.shape[1])
    if Y.shape != (X.shape[0], ws[-1].shape[0]):
        raise ValueError(f"y must have {ws[-1].shape[0]} entries (the output layer) per example, got shape "
                         f"{Y.shape} for {X.shape[0]} examples")  # fmt: skip
    zs, a = _forward(ws, biases, X)
    sps = [_sigma_prime(z) for z in zs]
    for l, s in enumerate(sps, start=1):
        if np.any(s == 0.0):
            raise ValueError(f"σ′(z) underflows to 0 in layer {l} (|z| up to {np.abs(zs[l - 1]).max():.4g} > 745): "
                             "eq. 124 cannot be evaluated in float64 for these weights")  # fmt: skip
    grad = _output_error(a, Y, sps[-1], cost)
    S = sps[-1][:, :, None] * np.eye(sps[-1].shape[1])  # Σ′(zᴸ) as dense diagonal matrices
    m, e = _normalise(S)
    yield len(ws), S, None, m, e, grad
    for j in range(len(ws), 1, -1):  # prepend the pair G_j: M_{j-1} = G_j M_j
        S = sps[j - 2][:, :, None] * np.eye(sps[j - 2].shape[1])
        g = _pair(S, ws[j - 1])
        m, e = _backward_step(g, m, e)
        yield j - 1, S, g, m, e, grad


def _delta(m: np.ndarray, e: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``δˡ = M_l ∇ₐC`` as (mantissas, exponents), one row per example."""
    dm, de = _normalise((m @ grad[:, :, None])[:, :, 0])
    return dm, e + de


@dataclass(frozen=True)
class MatrixGradient:
    """Eq. 124 for one example, every product kept as a mantissa and a binary exponent.

    Attributes
    ----------
    sigma_primes : tuple of ndarray
        ``Σ′(zˡ)`` as dense diagonal matrices, ``l = 1..L``.
    factors : tuple of ndarray
        ``G_j = Σ′(zʲ⁻¹) (wʲ)ᵀ`` for ``j = 2..L``, shapes ``(n_{j-1}, n_j)``.
    products, product_exponents :
        ``M_l = Σ′(zˡ) (wˡ⁺¹)ᵀ ⋯ Σ′(zᴸ) = products[l-1] · 2**product_exponents[l-1]``, ``l = 1..L``;
        ``M_L = Σ′(zᴸ)``.
    delta_mantissas, delta_exponents :
        ``δˡ = M_l ∇ₐC = delta_mantissas[l-1] · 2**delta_exponents[l-1]``.
    grad_a : ndarray
        ``∇ₐC``, the partial derivatives of the cost with respect to the output activations.
    """

    sigma_primes: tuple[np.ndarray, ...]
    factors: tuple[np.ndarray, ...]
    products: tuple[np.ndarray, ...]
    product_exponents: np.ndarray
    delta_mantissas: tuple[np.ndarray, ...]
    delta_exponents: np.ndarray
    grad_a: np.ndarray

    @property
    def depth(self) -> int:
        """``L``, the number of weight layers."""
        return len(self.delta_mantissas)

    @property
    def deltas(self) -> list[np.ndarray]:
        """``δˡ`` as plain float64 arrays, ``l = 1..L`` (they underflow to 0 below about 10⁻³⁰⁸)."""
        return [np.ldexp(m, int(e)) for m, e in zip(self.delta_mantissas, self.delta_exponents, strict=True)]

    @property
    def log_norms(self) -> np.ndarray:
        """``ln ‖δˡ‖`` for ``l = 1..L``, finite at any depth (−inf only if δˡ is exactly 0)."""
        with np.errstate(divide="ignore"):
            return np.array(
                [_log_norm(m, e) for m, e in zip(self.delta_mantissas, self.delta_exponents, strict=True)]
            )

    @property
    def product(self) -> np.ndarray:
        """The matrix ``M_1 = Σ′(z¹) (w²)ᵀ ⋯ Σ′(zᴸ)`` as float64, so that ``δ¹ = M_1 ∇ₐC``."""
        return np.ldexp(self.products[0], int(self.product_exponents[0]))

    @property
    def log_product_norm(self) -> float:
        """``ln ‖M_1‖₂`` (spectral norm), finite at any depth."""
        return float(_log_norm(self.products[0], self.product_exponents[0], 2))

    @property
    def spectral_norms(self) -> np.ndarray:
        """``‖G_j‖₂`` (largest singular value) for ``j = 2..L``."""
        return np.array([np.linalg.norm(g, 2) for g in self.factors])

    @property
    def frobenius_norms(self) -> np.ndarray:
        """``‖G_j‖_F`` for ``j = 2..L``."""
        return np.array([np.linalg.norm(g, "fro") for g in self.factors])

    @property
    def cancellation(self) -> np.ndarray:
        """The cancellation factor ``κ_l = ‖ |G_{l+1}| ⋯ |G_L| Σ′(zᴸ) |∇ₐC| ‖ / ‖δˡ‖ ≥ 1`` for ``l = 1..L``.

        A float64 product errs by up to ``γ_n |A| |B|`` entrywise (Higham, *Accuracy and Stability*, §3.5),
        so along the chain of eq. 124 (or of backpropagation) the rounding error of δˡ is bounded relative
        to the product of absolute values, not to δˡ itself: where the sums of BP2 cancel (terms of both
        signs), the relative error of δˡ grows by κ_l. κ = 1 when no sum has terms of both signs.
        """
        v, ve = _normalise((np.diag(self.sigma_primes[-1]) * np.abs(self.grad_a))[None])
        log_abs = [_log_norm(v, ve[0])]
        for g in reversed(self.factors):  # |G_j| v, j = L..2, kept as mantissa · 2**exponent
            v, de = _normalise((np.abs(g) @ v[0])[None])
            ve = ve + de
            log_abs.append(_log_norm(v, ve[0]))
        with np.errstate(over="ignore"):
            return np.exp(np.array(log_abs[::-1]) - self.log_norms)

    def relative_errors(self, reference: Sequence[np.ndarray]) -> np.ndarray:
        """``‖δˡ − ref_l‖ / ‖δˡ‖`` per layer against another method's float64 ``ref`` (``l = 1..L``).

        Computed in the scaled frame (``ref`` multiplied by ``2**-exponent``), so no underflow;
        NaN where the largest entry of ``ref_l`` is below ``COMPARABLE``: there the reference has lost
        precision to underflow.
        """
        if len(reference) != self.depth:
            raise ValueError(f"reference must hold {self.depth} layers, got {len(reference)}")
        return np.array([_relative_errors(m[None], np.array([e]), np.asarray(ref, dtype=float).reshape(1, -1))[0]
                         for m, e, ref in zip(self.delta_mantissas, self.delta_exponents, reference, strict=True)])  # fmt: skip

    def __repr__(self) -> str:
        ln10 = math.log(10.0)
        logs = self.log_norms / ln10
        return (f"MatrixGradient(L={self.depth}, log10‖δ¹‖={logs[0]:.4g}, log10‖δᴸ‖={logs[-1]:.4g}, "
                f"max ‖G_j‖₂={max(self.spectral_norms, default=float('nan')):.3g})")  # fmt: skip


def matrix_form_gradient(weights, biases, x, y, cost: str = "quadratic") -> MatrixGradient:
    """Eq. 124 for one example, as a literal product of matrices (sigmoid in every layer).

    Parameters
    ----------
    weights, biases : sequences of arrays
        ``wˡ`` of shape ``(n_l, n_{l-1})`` and ``bˡ`` of shape ``(n_l,)``, ``l = 1..L``.
    x : array, shape (n_0,)
        The input activation ``a⁰``.
    y : array, shape (n_L,)
        The desired output (one-hot).
    cost : {"quadratic", "cross_entropy"}

    Raises
    ------
    ValueError
        For inconsistent shapes, an unknown cost, or a σ′(z) that underflows to 0 (``|z| > 745``).
    """
    x = np.asarray(x, dtype=float).reshape(1, -1)
    y = np.asarray(y, dtype=float).reshape(1, -1)
    S, factors, products, exponents, mantissas, dexp = [], [], [], [], [], []
    for _l, s, g, m, e, grad in _eq124(weights, biases, x, y, cost):
        dm, de = _delta(m, e, grad)
        S.append(s[0])
        products.append(m[0])
        exponents.append(int(e[0]))
        mantissas.append(dm[0])
        dexp.append(int(de[0]))
        if g is not None:
            factors.append(g[0])
    lists = (S, factors, products, exponents, mantissas, dexp)
    for v in lists:
        v.reverse()
    return MatrixGradient(tuple(S), tuple(factors), tuple(products), np.array(exponents), tuple(mantissas),
                          np.array(dexp), grad[0])  # fmt: skip


# --- many examples ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientStatistics:
    """Eq. 124 over many examples: one row per example.

    Attributes
    ----------
    spectral, frobenius : ndarray, shape (examples, L - 1)
        ``‖G_j‖₂`` and ``‖G_j‖_F`` for ``j = 2..L``.
    max_sigma_prime : ndarray, shape (examples, L - 1)
        The largest diagonal entry of ``Σ′(zʲ⁻¹)``, ``j = 2..L``.
    log_delta_norms : ndarray, shape (examples, L)
        ``ln ‖δˡ‖``, ``l = 1..L``.
    log_product_norms : ndarray, shape (examples,)
        ``ln ‖M_1‖₂``.
    errors : ndarray, shape (examples, L)
        Relative differences from a reference method (NaN where there is none or it underflowed).
    """

    spectral: np.ndarray
    frobenius: np.ndarray
    max_sigma_prime: np.ndarray
    log_delta_norms: np.ndarray
    log_product_norms: np.ndarray
    errors: np.ndarray

    @property
    def log_decay(self) -> np.ndarray:
        """``ln(‖δ¹‖ / ‖δᴸ‖)`` per example."""
        return self.log_delta_norms[:, 0] - self.log_delta_norms[:, -1]

    @property
    def log_factor_bound(self) -> np.ndarray:
        """``ln(‖G_2‖₂ ⋯ ‖G_L‖₂)`` per example: the bound on ``‖δ¹‖ / ‖δᴸ‖``."""
        return np.log(self.spectral).sum(axis=1)


def _relative_errors(dm: np.ndarray, de: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``‖δ − ref‖ / ‖δ‖`` per example in the scaled frame (``ref · 2**-e``, no underflow); NaN where the
    largest entry of ``ref`` is below :data:`COMPARABLE` (there the reference lost precision to underflow)."""
    scaled = np.ldexp(reference, -de[:, None])
    err = np.linalg.norm(dm - scaled, axis=1) / np.linalg.norm(dm, axis=1)
    return np.where(
        np.max(np.abs(reference), axis=1) >= COMPARABLE, err, np.nan
    )  # not a norm: squares underflow


def gradient_statistics(weights, biases, X, Y, cost: str = "quadratic", reference=None) -> GradientStatistics:
    """Eq. 124 for every row of ``X`` (targets ``Y``, one-hot rows) at once, with the factor norms.

    The same products as :func:`matrix_form_gradient`, stacked over the examples. ``reference``, if
    given, holds per example the ``δˡ`` of another method (a list of ``L`` arrays); their relative
    differences from eq. 124 are returned in ``errors``.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if reference is not None and len(reference) != len(X):
        raise ValueError(f"reference must hold {len(X)} examples, got {len(reference)}")
    spectral, frobenius, peak, logs, errors = [], [], [], [], []
    ln2 = math.log(2.0)
    for l, s, g, m, e, grad in _eq124(weights, biases, X, Y, cost):
        dm, de = _delta(m, e, grad)
        logs.append(np.log(np.linalg.norm(dm, axis=1)) + de * ln2)
        if reference is not None:
            errors.append(_relative_errors(dm, de, np.array([r[l - 1] for r in reference], dtype=float)))
        if g is not None:
            spectral.append(np.linalg.svd(g, compute_uv=False)[:, 0])
            frobenius.append(np.sqrt(np.einsum("kij,kij->k", g, g)))
            peak.append(np.max(np.diagonal(s, axis1=1, axis2=2), axis=1))
    product = np.log(np.linalg.svd(m, compute_uv=False)[:, 0]) + e * ln2  # M_1, the last one
    cols = [np.array(c[::-1]).T for c in (spectral, frobenius, peak, logs)]
    err = np.array(errors[::-1]).T if errors else np.full_like(cols[3], np.nan)
    return GradientStatistics(*cols, product, err)


#: the factor between the rounding scale L n ε and the tolerance (see :func:`rounding_bound`)
ROUNDING_MARGIN = 16


def rounding_bound(n_layers: int, width: int) -> float:
    """Relative difference allowed between two float64 evaluations of eq. 124 (or of backpropagation).

    Each of the ``L`` products sums at most ``n`` terms per entry, so it rounds by up to ``γ_n ≈ n u``
    relative (Higham, *Accuracy and Stability*, §3.5; ``u = ε/2``), and two methods together by
    ``2 L n u = L n ε``: that is the scale. It is not a strict bound (cancellation in a product can raise
    a layer's relative error above ``n u``), so we allow ``ROUNDING_MARGIN`` times it: over 128
    configurations (3 to 201 layers, widths 5 to 50, both costs, 10 examples each) the largest difference
    measured was 1.14 ``L n ε``. Any mistake in eq. 124 itself is a relative error of order 1.
    """
    return ROUNDING_MARGIN * n_layers * width * float(np.finfo(float).eps)


@dataclass(frozen=True)
class PreciseDifference:
    """Eq. 124's δ¹ against central differences of the cost in mpmath, along two unit directions."""

    errors: tuple[float, ...]  # |difference quotient − ⟨δ¹, u⟩| / ‖δ¹‖ for u = δ¹/‖δ¹‖ and a random u
    digits: int  # mpmath's working precision
    step: float  # h


def precise_difference(net, x, label: int, mg: MatrixGradient, cost: float, step: float = 1e-10,
                       seed: int = 0, guard: int = 30) -> PreciseDifference:  # fmt: skip
    """Compare ``mg``'s δ¹ with :func:`~gradmath.oracles.precise_directional_derivative` of ``net``'s cost
    (value ``cost`` at this example) along δ¹ itself and along a random unit vector, relative to ‖δ¹‖.

    The difference C(b + hu) − C(b − hu) is about 2h‖δ¹‖, so mpmath works with ``guard`` digits more than
    log₁₀(C / (h‖δ¹‖)); everything stays in scaled or mpmath form, so any depth is fine.
    """
    m, e = mg.delta_mantissas[0], int(mg.delta_exponents[0])
    norm = float(np.linalg.norm(m))
    u = np.random.default_rng([seed, 126]).standard_normal(m.size)
    directions = [m / norm, u / np.linalg.norm(u)]
    log10_delta = mg.log_norms[0] / math.log(10)
    digits = math.ceil(max(0.0, math.log10(cost)) - log10_delta - math.log10(step)) + guard
    quotients = precise_directional_derivative(net, x, label, 0, directions, step, digits)
    with mpmath.workdps(digits):
        scale = mpmath.ldexp(mpmath.mpf(norm), e)
        errors = tuple(float(abs(q - mpmath.ldexp(mpmath.mpf(float(m @ d)), e)) / scale)
                       for q, d in zip(quotients, directions, strict=True))  # fmt: skip
    return PreciseDifference(errors, digits, step)


# --- SymPy: the equation itself ------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolicEq124:
    """∂C/∂b¹ by SymPy's chain rule, minus eq. 124, for a network of the given sizes (quadratic cost)."""

    sizes: tuple[int, ...]
    gradient: sympy.Matrix  # SymPy diff of C with respect to b¹
    product: sympy.Matrix  # eq. 124 as a product of SymPy matrices
    residual: sympy.Matrix  # their difference, expanded

    @property
    def mismatches(self) -> int:
        """Entries of the residual that do not vanish."""
        return sum(1 for r in self.residual if r != 0)


def symbolic_residual(sizes: Sequence[int] = (2, 2, 2, 2)) -> SymbolicEq124:
    """Differentiate ``C = ‖aᴸ − y‖²/2`` with respect to ``b¹`` symbolically (weights, biases, input and
    target all symbols) and subtract eq. 124 built from the same symbols."""
    sizes = validate.integer_sequence(sizes, "sizes", min_len=3, max_len=5, lo=1, hi=3)
    L = len(sizes) - 1
    W = [sympy.Matrix(sizes[l + 1], sizes[l], lambda i, j, l=l: sympy.Symbol(f"w^{l + 1}_{i + 1}{j + 1}"))
         for l in range(L)]  # fmt: skip
    B = [
        sympy.Matrix(sizes[l + 1], 1, lambda i, j, l=l: sympy.Symbol(f"b^{l + 1}_{i + 1}")) for l in range(L)
    ]
    a = sympy.Matrix(sizes[0], 1, lambda i, j: sympy.Symbol(f"x_{i + 1}"))
    y = sympy.Matrix(sizes[-1], 1, lambda i, j: sympy.Symbol(f"y_{i + 1}"))
    zs = []
    for w, b in zip(W, B, strict=True):
        zs.append(w * a + b)
        a = zs[-1].applyfunc(sigma)
    cost = sum((a - y).applyfunc(lambda t: t**2)) / 2
    gradient = sympy.Matrix([sympy.diff(cost, b1) for b1 in B[0]])
    S = [sympy.diag(*[sigma_prime(zi) for zi in z]) for z in zs]
    product = S[0]
    for l in range(1, L):
        product = product * W[l].T * S[l]
    product = product * (a - y)
    return SymbolicEq124(tuple(sizes), gradient, product, (gradient - product).applyfunc(sympy.expand))


_n = sympy.Symbol("n")


def _m(name: str, cols=None) -> sympy.MatrixSymbol:
    return sympy.MatrixSymbol(name, _n, _n if cols is None else cols)


def _sp(k) -> sympy.MatrixSymbol:
    return _m(f"Sigma'(z^{k})")


def _wt(k) -> sympy.Expr:
    return sympy.Transpose(_m(f"w^{k}"))


def eq124(l: str = "l") -> sympy.Eq:
    """``δˡ = Σ′(zˡ) (wˡ⁺¹)ᵀ Σ′(zˡ⁺¹) (wˡ⁺²)ᵀ ⋯ (wᴸ)ᵀ Σ′(zᴸ) ∇ₐC``, factors in the book's order."""
    factors = [_sp(l), _wt(f"{l}+1"), _sp(f"{l}+1"), _wt(f"{l}+2"), _m("⋯"), _wt("L"), _sp("L"),
               _m("nabla_a C", 1)]  # fmt: skip
    return sympy.Eq(_m(f"delta^{l}", 1), sympy.MatMul(*factors, evaluate=False), evaluate=False)


def eq124_unrolled(L: int) -> sympy.Eq:
    """Eq. 124 for ``l = 1`` written out for ``L`` weight layers: ``δ¹ = Σ′(z¹) (w²)ᵀ ⋯ Σ′(zᴸ) ∇ₐC``."""
    L = validate.integer(L, "L", 1)
    factors = [_sp(1)]
    for j in range(2, L + 1):
        factors += [_wt(j), _sp(j)]
    factors.append(_m("nabla_a C", 1))
    return sympy.Eq(_m("delta^1", 1), sympy.MatMul(*factors, evaluate=False), evaluate=False)
