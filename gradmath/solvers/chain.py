"""Solvers for the chain of single neurons (ch. 5, sec. 5.1) and the seed posts' weight powers.

Ids: ``sigmoid-prime-max``, ``chain-gradient``, ``gradient-ratio``, ``exploding-example``,
``vanishing-typical``, ``steeper-activation``, ``weight-powers``. The mathematics is in
:mod:`gradmath.chain`; here each claim is derived, computed and checked two independent ways.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import sympy
from scipy import integrate, optimize
from scipy.special import expit
from scipy.stats import norm

from .. import chain as ch
from .. import chain_stats as cs
from ..activations import sigma, sigma_prime, sigmoid, sigmoid_prime
from ..solutions import Check, Figure, Panel, Series, Solution, Step
from ._common import close_check, solver

SOURCE_51 = "Ch. 5, sec. 5.1"


def _check_int(value, name: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int in [{lo}, {hi if hi else 'inf'}], got {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{name} must be an int in [{lo}, {hi if hi else 'inf'}], got {value}")
    return int(value)


def _mc_check(claim, mc, se, exact, methods, n_se=4.0, book=None, extra=0.0, computed=None):
    """MC estimate vs integral: pass when within ``n_se`` standard errors (+ ``extra``)."""
    diff = abs(mc - exact)
    allowed = n_se * se + extra
    return Check(
        claim=claim,
        passed=diff <= allowed,
        detail=(
            f"{methods[0]}: {mc:.6g} (standard error {se:.2g}); {methods[1]}: {exact:.10g}; "
            f"|diff| = {diff:.2g} = {diff / se if se else 0:.2f} standard errors"
        ),
        methods=methods,
        agreement=diff,
        tolerance=allowed,
        book=book,
        computed=exact if computed is None else computed,
    )


# --- sigmoid-prime-max -------------------------------------------------------------------------


@solver
def solve_sigmoid_prime_max() -> Solution:
    """sigma' = sigma (1 - sigma) has its only critical point at 0 and its maximum sigma'(0) = 1/4.

    Ch. 5, sec. 5.1 ("the derivative reaches a maximum at sigma'(0) = 1/4"), used in eq. 122.
    """
    x = sympy.Symbol("x", real=True)
    s_exp = 1 / (1 + sympy.exp(-x))
    sp_exp = sympy.diff(s_exp, x)
    identity = sympy.simplify(sp_exp - s_exp * (1 - s_exp))
    spp = sympy.diff(sp_exp, x)
    crit = sympy.solveset(sympy.simplify(spp), x, sympy.S.Reals)
    x0 = list(crit)[0] if isinstance(crit, sympy.FiniteSet) and len(crit) == 1 else None
    vmax = sympy.nsimplify(sp_exp.subs(x, x0)) if x0 is not None else None
    second = sympy.simplify(sympy.diff(sp_exp, x, 2).subs(x, 0))
    limits = (sympy.limit(sp_exp, x, sympy.oo), sympy.limit(sp_exp, x, -sympy.oo))

    opt = optimize.minimize_scalar(lambda t: -float(sigmoid_prime(t)), bracket=(-3.0, 1.0, 3.0), tol=1e-12)
    grid = np.linspace(-20, 20, 40001)
    num_identity = float(np.max(np.abs(sigmoid_prime(grid) - np.exp(-grid) / (1 + np.exp(-grid)) ** 2)))

    steps = [
        Step("Differentiate the logistic function.", sympy.Eq(sigma(x), s_exp, evaluate=False)),
        Step(
            "Its derivative is sigma times (1 - sigma) (SymPy: the difference simplifies to 0).",
            sympy.Eq(sigma_prime(x), sigma(x) * (1 - sigma(x)), evaluate=False),
        ),
        Step(
            "sigma'' = sigma'(x)(1 - 2 sigma(x)) vanishes only where sigma(x) = 1/2: SymPy solveset over R.",
            sympy.Eq(sympy.Symbol("x^*"), x0 if x0 is not None else sympy.nan, evaluate=False),
        ),
        Step(
            "sigma''(0) = -1/8 < 0 and sigma' -> 0 as x -> +-inf, so the single critical point is the "
            "global maximum.",
            sympy.Eq(sigma_prime(sympy.Symbol("x^*")), vmax, evaluate=False),
        ),
    ]
    checks = [
        Check(
            "sigma'(x) = sigma(x)(1 - sigma(x))",
            identity == 0 and num_identity < 1e-15,
            f"SymPy simplify(difference) = {identity}; max numeric difference on [-20, 20]: "
            f"{num_identity:.2g}",
            methods=("SymPy simplify", "NumPy on a grid"),
            agreement=num_identity,
            tolerance=1e-15,
        ),
        close_check(
            "max sigma' = 1/4",
            -opt.fun,
            float(vmax),
            ("SciPy minimize_scalar", "SymPy solveset + substitution"),
            rtol=1e-12,
            book="1/4",
            computed=str(vmax),
        ),
        close_check(
            "argmax sigma' = 0",
            opt.x,
            0.0,
            ("SciPy minimize_scalar", "SymPy solveset"),
            atol=1e-6,
            book=0,
            computed=x0,
        ),
        Check(
            "0 is the only critical point and a maximum",
            crit == sympy.FiniteSet(0) and second == sympy.Rational(-1, 8) and limits == (0, 0),
            f"critical points {crit}; sigma''(0) = {second}; limits at +-inf {limits}; "
            f"optimiser from bracket (-3, 1, 3) converged to {opt.x:.2e}",
            methods=("SymPy solveset", "SymPy second derivative and limits"),
        ),
    ]
    zz = np.linspace(-8, 8, 401)
    fig = Figure(
        name="sigmoid-and-derivative",
        caption="The sigmoid and its derivative; sigma' never exceeds 1/4, attained at z = 0.",
        panels=[
            Panel(
                series=[
                    Series(zz, sigmoid(zz), r"$\sigma(z)$"),
                    Series(zz, sigmoid_prime(zz), r"$\sigma'(z)$"),
                    Series(None, 0.25, r"$1/4$", kind="hline", style={"linestyle": "--", "color": "gray"}),
                    Series(0.0, 0.25, r"$\sigma'(0) = 1/4$", kind="point"),
                ],
                xlabel="$z$",
                title="",
            )
        ],
    )
    return Solution(
        id="sigmoid-prime-max",
        title="The maximum of sigma'",
        source=SOURCE_51,
        statement="Show that sigma'(z) = sigma(z)(1 - sigma(z)) has its maximum at z = 0, where it is 1/4.",
        answer={"max": vmax, "argmax": x0},
        steps=steps,
        checks=checks,
        figures=[fig],
    )


# --- chain-gradient ----------------------------------------------------------------------------


def _random_chain_params(depth: int, seed: int):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(depth), rng.standard_normal(depth), float(rng.uniform(0.1, 0.9))


@solver
def solve_chain_gradient(depth: int = 4, seed: int = 0) -> Solution:
    """dC/db_j and dC/dw_j of a chain of ``depth`` single neurons (eq. 114-122), any depth >= 1.

    Built by the reverse-mode chain rule (:func:`gradmath.chain.chain_gradient`, linear size);
    checked against SymPy's ``diff`` of the nested chain (depth <= 12) and against central finite
    differences of the actual chain at random parameters (any depth, in log space).
    """
    n = ch.check_depth(depth)
    seed = _check_int(seed, "seed", 0)
    g = ch.chain_gradient(n)
    steps = [
        Step(
            "The chain: z_j = w_j a_{j-1} + b_j, a_j = sigma(z_j), cost C(a_n). A change in b_1 moves "
            "a_1 by sigma'(z_1) (eq. 116), z_2 by w_2 times that (eq. 118), and so on (eq. 119-120).",
            sympy.Eq(sympy.Symbol("z_j"), sympy.Symbol("w_j") * sympy.Symbol("a_j-1") + sympy.Symbol("b_j")),
        ),
        Step(
            "Reverse mode over the chain's graph: one local factor per node (sigma'(z_j)) and per edge "
            "(w_{j+1}); each bias gradient reuses the next one, so the work is linear in the depth.",
            g.recursion[n],
        ),
    ]
    shown = range(n - 1, 0, -1) if n <= 7 else range(n - 1, n - 5, -1)
    for j in shown:
        steps.append(Step(f"One step back, to b_{j}:", g.recursion[j]))
    if n > 7:
        steps.append(Step(f"... and so on, {n - 5} more steps, down to b_1:", g.recursion[1]))
    steps.append(
        Step(
            "The weight gradients follow from dz_j/dw_j = a_{j-1}.",
            sympy.Eq(
                sympy.Symbol("dC/dw_j"), sympy.Symbol("a_j-1") * sympy.Symbol("dC/db_j"), evaluate=False
            ),
        )
    )
    if n <= 6:
        steps.append(
            Step(
                "Unrolled: eq. 121/122, a product of 2n factors.",
                sympy.Eq(sympy.Symbol("dC/db_1"), g.gradient, evaluate=False),
            )
        )
    else:
        steps.append(
            Step(
                f"Unrolled: dC/db_1 = sigma'(z1) w2 sigma'(z2) ... w{n} sigma'(z{n}) dC/da_{n}, "
                f"a product of {len(g.gradient.args)} factors (not displayed)."
            )
        )

    checks = []
    # (1) SymPy's own diff of the nested chain, every dC/db_j and dC/dw_j (depth <= 12).
    if n <= 12:
        mismatches = []
        for j in range(1, n + 1):
            for kind, ours in (("b", g.bias_gradients[j]), ("w", g.weight_gradients[j])):
                theirs = ch.nested_diff(n, kind, j)
                if sympy.expand(theirs - ours) != 0:
                    mismatches.append(f"d/d{kind}{j}")
        checks.append(
            Check(
                f"all {2 * n} gradients dC/db_j, dC/dw_j equal SymPy's diff of the nested chain",
                not mismatches,
                "identical after naming z_j, a_j and dC/da_n"
                if not mismatches
                else f"mismatch: {', '.join(mismatches)}",
                methods=("reverse-mode chain rule", "SymPy diff of C(sigma(w_n sigma(...) + b_n))"),
                agreement=float(len(mismatches)),
                tolerance=0.0,
            )
        )
    # (2) central finite differences of the actual chain, in log space.
    w, b, a0 = _random_chain_params(n, seed)
    y = 0.0
    fw = ch.forward(w, b, a0)
    dC_da = fw.a[-1] - y
    # depth <= 12: every gradient; deeper: those that cross the whole chain (b_1, w_1) and the last.
    pairs = [(j, k) for j in range(1, n + 1) for k in "bw"] if n <= 12 else [(1, "b"), (1, "w"), (n, "b")]
    names = ", ".join(f"dC/d{k}_{j}" for j, k in pairs) if len(pairs) <= 4 else "every dC/db_j and dC/dw_j"
    ours, secant, direct = [], [], []
    for j, kind in pairs:
        expr = g.bias_gradients[j] if kind == "b" else g.weight_gradients[j]
        ours.append(ch.log_abs_eval(expr, fw, dC_da))
        secant.append(ch.finite_difference(w, b, a0, y, param=kind, j=j))
        if n <= 60:
            direct.append(ch.finite_difference_direct(w, b, a0, y, param=kind, j=j))
    log_grad = ours[0][0]
    tol = 1e-9

    def fd_check(fds, method):
        worst = max(abs(o[0] - f.log_abs) for o, f in zip(ours, fds, strict=True))
        signs = all(o[1] == f.sign for o, f in zip(ours, fds, strict=True))
        return Check(
            f"{names} equal finite differences of the actual chain (random N(0,1) parameters, seed {seed})",
            worst <= tol and signs,
            f"log|dC/db_1| = {log_grad:.12g} (|dC/db_1| = 10^{log_grad / math.log(10):.4f}); "
            f"largest |log|ours| - log|FD|| = {worst:.2g}; signs agree: {signs}",
            methods=("symbolic product evaluated in log space", method),
            agreement=worst,
            tolerance=tol,
            computed=log_grad,
        )

    checks.append(
        fd_check(
            secant,
            "central difference (h = 1e-20), the two perturbed chains' difference carried exactly in mpmath",
        )
    )
    if direct:
        checks.append(
            fd_check(
                direct, f"central difference (h = 1e-20), two costs subtracted at {direct[0].dps} digits"
            )
        )
    return Solution(
        id="chain-gradient",
        title=f"The gradient of a chain of {n} single neurons",
        source="Ch. 5, sec. 5.1, eq. 114-122",
        statement=(
            f"For a chain of {n} sigmoid neurons z_j = w_j a_(j-1) + b_j, a_j = sigma(z_j), cost C(a_{n}), "
            "express dC/db_1 (and every dC/db_j, dC/dw_j) in terms of the w_j, sigma'(z_j) and dC/da_n."
        ),
        answer={
            "gradient": g.gradient,
            "depth": n,
            "bias_gradients": g.bias_gradients,
            "weight_gradients": g.weight_gradients,
            "recursion": g.recursion,
            "log_abs_gradient_at_random_parameters": log_grad,
        },
        steps=steps,
        checks=checks,
    )


# --- gradient-ratio ----------------------------------------------------------------------------


@solver
def solve_gradient_ratio(n_samples: int = 100_000, seed: int = 0) -> Solution:
    """dC/db_1 / dC/db_3 for the 4-neuron chain, its bound 1/16 for |w_j| <= 1, and its typical size.

    Ch. 5, sec. 5.1: "the gradient dC/db_1 will usually be a factor of 16 (or more) smaller than dC/db_3".
    """
    n_samples = _check_int(n_samples, "n_samples", 1000)
    seed = _check_int(seed, "seed", 0)
    g = ch.chain_gradient(4)
    ratio = sympy.simplify(g.bias_gradients[1] / g.bias_gradients[3])
    z1, z2 = g.z[0], g.z[1]
    w2, w3 = g.w[1], g.w[2]
    expected = sigma_prime(z1) * w2 * sigma_prime(z2) * w3
    bound = sympy.Rational(1, 4) ** 2  # |sigma'| <= 1/4 (sigmoid-prime-max), |w| <= 1

    # numeric optimiser for the bound: maximise |s'(z1) w2 s'(z2) w3| on |w| <= 1, z free.
    def neg(p):
        return -abs(sigmoid_prime(p[0]) * p[1] * sigmoid_prime(p[2]) * p[3])

    rng = np.random.default_rng(seed)
    best = min(
        (
            optimize.minimize(
                neg,
                rng.uniform([-3, -1, -3, -1], [3, 1, 3, 1]),
                bounds=[(-20, 20), (-1, 1), (-20, 20), (-1, 1)],
            )
            for _ in range(8)
        ),
        key=lambda r: r.fun,
    )
    # attained on an actual chain: w = 1, biases making every z_j = 0 (a_0 = 1/2 -> b_j = -1/2).
    w_eq, b_eq = np.ones(4), np.full(4, -0.5)
    fd1 = ch.finite_difference(w_eq, b_eq, 0.5, 0.0, "b", 1)
    fd3 = ch.finite_difference(w_eq, b_eq, 0.5, 0.0, "b", 3)
    attained = float(fd1.value / fd3.value)
    # the ratio formula vs finite differences at random parameters
    wr, br, a0r = _random_chain_params(4, seed + 1)
    fdr = float(
        ch.finite_difference(wr, br, a0r, 0.0, "b", 1).value
        / ch.finite_difference(wr, br, a0r, 0.0, "b", 3).value
    )
    fw = ch.forward(wr, br, a0r)
    formula = float(sigmoid_prime(fw.z[0]) * wr[1] * sigmoid_prime(fw.z[1]) * wr[2])

    # typical ratio under N(0,1) weights and biases (stationary incoming activation)
    rc = cs.random_chains(n_samples, 3, seed=seed)
    r = np.abs(sigmoid_prime(rc.z[:, 0]) * rc.w[:, 1] * sigmoid_prime(rc.z[:, 1]) * rc.w[:, 2])
    qs = (0.1, 0.25, 0.5, 0.75, 0.9)
    quant = dict(zip(qs, np.quantile(r, qs).tolist(), strict=True))
    med = quant[0.5]
    st = cs.stationary_chain(m=401)
    cdf_at_med = cs.ratio_cdf(med, st)
    p_bound_mc = float(np.mean(r < 1 / 16))
    p_bound_int = cs.ratio_cdf(1 / 16, st)
    log_r = np.log(r)
    mean_log_int = 2 * st.mean_log_factor()

    steps = [
        Step(
            "From eq. 122 and the same pattern for dC/db_3:",
            sympy.Eq(sympy.Symbol("dC/db_3"), g.bias_gradients[3]),
        ),
        Step(
            "Their ratio cancels the common factors, leaving two extra terms, sigma'(z_1) w_2 and "
            "sigma'(z_2) w_3 (the book groups them as 'terms of the form w_j sigma'(z_j)'; as an "
            "exact identity "
            "the pairing is w_{j+1} sigma'(z_j): the ratio contains sigma'(z_1), not sigma'(z_3)).",
            sympy.Eq(sympy.Symbol("dC/db_1") / sympy.Symbol("dC/db_3"), ratio, evaluate=False),
        ),
        Step(
            "With |sigma'| <= 1/4 and |w_j| <= 1 each extra term is at most 1/4 in size, so the ratio is at "
            "most 1/16; equality needs z_1 = z_2 = 0 and |w_2| = |w_3| = 1, which biases can arrange.",
            sympy.Le(sympy.Abs(ratio), bound),
        ),
        Step(
            "Typical size: w_j, b_j ~ N(0, 1) and the incoming activation from the chain's stationary law. "
            "The two factors are NOT independent (z_2 = w_2 sigma(z_1) + b_2 involves w_2 and z_1); w_3 is "
            "independent of the rest, so P(|ratio| < t) = E[2 Phi(t/X) - 1], X = "
            "sigma'(z_1)|w_2|sigma'(z_2), a "
            "3-d integral. The mean of log|ratio| is additive whatever the dependence: 2 E[log|w sigma'(z)|]."
        ),
    ]
    checks = [
        Check(
            "dC/db_1 / dC/db_3 = sigma'(z1) w2 sigma'(z2) w3",
            sympy.simplify(ratio - expected) == 0,
            f"SymPy ratio {ratio}; at random parameters: formula {formula:.15g}, FD ratio {fdr:.15g}, "
            f"relative difference {abs(formula - fdr) / abs(fdr):.2g}",
            methods=("SymPy cancel of eq. 122", "finite differences of the actual chain"),
            agreement=abs(formula - fdr) / abs(fdr),
            tolerance=1e-12,
            computed=str(ratio),
        ),
        close_check(
            "max |dC/db_1 / dC/db_3| over |w_j| <= 1 is 1/16",
            -best.fun,
            float(bound),
            ("SciPy L-BFGS-B, 8 random starts", "SymPy: (max sigma')^2 = (1/4)^2"),
            rtol=1e-8,
            book="1/16 ('a factor of 16 (or more) smaller')",
            computed=str(bound),
        ),
        close_check(
            "the bound 1/16 is attained on an actual chain (w_j = 1, z_j = 0)",
            attained,
            1 / 16,
            ("finite differences of the chain", "exact 1/16"),
            rtol=1e-12,
            book="1/16",
        ),
        _mc_check(
            "median |ratio| under N(0,1) weights and biases: P(|ratio| < MC median) = 1/2",
            0.5,
            math.sqrt(0.25 / n_samples),
            cdf_at_med,
            ("Monte Carlo median", "numerical integration of the ratio's law"),
            computed=med,
        ),
        _mc_check(
            "P(|ratio| < 1/16) ('a factor of 16 or more')",
            p_bound_mc,
            math.sqrt(p_bound_mc * (1 - p_bound_mc) / n_samples),
            p_bound_int,
            ("Monte Carlo", "numerical integration"),
        ),
        _mc_check(
            "E[log|ratio|] = 2 E[log|w sigma'(z)|]",
            float(log_r.mean()),
            float(log_r.std(ddof=1) / math.sqrt(n_samples)),
            mean_log_int,
            ("Monte Carlo", "stationary density (Nystrom) + closed-form E[log|w|]"),
        ),
    ]
    return Solution(
        id="gradient-ratio",
        title="dC/db_1 against dC/db_3: a factor of 16",
        source=SOURCE_51,
        statement=(
            "Compare dC/db_1 with dC/db_3 in the four-neuron chain: show the ratio is the product of two "
            "extra terms, at most 1/16 in size when |w_j| <= 1, and find its typical size under N(0,1) "
            "weights and biases."
        ),
        answer={
            "ratio": ratio,
            "bound": bound,
            "median_abs_ratio": med,
            "quantiles_abs_ratio": quant,
            "p_below_bound": p_bound_int,
            "mean_log_abs_ratio": mean_log_int,
        },
        steps=steps,
        checks=checks,
    )


# --- exploding-example -------------------------------------------------------------------------


@solver
def solve_exploding_example(depth: int = 4, a0: float = 0.25) -> Solution:
    """w_j = 100 and b_j = -100 a_{j-1}: every z_j = 0, every term w_j sigma'(z_j) = 25 (sec. 5.1)."""
    n = _check_int(depth, "depth", 2, 100)
    if isinstance(a0, bool) or not isinstance(a0, numbers.Real) or not (0 < a0 < 1):
        raise ValueError(f"a0 must be a float in (0, 1), got {a0!r}")
    # a_0 on a 2^-20 grid makes b_1 = -100 a_0 exact in binary, so z_1 = 0 exactly (not only in
    # float64): an error of 1e-16 in z_1 would grow 25-fold per layer -- the instability itself.
    a0_given = float(a0)
    a0 = round(a0_given * 2**20) / 2**20
    if not 0 < a0 < 1:
        raise ValueError(f"a0 must be a float in (0, 1) at least 2^-20 from 0 and 1, got {a0_given!r}")
    a0_exact = sympy.Rational(round(a0_given * 2**20), 2**20)
    W = sympy.Integer(100)
    biases, zs, act = [], [], a0_exact
    for _ in range(n):
        bj = -W * act
        zj = W * act + bj
        biases.append(bj)
        zs.append(zj)
        act = sigma(zj)
    term = W * sigma_prime(sympy.Integer(0))
    # the numeric chain: biases from its own float forward pass
    w = np.full(n, 100.0)
    b = np.empty(n)
    a = a0
    for j in range(n):
        b[j] = -100.0 * a
        a = float(expit(100.0 * a + b[j]))
    fw = ch.forward(w, b, a0)
    bw = ch.backward_log(fw, fw.a[-1] - 0.0)
    ratios_bp = np.exp(bw.log_abs_b[:-1] - bw.log_abs_b[1:]) * bw.sign_b[:-1] * bw.sign_b[1:]
    fds = [ch.finite_difference(w, b, a0, 0.0, "b", j) for j in range(1, n + 1)]
    ratios_fd = np.array([float(fds[j].value / fds[j + 1].value) for j in range(n - 1)])
    grad_exact = sympy.Rational(1, 4) * term ** (n - 1)  # times dC/da_n
    dC_da = fw.a[-1]
    steps = [
        Step("Choose every weight large:", sympy.Eq(sympy.Symbol("w_j"), W)),
        Step(
            "and each bias to cancel the weighted input, so z_j = 0 and sigma'(z_j) = 1/4:",
            sympy.Eq(sympy.Symbol("b_j"), -W * sympy.Symbol("a_j-1")),
        ),
        Step(
            f"With a_0 = {a0_exact} (a_0 = {a0_given:g} on a 2^-20 grid, so that b_1 is exact in binary): "
            "a_j = sigma(0) = 1/2 for j >= 1, so the biases are:",
            sympy.Eq(sympy.Symbol("b"), sympy.Matrix([biases]), evaluate=False),
        ),
        Step("Every term of eq. 122 is then", sympy.Eq(sympy.Symbol("w_j") * sigma_prime(0), term)),
        Step(
            "and dC/db_1 = sigma'(z_1) 25^(n-1) dC/da_n: each layer back multiplies the gradient by 25.",
            sympy.Eq(sympy.Symbol("dC/db_1"), grad_exact * sympy.Symbol(f"dC/da_{n}"), evaluate=False),
        ),
    ]
    worst_bp = float(np.max(np.abs(ratios_bp - 25)))
    worst_fd = float(np.max(np.abs(ratios_fd - 25)))
    checks = [
        Check(
            "every z_j = 0 and every term w_j sigma'(z_j) = 25",
            all(zj == 0 for zj in zs) and term == 25 and float(np.max(np.abs(fw.z))) == 0.0,
            f"exact z_j = {zs}; float chain max|z_j| = {float(np.max(np.abs(fw.z)))}",
            methods=("SymPy exact arithmetic", "float64 forward pass"),
            book=25,
            computed=term,
        ),
        close_check(
            "layer ratios dC/db_j / dC/db_{j+1} = 25 (finite differences of the actual chain)",
            float(np.max(np.abs(ratios_fd - 25))) + 25,
            25,
            ("central differences (mpmath)", "exact 25"),
            atol=1e-9,
            book=25,
            computed=ratios_fd.tolist(),
        ),
        close_check(
            "layer ratios from backprop in log space = 25",
            worst_bp + 25,
            25,
            ("backward recursion (log space)", "exact 25"),
            atol=1e-9,
            book=25,
            computed=ratios_bp.tolist(),
        ),
        close_check(
            f"log dC/db_1 = log((1/4) 25^{n - 1} dC/da_{n})",
            fds[0].log_abs,
            math.log(0.25) + (n - 1) * math.log(25.0) + math.log(dC_da),
            ("central difference (mpmath)", "exact formula"),
            rtol=1e-12,
        ),
    ]
    del worst_fd
    return Solution(
        id="exploding-example",
        title="An exploding gradient",
        source=SOURCE_51,
        statement=(
            "Choose w_1 = ... = w_n = 100 and biases b_j = -100 a_(j-1); show every term w_j sigma'(z_j) is "
            "25, so the gradient grows by a factor 25 per layer towards the input."
        ),
        answer={
            "term": term,
            "biases": biases,
            "layer_ratios": ratios_fd,
            "gradient_b1_over_dC_da": grad_exact,
        },
        steps=steps,
        checks=checks,
    )


# --- vanishing-typical -------------------------------------------------------------------------


def _gradient_depth_figure(rc, slope, max_depth) -> Figure:
    n = np.arange(1, max_depth + 1)
    lg10 = rc.log_grad / math.log(10)
    q10, q50, q90 = np.quantile(lg10, [0.1, 0.5, 0.9], axis=0)
    mean10 = lg10.mean(axis=0)
    expl = np.log10(0.25) + (n - 1) * np.log10(25.0)
    integral_line = mean10[0] + (n - 1) * slope / math.log(10)
    panel = Panel(
        series=[
            Series(n, 10.0**q10, "random N(0,1): 10-90% of chains", kind="fill", y2=10.0**q90),
            Series(n, 10.0**q50, "random N(0,1): median"),
            Series(n, 10.0**mean10, "random N(0,1): geometric mean", kind="scatter"),
            Series(n, 10.0**integral_line, "slope from the integral", style={"linestyle": "--"}),
            Series(n, 10.0**expl, r"exploding: $w_j = 100$, $z_j = 0$"),
        ],
        xlabel="depth n (number of neurons)",
        ylabel=r"$|\partial C/\partial b_1| \,/\, |\partial C/\partial a_n|$",
        yscale="log",
    )
    return Figure(
        name="gradient-vs-depth",
        caption=(
            "Size of dC/db_1 (relative to dC/da_n) against the depth of the chain: random N(0,1) weights "
            f"and biases (vanishing, about a factor e^({slope:.2f}) = {math.exp(slope):.3f} per layer) and "
            "the book's exploding construction (a factor 25 per layer)."
        ),
        panels=[panel],
    )


@solver
def solve_vanishing_typical(n_chains: int = 40_000, max_depth: int = 30, seed: int = 0) -> Solution:
    """The typical size of |w_j sigma'(z_j)| under N(0,1) weights and biases, and the decay of dC/db_1.

    Ch. 5, sec. 5.1: "the terms w_j sigma'(z_j) will usually satisfy |w_j sigma'(z_j)| < 1/4".
    """
    n_chains = _check_int(n_chains, "n_chains", 1000)
    max_depth = _check_int(max_depth, "max_depth", 3, 1000)
    seed = _check_int(seed, "seed", 0)
    st = cs.stationary_chain()
    st_small = cs.stationary_chain(m=301)
    rc = cs.random_chains(n_chains, max_depth, seed=seed)
    lf = rc.log_factor[:, 1:]  # factors w_j sigma'(z_j), j >= 2
    per_chain = lf.mean(axis=1)  # chain averages: independent across chains
    f = np.exp(lf)
    mean_log_int = st.mean_log_factor()
    e_log_w_quad = integrate.quad(lambda t: 2 * math.log(t) * norm.pdf(t), 0, np.inf, limit=200)[0]
    p_q_int = cs.factor_cdf(0.25, st_small)
    p_1_int = cs.factor_cdf(1.0, st_small)
    median_int = optimize.brentq(lambda t: cs.factor_cdf(t, st_small, tol=1e-8) - 0.5, 1e-3, 0.25, xtol=1e-10)

    def se_of(indicator, p_exact):
        # chain averages are independent across chains; for a rare event the sample may show no
        # variation at all, so the binomial SE of the integral's p over n_chains is a floor.
        v = indicator.mean(axis=1)
        se = max(float(v.std(ddof=1)), math.sqrt(p_exact * (1 - p_exact))) / math.sqrt(n_chains)
        return se, float(v.mean())

    se_q, p_q_mc = se_of(f < 0.25, p_q_int)
    se_1, p_1_mc = se_of(f < 1.0, p_1_int)
    n = np.arange(1, max_depth + 1)
    slope_mc = float(np.polyfit(n, rc.log_grad.mean(axis=0), 1)[0])
    slopes = np.polyfit(n, rc.log_grad.T, 1)[0]
    slope_se = float(slopes.std(ddof=1) / math.sqrt(n_chains))

    steps = [
        Step(
            "Model: w_j, b_j ~ N(0, 1) independently; z_j = w_j a_{j-1} + b_j with a_{j-1} the activation "
            "coming out of the (long) random chain before it. Given a, z ~ N(0, 1 + a^2), so the stationary "
            "density q of z solves q(z) = int N(z; 0, 1 + sigma(z')^2) q(z') dz' (Nystrom, power iteration)."
        ),
        Step(
            "E[log|w sigma'(z)|] = E[log|w|] + E[log sigma'(z)] by linearity (w and z are dependent, the "
            "expectation still splits); E[log|w|] = -(gamma + log 2)/2.",
            sympy.Eq(
                sympy.Symbol("E[log|w|]"),
                -(sympy.EulerGamma + sympy.log(2)) / 2,
                evaluate=False,
            ),
        ),
        Step(
            "P(|w sigma'(wa + b)| < t): for |w| <= 4t always; otherwise iff |wa + b| > z*(t/|w|) with "
            "sigma'(z*) = t/|w|, i.e. z* = 2 arccosh(1/(2 sqrt(t/|w|))); integrate over w (SciPy "
            "quad_vec) and a.",
        ),
        Step(
            "dC/db_1 / dC/da_n = sigma'(z_1) prod_{j=2..n} w_j sigma'(z_j) (eq. 122), so E "
            "log|dC/db_1| falls "
            "linearly in n with slope E[log|w sigma'(z)|]."
        ),
    ]
    checks = [
        close_check(
            "E[log|w|] = -(gamma + log 2)/2 for w ~ N(0,1)",
            e_log_w_quad,
            cs.EULER_LOG_ABS_NORMAL,
            ("SciPy quad", "closed form"),
            rtol=1e-9,
        ),
        _mc_check(
            "E[log|w sigma'(z)|] per layer",
            float(per_chain.mean()),
            float(per_chain.std(ddof=1) / math.sqrt(n_chains)),
            mean_log_int,
            ("Monte Carlo (chain averages)", "numerical integration (stationary density)"),
        ),
        _mc_check(
            "P(|w sigma'(z)| < 1/4) ('usually')",
            p_q_mc,
            se_q,
            p_q_int,
            ("Monte Carlo", "SciPy quad_vec"),
            book="usually < 1/4",
        ),
        _mc_check(
            "P(|w sigma'(z)| < 1)",
            p_1_mc,
            se_1,
            p_1_int,
            ("Monte Carlo", "SciPy quad_vec"),
        ),
        _mc_check(
            f"decay of log|dC/db_1| per layer (fit over depth 1..{max_depth})",
            slope_mc,
            slope_se,
            mean_log_int,
            ("least-squares slope of mean log|dC/db_1| (Monte Carlo)", "E[log|w sigma'(z)|] (integral)"),
        ),
    ]
    return Solution(
        id="vanishing-typical",
        title="How small is w sigma'(z) typically?",
        source=SOURCE_51,
        statement=(
            "With weights and biases drawn from N(0, 1), how often is |w_j sigma'(z_j)| below 1/4 "
            "and below 1, "
            "what is E[log|w_j sigma'(z_j)|], and how fast does |dC/db_1| decay with depth?"
        ),
        answer={
            "p_below_quarter": p_q_int,
            "p_below_one": p_1_int,
            "mean_log_factor": mean_log_int,
            "typical_factor": math.exp(mean_log_int),
            "median_factor": median_int,
            "decay_per_layer": slope_mc,
            "decay_factor_per_layer": math.exp(slope_mc),
        },
        steps=steps,
        checks=checks,
        figures=[_gradient_depth_figure(rc, mean_log_int, max_depth)],
    )


# --- steeper-activation ------------------------------------------------------------------------


@solver
def solve_steeper_activation(n_chains: int = 20_000, depth: int = 30, seed: int = 0) -> Solution:
    """The Exercise of sec. 5.1: would an activation with a much larger derivative help? No.

    The gradient stays a product of one factor per layer (eq. 122); with any activation the factors'
    typical size r sets r^n: vanishing for r < 1, exploding for r > 1, and even when balanced
    (r = 1 on average) log|gradient| is a random walk whose spread grows like sqrt(n).
    """
    n_chains = _check_int(n_chains, "n_chains", 1000)
    depth = _check_int(depth, "depth", 3, 1000)
    seed = _check_int(seed, "seed", 0)
    n = np.arange(1, depth + 1)
    checks, slopes, series = [], {}, []
    # (a) saturating activations with larger derivative: k sigma(z) (max slope k/4), sigma(c z) (c/4).
    for k, c in ((1.0, 1.0), (4.0, 1.0), (16.0, 1.0), (1.0, 2.0), (1.0, 4.0), (1.0, 8.0)):
        label = f"{k:g} sigma(z)" if c == 1.0 else f"sigma({c:g} z)"
        rc = cs.random_chains(n_chains, depth, seed=seed, k=k, c=c)
        st = cs.stationary_chain(k=k, c=c)
        integral = st.mean_log_factor()
        per_chain = rc.log_factor[:, 1:].mean(axis=1)
        slopes[label] = integral
        checks.append(
            _mc_check(
                f"{label} (max slope {k * c / 4:g}): per-layer E log|factor| = {integral:.3f} < 0 "
                "(vanishing)",
                float(per_chain.mean()),
                float(per_chain.std(ddof=1) / math.sqrt(n_chains)),
                integral,
                ("Monte Carlo", "numerical integration (stationary density)"),
            )
        )
        checks[-1] = Check(**{**checks[-1].__dict__, "passed": checks[-1].passed and integral < 0})
        series.append(
            Series(n, np.median(rc.log_grad, axis=0) / math.log(10), f"${label}$".replace("sigma", r"\sigma"))
        )
    # (b) a non-saturating unit with slope s (f(z) = s z): factor w_j s, E log = log s + E log|w|.
    rng = np.random.default_rng(seed + 7)
    wl = rng.standard_normal((n_chains, depth))
    log_w = np.log(np.abs(wl))
    s_star = math.exp(-cs.EULER_LOG_ABS_NORMAL)  # balance: log s* + E log|w| = 0
    var_log_w = math.pi**2 / 8  # Var(log|w|), w ~ N(0, 1)
    for s in (1.0, s_star, 4.0):
        lg = math.log(s) * n + np.cumsum(log_w, axis=1)
        slope = math.log(s) + cs.EULER_LOG_ABS_NORMAL
        slopes[f"linear slope {s:.4g}"] = slope
        per = (math.log(s) + log_w).mean(axis=1)
        verdict = "vanishing" if slope < -1e-9 else ("exploding" if slope > 1e-9 else "balanced")
        checks.append(
            _mc_check(
                f"linear unit, derivative {s:.4g}: E log|w s| = {slope:.4f} per layer ({verdict})",
                float(per.mean()),
                float(per.std(ddof=1) / math.sqrt(n_chains)),
                slope,
                ("Monte Carlo", "closed form log s - (gamma + log 2)/2"),
            )
        )
        series.append(Series(n, np.median(lg, axis=0) / math.log(10), f"linear, slope {s:.3g}"))
        if s == s_star:
            var_mc = float(lg[:, -1].var(ddof=1))
            var_exact = depth * var_log_w
            # standard error of a sample variance of a sum of iid terms ~ var * sqrt(2/(N-1)) (+ kurtosis)
            checks.append(
                _mc_check(
                    f"balanced (s* = {s_star:.4f}): Var log|dC/db_1| grows like n pi^2/8 (n = {depth}): "
                    "gradients still spread over orders of magnitude",
                    var_mc,
                    var_exact * math.sqrt(4.0 / n_chains),
                    var_exact,
                    ("Monte Carlo", "closed form n Var(log|w|) = n pi^2/8"),
                )
            )
    # (c) what helps: units with derivative exactly 1 and weights near 1 keep the product at 1.
    w1 = np.ones(50)
    b1 = np.full(50, 0.01)
    relu_fd = _relu_chain_fd(w1, b1, 0.5)
    checks.append(
        close_check(
            "ReLU chain with w_j = 1 (z_j > 0): dC/db_1 = dC/da_n exactly, at depth 50",
            relu_fd[0],
            relu_fd[1],
            ("central difference of the ReLU chain", "product of derivatives 1^50 times dC/da_n"),
            rtol=1e-8,
        )
    )
    verdict = (
        "No. A larger derivative does not remove the instability: dC/db_1 is still a product of one factor "
        "w_j f'(z_j) per layer, so it behaves like r^n with r the factors' typical (geometric-mean) size. "
        "Saturating units with a larger peak slope (k sigma(z), sigma(c z)) still vanish under "
        "N(0,1) weights, "
        "because a larger output or steeper slope drives z into the flat wings; a non-saturating "
        "unit with slope "
        "s > 1.887 explodes, s < 1.887 vanishes, and even at the balance point the gradient's logarithm is a "
        "random walk (variance n pi^2/8). What helps is keeping each factor near 1 by design: initialisation "
        "scaled to the fan-in (Xavier/He), units whose derivative is exactly 1 where active (ReLU), "
        "normalisation of the layer inputs, residual connections, and clipping against explosion."
    )
    fig = Figure(
        name="steeper-activation",
        caption="Median log10 |dC/db_1 / dC/da_n| against depth for activations with larger derivatives "
        "(N(0,1) weights and biases): saturating units still vanish; linear units vanish, balance or "
        "explode.",
        panels=[
            Panel(series=series, xlabel="depth n", ylabel=r"median $\log_{10}|\partial C/\partial b_1|$")
        ],
    )
    return Solution(
        id="steeper-activation",
        title="Would a steeper activation help?",
        source="Ch. 5, sec. 5.1, Exercise",
        statement=(
            "We used |sigma'(z)| < 1/4. Suppose we used an activation whose derivative could be much larger. "
            "Would that help us avoid the unstable gradient problem?"
        ),
        answer={"verdict": verdict, "slopes": slopes, "balanced_slope": s_star},
        steps=[
            Step(
                "For any activation f, dC/db_1 = f'(z_1) prod_{j>=2} w_j f'(z_j) dC/da_n (eq. 122 with f).",
                sympy.Eq(
                    sympy.Symbol("dC/db_1"),
                    sympy.Symbol("f'(z_1)")
                    * sympy.Product(
                        sympy.Symbol("w_j") * sympy.Symbol("f'(z_j)"),
                        (sympy.Symbol("j"), 2, sympy.Symbol("n")),
                    )
                    * sympy.Symbol("dC/da_n"),
                    evaluate=False,
                ),
            ),
            Step(
                "log|dC/db_1| is a sum of n per-layer terms: its mean moves by E log|w f'(z)| per "
                "layer and its "
                "spread grows like sqrt(n). Only E log|w f'(z)| = 0 avoids exponential drift."
            ),
            Step(
                "For f(z) = s z and w ~ N(0,1) the balance is at s* = exp((gamma + log 2)/2).",
                sympy.Eq(
                    sympy.Symbol("s^*"), sympy.exp((sympy.EulerGamma + sympy.log(2)) / 2), evaluate=False
                ),
            ),
            Step(verdict),
        ],
        checks=checks,
        figures=[fig],
    )


def _relu_chain_fd(w, b, a0, y=0.0, h=1e-6):
    def cost(db1):
        act = a0
        for j in range(len(w)):
            act = max(w[j] * act + b[j] + (db1 if j == 0 else 0.0), 0.0)
        return (act - y) ** 2 / 2, act - y

    up, _ = cost(h)
    down, _ = cost(-h)
    _, dcda = cost(0.0)
    return (up - down) / (2 * h), dcda


# --- weight-powers -----------------------------------------------------------------------------


def _book_agrees(value: float, book: str) -> tuple[bool, str]:
    """Whether ``book`` (a decimal string) is ``value`` rounded or truncated to the digits printed."""
    decimals = len(book.split(".")[1]) if "." in book else 0
    rounded = round(value, decimals)
    truncated = math.trunc(value * 10**decimals) / 10**decimals
    b = float(book)
    if math.isclose(rounded, b, rel_tol=1e-12, abs_tol=1e-15):
        return True, f"rounded to {decimals} decimals: {rounded:.{decimals}f}"
    if math.isclose(truncated, b, rel_tol=1e-12, abs_tol=1e-15):
        return True, f"truncated (not rounded: {rounded:.{decimals}f}) to {decimals} decimals"
    return False, f"rounded {rounded:.{decimals}f}, truncated {truncated:.{decimals}f}"


@solver
def solve_weight_powers() -> Solution:
    """The numbers of seeds 003 and 004: 0.25^5, the w = 0.95 and w = 2 chains, 0.6^15, 1.6^15, sigma'(5)."""
    Q = sympy.Rational(1, 4)
    items = [
        # (name, exact, float via logs, the text's printed value or claim)
        ("0.25^5 (best case, 5 layers; seed 003)", Q**5, math.exp(5 * math.log(0.25)), "close to 0"),
        (
            "3-layer chain, w_2 = w_3 = 0.95, sigma' = 1/4 (seed 003)",
            Q**3 * sympy.Rational(19, 20) ** 2,
            math.exp(3 * math.log(0.25) + 2 * math.log(0.95)),
            "approaches 0 with depth",
        ),
        (
            "3-layer chain, w_2 = w_3 = 2, sigma' = 1/4 (seed 003)",
            Q**3 * 2**2,
            math.exp(3 * math.log(0.25) + 2 * math.log(2.0)),
            "grows exponentially (but each layer gives 2/4 = 1/2 < 1)",
        ),
        ("0.6^3 (seed 004)", sympy.Rational(3, 5) ** 3, math.exp(3 * math.log(0.6)), "0.21"),
        ("0.6^15 (seed 004)", sympy.Rational(3, 5) ** 15, math.exp(15 * math.log(0.6)), "0.00047"),
        ("1.6^15 (seed 004)", sympy.Rational(8, 5) ** 15, math.exp(15 * math.log(1.6)), "1152.92"),
    ]
    sp5_exact = sigma_prime(sympy.Integer(5)).rewrite(sympy.exp)
    sp5_float = float(np.exp(ch.log_sigmoid_prime(5.0)))
    items.append(("sigma'(5) (seed 004)", sp5_exact, sp5_float, "0.0066"))
    answer, checks, steps = {}, [], []
    for name, exact, via_log, book in items:
        ev = float(sympy.N(exact, 30))
        answer[name] = exact
        agree = abs(ev - via_log) / abs(ev)
        passed = agree < 1e-12
        detail = f"exact {sympy.N(exact, 15)}; float via logs {via_log:.15g}; relative difference {agree:.2g}"
        if book is not None and book[0].isdigit():
            ok, how = _book_agrees(ev, book)
            passed = passed and ok
            detail += f"; text prints {book}: {how}"
        checks.append(
            Check(
                f"{name} = {sympy.N(exact, 6)}",
                passed,
                detail,
                methods=("exact rational arithmetic (SymPy)", "float64 via exp(n log x)"),
                agreement=agree,
                tolerance=1e-12,
                book=book,
                computed=ev,
            )
        )
        steps.append(Step(name, sympy.Eq(sympy.Symbol("value"), exact, evaluate=False)))
    # weight 2 under sigmoid: per-layer factor at most 2 * 1/4 = 1/2 < 1
    steps.append(
        Step(
            "Seed 003 says the w = 2 chain explodes. The weights alone give 2^n, but with the sigmoid each "
            "layer contributes w sigma'(z) <= 2/4 = 1/2, so that chain's gradient still vanishes "
            "(like 2^-n); "
            "explosion needs |w sigma'(z)| > 1, hence |w| > 4 (Problem 1(1))."
        )
    )
    half = optimize.minimize_scalar(lambda t: -2 * float(sigmoid_prime(t)), bracket=(-2, 0.5, 2))
    checks.append(
        close_check(
            "with sigmoid units, w = 2 gives at most 1/2 per layer (so no explosion)",
            -half.fun,
            0.5,
            ("SciPy minimize_scalar of 2 sigma'(z)", "2 * 1/4 (exact)"),
            rtol=1e-9,
        )
    )
    p_small = integrate.quad(norm.pdf, -1, 1)[0]
    exact_p = sympy.erf(1 / sympy.sqrt(2))
    checks.append(
        close_check(
            "N(0,1) weights: P(|w| < 1) ('roughly 2/3', seed 004)",
            p_small,
            float(exact_p),
            ("SciPy quad of the normal density", "erf(1/sqrt 2) (SymPy)"),
            rtol=1e-12,
            book="2/3",
        )
    )
    answer["P(|w| < 1), w ~ N(0,1)"] = exact_p
    return Solution(
        id="weight-powers",
        title="Powers of weights and sigmoid slopes (seeds 003, 004)",
        source="Seeds 003 and 004",
        statement=(
            "Compute the numbers the two blog posts quote: 0.25 per layer over 5 layers; the "
            "three-layer chains "
            "with weights 0.95 and 2; 0.6^3, 0.6^15 and 1.6^15; sigma'(5); the share of N(0,1) "
            "weights below 1."
        ),
        answer=answer,
        steps=steps,
        checks=checks,
    )
