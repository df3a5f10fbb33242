"""Section 5.2, eq. 124: the gradient of a deep network as a literal product of matrices.

With the input as layer 0 (``a^0 = x``, so that layer 1 is the first hidden layer, as ``b_1`` is the
first hidden neuron of section 5.1's chain) and ``L`` weight layers, backpropagation (BP1, BP2) unrolls to

    delta^l = Sigma'(z^l) (w^{l+1})^T Sigma'(z^{l+1}) (w^{l+2})^T ... Sigma'(z^L) grad_a C      (124)

where ``Sigma'(z^j) = diag(sigma'(z^j))``. Grouping the factors in pairs,
``delta^{j-1} = G_j delta^j`` with ``G_j = Sigma'(z^{j-1}) (w^j)^T``, so
``||delta^1|| <= ||G_2|| ... ||G_L|| ||delta^L||``: with ``||Sigma'|| <= 1/4`` and, for the book's
initialisation, ``||w^j||_2 ~ 1 + sqrt(n_j / n_{j-1})`` (about 2 for square layers), every pair shrinks the
gradient by a factor of at most about 1/2, and the product vanishes geometrically with depth.

:func:`matrix_form_gradient` evaluates eq. 124 *literally*, as dense diagonal and transposed weight
matrices multiplied together; :func:`solve_matrix_gradient` compares it with backpropagation
(:meth:`gradmath.Network.backprop`) and with central finite differences of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from ..activations import sigmoid, sigmoid_prime
from ..solutions import Check, Figure, Panel, Series, Solution, Step
from ._common import solver

__all__ = ["MatrixGradient", "matrix_form_gradient", "finite_difference_bias", "solve_matrix_gradient"]


@dataclass
class MatrixGradient:
    """Eq. 124 evaluated literally for one example.

    Attributes
    ----------
    deltas : list of ndarray
        ``deltas[l - 1] = delta^l`` for ``l = 1..L``, each the product of eq. 124 from layer ``l`` on.
    sigma_primes : list of ndarray
        ``Sigma'(z^l)`` as dense diagonal matrices, ``l = 1..L``.
    factors : list of ndarray
        ``G_j = Sigma'(z^{j-1}) (w^j)^T`` for ``j = 2..L``, shapes ``(n_{j-1}, n_j)``.
    product : ndarray
        The matrix ``Sigma'(z^1) (w^2)^T ... Sigma'(z^L)`` of shape ``(n_1, n_L)``, so that
        ``delta^1 = product @ grad_a C``.
    grad_a : ndarray
        ``grad_a C``, the partial derivatives of the cost with respect to the output activations.
    """

    deltas: list[np.ndarray]
    sigma_primes: list[np.ndarray]
    factors: list[np.ndarray]
    product: np.ndarray
    grad_a: np.ndarray

    @property
    def spectral_norms(self) -> np.ndarray:
        """``||G_j||_2`` (largest singular value) for ``j = 2..L``."""
        return np.array([np.linalg.norm(G, 2) for G in self.factors])

    @property
    def frobenius_norms(self) -> np.ndarray:
        """``||G_j||_F`` for ``j = 2..L``."""
        return np.array([np.linalg.norm(G, "fro") for G in self.factors])

    def __repr__(self) -> str:
        norms = ", ".join(f"{v:.3g}" for v in self.spectral_norms)
        return (
            f"MatrixGradient(L={len(self.deltas)}, ||delta^1||={np.linalg.norm(self.deltas[0]):.3g}, "
            f"||delta^L||={np.linalg.norm(self.deltas[-1]):.3g}, ||G_j||_2=[{norms}])"
        )


def matrix_form_gradient(weights, biases, x, y, cost: str = "quadratic") -> MatrixGradient:
    """Eq. 124 for one example, computed literally as a product of matrices (sigmoid in every layer).

    Parameters
    ----------
    weights, biases : lists of arrays
        ``w^l`` of shape ``(n_l, n_{l-1})`` and ``b^l`` of shape ``(n_l,)``, ``l = 1..L``.
    x : array, shape (n_0,)
        The input activation ``a^0``.
    y : array, shape (n_L,)
        The desired output (one-hot).
    cost : {"quadratic", "cross_entropy"}
        ``grad_a C = a - y`` (quadratic) or ``(a - y) / (a (1 - a))`` (cross-entropy).

    Returns
    -------
    MatrixGradient
    """
    if cost not in ("quadratic", "cross_entropy"):
        raise ValueError(f"unknown cost {cost!r}; choose one of 'quadratic', 'cross_entropy'")
    # Forward pass with column vectors, written out (independent of gradmath.network).
    a = np.asarray(x, dtype=float).reshape(-1, 1)
    zs = []
    for w, b in zip(weights, biases, strict=True):
        z = np.asarray(w, dtype=float) @ a + np.asarray(b, dtype=float).reshape(-1, 1)
        zs.append(z)
        a = sigmoid(z)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    grad_a = a - y if cost == "quadratic" else (a - y) / (a * (1.0 - a))
    S = [np.diag(sigmoid_prime(z).ravel()) for z in zs]  # Sigma'(z^l), l = 1..L
    L = len(weights)
    # G_j = Sigma'(z^{j-1}) (w^j)^T for j = 2..L (python index j - 1 for w^j, j - 2 for z^{j-1})
    factors = [S[j - 2] @ np.asarray(weights[j - 1], dtype=float).T for j in range(2, L + 1)]
    # delta^l = Sigma'(z^l) (w^{l+1})^T ... Sigma'(z^L) grad_a C, each as a fresh literal product
    deltas = []
    for l in range(1, L + 1):
        M = S[L - 1]
        for j in range(L, l, -1):  # prepend the pair Sigma'(z^{j-1}) (w^j)^T
            M = factors[j - 2] @ M
        deltas.append((M @ grad_a).ravel())
        if l == 1:
            product = M
    return MatrixGradient(
        deltas=deltas, sigma_primes=S, factors=factors, product=product, grad_a=grad_a.ravel()
    )


def finite_difference_bias(net, x, label: int, layer: int = 0, h: float = 1e-2) -> np.ndarray:
    """``dC_x/db^{layer+1}`` by the 4-point central difference of ``net.cost`` on one example.

    ``(-C(b + 2h e) + 8 C(b + h e) - 8 C(b - h e) + C(b - 2h e)) / (12 h)`` for each coordinate ``e``.
    Its truncation error is O(h^4) and its rounding error about ``eps |C| / h``; the gradient of a deep
    sigmoid network's first layer is small (it vanishes), so rounding dominates and a fairly large
    ``h = 0.01`` is the most accurate (relative error ~1e-9 against backprop on a 6-layer net).
    """
    X = np.asarray(x, dtype=float).reshape(1, -1)
    Y = np.array([label])
    b0 = net.biases[layer].copy()
    out = np.empty_like(b0)

    def cost_at(k: int, step: float) -> float:
        b = b0.copy()
        b[k] += step
        biases = list(net.biases)
        biases[layer] = b
        net.biases = biases
        return net.cost(X, Y)

    try:
        for k in range(b0.size):
            out[k] = (-cost_at(k, 2 * h) + 8 * cost_at(k, h) - 8 * cost_at(k, -h) + cost_at(k, -2 * h)) / (
                12 * h
            )
    finally:
        biases = list(net.biases)
        biases[layer] = b0
        net.biases = biases
    return out


#: the spectral norm ||.||_2 in displayed steps (SymPy has no vector-norm node; printed as norm(x))
_norm = sympy.Function("norm")


def _display_eq124(L: int) -> sympy.Eq:
    """delta^1 = Sigma'^1 (w^2)^T Sigma'^2 ... (w^L)^T Sigma'^L nabla_a C as SymPy matrix symbols."""
    n = sympy.Symbol("n")
    factors = []
    for l in range(1, L + 1):
        if l > 1:
            factors.append(sympy.MatrixSymbol(f"w^{l}", n, n).T)
        factors.append(sympy.MatrixSymbol(f"Sigma'^{l}", n, n))
    factors.append(sympy.MatrixSymbol("nabla_a C", n, 1))
    return sympy.Eq(
        sympy.MatrixSymbol("delta^1", n, 1), sympy.MatMul(*factors, evaluate=False), evaluate=False
    )


@solver
def solve_matrix_gradient(
    sizes: tuple[int, ...] = (30, 30, 30, 30, 30, 30, 10),
    seed: int = 0,
    cost: str = "quadratic",
    n_examples: int = 200,
    quick: bool = False,
) -> Solution:
    """Eq. 124 (section 5.2): delta^1 as a literal matrix product, against backprop and finite differences.

    Parameters
    ----------
    sizes : tuple of int
        The network, input first; sigmoid in every layer, the book's default initialisation.
    seed : int
        Seed of the weights and of the synthetic inputs (pixels uniform in [0, 1], random labels).
    cost : {"quadratic", "cross_entropy"}
    n_examples : int
        Examples over which the factor norms are averaged.
    quick : bool
        Use 20 examples instead of ``n_examples``.
    """
    from ..network import Network

    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 3:
        raise ValueError(f"sizes must have at least one hidden layer (>= 3 entries), got {sizes!r}")
    if isinstance(n_examples, bool) or int(n_examples) < 1:
        raise ValueError(f"n_examples must be an integer >= 1, got {n_examples!r}")
    n_examples = 20 if quick else int(n_examples)
    L = len(sizes) - 1
    net = Network(list(sizes), seed=seed, cost=cost)  # validates sizes and cost
    rng = np.random.default_rng([seed, 124])
    X = rng.random((n_examples, sizes[0]))
    labels = rng.integers(0, sizes[-1], n_examples)
    Yh = np.eye(sizes[-1])[labels]

    # One example in full: the literal product, backprop, finite differences.
    mg = matrix_form_gradient(net.weights, net.biases, X[0], Yh[0], cost)
    nabla_b, _ = net.backprop(X[:1], labels[:1])
    fd = finite_difference_bias(net, X[0], int(labels[0]), layer=0)
    d_prod = mg.deltas[0]
    d_bp = nabla_b[0]
    scale = float(np.abs(d_bp).max())
    disc_bp = float(np.abs(d_prod - d_bp).max())
    disc_fd = float(np.abs(d_prod - fd).max())
    disc_layers = max(
        float(np.abs(p - b).max() / np.abs(b).max()) for p, b in zip(mg.deltas, nabla_b, strict=True)
    )

    # Factor norms over many examples.
    all_mg = [mg] + [
        matrix_form_gradient(net.weights, net.biases, X[i], Yh[i], cost) for i in range(1, n_examples)
    ]
    spectral = np.array([m.spectral_norms for m in all_mg])  # (examples, L - 1)
    frob = np.array([m.frobenius_norms for m in all_mg])
    sp_max = np.array(
        [[np.diag(S).max() for S in m.sigma_primes[:-1]] for m in all_mg]
    )  # max sigma'(z^{j-1})
    w_norms = np.array([np.linalg.norm(w, 2) for w in net.weights[1:]])  # ||w^j||_2, j = 2..L
    rmt = np.array([1 + np.sqrt(sizes[j] / sizes[j - 1]) for j in range(2, L + 1)])  # edge of the spectrum
    bounds = sp_max * w_norms  # ||G_j|| <= max sigma' * ||w^j||
    delta_norms = np.array([[np.linalg.norm(d) for d in m.deltas] for m in all_mg])  # (examples, L)
    shrink = delta_norms[:, 0] / delta_norms[:, -1]  # ||delta^1|| / ||delta^L||
    prod_bound = spectral.prod(axis=1)
    rms_gain = frob / np.sqrt(np.array(sizes[2:]))  # ||G_j||_F / sqrt(n_j): gain on a random direction
    product_norms = np.array([np.linalg.norm(m.product, 2) for m in all_mg])

    # Contrast: the same network with "large" N(0, 1) weights (ch. 1's initialisation), same inputs.
    big = Network(list(sizes), seed=seed, cost=cost, init="large")
    big_mg = [matrix_form_gradient(big.weights, big.biases, X[i], Yh[i], cost) for i in range(n_examples)]
    spectral_big = np.array([m.spectral_norms for m in big_mg])
    w_norms_big = np.array([np.linalg.norm(w, 2) for w in big.weights[1:]])
    big_norms = np.array([[np.linalg.norm(d) for d in m.deltas] for m in big_mg])
    shrink_big = big_norms[:, 0] / big_norms[:, -1]

    n_hidden = L - 1
    display_L = min(L, 4)
    steps = [
        Step(
            "Number the layers from the input a^0 = x, so that layer 1 is the first hidden layer (as b_1 "
            "is the first hidden neuron of the chain in section 5.1); L is the output layer. BP1 gives the "
            "output error as the diagonal matrix Sigma'(z^L) = diag(sigma'(z^L)) times the gradient of "
            "the cost.",
            sympy.Eq(
                sympy.MatrixSymbol("delta^L", sympy.Symbol("n"), 1),
                sympy.MatMul(
                    sympy.MatrixSymbol("Sigma'^L", sympy.Symbol("n"), sympy.Symbol("n")),
                    sympy.MatrixSymbol("nabla_a C", sympy.Symbol("n"), 1),
                    evaluate=False,
                ),
                evaluate=False,
            ),
        ),
        Step(
            "BP2 carries the error one layer back: delta^{j-1} = Sigma'(z^{j-1}) (w^j)^T delta^j. "
            "Unrolling it from the output gives eq. 124; here for L = "
            f"{display_L} (Sigma'^l stands for Sigma'(z^l)).",
            _display_eq124(display_L),
        ),
        Step(
            "Group the factors in pairs G_j = Sigma'(z^{j-1}) (w^j)^T, so that delta^{j-1} = G_j delta^j "
            "and, since the spectral norm is submultiplicative, "
            "||delta^1|| <= ||G_2|| ... ||G_L|| ||delta^L||.",
            sympy.Le(
                _norm(sympy.Symbol("delta^1")),
                sympy.Mul(
                    *[_norm(sympy.Symbol(f"G_{j}")) for j in range(2, display_L + 1)],
                    _norm(sympy.Symbol("delta^L")),
                    evaluate=False,
                ),
            ),
        ),
        Step(
            "Each pair is bounded by ||G_j|| <= max sigma'(z^{j-1}) ||w^j||_2 <= ||w^j||_2 / 4. With the "
            "book's initialisation w ~ N(0, 1/n_{j-1}), the largest singular value of w^j is close to "
            "1 + sqrt(n_j / n_{j-1}) (the edge of the Marchenko-Pastur spectrum), about 2 for square layers, "
            "so ||G_j|| <= 1/2: each pair at least halves the worst-case gradient.",
            sympy.Le(
                _norm(sympy.Symbol("G_j")),
                sympy.Mul(sympy.Rational(1, 4), _norm(sympy.Symbol("w^j")), evaluate=False),
            ),
        ),
        Step(
            f"Numerically, for a network {list(sizes)} (sigmoid, the book's initialisation, seed {seed}) on "
            f"synthetic inputs (pixels uniform in [0, 1], random labels), {cost} cost: the literal product "
            f"of dense matrices gives ||delta^1|| = {np.linalg.norm(d_prod):.4g} against "
            f"||delta^L|| = {np.linalg.norm(mg.deltas[-1]):.4g} for the first example; backprop agrees to "
            f"{disc_bp:.2g} and central finite differences to {disc_fd:.2g}.",
        ),
        Step(
            "Over "
            f"{n_examples} examples the factor norms ||G_j||_2 for j = 2..{L} average "
            + ", ".join(f"{v:.3f}" for v in spectral.mean(axis=0))
            + " (weights ||w^j||_2 = "
            + ", ".join(f"{v:.2f}" for v in w_norms)
            + "; max sigma' = "
            + ", ".join(f"{v:.3f}" for v in sp_max.mean(axis=0))
            + f"), so ||delta^1|| / ||delta^L|| has geometric mean {np.exp(np.log(shrink).mean()):.3g} "
            f"across {n_hidden} pairs: the gradient vanishes towards the input.",
        ),
        Step(
            "The proviso 'provided the weight matrices aren't too large' matters: with N(0, 1) weights "
            "(ch. 1's initialisation) ||w^j||_2 = "
            + ", ".join(f"{v:.1f}" for v in w_norms_big)
            + " (close to sqrt(n_{j-1}) + sqrt(n_j)) and the factors' norms ||G_j||_2 average "
            + ", ".join(f"{v:.2f}" for v in spectral_big.mean(axis=0))
            + ", above 1: the bound no longer forces the gradient down and the product is unstable. "
            f"On these inputs it still shrinks (||delta^1|| / ||delta^L|| = "
            f"{np.exp(np.log(shrink_big).mean()):.3g}), because the gradient is not aligned with the top "
            "singular vectors and large weighted inputs saturate sigma'.",
        ),
    ]

    tol_fd = 1e-6 * scale
    checks = [
        Check(
            claim="Eq. 124 as a literal product of matrices equals backprop's delta^1 (first hidden layer)",
            passed=disc_bp <= 1e-12 * scale + 1e-300 and disc_layers <= 1e-12,
            detail=(
                f"max |product - backprop| = {disc_bp:.3g} on delta^1 (max |delta^1| = {scale:.3g}); "
                f"largest relative discrepancy over all layers {disc_layers:.3g}"
            ),
            methods=(
                "dense product Sigma'(z^1)(w^2)^T ... Sigma'(z^L) grad_a C",
                "Network.backprop (BP1-BP4)",
            ),
            agreement=disc_bp,
            tolerance=1e-12 * scale,
            computed=disc_bp,
        ),
        Check(
            claim="Eq. 124 equals the derivative of the cost with respect to b^1 by finite differences",
            passed=disc_fd <= tol_fd,
            detail=f"max |product - finite differences| = {disc_fd:.3g} (allowed {tol_fd:.2g})",
            methods=("dense matrix product (eq. 124)", "4-point central differences of C in b^1"),
            agreement=disc_fd,
            tolerance=tol_fd,
            computed=disc_fd,
        ),
        Check(
            claim="The diagonal entries of Sigma'(z) are none larger than 1/4",
            passed=bool(sp_max.max() <= 0.25),
            detail=f"largest sigma'(z) over all layers and examples = {sp_max.max():.6f}; sigma'(0) = 1/4",
            methods=("entries of Sigma'(z^l) on the examples", "max of sigma' = 1/4 (sigmoid-prime-max)"),
            agreement=float(sp_max.max()),
            tolerance=0.25,
            book="1/4",
            computed=float(sp_max.max()),
        ),
        Check(
            claim="Each pair (w^j)^T Sigma'(z) shrinks the gradient: ||G_j||_2 < 1 in all layers, examples",
            passed=bool(spectral.max() < 1 and np.all(spectral <= bounds * (1 + 1e-12))),
            detail=(
                f"largest ||G_j||_2 (SVD) = {spectral.max():.4f}; largest bound max sigma' ||w^j||_2 = "
                f"{bounds.max():.4f}; the SVD never exceeds the bound"
            ),
            methods=("SVD of Sigma'(z^{j-1})(w^j)^T", "bound max sigma'(z^{j-1}) ||w^j||_2"),
            agreement=float(spectral.max()),
            tolerance=1.0,
            computed=float(spectral.max()),
        ),
        Check(
            claim="||w^j||_2 is close to 1 + sqrt(n_j/n_{j-1}) for the book's initialisation N(0, 1/n_{j-1})",
            passed=bool(np.all(np.abs(w_norms / rmt - 1) <= 0.25)),
            detail="measured / predicted: " + ", ".join(f"{v:.3f}" for v in w_norms / rmt),
            methods=("SVD of the initial weights", "random-matrix edge 1 + sqrt(n_out/n_in)"),
            agreement=float(np.abs(w_norms / rmt - 1).max()),
            tolerance=0.25,
            computed=[float(v) for v in w_norms],
        ),
        Check(
            claim="The factor norms bound the decay: ||delta^1|| <= ||G_2||...||G_L|| ||delta^L||",
            passed=bool(np.all(shrink <= prod_bound * (1 + 1e-12))),
            detail=(
                f"geometric means over {n_examples} examples: ||delta^1||/||delta^L|| = "
                f"{np.exp(np.log(shrink).mean()):.3g}, product of ||G_j||_2 = "
                f"{np.exp(np.log(prod_bound).mean()):.3g}"
            ),
            methods=(
                "norms of the literal products delta^1, delta^L",
                "product of the SVD norms of the factors",
            ),
            agreement=float(np.max(shrink / prod_bound)),
            tolerance=1.0,
            computed=float(np.exp(np.log(shrink).mean())),
        ),
    ]

    layers = np.arange(2, L + 1)
    fig_norms = Panel(
        series=[
            Series(
                layers,
                spectral.mean(axis=0),
                label=r"$\|\Sigma'(z^{j-1})(w^j)^T\|_2$",
                kind="errorbar",
                yerr=spectral.std(axis=0, ddof=1) if n_examples > 1 else None,
            ),
            Series(
                layers, rms_gain.mean(axis=0), label=r"$\|G_j\|_F/\sqrt{n_j}$ (random direction)", kind="line"
            ),
            Series(layers, bounds.mean(axis=0), label=r"bound $\max\sigma' \cdot \|w^j\|_2$", kind="line"),
            Series(layers, w_norms / 4, label=r"$\|w^j\|_2/4$", kind="line", style={"linestyle": "--"}),
            Series(
                layers,
                spectral_big.mean(axis=0),
                label=r"$\|G_j\|_2$, N(0,1) weights",
                kind="line",
                style={"linestyle": ":", "marker": "s"},
            ),
            Series(None, 1.0, label="1", kind="hline", style={"color": "gray", "linestyle": ":"}),
        ],
        title="Norms of the factors of eq. 124",
        xlabel="layer j",
        ylabel="norm",
        yscale="log",
    )
    depth = np.arange(1, L + 1)
    geo = np.exp(np.log(delta_norms / delta_norms[:, -1:]).mean(axis=0))
    cum_bound = np.exp(np.log(np.cumprod(spectral[:, ::-1], axis=1)[:, ::-1]).mean(axis=0))
    fig_decay = Panel(
        series=[
            Series(depth, geo, label=r"$\|\delta^l\|/\|\delta^L\|$ (eq. 124, geometric mean)", kind="line"),
            Series(
                depth,
                np.append(cum_bound, 1.0),
                label=r"$\prod_{j>l}\|G_j\|_2$ (bound)",
                kind="line",
                style={"linestyle": "--"},
            ),
            Series(
                depth,
                np.array([np.linalg.norm(b) for b in nabla_b]) / np.linalg.norm(nabla_b[-1]),
                label="backprop, first example",
                kind="scatter",
            ),
        ],
        title=r"The gradient $\|\delta^l\|$ across layers",
        xlabel="layer l",
        ylabel=r"relative to $\|\delta^L\|$",
        yscale="log",
    )
    figures = [
        Figure(
            name="matrix-gradient-norms",
            caption=(
                f"Eq. 124 in a {list(sizes)} sigmoid network with the book's initialisation: left, the norms "
                f"of the pairs G_j = Sigma'(z^(j-1)) (w^j)^T over {n_examples} synthetic examples (mean and "
                "std), all below 1 (squares: the same network with N(0, 1) weights, above 1); right, the "
                "resulting decay of the gradient to the input and its bound (the product of the norms)."
            ),
            panels=[fig_norms, fig_decay],
            width=9.0,
            height=3.4,
        )
    ]

    answer = {
        "delta1_product": d_prod,
        "delta1_backprop": d_bp,
        "delta1_finite_difference": fd,
        "max_discrepancy": disc_bp,
        "max_discrepancy_fd": disc_fd,
        "factor_norms": {
            "spectral": spectral.mean(axis=0),
            "frobenius": frob.mean(axis=0),
            "spectral_std": spectral.std(axis=0, ddof=1) if n_examples > 1 else np.zeros(L - 1),
        },
        "factor_layers": layers,
        "weight_norms": w_norms,
        "weight_norm_prediction": rmt,
        "max_sigma_prime": sp_max.mean(axis=0),
        "delta_norms": delta_norms[0],
        "decay": float(np.exp(np.log(shrink).mean())),
        "product_norm": float(np.exp(np.log(product_norms).mean())),
        "sizes": list(sizes),
        "cost": cost,
        "factor_norms_large_init": spectral_big.mean(axis=0),
        "decay_large_init": float(np.exp(np.log(shrink_big).mean())),
    }
    return Solution(
        id="matrix-gradient",
        title="Unstable gradients in more complex networks: the matrix form",
        source="Ch. 5, sec. 5.2, eq. 124",
        statement=(
            "In a network with many neurons per layer the gradient is "
            "delta^l = Sigma'(z^l)(w^{l+1})^T Sigma'(z^{l+1}) ... (w^L)^T Sigma'(z^L) grad_a C (eq. 124), "
            "where Sigma'(z^l) is the diagonal matrix of the sigma'(z) values of layer l. Evaluate it "
            "literally as a product of matrices, confirm it against backpropagation and finite differences, "
            "and show why the product tends to vanish: the pairs (w^j)^T Sigma'(z) are small when the "
            "weights are not too large, since the entries of Sigma' are at most 1/4."
        ),
        answer=answer,
        steps=steps,
        checks=checks,
        figures=figures,
    )
