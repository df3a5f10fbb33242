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
from scipy.stats import norm

from .. import chain as ch
from .. import chain_stats as cs
from ..activations import sigma_prime, sigmoid_prime
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
