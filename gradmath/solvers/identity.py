"""Solver for Problem 2 of chapter 5: the identity neuron."""

from __future__ import annotations

import numpy as np
import sympy
from scipy import integrate, optimize
from scipy.special import expit

from .. import identity as idn
from ..activations import sigma
from ..solutions import Check, Figure, Panel, Series, Solution, Step
from ._common import close_check, solver

__all__ = ["solve_identity_neuron"]

_W1_SWEEP = np.array([2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01])


@solver
def solve_identity_neuron(w1: float = 0.1) -> Solution:
    """Problem 2: w2 sigma(w1 x + b) ~ x on [0, 1] (hint: x = 1/2 + Delta, Taylor series in w1 Delta)."""
    neuron = idn.identity_neuron(w1)
    w1 = neuron.w1
    # --- symbolic: the Taylor series in t = w1 Delta
    t, W1, D, x = sympy.symbols("t w_1 Delta x", real=True)
    logistic = 1 / (1 + sympy.exp(-t))
    series = sympy.series(logistic, t, 0, 7).removeO()
    output = sympy.expand((4 / W1) * series.subs(t, W1 * D))
    offset_sym = sympy.expand(output.subs(D, x - sympy.Rational(1, 2)) - x)
    leading = sympy.expand(output - 2 / W1 - D)  # - w1^2 D^3/12 + w1^4 D^5/120
    lead_term = sympy.Poly(leading, W1).coeff_monomial(W1**2) * W1**2
    C_sym = sympy.Abs(lead_term.subs(D, sympy.Rational(1, 2)) / W1**2)
    exact_err = sympy.Rational(1, 2) - (2 / W1) * sympy.tanh(W1 / 4)
    err_series = sympy.series(exact_err, W1, 0, 5).removeO()

    # --- numeric: the max error of the construction on [0, 1], by a dense grid, for w1 from 2 to 0.01
    xs = np.linspace(0.0, 1.0, 100001)
    numeric_err = np.array([np.max(np.abs(idn.identity_neuron(float(v))(xs) - xs)) for v in _W1_SWEEP])
    exact = np.array([idn.exact_max_error(float(v)) for v in _W1_SWEEP])
    own_err = float(np.max(np.abs(neuron(xs) - xs)))

    # --- fits without an offset
    ls = idn.least_squares_fit()
    mm = idn.minimax_fit(ls)
    eo = idn.equioscillation(mm)

    # independent L2 check: Nelder-Mead on the adaptive-quadrature L2 norm, from a different start
    def l2(p):
        val, _ = integrate.quad(lambda s: (p[2] * expit(p[0] * s + p[1]) - s) ** 2, 0.0, 1.0, epsabs=1e-14)
        return val

    nm = optimize.minimize(
        l2,
        [3.0, -2.0, 1.3],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-16, "maxiter": 20000, "maxfev": 40000},
    )
    nm_rms = float(np.sqrt(nm.fun))
    # independent minimax check: Nelder-Mead on the dense-grid sup norm
    nm_max = optimize.minimize(
        lambda p: np.max(np.abs(p[2] * expit(p[0] * xs[::10] + p[1]) - xs[::10])),
        [5.0, -2.5, 1.0],
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20000, "maxfev": 40000},
    )

    # --- inside a chain: the next neuron's bias absorbs the offset
    w_next, b_next = 3.0, -1.0
    direct = expit(w_next * xs + b_next)
    through = expit(w_next * (neuron.w2 * expit(w1 * xs + neuron.b)) + (b_next - w_next * neuron.offset))
    chain_err = float(np.max(np.abs(through - direct)))
    chain_bound = w_next * 0.25 * neuron.error_bound

    steps = [
        Step(
            "Write x = 1/2 + Delta and choose b = -w1/2, so that the weighted input is w1 Delta:",
            sympy.Eq(W1 * x + sympy.Symbol("b"), W1 * D, evaluate=False),
        ),
        Step(
            "Taylor series of the sigmoid in t = w1 Delta (SymPy):",
            sympy.Eq(sigma(t), series + sympy.O(t**7), evaluate=False),
        ),
        Step(
            "With w2 = 4/w1 the output is x plus the constant offset 2/w1 - 1/2, plus an error of order w1^2:",
            sympy.Eq(sympy.Symbol("w_2") * sigma(W1 * D), output, evaluate=False),
        ),
        Step(
            "The error e(Delta) = (4/w1)(sigma(w1 Delta) - 1/2) - Delta is odd and decreasing "
            "(e' = 4 sigma' - 1 <= 0), so its maximum on [0, 1] is at x = 0 and 1, exactly:",
            sympy.Eq(sympy.Symbol("e_max"), exact_err, evaluate=False),
        ),
        Step(
            "Its expansion: the leading constant is 1/96 (from -w1^2 Delta^3/12 at |Delta| = 1/2):",
            sympy.Eq(sympy.Symbol("e_max"), err_series + sympy.O(W1**5), evaluate=False),
        ),
        Step(
            "Without an offset, w2 sigma(w1 x + b) cannot approach x arbitrarily well: at x = 0 it equals "
            "w2 sigma(b) > 0 (for w2 > 0), and the only way to make that small (b -> -inf) leaves the convex "
            "exponential tail, not a line. The best fits have a positive error (computed below); the minimax "
            "fit equioscillates at 4 points, which certifies it for a 3-parameter family.",
            None,
        ),
        Step(
            "In a chain, the following neuron absorbs the offset in its bias: sigma(w' y + b' - w' offset) "
            "with y the identity neuron's output equals sigma(w' x + b') up to w'/4 times the error.",
            None,
        ),
    ]
    checks = [
        Check(
            "the Taylor construction gives w2 = 4/w1, offset 2/w1 - 1/2",
            sympy.simplify(
                offset_sym.subs(x, 0)
                - (2 / W1 - sympy.Rational(1, 2))
                - offset_sym.subs(x, 0).coeff(W1, 2) * W1**2
                - offset_sym.subs(x, 0).coeff(W1, 4) * W1**4
            )
            == 0
            and abs(neuron.offset - (2 / w1 - 0.5)) == 0,
            f"SymPy series: output - x = {sympy.simplify(offset_sym.subs(x, sympy.Rational(1, 2)))} "
            f"at x = 1/2; numeric offset {neuron.offset:.15g}",
            methods=("SymPy series", "numeric evaluation"),
            computed=neuron.offset,
        ),
        close_check(
            f"max error at w1 = {w1:g} equals the closed form 1/2 - (2/w1) tanh(w1/4)",
            own_err,
            neuron.error_bound,
            ("dense grid (100,001 points)", "closed form"),
            rtol=1e-6,
        ),
        close_check(
            "leading error constant 1/96",
            float(C_sym),
            1 / 96,
            ("SymPy: |w1^2 coefficient| at Delta = 1/2", "series of the exact maximum"),
            rtol=1e-15,
            computed=str(C_sym),
        ),
        Check(
            "error / w1^2 -> 1/96 as w1 goes from 2 to 0.01",
            bool(np.all(np.abs(numeric_err - exact) <= 1e-9 * np.maximum(1.0, exact) + 1e-12))
            and abs(numeric_err[-1] / _W1_SWEEP[-1] ** 2 - 1 / 96) < 1e-6,
            "err/w1^2 = "
            + ", ".join(f"{v:g}: {e / v**2:.6f}" for v, e in zip(_W1_SWEEP, numeric_err, strict=True)),
            methods=("dense grid", "closed form / 1/96"),
            agreement=float(abs(numeric_err[-1] / 1e-4 - 1 / 96)),
        ),
        close_check(
            "best least-squares fit (no offset): RMS error",
            ls.rms_error,
            nm_rms,
            ("least_squares on 200-point Gauss-Legendre residuals", "Nelder-Mead on the adaptive-quad L2"),
            rtol=1e-6,
            computed=ls.rms_error,
        ),
        close_check(
            "best minimax fit (no offset): max error",
            mm.max_error,
            float(nm_max.fun),
            ("SLSQP epigraph on 2001 points", "Nelder-Mead on the sup norm (10,001 points)"),
            rtol=1e-4,
            computed=mm.max_error,
        ),
        Check(
            "the minimax error equioscillates at 4 points (Chebyshev alternation)",
            eo.alternating and eo.spread < 1e-6 and len(eo.points) == 4,
            "extrema at x = "
            + ", ".join(f"{p:.4f}" for p in eo.points)
            + "; errors "
            + ", ".join(f"{e:+.6f}" for e in eo.errors)
            + f"; relative spread {eo.spread:.2g}",
            methods=("alternation theorem", "SLSQP solution"),
        ),
        Check(
            "inside a chain the next bias absorbs the offset",
            chain_err <= chain_bound * (1 + 1e-6),
            f"max |sigma(w'y + b' - w' offset) - sigma(w'x + b')| = {chain_err:.3g} <= (w'/4) e_max = "
            f"{chain_bound:.3g}",
            methods=("composed numeric chain", "bound (w'/4) e_max"),
        ),
    ]
    # figures
    grid = np.linspace(0, 1, 401)
    fits_panel = Panel(
        series=[
            Series(grid, grid, "identity $x$", style={"color": "black", "linestyle": ":"}),
            Series(grid, idn.identity_neuron(1.0)(grid), "$w_1 = 1$ with offset"),
            Series(grid, ls(grid), f"least squares (RMS {ls.rms_error:.4f})"),
            Series(grid, mm(grid), f"minimax (max {mm.max_error:.4f})"),
        ],
        xlabel="$x$",
        ylabel="output",
        title="fits on $[0, 1]$",
    )
    err_panel = Panel(
        series=[
            Series(_W1_SWEEP, numeric_err, "max error (grid)", kind="scatter"),
            Series(_W1_SWEEP, _W1_SWEEP**2 / 96, "$w_1^2/96$"),
        ],
        xlabel="$w_1$",
        ylabel="max error on $[0,1]$",
        xscale="log",
        yscale="log",
        title="error of the construction",
    )
    return Solution(
        id="identity-neuron",
        title="Problem 2: the identity neuron",
        source="Ch. 5, Problem 2",
        statement="Consider a neuron with a single input x, a weight w1, a bias b, and a weight w2 on the output. "
        "Show that by choosing the weights and bias appropriately, we can ensure w2 sigma(w1 x + b) ~ x for x in "
        "[0, 1]. Hint: rewrite x = 1/2 + Delta, assume w1 is small, and use a Taylor series expansion in w1 Delta.",
        answer={
            "w1": w1,
            "b": neuron.b,
            "w2": neuron.w2,
            "offset": neuron.offset,
            "error_bound": neuron.error_bound,
            "leading_error_constant": sympy.Rational(1, 96),
            "least_squares_fit": ls.as_dict(),
            "minimax_fit": mm.as_dict(),
        },
        steps=steps,
        checks=checks,
        figures=[
            Figure(
                "identity-neuron",
                "Left: the identity neuron (offset removed) and the best fits without "
                "an offset. Right: the construction's error against w1, with the leading term w1^2/96.",
                [fits_panel, err_panel],
                ncols=2,
                width=6.6,
                height=2.8,
            )
        ],
    )
