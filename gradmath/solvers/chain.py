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
from scipy import optimize
from scipy.special import expit

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
